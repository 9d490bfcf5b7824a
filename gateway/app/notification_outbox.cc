#include "gateway/app/notification_outbox.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/durable_file.h"
#include "common/kafka_client.h"
#include "common/log.h"

namespace portico::gateway {
namespace {

const std::shared_ptr<spdlog::logger>& Log() {
  static const auto log = NamedLogger("notifications");
  return log;
}

std::string CheckpointPath(const OutboxOptions& o) { return o.data_dir + "/notifications.checkpoint"; }

// The checkpoint file holds the position as decimal digits and a newline. No file: nothing was
// sent yet. A damaged one is an error: read as 0 it would send every mail ever sent again, and
// a wrong large value would silently send none.
Result<std::uint64_t> LoadCheckpoint(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (ec) return Status::Unavailable("cannot look for " + path + ": " + ec.message());
    return std::uint64_t{0};
  }
  std::ifstream in(path, std::ios::binary);
  std::string text;
  if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return Status::Unavailable("cannot read " + path);
  std::string_view digits = text;
  if (digits.ends_with('\n')) digits.remove_suffix(1);
  std::uint64_t position = 0;
  const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  if (digits.empty() || err != std::errc() || end != digits.data() + digits.size()) {
    return Status::Corruption("the notifications checkpoint " + path +
                              " is damaged: it should hold the log position of the last event whose mails "
                              "were sent, as digits and a newline. Write that position into it, or delete "
                              "it to send every notification again");
  }
  return position;
}

// A file name from an id: the ids are made of [A-Za-z0-9._-]; anything else becomes '_'.
std::string SafeName(const std::string& id) {
  std::string out = id;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return out;
}

}  // namespace

struct NotificationOutbox::Kafka {
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* rkt = nullptr;
  std::atomic<int> last_error{0};  // of the latest delivery report
  ~Kafka() {
    if (rkt != nullptr) rd_kafka_topic_destroy(rkt);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    static_cast<Kafka*>(opaque)->last_error.store(m->err);
  }
  // librdkafka's own log lines, into this module's logger rather than stderr.
  static void OnLog(const rd_kafka_t*, int level, const char* facility, const char* message) {
    Log()->log(KafkaLogLevel(level), "librdkafka [{}] {}", facility, message);
  }
};

Result<std::unique_ptr<NotificationOutbox>> NotificationOutbox::Start(OutboxOptions options) {
  std::unique_ptr<NotificationOutbox> outbox(new NotificationOutbox(std::move(options)));
  std::error_code ec;
  // Mails carry reset links with their raw tokens: only portico's own user may read them.
  const std::filesystem::path mail_dir = outbox->options_.data_dir + "/mail";
  std::filesystem::create_directories(mail_dir, ec);
  if (ec) return Status::Unavailable("cannot create the mail directory: " + ec.message());
  std::filesystem::permissions(mail_dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, ec);
  if (ec) return Status::Unavailable("cannot restrict the mail directory to its owner: " + ec.message());
  ASSIGN_OR_RETURN(outbox->checkpoint_, LoadCheckpoint(CheckpointPath(outbox->options_)));
  RETURN_IF_ERROR(outbox->CreateProducer());
  Log()->info("notifications to topic {} (checkpoint at position {})", outbox->options_.topic,
              outbox->checkpoint_);
  return outbox;
}

void NotificationOutbox::StartSending(const std::string& default_portal_url) {
  if (options_.mail.portal_url.empty()) options_.mail.portal_url = default_portal_url;
  thread_ = std::thread([this] { Run(); });
}

NotificationOutbox::NotificationOutbox(OutboxOptions options) : options_(std::move(options)) {}
NotificationOutbox::~NotificationOutbox() { Stop(); }

Status NotificationOutbox::CreateProducer() {
  kafka_ = std::make_unique<Kafka>();
  const KafkaSettings settings = {
      {"bootstrap.servers", options_.bootstrap_servers},
      {"client.id", options_.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "0"},
      {"message.timeout.ms", "0"},  // a down broker means retry, not loss
      {"log.connection.close", "false"},
  };
  ASSIGN_OR_RETURN(KafkaConfPtr conf, NewKafkaConf("notifications", settings, options_.kafka_properties));
  rd_kafka_conf_set_opaque(conf.get(), kafka_.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Kafka::OnDelivery);
  rd_kafka_conf_set_log_cb(conf.get(), &Kafka::OnLog);
  ASSIGN_OR_RETURN(kafka_->rk, NewKafkaHandle("notifications", RD_KAFKA_PRODUCER, std::move(conf)));
  kafka_->rkt = rd_kafka_topic_new(kafka_->rk, options_.topic.c_str(), nullptr);
  if (kafka_->rkt == nullptr) return Status::Unavailable("notifications: cannot open topic " + options_.topic);
  return Status::Ok();
}

void NotificationOutbox::Deliver(std::vector<projections::MailIntent> mails, Position position) {
  std::lock_guard lock(mu_);
  if (stop_ || position.value() <= checkpoint_) return;
  for (std::size_t i = 0; i < mails.size(); ++i) {
    queue_.push_back(Item{std::move(mails[i]), {}, position.value(), i + 1 == mails.size()});
  }
  cv_.notify_one();
}

void NotificationOutbox::SendNow(Notification notification) {
  std::lock_guard lock(mu_);
  if (stop_) return;
  queue_.push_back(Item{std::nullopt, std::move(notification), 0, false});
  cv_.notify_one();
}

std::uint64_t NotificationOutbox::delivered() const {
  std::lock_guard lock(mu_);
  return delivered_;
}

void NotificationOutbox::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NotificationOutbox::Run() {
  // The last position whose mails were all acknowledged, saved at most every
  // kCheckpointInterval, whenever the queue runs empty, and when stopping.
  std::uint64_t acknowledged = 0;
  std::uint64_t saved = 0;
  auto saved_at = std::chrono::steady_clock::now();
  const auto save = [&] {
    if (acknowledged > saved && SaveCheckpoint(acknowledged)) saved = acknowledged;
    saved_at = std::chrono::steady_clock::now();
  };
  for (;;) {
    Item item;
    bool queue_empty = false;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) break;
      item = std::move(queue_.front());
      queue_.pop_front();
      queue_empty = queue_.empty();
    }
    if (item.intent) item.notification = ComposeMail(*item.intent, options_.mail);
    if (!Produce(item.notification)) break;
    WriteEml(item.notification);
    {
      std::lock_guard lock(mu_);
      ++delivered_;
    }
    if (item.last_of_position) acknowledged = item.position;
    if (queue_empty || std::chrono::steady_clock::now() - saved_at >= kCheckpointInterval) save();
  }
  save();
}

bool NotificationOutbox::Produce(const Notification& n) {
  const std::string value = NotificationJson(n);
  for (int attempt = 0;; ++attempt) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return false;
    }
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1000, 50 * attempt)));
    rd_kafka_headers_t* headers = rd_kafka_headers_new(3);
    rd_kafka_header_add(headers, "kind", -1, n.kind.data(), static_cast<ssize_t>(n.kind.size()));
    rd_kafka_header_add(headers, "notification_id", -1, n.id.data(), static_cast<ssize_t>(n.id.size()));
    rd_kafka_header_add(headers, "user_id", -1, n.user_id.data(), static_cast<ssize_t>(n.user_id.size()));
    kafka_->last_error.store(-1);
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        kafka_->rk, RD_KAFKA_V_RKT(kafka_->rkt),
        RD_KAFKA_V_KEY(const_cast<char*>(n.user_id.data()), n.user_id.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_TIMESTAMP(n.created_at_us / 1000), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);
      Log()->warn("notification {}: produce failed: {}", n.id, rd_kafka_err2str(err));
      continue;
    }
    // Wait for the acknowledgement, polling so that Stop() is noticed.
    while (rd_kafka_outq_len(kafka_->rk) > 0) {
      rd_kafka_flush(kafka_->rk, 200);
      std::lock_guard lock(mu_);
      if (stop_) return false;
    }
    const int delivery = kafka_->last_error.load();
    if (delivery == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    Log()->warn("notification {}: delivery failed: {}", n.id,
                rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(delivery)));
  }
}

void NotificationOutbox::WriteEml(const Notification& n) {
  const std::filesystem::path dir = options_.data_dir + "/mail";
  const std::filesystem::path final_path = dir / (SafeName(n.id) + ".eml");
  const std::filesystem::path tmp = dir / (SafeName(n.id) + ".eml.tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << NotificationEml(n, options_.mail);
    out.close();  // the buffered bytes reach the file here, and so do their errors
    if (!out) {
      Log()->error("dev mailer: cannot write {}", tmp.string());
      return;
    }
  }
  std::error_code ec;
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace, ec);
  if (ec) Log()->warn("dev mailer: cannot restrict {} to its owner: {}", tmp.string(), ec.message());
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) Log()->error("dev mailer: cannot rename {}: {}", tmp.string(), ec.message());
}

bool NotificationOutbox::SaveCheckpoint(std::uint64_t position) {
  const std::string path = CheckpointPath(options_);
  if (const Status saved = ReplaceFileDurably(path, std::to_string(position) + "\n"); !saved.ok()) {
    Log()->error("cannot save the checkpoint (mails up to position {} may be sent again after a restart): {}",
                 position, saved.ToString());
    return false;
  }
  std::lock_guard lock(mu_);
  checkpoint_ = std::max(checkpoint_, position);
  return true;
}

}  // namespace portico::gateway
