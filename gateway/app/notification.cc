#include "gateway/app/notification.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <ctime>

namespace portico::gateway {
namespace {

std::string Greeting(const std::string& display_name) {
  return "Hello " + (display_name.empty() ? std::string("there") : display_name) + ",\n\n";
}

// `us` formatted in UTC by strftime's `format`.
std::string FormatUtc(std::int64_t us, const char* format) {
  const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
// "Sun, 22 Nov 2026 13:38:04 +0000" (RFC 5322 date-time).
std::string MailDate(std::int64_t us) { return FormatUtc(us, "%a, %d %b %Y %H:%M:%S +0000"); }
std::string UtcTime(std::int64_t us) { return FormatUtc(us, "%Y-%m-%d %H:%M UTC"); }

// A header value on one line; non-ASCII text as an RFC 2047 encoded word.
std::string HeaderValue(std::string_view value) {
  std::string clean;
  bool ascii = true;
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    clean += c;
  }
  if (ascii) return clean;
  std::string b64(sodium_base64_ENCODED_LEN(clean.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(clean.data()), clean.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return "=?UTF-8?B?" + b64 + "?=";
}

std::string Crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    if (c != '\r') out += c;
  }
  return out;
}

}  // namespace

Notification ComposeMail(const projections::MailIntent& m, const MailSettings& settings) {
  Notification n;
  n.id = m.notification_id;
  n.kind = m.kind;
  n.to = m.to;
  n.user_id = m.user_id;
  n.created_at_us = m.created_at_us;
  const std::string login = settings.portal_url + "/login";
  if (m.kind == "welcome") {
    n.subject = "Welcome to the client portal";
    n.link = login;
    n.text = Greeting(m.display_name) + "An account has been created for you on the client portal.\n\nUser name: " +
             m.username + "\nLog in at: " + login +
             "\n\nIf you have not been given a password, use \"I forgot my password\" on the login page.\n";
  } else if (m.kind == "login_details") {
    n.subject = "Your client portal login details";
    n.link = login;
    n.text = Greeting(m.display_name) + "Here are your client portal login details.\n\nUser name: " + m.username +
             "\nLog in at: " + login +
             "\n\nIf you do not know your password, use \"I forgot my password\" on the login page.\n";
  } else if (m.kind == "lockout") {
    n.subject = "Your client portal account is locked";
    n.link = login;
    n.text = Greeting(m.display_name) + "Your account (user name " + m.username +
             ") was locked after too many failed log-in attempts, until " + UtcTime(m.locked_until_us) +
             ".\nIf this was not you, tell your contact at the provider.\n";
  } else if (m.kind == "email_changed") {
    // Sent to the old address; the new one is not named in it.
    n.subject = "Your client portal e-mail address was changed";
    n.link = login;
    n.text = Greeting(m.display_name) + "The e-mail address of your client portal account (user name " + m.username +
             ") was changed, and mails now go to the new address.\nIf this was not you, tell your contact at the "
             "provider at once.\n";
  } else if (m.alert) {
    n.subject = m.alert->text;
    n.link = settings.portal_url + "/resources/" + m.alert->resource_id;
    n.text = Greeting(m.display_name) + m.alert->text + ".\n\nSee it at: " + n.link +
             "\n\nYou get this mail because you subscribed to \"" + m.alert->kind + "\" alerts.\n";
  }
  return n;
}

Notification ComposeResetMail(const std::string& id, const std::string& user_id, const std::string& to,
                              const std::string& display_name, const std::string& token,
                              std::int64_t created_at_us, const MailSettings& settings) {
  Notification n;
  n.id = id;
  n.kind = "password_reset";
  n.to = to;
  n.user_id = user_id;
  n.created_at_us = created_at_us;
  n.subject = "Reset your client portal password";
  n.link = settings.portal_url + "/reset-password?token=" + token;
  n.text = Greeting(display_name) + "Someone asked to reset your client portal password.\n\nSet a new one at: " +
           n.link + "\n\nThe link works once and expires in " + std::to_string(settings.reset_token_minutes) +
           " minutes. If you did not ask for it, ignore this mail.\n";
  return n;
}

std::string NotificationJson(const Notification& n) {
  return boost::json::serialize(boost::json::object{{"id", n.id},
                                                    {"kind", n.kind},
                                                    {"to", n.to},
                                                    {"user_id", n.user_id},
                                                    {"subject", n.subject},
                                                    {"text", n.text},
                                                    {"link", n.link},
                                                    {"created_at", n.created_at_us}});
}

std::string NotificationEml(const Notification& n, const MailSettings& settings) {
  std::string out;
  out += "From: " + HeaderValue(settings.from) + "\r\n";
  out += "To: " + HeaderValue(n.to) + "\r\n";
  out += "Subject: " + HeaderValue(n.subject) + "\r\n";
  out += "Date: " + MailDate(n.created_at_us) + "\r\n";
  out += "Message-ID: <" + n.id + "@portico.invalid>\r\n";
  out += "X-Portico-Kind: " + n.kind + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  out += Crlf(n.text);
  return out;
}

}  // namespace portico::gateway
