// Notifications for a downstream mailer: the value format of the Kafka topic
// `portico.notifications` (KafkaConfig::notifications_topic), and how each kind of mail is
// worded.
//
// Message value: one JSON object (UTF-8)
//   {"id": "welcome-42",            stable notification id: the same mail always has the same
//                                   id, so a mailer dedupes re-deliveries (at-least-once)
//    "kind": "welcome",             welcome | login_details | password_reset | lockout | alert
//    "to": "ann@example.com", "user_id": "u1",
//    "subject": "...", "text": "...",  plain-text body
//    "link": "https://portal.example/login",   "" when none
//    "created_at": 1700000000000000}           microseconds since the epoch, UTC
// Key: the user id (one user's mails stay in order). Headers (UTF-8): kind, notification_id,
// user_id. Mails never hold a password or a hash; the password_reset link is the only place
// a raw token ever appears.
#pragma once

#include <cstdint>
#include <string>

#include "projections/alerts_model.h"

namespace portico::gateway {

struct Notification {
  std::string id;
  std::string kind;
  std::string to;
  std::string user_id;
  std::string subject;
  std::string text;
  std::string link;
  std::int64_t created_at_us = 0;
};

struct MailSettings {
  std::string portal_url;  // "http://127.0.0.1:8080/portal": links are built on it
  std::string from = "portico <no-reply@portico.invalid>";
  std::int64_t reset_token_minutes = 15;
};

// The mail for an intent derived from the log (welcome, login_details, lockout, alert).
Notification ComposeMail(const projections::MailIntent& intent, const MailSettings& settings);

// The reset-link mail: `token` is the raw reset token (only ever here and in the link).
Notification ComposeResetMail(const std::string& id, const std::string& user_id, const std::string& to,
                              const std::string& display_name, const std::string& token,
                              std::int64_t created_at_us, const MailSettings& settings);

// The Kafka message value (see above).
std::string NotificationJson(const Notification& n);

// The RFC 5322 message the development mailer writes (From, To, Subject, Date, Message-ID,
// MIME-Version, Content-Type text/plain UTF-8, then the text and the link), CRLF line ends.
std::string NotificationEml(const Notification& n, const MailSettings& settings);

}  // namespace portico::gateway
