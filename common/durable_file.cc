#include "common/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace portico {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path) {
  return Status::Internal(std::string(what) + " " + path + ": " + std::strerror(errno));
}

std::string DirectoryOf(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Runs `step` on a freshly opened descriptor and closes it; the step's error, if any, wins.
template <typename Step>
Status WithFile(const std::string& path, int flags, mode_t mode, Step step) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  Status status = step(fd);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("cannot close", path);
  return status;
}

}  // namespace

Status WriteAllToFile(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot write", path);
    if (n == 0) return Status::Internal("cannot write " + path + ": the write made no progress");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

Status ReplaceFileDurably(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string temp = path + ".tmp";
  const Status written = WithFile(temp, O_WRONLY | O_CREAT | O_TRUNC, mode, [&](int fd) -> Status {
    // A temporary file left by an earlier attempt keeps its old mode under O_CREAT.
    if (::fchmod(fd, mode) != 0) return ErrnoStatus("cannot set the mode of", temp);
    RETURN_IF_ERROR(WriteAllToFile(fd, contents, temp));
    if (::fsync(fd) != 0) return ErrnoStatus("cannot fsync", temp);
    return Status::Ok();
  });
  if (!written.ok()) return written;
  if (::rename(temp.c_str(), path.c_str()) != 0) return ErrnoStatus("cannot rename " + temp + " onto", path);
  const std::string dir = DirectoryOf(path);
  return WithFile(dir, O_RDONLY | O_DIRECTORY, 0, [&](int fd) -> Status {
    if (::fsync(fd) != 0) return ErrnoStatus("cannot fsync the directory", dir);
    return Status::Ok();
  });
}

}  // namespace portico
