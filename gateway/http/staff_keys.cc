// The key file, text, in the data directory (kStaffKeysFileName), mode 0600:
//   file   := header line*
//   header := "portico-staff-keys 1" "\n"
//   line   := name " " hash "\n"
//   name   := [A-Za-z0-9._-]{1,64}
//   hash   := 64 lowercase hex digits: BLAKE2b-256 (crypto_generichash, no key) of the key
// It never holds a key itself. It is replaced whole (ReplaceFileDurably, common/durable_file.h:
// written to "<file>.tmp", fsync'd, renamed over the file, then the directory is fsync'd).
#include "gateway/http/staff_keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "common/durable_file.h"
#include "common/hex.h"
#include "common/log.h"

namespace portico::gateway {
namespace {

constexpr std::string_view kHeader = "portico-staff-keys 1";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kHashBytes = crypto_generichash_BYTES;  // 32: BLAKE2b-256

const std::shared_ptr<spdlog::logger>& Log() {
  static const auto log = NamedLogger("gateway");
  return log;
}

std::string HashKey(std::string_view key) {
  std::string hash(kHashBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr, 0);
  return hash;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() != kHashBytes * 2 || !std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return std::nullopt;
  }
  std::string bytes(kHashBytes, '\0');
  std::size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(),
                     hex.size(), nullptr, &length, nullptr) != 0 ||
      length != kHashBytes) {
    return std::nullopt;
  }
  return bytes;
}

bool IsValidName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

bool IsValidKey(std::string_view key) {
  return key.size() >= 32 && key.size() <= 512 &&
         std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

std::string GenerateStaffKey() {
  std::array<unsigned char, kKeyBytes> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  const auto variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(kKeyBytes, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  sodium_memzero(bytes.data(), bytes.size());
  return out;
}

Result<std::optional<std::string>> LoadAdminKey(const std::string& admin_key_file) {
  std::string key;
  const char* env = std::getenv("PORTICO_ADMIN_KEY");
  if (env != nullptr && *env != '\0') {
    key = Trim(env);
  } else if (!admin_key_file.empty()) {
    std::ifstream in(admin_key_file);
    if (!in) return Status::InvalidArgument("cannot read --admin-key-file " + admin_key_file);
    std::getline(in, key);
    key = Trim(key);
  } else {
    return std::optional<std::string>();
  }
  if (!IsValidKey(key)) {
    return Status::InvalidArgument(
        "the admin key must be 32 to 512 visible ASCII characters without spaces");
  }
  return std::optional<std::string>(std::move(key));
}

Result<StaffKeys::Opened> StaffKeys::Open(std::string path, std::optional<std::string> admin_key) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (admin_key && !IsValidKey(*admin_key)) {
    return Status::InvalidArgument("the admin key must be 32 to 512 visible ASCII characters");
  }
  Opened opened;
  opened.keys.reset(new StaffKeys(std::move(path)));
  StaffKeys& keys = *opened.keys;
  std::unique_lock lock(keys.mutex_);
  struct stat st;
  if (::stat(keys.path_.c_str(), &st) == 0) {
    RETURN_IF_ERROR(keys.Load());
    if ((st.st_mode & 077) != 0) {
      Log()->warn("{} was readable by others; restricting it to mode 0600", keys.path_);
      if (::chmod(keys.path_.c_str(), 0600) != 0) {
        return Status::Internal(ErrnoText("cannot chmod " + keys.path_));
      }
    }
    if (admin_key) {
      auto it = keys.by_hash_.find(HashKey(*admin_key));
      if (it == keys.by_hash_.end() || it->second != kAdminKeyName) {
        Log()->info("the admin staff key was replaced by the one given at start");
        RETURN_IF_ERROR(keys.Put(kAdminKeyName, *admin_key));
        RETURN_IF_ERROR(keys.Persist());
      }
    }
    return opened;
  }
  if (errno != ENOENT) return Status::Internal(ErrnoText("cannot stat " + keys.path_));
  if (!admin_key) {
    admin_key = GenerateStaffKey();
    opened.generated_admin_key = admin_key;
  }
  RETURN_IF_ERROR(keys.Put(kAdminKeyName, *admin_key));
  RETURN_IF_ERROR(keys.Persist());
  return opened;
}

Status StaffKeys::Load() {
  std::ifstream in(path_);
  if (!in) return Status::Internal("cannot read " + path_);
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    return Status::Corruption(path_ + " is not a portico staff key file");
  }
  for (int number = 2; std::getline(in, line); ++number) {
    const auto space = line.find(' ');
    const std::string name = line.substr(0, space);
    auto hash = space == std::string::npos ? std::nullopt : FromHex(line.substr(space + 1));
    if (!IsValidName(name) || !hash) {
      return Status::Corruption(path_ + ": malformed line " + std::to_string(number));
    }
    by_hash_[*hash] = name;
  }
  return Status::Ok();
}

Status StaffKeys::Persist() const {
  std::string contents(kHeader);
  contents += '\n';
  for (const auto& [hash, name] : by_hash_) contents += name + " " + HexEncode(hash) + "\n";
  return ReplaceFileDurably(path_, contents, 0600);
}

Status StaffKeys::Put(std::string_view name, std::string_view key) {
  if (!IsValidName(name)) {
    return Status::InvalidArgument("a staff key name is 1 to 64 of A-Z a-z 0-9 . _ -");
  }
  std::erase_if(by_hash_, [name](const auto& entry) { return entry.second == name; });
  by_hash_[HashKey(key)] = std::string(name);
  return Status::Ok();
}

std::optional<std::string> StaffKeys::Authenticate(std::string_view key) const {
  const std::string hash = HashKey(key);
  std::shared_lock lock(mutex_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> StaffKeys::Create(std::string_view name) {
  std::unique_lock lock(mutex_);
  if (std::any_of(by_hash_.begin(), by_hash_.end(),
                  [name](const auto& entry) { return entry.second == name; })) {
    return Status::AlreadyExists("a staff key named " + std::string(name) + " exists");
  }
  std::string key = GenerateStaffKey();
  RETURN_IF_ERROR(Put(name, key));
  if (Status persisted = Persist(); !persisted.ok()) {
    by_hash_.erase(HashKey(key));
    return persisted;
  }
  return key;
}

Status StaffKeys::Revoke(std::string_view name) {
  std::unique_lock lock(mutex_);
  if (std::erase_if(by_hash_, [name](const auto& entry) { return entry.second == name; }) == 0) {
    return Status::NotFound("no staff key named " + std::string(name));
  }
  return Persist();
}

std::vector<std::string> StaffKeys::Names() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [hash, name] : by_hash_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace portico::gateway
