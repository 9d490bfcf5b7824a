#include "domain/validate.h"

#include <cstdint>

namespace portico::domain {
namespace {

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsUsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
         c == '@' || c == '+';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Length of the UTF-8 sequence starting at text[i], or 0 when it is malformed.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto b = static_cast<std::uint8_t>(text[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) { len = 2; cp = b & 0x1F; }
  else if ((b & 0xF0) == 0xE0) { len = 3; cp = b & 0x0F; }
  else if ((b & 0xF8) == 0xF0) { len = 4; cp = b & 0x07; }
  else return 0;
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto c = static_cast<std::uint8_t>(text[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are malformed.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

Status ValidateId(std::string_view what, std::string_view id) {
  if (id.empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  if (id.size() > kMaxIdLength) {
    return Status::InvalidArgument(std::string(what) + " is longer than " + std::to_string(kMaxIdLength) +
                                   " characters");
  }
  for (char c : id) {
    if (!IsIdChar(c)) {
      return Status::InvalidArgument(std::string(what) + " '" + std::string(id) +
                                     "' may only contain letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Result<std::string> NormaliseUsername(std::string_view username) {
  while (!username.empty() && IsSpace(username.front())) username.remove_prefix(1);
  while (!username.empty() && IsSpace(username.back())) username.remove_suffix(1);
  if (username.empty()) return Status::InvalidArgument("username is empty");
  if (username.size() > kMaxUsernameLength) {
    return Status::InvalidArgument("username is longer than " + std::to_string(kMaxUsernameLength) +
                                   " characters");
  }
  std::string out(username);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!IsUsernameChar(c)) {
      return Status::InvalidArgument("username '" + std::string(username) +
                                     "' may only contain letters, digits and . _ @ + -");
    }
  }
  return out;
}

Status ValidateText(std::string_view what, std::string_view text, std::size_t max_bytes,
                    bool allow_empty, bool multiline) {
  if (text.empty() && !allow_empty) return Status::InvalidArgument(std::string(what) + " is empty");
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + " is longer than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return Status::InvalidArgument(std::string(what) + " is not valid UTF-8");
    const auto c = static_cast<unsigned char>(text[i]);
    const bool allowed_space = multiline && (c == '\n' || c == '\r' || c == '\t');
    if (len == 1 && (c < 0x20 || c == 0x7F) && !allowed_space) {
      return Status::InvalidArgument(std::string(what) + " contains a control character");
    }
    i += len;
  }
  return Status::Ok();
}

Status ValidateEmail(std::string_view email) {
  if (email.empty()) return Status::Ok();
  RETURN_IF_ERROR(ValidateText("email", email, kMaxEmailLength, false));
  const auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find(' ') != std::string_view::npos || email.find('@') != at) {
    return Status::InvalidArgument("email '" + std::string(email) + "' is not an address (local@domain)");
  }
  return Status::Ok();
}

std::size_t CountCharacters(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Status ValidatePasswordPolicy(std::string_view password, std::size_t min_length) {
  const std::size_t n = CountCharacters(password);
  if (n < min_length) {
    return Status::FailedPrecondition("password is shorter than the minimum of " +
                                      std::to_string(min_length) + " characters");
  }
  if (n > kMaxPasswordLength) {
    return Status::FailedPrecondition("password is longer than the maximum of " +
                                      std::to_string(kMaxPasswordLength) + " characters");
  }
  return Status::Ok();
}

Status ValidatePasswordHash(std::string_view hash) {
  static constexpr std::string_view kPrefix = "$argon2id$";
  if (hash.substr(0, kPrefix.size()) != kPrefix || hash.size() > 512) {
    return Status::InvalidArgument("password hash is not an argon2id encoded string");
  }
  return ValidateText("password hash", hash, 512, false);
}

}  // namespace portico::domain
