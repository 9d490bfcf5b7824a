// Input rules shared by the commands: ids, user names, free text, e-mail addresses, passwords.
// Each returns InvalidArgument naming the field and the rule it breaks. Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace portico::domain {

inline constexpr std::size_t kMaxIdLength = 128;
inline constexpr std::size_t kMaxUsernameLength = 128;
inline constexpr std::size_t kMaxNameLength = 200;      // org, level and display names
inline constexpr std::size_t kMaxEmailLength = 254;
inline constexpr std::size_t kMaxTitleLength = 500;     // resource titles
inline constexpr std::size_t kMaxNoteLength = 65536;    // note bodies, in bytes
inline constexpr std::size_t kMinPasswordPolicy = 6;    // the lowest minimum a provider may set (AroFlo)
inline constexpr std::size_t kMaxPasswordLength = 128;  // in characters (code points)

// An id: 1 to kMaxIdLength characters from [A-Za-z0-9._-]. `what` names it ("user id").
Status ValidateId(std::string_view what, std::string_view id);

// The canonical form of a user name: surrounding white space trimmed, ASCII letters in lower
// case. Valid user names have 1 to kMaxUsernameLength characters from [a-z0-9._@+-] after
// that (e-mail addresses qualify). User names compare equal when their canonical forms do.
Result<std::string> NormaliseUsername(std::string_view username);

// Valid UTF-8 without control characters (multiline also allows \n, \r and \t), at most
// max_bytes bytes; empty only when allow_empty.
Status ValidateText(std::string_view what, std::string_view text, std::size_t max_bytes,
                    bool allow_empty, bool multiline = false);

// Empty, or local@domain without spaces or control characters, at most kMaxEmailLength.
Status ValidateEmail(std::string_view email);

// The password policy: at least min_length and at most kMaxPasswordLength characters.
// The message never contains the password.
Status ValidatePasswordPolicy(std::string_view password, std::size_t min_length);

// An argon2id encoded hash ("$argon2id$..."), as the gateway computes it.
Status ValidatePasswordHash(std::string_view hash);

// The number of characters (UTF-8 code points) in text.
std::size_t CountCharacters(std::string_view text);

}  // namespace portico::domain
