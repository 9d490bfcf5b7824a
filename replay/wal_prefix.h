// Internal: the file system a secondary instance of the log reads through (log_db.cc), which
// shows each WAL file only up to its last whole, intact record: the end of the WAL for now.
//
// Why: a server that syncs keeps zeros written ahead of its WAL's end (eventstore/
// prezeroed_wal.h), and the secondary tails that WAL while the server writes over them. Its
// reader (RocksDB's FragmentBufferedReader, which ignores wal_recovery_mode) handles a WAL
// that ends mid-record, but not what it meets here: a block of zeros makes it drop the rest
// of the block and read on, so the records the server later writes there are skipped, and
// a record it reads half copied fails its checksum and fails the open with Corruption. The
// replay then reported a gap (exit 1) or damage (exit 4) in an intact log.
//
// How: each WAL file is read through a cursor that walks RocksDB's log format (32 KiB
// blocks of records, each with a masked CRC-32C over its type and payload) ahead of the
// reader and hands out bytes only up to the end of the last record whose checksum holds.
// Zeros and a torn record are "not written yet": the reader waits there, as at the end of a
// file, and reads on when the next catch-up finds them complete.
//
// Damage: a WAL that the server has moved past and that fails a checksum ends there for the
// secondary, which reads on in the next WAL; the events in between are then missing before
// later ones, and the replay's own checks (gapless positions, chain, head record) report
// them. In the newest WAL, a damaged record ends the view there, as the server's own
// point-in-time recovery would end its log there.
#pragma once

#include <memory>

#include <rocksdb/file_system.h>

namespace portico::replay {

std::shared_ptr<rocksdb::FileSystem> NewWalPrefixFileSystem(std::shared_ptr<rocksdb::FileSystem> target);

}  // namespace portico::replay
