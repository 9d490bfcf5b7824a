// Small files that must survive a crash whole: checkpoints, the staff key file, snapshots, the
// compacted idempotency log.
//
// ReplaceFileDurably writes the new contents to "<path>.tmp", fsyncs it, renames it over
// `path` and fsyncs the directory, so that after a crash or power loss `path` holds either
// its old contents or the new ones, never an empty or torn file. A writer that checked only
// its output stream would miss the errors reported when the buffered bytes reach the disk (a
// full disk, say) and could rename an empty file over a good one.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace portico {

// Ok once `path` durably holds `contents`, with permission bits `mode`. On failure (Internal,
// naming the step, the file and the system's reason) `path` is unchanged; a "<path>.tmp" may
// be left behind, and the next call replaces it.
Status ReplaceFileDurably(const std::string& path, std::string_view contents, mode_t mode = 0644);

// Writes all of `bytes` to `fd` (retrying short writes and EINTR). Internal naming `path` on
// failure; the file may then hold a prefix of `bytes`.
Status WriteAllToFile(int fd, std::string_view bytes, const std::string& path);

}  // namespace portico
