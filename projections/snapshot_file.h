// Snapshot files: one projection's model and position, saved atomically.
//
// The runner (projections/runner.h) writes <snapshot_dir>/<name>.snapshot and reads it back at
// start, so a restarted process resumes each read model at exactly the position it had saved:
// nothing lost, nothing applied twice. Writes go to a temp file, are fsync'd and renamed over
// the old file (then the directory is fsync'd), so a crash leaves the old or the new snapshot,
// never a torn one.
//
// File format (integers big-endian):
//   file     := magic header blob checksum
//   magic    := "PTSNAP01"                      8 bytes
//   header   := position:u64 name_len:u32 name blob_len:u64
//   blob     := blob_len bytes                  Projection::Snapshot()
//   checksum := BLAKE2b-128 of everything before it
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "common/strong_type.h"

namespace portico::projections {

struct SnapshotRecord {
  std::string name;   // the projection's name
  Position position;  // its applied() when the snapshot was taken
  std::string blob;   // its Snapshot()
};

Status WriteSnapshotFile(const std::string& path, const SnapshotRecord& record);

// nullopt when the file does not exist; Corruption (naming the file) when it is damaged.
Result<std::optional<SnapshotRecord>> ReadSnapshotFile(const std::string& path);

}  // namespace portico::projections
