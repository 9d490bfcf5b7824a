// Staff keys: the bearer credentials of the provider's people and systems (API.md).
//
// A key is 32 random bytes, base64url-encoded without padding (43 characters); a key given
// by the operator (PORTICO_ADMIN_KEY, --admin-key-file) may be any 32 to 512 visible ASCII
// characters. Each key has a name ([A-Za-z0-9._-], 1 to 64 characters) that becomes the
// `actor` of the events it causes. Only BLAKE2b-256 hashes of keys are kept, in memory and in
// the key file (format in staff_keys.cc), which is written with mode 0600 (temp file, fsync,
// rename, fsync of the directory); a key is shown in plaintext only when it is created.
//
// Open(path, admin_key):
//   - no file yet: the first key, named "admin", is `admin_key` when given, else generated
//     and returned in Opened::generated_admin_key so main can print it once;
//   - a file: its keys are loaded (a file readable by group or others is tightened to 0600,
//     with a warning); when `admin_key` is given and differs from the stored "admin" key, it
//     replaces it: the operator's key is the authority.
// Authenticate hashes the presented key and looks the hash up: the time it takes does not
// depend on how much of a key matched. It does no I/O and may run on an I/O thread.
// Create and Revoke rewrite the file (fsync): call them on a worker pool, never on an I/O
// thread. All methods are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace portico::gateway {

inline constexpr std::string_view kAdminKeyName = "admin";
inline constexpr std::string_view kStaffKeysFileName = "staff_keys";

class StaffKeys {
 public:
  struct Opened {
    std::unique_ptr<StaffKeys> keys;
    std::optional<std::string> generated_admin_key;  // set only when one was generated
  };

  static Result<Opened> Open(std::string path, std::optional<std::string> admin_key);

  StaffKeys(const StaffKeys&) = delete;
  StaffKeys& operator=(const StaffKeys&) = delete;

  // The name of `key`, or nullopt when it is no staff key.
  std::optional<std::string> Authenticate(std::string_view key) const;

  // A new random key named `name`, persisted; returned in plaintext this once.
  // AlreadyExists when the name is taken, InvalidArgument for a bad name.
  Result<std::string> Create(std::string_view name);

  // Removes the key named `name`; NotFound when there is none.
  Status Revoke(std::string_view name);

  std::vector<std::string> Names() const;

 private:
  explicit StaffKeys(std::string path) : path_(std::move(path)) {}
  Status Load();
  Status Persist() const;                                   // REQUIRES(mutex_ held exclusively)
  Status Put(std::string_view name, std::string_view key);  // REQUIRES(mutex_ held exclusively)

  const std::string path_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::string> by_hash_;  // raw 32-byte hash -> name; GUARDED_BY(mutex_)
};

// 32 random bytes, base64url without padding.
std::string GenerateStaffKey();

// The operator's admin key: PORTICO_ADMIN_KEY when set and not empty, else the first line of
// `admin_key_file` when that is not empty, else nullopt. Surrounding whitespace is trimmed.
// InvalidArgument when the file cannot be read or the key is malformed.
Result<std::optional<std::string>> LoadAdminKey(const std::string& admin_key_file);

}  // namespace portico::gateway
