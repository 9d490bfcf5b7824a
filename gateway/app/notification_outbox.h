// NotificationOutbox: produces notifications (gateway/app/notification.h) to the Kafka topic
// `portico.notifications`, and, as the development mailer, writes each delivered one as an
// RFC 5322 file DATA_DIR/mail/<notification id>.eml.
//
// Sources: the alerts projection (mails derived from events: Deliver(), a NotificationSink)
// and the password-reset route (SendNow(): the reset link exists only in memory).
//
// Delivery is at-least-once with stable ids: one thread sends the queue in order; for each
// notification it produces (idempotent producer, acks=all, retried without time limit) and
// waits for the broker's acknowledgement, then writes the .eml. A file
// DATA_DIR/notifications.checkpoint holds the position of the last event whose mails were all
// acknowledged; the projection's rebuild at start offers every event's mails again, and those
// at or below the checkpoint are skipped. The checkpoint is saved durably (common/
// durable_file.h) at most every kCheckpointInterval, whenever the queue runs empty, and when
// stopping. A crash between the acknowledgement and the checkpoint sends those mails again with
// the same ids: downstream dedupes by id (the .eml file name is the id, so the dev mailer
// does). A damaged checkpoint file stops Start() with a Corruption naming it (read as 0, it
// would send every mail ever sent again). A reset mail lost in a crash before its
// acknowledgement is not re-sent (its token was never stored): the user asks again.
//
// Thread-safe. Stop() (also the destructor) stops after the notification in flight; the
// ones still queued are lost from the queue but not from the log (re-derived next start).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"
#include "gateway/app/notification.h"
#include "projections/alerts_model.h"

namespace portico::gateway {

// How often, at most, the sending thread saves the checkpoint while the queue is busy.
inline constexpr std::chrono::milliseconds kCheckpointInterval{200};

struct OutboxOptions {
  std::string bootstrap_servers;
  std::string topic = "portico.notifications";
  std::string client_id = "portico-notifications";
  std::vector<std::pair<std::string, std::string>> kafka_properties;
  std::string data_dir;  // mail/ and notifications.checkpoint live here
  MailSettings mail;
};

class NotificationOutbox final : public projections::NotificationSink {
 public:
  // Creates the producer; nothing is sent before StartSending().
  static Result<std::unique_ptr<NotificationOutbox>> Start(OutboxOptions options);
  // Starts the sending thread; `default_portal_url` is used when options.mail.portal_url is
  // empty (the HTTP address is known only once the server listens). Call once.
  void StartSending(const std::string& default_portal_url);
  ~NotificationOutbox() override;
  NotificationOutbox(const NotificationOutbox&) = delete;
  NotificationOutbox& operator=(const NotificationOutbox&) = delete;

  // From the alerts projection: skipped when `position` is at or below the checkpoint.
  void Deliver(std::vector<projections::MailIntent> mails, Position position) override;
  // A notification composed elsewhere (the reset link); never checkpointed.
  void SendNow(Notification notification);

  const MailSettings& mail() const { return options_.mail; }
  // Notifications acknowledged by Kafka since start.
  std::uint64_t delivered() const;
  void Stop();

 private:
  struct Item {
    std::optional<projections::MailIntent> intent;  // composed when sent
    Notification notification;                      // when no intent
    std::uint64_t position = 0;  // 0: not from the log
    bool last_of_position = false;
  };
  explicit NotificationOutbox(OutboxOptions options);
  Status CreateProducer();
  void Run();
  bool Produce(const Notification& n);  // true once acknowledged; false when stopping
  void WriteEml(const Notification& n);
  // True once `position` is durably the checkpoint; logs and returns false otherwise.
  bool SaveCheckpoint(std::uint64_t position);

  OutboxOptions options_;
  struct Kafka;
  std::unique_ptr<Kafka> kafka_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;             // GUARDED_BY(mu_)
  bool stop_ = false;                  // GUARDED_BY(mu_)
  std::uint64_t checkpoint_ = 0;       // GUARDED_BY(mu_)
  std::uint64_t delivered_ = 0;        // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace portico::gateway
