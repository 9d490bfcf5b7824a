#include "projections/runner.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <thread>

#include <boost/container/small_vector.hpp>
#include <librdkafka/rdkafka.h>

#include "common/log.h"
#include "common/throttle.h"
#include "projections/kafka_follower.h"
#include "projections/ordered_threads.h"
#include "projections/snapshot_file.h"
#include "schemas/envelope.h"

namespace portico::projections {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kUnbounded = std::numeric_limits<std::uint64_t>::max();

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = NamedLogger("projections");
  return logger;
}

}  // namespace

class ProjectionRunner::Impl {
 public:
  Impl(RunnerOptions options, std::vector<Projection*> projections, LogReader log)
      : options_(std::move(options)), log_(std::move(log)) {
    for (Projection* p : projections) {
      auto slot = std::make_unique<Slot>();
      slot->projection = p;
      slot->name = std::string(p->name());
      slot->applied = p->applied().value();
      slots_.push_back(std::move(slot));
    }
  }

  ~Impl() { Stop(); }

  Status RestoreSnapshots() {
    if (options_.snapshot_dir.empty()) return Status::Ok();
    std::error_code ec;
    std::filesystem::create_directories(options_.snapshot_dir, ec);
    if (ec) {
      return Status::Internal("cannot create snapshot dir " + options_.snapshot_dir + ": " +
                              ec.message());
    }
    for (auto& slot : slots_) {
      const std::string path = SnapshotPath(*slot);
      ASSIGN_OR_RETURN(std::optional<SnapshotRecord> record, ReadSnapshotFile(path));
      if (!record) continue;
      if (record->name != slot->name) {
        return Status::Corruption("snapshot " + path + " belongs to projection '" +
                                  record->name + "'");
      }
      const Status restored = slot->projection->Restore(record->blob);
      if (!restored.ok()) {
        return Status(restored.code() == StatusCode::kCorruption
                          ? Status::Corruption("snapshot " + path + ": " + restored.message())
                          : Status::Internal("restoring " + path + ": " + restored.ToString()));
      }
      if (slot->projection->applied() != record->position) {
        return Status::Corruption("snapshot " + path + " says position " +
                                  std::to_string(record->position.value()) +
                                  " but restores position " +
                                  std::to_string(slot->projection->applied().value()));
      }
      slot->applied = record->position.value();
      slot->snapshot_position = record->position.value();
      Logger()->info("projection {} restored from {} at position {}", slot->name, path,
                     record->position.value());
    }
    return Status::Ok();
  }

  Status CreateConsumer() {
    ASSIGN_OR_RETURN(follower_, KafkaFollower::Create(options_, stop_));
    return Status::Ok();
  }

  void StartThread() {
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "portico-runner");  // as seen in top, perf and gdb
      Run();
    });
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    follower_.reset();  // closes the consumer
  }

  Position applied(std::string_view projection) const {
    std::lock_guard lock(mu_);
    return Position(AppliedLocked(projection).value_or(0));
  }

  bool WaitForPosition(Position p, std::chrono::milliseconds bound,
                       std::string_view projection) const {
    RaiseDemand(p.value());
    std::unique_lock lock(mu_);
    const auto wait = waits_.insert(p.value());
    const bool reached = cv_.wait_for(lock, bound, [&] {
      const auto applied = AppliedLocked(projection);
      return applied && *applied >= p.value();
    });
    waits_.erase(wait);
    return reached;
  }

  Status AwaitPosition(Position p, std::chrono::milliseconds bound,
                       std::string_view projection) const {
    if (WaitForPosition(p, bound, projection)) return Status::Ok();
    std::lock_guard lock(mu_);
    const auto applied = AppliedLocked(projection);
    if (!applied) {
      return Status::NotFound("no projection named '" + std::string(projection) + "'");
    }
    std::string msg = "read model " +
                      (projection.empty() ? std::string("projections") : std::string(projection)) +
                      " at position " + std::to_string(*applied) + ", asked for " +
                      std::to_string(p.value()) + ", waited " + std::to_string(bound.count()) +
                      " ms";
    for (const auto& slot : slots_) {
      if ((projection.empty() || slot->name == projection) && slot->halted) {
        msg += "; projection " + slot->name + " is halted: " + slot->halt_reason;
      }
    }
    return Status::Unavailable(msg);
  }

  RunnerStats Stats() const {
    RunnerStats s;
    {
      std::lock_guard lock(mu_);
      s.applied = Position(AppliedLocked({}).value_or(0));
      for (const auto& slot : slots_) {
        s.projections.push_back(
            {slot->name, Position(slot->applied), slot->halted, slot->halt_reason});
      }
    }
    s.messages = n_messages_.load();
    s.applied_from_kafka = n_from_kafka_.load();
    s.applied_from_log = n_from_log_.load();
    s.duplicates = n_duplicates_.load();
    s.rejected = n_rejected_.load();
    s.gaps = n_gaps_.load();
    s.consumer_errors = n_consumer_errors_.load();
    s.log_errors = n_log_errors_.load();
    s.next_offset = next_offset_.load();
    return s;
  }

 private:
  struct Slot {
    Projection* projection = nullptr;
    std::string name;
    // Mirrors projection->applied() for other threads; written under mu_ by the runner thread.
    std::uint64_t applied = 0;
    bool halted = false;       // GUARDED_BY(mu_) for readers; written only by the runner thread
    std::string halt_reason;   // GUARDED_BY(mu_)
    std::uint64_t snapshot_position = 0;  // runner thread only
  };

  // ---- The runner thread ------------------------------------------------------------------

  void Run() {
    if (options_.catch_up_from_log_at_start) {
      const auto before = n_from_log_.load();
      FillFromLog(LowestActive() + 1, kUnbounded);
      Logger()->info("projections caught up from the log: {} event(s), now at position {}",
                     n_from_log_.load() - before, LowestActive());
    }
    last_progress_ = Clock::now();
    while (!stop_.load()) {
      if (const KafkaFollower::Message message = follower_->Poll(options_.poll_timeout)) {
        Handle(*message);
      } else {
        MaybeFallBackToLog();
      }
      MaybeSnapshot(/*force=*/false);
    }
    MaybeSnapshot(/*force=*/true);
  }

  void Handle(const rd_kafka_message_t& m) {
    if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
      ++n_consumer_errors_;
      if (Every(last_consumer_error_log_, std::chrono::seconds(5))) {
        Logger()->warn("projections: consumer error: {}: {}", rd_kafka_err2name(m.err),
                       rd_kafka_message_errstr(&m));
      }
      return;
    }
    ++n_messages_;
    if (m.partition == 0) next_offset_ = m.offset + 1;
    auto env = VerifyKafkaMessage(m);
    if (!env.ok()) {
      ++n_rejected_;
      Logger()->warn("projections: skipping message at {} [{}] offset {}: {}",
                     options_.topic, m.partition, m.offset, env.status().message());
      return;
    }
    const std::uint64_t position = (*env)->position();
    const std::uint64_t low = LowestActive();
    if (low == kUnbounded) return;  // every projection is halted
    if (position <= low) {
      ++n_duplicates_;
      return;
    }
    if (!HeldByTheLog(m, position)) return;  // logged and counted
    if (position > low + 1) {
      ++n_gaps_;
      Logger()->info("projections: gap before position {} (at {}): reading {}..{} from the log",
                     position, low, low + 1, position - 1);
      if (!FillFromLog(low + 1, position - 1)) return;  // logged; a later message retries
    }
    ApplyAll(position, **env, n_from_kafka_);
  }

  // The log is the authority, Kafka only the transport: anyone who can produce to the topic
  // can send a well-formed envelope with a correctly recomputed hash. So an event from Kafka is
  // applied only when its bytes are those of the log's event at its position. One that the
  // log does not hold (beyond its head) or that differs from it is skipped and counted in
  // Stats().rejected; the genuine event comes later through Kafka or from the log as a gap.
  // False, logged, when the message must not be applied (also when the log cannot be read).
  bool HeldByTheLog(const rd_kafka_message_t& m, std::uint64_t position) {
    const std::string_view bytes(static_cast<const char*>(m.payload), m.len);
    Result<std::string_view> logged = LoggedBytes(position);
    if (!logged.ok() && logged.status().code() != StatusCode::kNotFound) {
      ++n_log_errors_;
      if (Every(last_log_error_log_, std::chrono::seconds(5))) {
        Logger()->error("projections: cannot check the message at {} [{}] offset {} against "
                        "the log: {}", options_.topic, m.partition, m.offset,
                        logged.status().ToString());
      }
      return false;
    }
    Status held = logged.ok() ? Status::Ok() : logged.status();
    if (held.ok() && *logged != bytes) {
      held = Status::Corruption("it differs from the log's event at that position");
    }
    if (held.ok()) return true;
    ++n_rejected_;
    Logger()->warn("projections: skipping message at {} [{}] offset {}: position {} is not the "
                   "log's: {}", options_.topic, m.partition, m.offset, position, held.message());
    return false;
  }

  // The bytes of the log's event at `position`: NotFound when the log holds no usable event
  // there, the LogReader's error when it fails. Reads a whole batch from `position` and keeps
  // it, so that Kafka messages behind the log's head cost one lookup per batch, not per event
  // (at the head, a read returns what has been committed since the last one).
  Result<std::string_view> LoggedBytes(std::uint64_t position) {
    if (!Holds(kafka_check_batch_.get(), position)) {
      LogBatchResult read = ReadVerified(position, options_.log_batch);
      if (!read.ok()) return read.status();
      kafka_check_batch_ = std::move(read).value();
    }
    if (!Holds(kafka_check_batch_.get(), position)) {
      return Status::NotFound("the log holds no usable event there (its head is behind it, "
                              "or its event is damaged)");
    }
    return kafka_check_batch_->run[position - kafka_check_batch_->first];
  }

  // One batch read from the log, verified: events[i] is at position first + i and points
  // into run. `usable` is false when the event after the last of `events` is unusable
  // (logged by VerifyFromLog).
  struct LogBatch {
    schemas::EnvelopeRun run;
    std::vector<const schema::Envelope*> events;
    std::uint64_t first = 0;
    bool usable = true;
  };
  using LogBatchResult = Result<std::shared_ptr<const LogBatch>>;

  // True when `batch` holds a verified event at `position`.
  static bool Holds(const LogBatch* batch, std::uint64_t position) {
    return batch != nullptr && position >= batch->first &&
           position - batch->first < batch->events.size();
  }

  // Reads up to `max` events from position `at` and verifies them; runs on the runner thread
  // or on the helper thread reading ahead, so that the runner thread only applies.
  LogBatchResult ReadVerified(std::uint64_t at, std::size_t max) {
    Result<schemas::EnvelopeRun> read = log_(Position(at), max);
    if (!read.ok()) return read.status();
    auto batch = std::make_shared<LogBatch>();
    batch->first = at;
    batch->run = std::move(read).value();
    batch->events.reserve(batch->run.size());
    for (std::size_t i = 0; i < batch->run.size(); ++i) {
      const schema::Envelope* env = VerifyFromLog(batch->run[i], at + i);
      if (env == nullptr) {
        batch->usable = false;
        break;
      }
      batch->events.push_back(env);
    }
    return std::shared_ptr<const LogBatch>(std::move(batch));
  }

  // Applies positions [from, to] from the log (to = kUnbounded: to the log's current end).
  // True when all of them were applied. While one batch is applied, the next ones are read and
  // verified on a helper thread, as long as the batches come back full. A long catch-up (the
  // first batch is full) first tells each projection how many events are coming, then applies
  // each self-contained projection (Projection::self_contained) on a thread of its own, the
  // others here, all from the same verified batches.
  bool FillFromLog(std::uint64_t from, std::uint64_t to) {
    if (from == 0 || from > to) return true;  // from == 0: every projection is halted
    const auto read = [this, to](std::uint64_t at) {
      return ReadVerified(at, static_cast<std::size_t>(
                                  std::min<std::uint64_t>(options_.log_batch, to - at + 1)));
    };
    // Where the batch after this one starts, when it is worth reading ahead: the batch was full
    // (the log may hold more) and usable, and more is needed.
    const auto read_next = [this, to](const LogBatchResult& result) -> std::optional<std::uint64_t> {
      if (!result.ok()) return std::nullopt;
      const LogBatch& batch = **result;
      if (!batch.usable || batch.run.size() != options_.log_batch) return std::nullopt;
      const std::uint64_t after = batch.first + batch.run.size();
      if (after > to) return std::nullopt;
      return after;
    };
    std::uint64_t next = from;
    LogBatchResult batch = read(next);
    std::optional<ReadAhead<LogBatchResult>> ahead;  // started at the first full batch
    std::vector<std::unique_ptr<Lane>> lanes;        // finished when the fill ends
    std::vector<Slot*> here;                         // the projections applied on this thread
    if (batch.ok() && (*batch)->run.size() == options_.log_batch) {
      AnnounceCatchUp(to);
      SplitIntoLanes(lanes, here);
    }
    if (lanes.empty()) {
      for (auto& slot : slots_) here.push_back(slot.get());
    }
    while (next <= to && !stop_.load()) {
      if (!batch.ok()) {
        ++n_log_errors_;
        if (Every(last_log_error_log_, std::chrono::seconds(5))) {
          Logger()->error("projections: reading the log at position {} failed: {}", next,
                          batch.status().ToString());
        }
        return false;
      }
      const LogBatch& current = **batch;
      if (current.run.empty()) {
        if (to == kUnbounded) return true;
        ++n_log_errors_;
        Logger()->error("projections: the log has no position {} yet, needed up to {}", next,
                        to);
        return false;
      }
      // The read-ahead, once started, reads exactly the batches this would ask for.
      const std::optional<std::uint64_t> ahead_at = read_next(batch);
      if (ahead_at && !ahead) ahead.emplace(read, read_next, *ahead_at, kReadAheadDepth, "portico-readahd");
      // Counted before any waiter can see them applied. With lanes, every event is dispatched
      // (and only this thread may read the slots it applies).
      n_from_log_ += lanes.empty() ? CountWanted(current) : current.events.size();
      for (const auto& lane : lanes) lane->Push(*batch);
      ApplyBatch(current, here);
      if (!current.events.empty()) last_progress_ = Clock::now();
      next += current.events.size();
      if (!current.usable) return false;
      if (next > to) break;
      if (ahead_at) {
        batch = ahead->Take();
      } else {
        ahead.reset();  // it stopped where this did; a later full batch starts a new one
        batch = read(next);
      }
    }
    return next > to;
  }

  // A long catch-up up to `to` is starting: tells each active projection how many events it
  // is about to apply, up to the log's head (when the options say how to find it). Runner
  // thread, before any lane takes a projection.
  void AnnounceCatchUp(std::uint64_t to) {
    if (!options_.log_head) return;
    const std::uint64_t end = std::min(to, options_.log_head().value());
    for (auto& slot : slots_) {
      if (!slot->halted && end > slot->applied) slot->projection->ExpectEvents(end - slot->applied);
    }
  }

  // How many events of the batch some active projection has not applied yet. Runner thread,
  // with no lane running.
  std::uint64_t CountWanted(const LogBatch& batch) const {
    const std::uint64_t low = LowestActive();
    const std::uint64_t end = batch.first + batch.events.size();  // one past the last
    if (low == kUnbounded || low + 1 >= end) return 0;
    return end - std::max(low + 1, batch.first);
  }

  // The envelope of the log's event at `position`, its structure and position verified (not
  // its hash: see runner.h); nullptr, logged, when unusable.
  const schema::Envelope* VerifyFromLog(std::string_view bytes, std::uint64_t position) {
    auto env = schemas::VerifyEnvelopeAt(bytes, position);
    if (env.ok()) return *env;
    ++n_log_errors_;
    Logger()->error("projections: {}", env.status().message());
    return nullptr;
  }

  // Applies a batch to `slots`, event by event (each event to every slot before the next
  // event: alerts reads the access model at its own position), and publishes each slot's new
  // position once, at the end of the batch: taking the runner's lock for every event of a
  // catch-up costs more than some projections' Apply. Runs on the runner thread, or on a
  // lane's thread for the lane's own slot.
  void ApplyBatch(const LogBatch& batch, std::span<Slot* const> slots) {
    struct Progress {
      Slot* slot;
      std::uint64_t applied;
      Status failed;
      std::uint64_t failed_at = 0;
    };
    boost::container::small_vector<Progress, 4> progress;
    for (Slot* slot : slots) {
      if (!slot->halted) progress.push_back(Progress{slot, slot->applied, Status::Ok()});
    }
    for (std::size_t i = 0; i < batch.events.size(); ++i) {
      const std::uint64_t position = batch.first + i;
      for (Progress& p : progress) {
        if (!p.failed.ok() || p.applied + 1 != position) continue;
        p.failed = ApplyUnpublished(*p.slot, position, *batch.events[i]);
        if (p.failed.ok()) {
          p.applied = position;
        } else {
          p.failed_at = position;
        }
      }
    }
    for (Progress& p : progress) {
      if (!p.failed.ok()) {
        Halt(*p.slot, p.applied, p.failed_at, *batch.events[p.failed_at - batch.first], p.failed);
      } else if (p.applied != p.slot->applied) {
        Publish(*p.slot, p.applied);
      }
    }
  }

  // Log batches are read and verified ahead of the runner thread (ordered_threads.h), up to
  // three: the reader shares a core with the lanes, and a reader that had to stop at one batch
  // ahead left the runner thread waiting whenever the scheduler ran a lane instead (README,
  // Benchmarks). At 4,096 events a batch is about 2 MiB.
  static constexpr std::size_t kReadAheadDepth = 3;
  // A lane applies log batches, in order, to one self-contained projection on a thread of its
  // own. Its queue holds batches shared with the runner thread, so little memory; enough that a
  // lane the scheduler set aside for a moment does not hold up the runner thread at once.
  using Lane = OrderedWorker<std::shared_ptr<const LogBatch>>;
  static constexpr std::size_t kLaneQueue = 8;

  // A lane for each active self-contained projection, the others in `here`; no lanes when
  // fewer than two threads would have work. Only the lane's thread touches its slot until the
  // lane is finished.
  void SplitIntoLanes(std::vector<std::unique_ptr<Lane>>& lanes, std::vector<Slot*>& here) {
    std::vector<Slot*> apart;
    for (auto& slot : slots_) {
      if (slot->halted) continue;
      (slot->projection->self_contained() ? apart : here).push_back(slot.get());
    }
    if (apart.size() + (here.empty() ? 0 : 1) < 2) {
      here.clear();
      return;
    }
    for (Slot* slot : apart) {
      const auto apply = [this, slot](std::shared_ptr<const LogBatch>& batch) {
        Slot* const slots[] = {slot};
        ApplyBatch(*batch, slots);
      };
      lanes.push_back(std::make_unique<Lane>(apply, kLaneQueue, "portico-lane"));
    }
  }

  // Applies `event` at `position` to every active projection that is at position - 1, and
  // counts it in `source` (before any waiter can see the new position, so that Stats() taken
  // after a wait includes it). Returns how many projections applied it.
  int ApplyAll(std::uint64_t position, const schema::Envelope& event,
               std::atomic<std::uint64_t>& source) {
    const bool wanted = std::any_of(slots_.begin(), slots_.end(), [&](const auto& slot) {
      return !slot->halted && slot->applied + 1 == position;
    });
    if (!wanted) return 0;
    ++source;
    int applied = 0;
    for (auto& slot : slots_) applied += ApplyTo(*slot, position, event) ? 1 : 0;
    if (applied > 0) last_progress_ = Clock::now();
    return applied;
  }

  // Applies `event` at `position` to the slot's projection if it is active and at
  // position - 1, or halts it when the projection refuses. Called by the runner thread for
  // events from Kafka.
  bool ApplyTo(Slot& slot, std::uint64_t position, const schema::Envelope& event) {
    if (slot.halted || slot.applied + 1 != position) return false;
    const Status status = ApplyUnpublished(slot, position, event);
    if (!status.ok()) {
      Halt(slot, slot.applied, position, event, status);
      return false;
    }
    Publish(slot, position);
    return true;
  }

  // The projection's Apply, checked: OK only when the projection is then at `position`. The
  // slot's published position is left as it was (Publish, Halt).
  Status ApplyUnpublished(Slot& slot, std::uint64_t position, const schema::Envelope& event) {
    Status status = slot.projection->Apply(event, Position(position));
    if (status.ok() && slot.projection->applied().value() != position) {
      status = Status::Internal("Apply returned OK but the projection is at position " +
                                std::to_string(slot.projection->applied().value()));
    }
    return status;
  }

  // Makes the slot's new position visible to other threads. Wakes the waiters only when one
  // asked for this position or an earlier one: a catch-up applies up to a million events a
  // second, and waking every waiter for each of them (to find it has not reached its position
  // yet) costs more than applying.
  void Publish(Slot& slot, std::uint64_t applied) {
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      slot.applied = applied;
      wake = !waits_.empty() && *waits_.begin() <= applied;
    }
    if (wake) cv_.notify_all();
  }

  // The projection refused `event` at `position` (it stays at `applied`, the position before):
  // it halts, and says why.
  void Halt(Slot& slot, std::uint64_t applied, std::uint64_t position, const schema::Envelope& event,
            const Status& status) {
    {
      std::lock_guard lock(mu_);
      slot.applied = applied;
      slot.halted = true;
      slot.halt_reason = "position " + std::to_string(position) + " (" +
                         std::string(schemas::EventTypeName(event.body_type())) +
                         "): " + status.ToString();
      Logger()->error("projection {} halted at position {}: {}", slot.name, slot.applied,
                      slot.halt_reason);
    }
    cv_.notify_all();  // a waiter for this projection can now be told it halted
  }

  void MaybeFallBackToLog() {
    if (options_.log_fallback_after.count() <= 0) return;
    const std::uint64_t low = LowestActive();
    if (low == kUnbounded || demand_.load() <= low) return;
    if (Clock::now() - last_progress_ < options_.log_fallback_after) return;
    const auto before = n_from_log_.load();
    FillFromLog(low + 1, kUnbounded);
    if (n_from_log_.load() != before) {
      Logger()->info("projections: Kafka brought nothing for {} ms; read {} event(s) from the "
                     "log",
                     options_.log_fallback_after.count(), n_from_log_.load() - before);
    }
    last_progress_ = Clock::now();
  }

  void MaybeSnapshot(bool force) {
    if (options_.snapshot_dir.empty()) return;
    const auto now = Clock::now();
    if (!force && now - last_snapshot_ < options_.snapshot_interval) return;
    last_snapshot_ = now;
    for (auto& slot : slots_) {
      if (slot->applied == slot->snapshot_position) continue;
      std::optional<std::string> blob = slot->projection->Snapshot();
      if (!blob) continue;
      const Status status = WriteSnapshotFile(
          SnapshotPath(*slot), {slot->name, Position(slot->applied), std::move(*blob)});
      if (!status.ok()) {
        Logger()->error("projection {}: writing its snapshot failed: {}", slot->name,
                        status.ToString());
        continue;
      }
      slot->snapshot_position = slot->applied;
    }
  }

  // ---- Helpers ----------------------------------------------------------------------------

  // The lowest position among projections that are not halted; kUnbounded when all are.
  std::uint64_t LowestActive() const {
    std::uint64_t low = kUnbounded;
    for (const auto& slot : slots_) {
      if (!slot->halted) low = std::min(low, slot->applied);
    }
    return low;
  }

  // REQUIRES mu_. The lowest applied() among all projections (or the named one's); nullopt
  // for an unknown name.
  std::optional<std::uint64_t> AppliedLocked(std::string_view projection) const {
    std::optional<std::uint64_t> low;
    for (const auto& slot : slots_) {
      if (!projection.empty() && slot->name != projection) continue;
      low = std::min(low.value_or(kUnbounded), slot->applied);
    }
    return low;
  }

  void RaiseDemand(std::uint64_t p) const {
    std::uint64_t current = demand_.load();
    while (current < p && !demand_.compare_exchange_weak(current, p)) {
    }
  }

  std::string SnapshotPath(const Slot& slot) const {
    return (std::filesystem::path(options_.snapshot_dir) / (slot.name + ".snapshot")).string();
  }

  const RunnerOptions options_;
  const LogReader log_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<KafkaFollower> follower_;  // reset by Stop(), after the thread has ended
  std::thread thread_;

  // Runner thread only.
  // The log's events last read to check Kafka messages against (HeldByTheLog).
  std::shared_ptr<const LogBatch> kafka_check_batch_;
  Clock::time_point last_progress_{};
  Clock::time_point last_snapshot_{Clock::now()};
  Clock::time_point last_consumer_error_log_{}, last_log_error_log_{};

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::multiset<std::uint64_t> waits_;  // GUARDED_BY(mu_): positions waited for
  mutable std::atomic<std::uint64_t> demand_{0};
  std::atomic<std::int64_t> next_offset_{-1001};
  std::atomic<std::uint64_t> n_messages_{0}, n_from_kafka_{0}, n_from_log_{0}, n_duplicates_{0},
      n_rejected_{0}, n_gaps_{0}, n_consumer_errors_{0}, n_log_errors_{0};
};

Result<std::unique_ptr<ProjectionRunner>> ProjectionRunner::Start(
    RunnerOptions options, std::vector<Projection*> projections, LogReader log) {
  if (projections.empty()) return Status::InvalidArgument("projections: none to run");
  if (!log) return Status::InvalidArgument("projections: a LogReader is required");
  if (options.bootstrap_servers.empty()) {
    return Status::InvalidArgument("projections: no bootstrap servers");
  }
  if (options.log_batch == 0) return Status::InvalidArgument("projections: log_batch is 0");
  std::set<std::string, std::less<>> names;
  for (const Projection* p : projections) {
    if (p == nullptr) return Status::InvalidArgument("projections: null projection");
    if (p->name().empty() || !names.insert(std::string(p->name())).second) {
      return Status::InvalidArgument("projections: empty or duplicate name '" +
                                     std::string(p->name()) + "'");
    }
  }
  auto impl = std::make_unique<Impl>(std::move(options), std::move(projections), std::move(log));
  RETURN_IF_ERROR(impl->RestoreSnapshots());
  RETURN_IF_ERROR(impl->CreateConsumer());
  impl->StartThread();
  return std::unique_ptr<ProjectionRunner>(new ProjectionRunner(std::move(impl)));
}

ProjectionRunner::ProjectionRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProjectionRunner::~ProjectionRunner() { Stop(); }

void ProjectionRunner::Stop() { impl_->Stop(); }

Position ProjectionRunner::applied(std::string_view projection) const {
  return impl_->applied(projection);
}

bool ProjectionRunner::WaitForPosition(Position p, std::chrono::milliseconds bound,
                                       std::string_view projection) const {
  return impl_->WaitForPosition(p, bound, projection);
}

Status ProjectionRunner::AwaitPosition(Position p, std::chrono::milliseconds bound,
                                       std::string_view projection) const {
  return impl_->AwaitPosition(p, bound, projection);
}

RunnerStats ProjectionRunner::Stats() const { return impl_->Stats(); }

}  // namespace portico::projections
