#include "replay/time_format.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <system_error>

namespace portico::replay {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at text[pos...], advancing pos.
bool Digits(std::string_view text, std::size_t& pos, std::size_t n, unsigned& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  pos += n;
  return true;
}

bool Expect(std::string_view text, std::size_t& pos, std::string_view chars) {
  if (pos >= text.size() || chars.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

// Digits after at most one leading '-': an integer count of microseconds, not a date.
bool IsInteger(std::string_view text) {
  const std::string_view digits = text.substr(text.starts_with('-') ? 1 : 0);
  return !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
}

// An IsInteger text as int64 microseconds.
Result<std::int64_t> ParseMicros(std::string_view text) {
  std::int64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::result_out_of_range) {
    return Status::InvalidArgument("time '" + std::string(text) +
                                   "' is out of range (microseconds since the epoch must fit in 64 bits)");
  }
  if (error != std::errc() || stop != end) return Status::InvalidArgument("bad time '" + std::string(text) + "'");
  return value;
}

std::optional<std::int64_t> ParseRfc3339(std::string_view text) {
  std::size_t pos = 0;
  unsigned year, month, day, hour, minute, second;
  if (!Digits(text, pos, 4, year) || !Expect(text, pos, "-") || !Digits(text, pos, 2, month) ||
      !Expect(text, pos, "-") || !Digits(text, pos, 2, day) || !Expect(text, pos, "Tt ") ||
      !Digits(text, pos, 2, hour) || !Expect(text, pos, ":") || !Digits(text, pos, 2, minute) ||
      !Expect(text, pos, ":") || !Digits(text, pos, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');  // finer digits are dropped
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (Expect(text, pos, "Zz")) {
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool negative = text[pos++] == '-';
    unsigned oh, om;
    if (!Digits(text, pos, 2, oh) || !Expect(text, pos, ":") || !Digits(text, pos, 2, om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset_seconds = (negative ? -1 : 1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                               std::min(second, 59u) - offset_seconds;
  return seconds * 1000000 + micros;
}

}  // namespace

Result<std::int64_t> ParseTime(std::string_view text) {
  if (text == "now") {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  if (text.empty()) return Status::InvalidArgument("empty time");
  if (IsInteger(text)) return ParseMicros(text);
  if (auto parsed = ParseRfc3339(text)) return *parsed;
  return Status::InvalidArgument("bad time '" + std::string(text) +
                                 "': expected RFC 3339 (2026-11-22T10:00:00Z) or microseconds since the epoch");
}

std::size_t FormatTime(std::int64_t time_us, char* out) {
  std::int64_t seconds = time_us / 1000000;
  std::int64_t micros = time_us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    days -= 1;
  }
  std::int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  if (year < 0 || year > 9999) {  // rare: let snprintf widen the year
    const int n = std::snprintf(out, kFormattedTimeMax, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                                static_cast<long long>(year), month, day, static_cast<long long>(rest / 3600),
                                static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60),
                                static_cast<long long>(micros));
    return static_cast<std::size_t>(n);
  }
  // Called for every time of an as-of answer: digits by hand, no snprintf.
  char* p = out;
  const auto put = [&p](std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    p += width;
  };
  put(year, 4);
  *p++ = '-';
  put(month, 2);
  *p++ = '-';
  put(day, 2);
  *p++ = 'T';
  put(rest / 3600, 2);
  *p++ = ':';
  put(rest / 60 % 60, 2);
  *p++ = ':';
  put(rest % 60, 2);
  *p++ = '.';
  put(micros, 6);
  *p++ = 'Z';
  return static_cast<std::size_t>(p - out);
}

std::string FormatTime(std::int64_t time_us) {
  char buf[kFormattedTimeMax];
  return std::string(buf, FormatTime(time_us, buf));
}

}  // namespace portico::replay
