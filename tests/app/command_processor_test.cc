// CommandProcessor's pipeline over a real event store: concurrent commands share group commits
// and are all stored, and a failed append takes down exactly the commands decided against it.
#include "gateway/app/command_processor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain/evolve.h"
#include "eventstore/store_testing.h"
#include "gateway/http/idempotency.h"
#include "projections/access_model.h"
#include "projections/sessions_model.h"
#include "schemas/envelope_run.h"

namespace portico::gateway {
namespace {

// The real store, whose appends can be held back (Close) and then let through in the order
// they came (Open): a test can have several commands decided before any reaches the store.
// DamageReadRunAt makes ReadRun hand out the event at one position cut in half, as damaged
// bytes on disk would come back.
class GatedStore final : public eventstore::EventStore {
 public:
  using eventstore::EventStore::AppendAsync;
  explicit GatedStore(eventstore::EventStore& inner) : inner_(inner) {}

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  void Open() {
    std::vector<std::function<void()>> held;
    {
      std::lock_guard lock(mu_);
      closed_ = false;
      held.swap(held_);
    }
    for (auto& append : held) append();
  }

  Result<eventstore::AppendResult> Append(const StreamId& stream, eventstore::ExpectedVersion expected,
                                          std::vector<std::string> envelopes,
                                          std::string_view idempotency_key) override {
    return inner_.Append(stream, expected, std::move(envelopes), idempotency_key);
  }
  void AppendAsync(const StreamId& stream, eventstore::ExpectedVersion expected, std::vector<std::string> envelopes,
                   eventstore::AppendOptions options, AppendCallback done) override {
    PassOrHold([this, stream, expected, envelopes = std::move(envelopes), options = std::move(options),
                done = std::move(done)]() mutable {
      inner_.AppendAsync(stream, expected, std::move(envelopes), std::move(options), std::move(done));
    });
  }
  void AppendAtomicallyAsync(std::vector<eventstore::StreamAppend> parts, AtomicAppendCallback done) override {
    PassOrHold([this, parts = std::move(parts), done = std::move(done)]() mutable {
      inner_.AppendAtomicallyAsync(std::move(parts), std::move(done));
    });
  }
  Result<std::vector<eventstore::StoredEvent>> ReadStream(const StreamId& stream, StreamVersion from,
                                                          eventstore::Direction direction,
                                                          std::size_t max) const override {
    return inner_.ReadStream(stream, from, direction, max);
  }
  Result<std::vector<eventstore::StoredEvent>> ReadAll(Position from, std::size_t max) const override {
    return inner_.ReadAll(from, max);
  }
  Result<schemas::EnvelopeRun> ReadRun(Position from, std::size_t max) const override {
    ASSIGN_OR_RETURN(schemas::EnvelopeRun run, inner_.ReadRun(from, max));
    const std::uint64_t damaged = damaged_.load();
    if (damaged < from.value() || damaged >= from.value() + run.size()) return run;
    schemas::EnvelopeRun out;
    for (std::size_t i = 0; i < run.size(); ++i) {
      const std::string_view bytes = run[i];
      out.Add(from.value() + i == damaged ? bytes.substr(0, bytes.size() / 2) : bytes);
    }
    return out;
  }
  void DamageReadRunAt(Position position) { damaged_ = position.value(); }
  Result<Position> PositionAt(std::int64_t time_us) const override { return inner_.PositionAt(time_us); }
  Result<StreamVersion> CurrentVersion(const StreamId& stream) const override {
    return inner_.CurrentVersion(stream);
  }
  Position Head() const override { return inner_.Head(); }
  schemas::Hash HeadHash() const override { return inner_.HeadHash(); }
  Position WaitForPositionAfter(Position after, std::chrono::milliseconds timeout) const override {
    return inner_.WaitForPositionAfter(after, timeout);
  }
  Status VerifyRange(Position from, Position to) const override { return inner_.VerifyRange(from, to); }

 private:
  // Runs `append` now, or when the gate opens if it is closed.
  void PassOrHold(std::function<void()> append) {
    {
      std::lock_guard lock(mu_);
      if (closed_) {
        held_.emplace_back(std::move(append));
        return;
      }
    }
    append();
  }

  eventstore::EventStore& inner_;
  std::mutex mu_;
  bool closed_ = false;                       // GUARDED_BY(mu_)
  std::vector<std::function<void()>> held_;  // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> damaged_{0};    // 0: none
};

class CommandProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("portico-command-processor-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    eventstore::Options options;
    options.dir = dir_.string();
    auto store = eventstore::EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    gate_ = std::make_unique<GatedStore>(*store_);
    auto processor = CommandProcessor::Start(*gate_, sessions_, pool_);
    ASSERT_TRUE(processor.ok()) << processor.status().ToString();
    processor_ = std::move(processor).value();
    ASSERT_TRUE(Run(RegisterOrg("acme")).ok());
  }

  void TearDown() override {
    processor_.reset();
    gate_.reset();
    store_.reset();
    pool_.join();
    std::filesystem::remove_all(dir_);
  }

  Result<CommandOutcome> Run(const domain::Command& command, const std::string& key = {}) {
    return processor_->Submit(command, CommandActor{schema::ActorKind::Staff, "staff:test", {}},
                              key);
  }

  static domain::Command RegisterOrg(const std::string& id) {
    domain::RegisterOrg reg;
    reg.org_id = domain::OrgId(id);
    reg.name = id;
    return reg;
  }
  static domain::Command User(const std::string& name) {
    domain::CreateUser user;
    user.user_id = domain::UserId("u-" + name);
    user.org_id = domain::OrgId("acme");
    user.username = name;
    user.display_name = name;
    user.email = name + "@example.com";
    user.level = domain::LevelId("client-base");
    return user;
  }
  static domain::Command Resource(const std::string& id, const std::string& contact = {}) {
    domain::UpsertResource resource;
    resource.resource_id = domain::ResourceId(id);
    resource.org_id = domain::OrgId("acme");
    resource.title = "resource " + id;
    resource.contact_user_id = domain::UserId(contact);
    return resource;
  }

  // The write model, and the state folded afresh from the whole log.
  domain::AccessState Model() {
    return processor_->Read([](const domain::AccessState& state) { return state; });
  }
  domain::AccessState FoldLog() {
    domain::AccessState state;
    auto events = store_->ReadAll(Position(1), 1 << 20);
    EXPECT_TRUE(events.ok());
    for (const auto& event : *events) EXPECT_TRUE(domain::EvolveBytes(state, event.bytes).ok());
    return state;
  }

  std::filesystem::path dir_;
  std::unique_ptr<eventstore::EventStore> store_;
  std::unique_ptr<GatedStore> gate_;  // the processor's way to store_
  projections::AccessModel access_;
  projections::SessionsModel sessions_{access_, /*observing_since_us=*/0};
  boost::asio::thread_pool pool_{2};
  std::unique_ptr<CommandProcessor> processor_;
};

TEST_F(CommandProcessorTest, ConcurrentCommandsAreAllStoredAndTheModelMatchesTheLog) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 4;
  std::vector<std::vector<Result<CommandOutcome>>> outcomes(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        const std::string name = "user" + std::to_string(t) + "x" + std::to_string(i);
        // The resource names the user just created: decided against the user's event,
        // possibly before that event is durable.
        outcomes[t].push_back(Run(User(name)));
        outcomes[t].push_back(Run(Resource("r-" + name, "u-" + name)));
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::set<std::uint64_t> positions;
  for (const auto& of_thread : outcomes) {
    for (const auto& outcome : of_thread) {
      ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
      EXPECT_TRUE(positions.insert(outcome->position.value()).second)
          << "position " << outcome->position.value() << " acknowledged twice";
      EXPECT_LE(outcome->position, store_->Head()) << "acknowledged before it was durable";
    }
  }
  EXPECT_EQ(positions.size(), static_cast<std::size_t>(kThreads * kPerThread * 2));
  EXPECT_EQ(store_->Head().value(), 1u + kThreads * kPerThread * 2);  // and the org
  const domain::AccessState model = Model();
  EXPECT_EQ(model.users.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(model.resources.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_TRUE(model == FoldLog()) << "the write model differs from the log folded afresh";
}

TEST_F(CommandProcessorTest, CommandsDecidedAgainstAFailedAppendAreNotStored) {
  ASSERT_TRUE(Run(User("first"), "key-1").ok());
  for (int round = 0; round < 20; ++round) {
    const std::string name = "ghost" + std::to_string(round);
    // The store rejects this append: its idempotency key was used for other events.
    // (Shared promises: the writer thread may still be inside set_value when get returns.)
    auto ghost_promise = std::make_shared<std::promise<Result<CommandOutcome>>>();
    auto dependent_promise = std::make_shared<std::promise<Result<CommandOutcome>>>();
    const CommandActor actor{schema::ActorKind::Staff, "staff:test", {}};
    processor_->SubmitWithCallback(User(name), actor, "key-1", [ghost_promise](auto r) {
      ghost_promise->set_value(std::move(r));
    });
    // Decided right after, maybe against the ghost user while its append is queued.
    processor_->SubmitWithCallback(Resource("r-" + name, "u-" + name), actor, {},
                                   [dependent_promise](auto r) {
                                     dependent_promise->set_value(std::move(r));
                                   });
    const auto ghost = ghost_promise->get_future().get();
    const auto dependent = dependent_promise->get_future().get();
    EXPECT_FALSE(ghost.ok());
    EXPECT_EQ(ghost.status().code(), StatusCode::kFailedPrecondition) << ghost.status().ToString();
    // Either rejected (decided after the failure: no such user) or not stored (decided
    // against the ghost): never acknowledged.
    EXPECT_FALSE(dependent.ok()) << "a command decided against a failed append was acknowledged";
  }
  // The model was rebuilt from the log, and commands work again.
  ASSERT_TRUE(Run(User("after")).ok());
  const domain::AccessState model = Model();
  EXPECT_EQ(model.FindUser("u-ghost0"), nullptr);
  EXPECT_NE(model.FindUser("u-after"), nullptr);
  EXPECT_TRUE(model == FoldLog());
}

// An Idempotency-Key is the caller's own in the store too: another actor's command with the
// same key is stored, not refused as "used for other events".
TEST_F(CommandProcessorTest, IdempotencyKeysAreScopedByActor) {
  const CommandActor staff{schema::ActorKind::Staff, "admin", {}};
  const CommandActor portal{schema::ActorKind::PortalUser, "admin", {}};
  const CommandActor other_portal{schema::ActorKind::PortalUser, "u-other", {}};
  auto first = processor_->Submit(Resource("r-staff"), staff, "shared-key");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = processor_->Submit(Resource("r-portal"), portal, "shared-key");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto third = processor_->Submit(Resource("r-other"), other_portal, "shared-key");
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_LT(first->position, second->position);
  EXPECT_LT(second->position, third->position);
  // The same actor's retry is still deduplicated: nothing new is appended.
  const Position head = store_->Head();
  auto retry = processor_->Submit(Resource("r-portal"), portal, "shared-key");
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_EQ(retry->position, second->position);
  EXPECT_EQ(store_->Head(), head);
  EXPECT_TRUE(Model() == FoldLog());
}

// An append the store deduplicates skips its expected-head check. Queued after an append of
// the same model that fails, it must not be acknowledged: it was decided against events that
// were never stored (and so were the commands answered after it).
TEST_F(CommandProcessorTest, ADeduplicatedAppendAfterAFailedOneIsNotAcknowledged) {
  const CommandActor actor{schema::ActorKind::Staff, "staff:test", {}};
  ASSERT_TRUE(Run(User("first"), "key-1").ok());
  ASSERT_TRUE(Run(Resource("r-dup"), "key-2").ok());
  const Position head = store_->Head();
  for (int round = 0; round < 5; ++round) {
    gate_->Close();  // both are decided before either reaches the store
    auto ghost = std::make_shared<std::promise<Result<CommandOutcome>>>();
    auto dedup = std::make_shared<std::promise<Result<CommandOutcome>>>();
    auto follower = std::make_shared<std::promise<Result<CommandOutcome>>>();
    // Refused by the store: key-1 was used for other events.
    processor_->SubmitWithCallback(User("ghost" + std::to_string(round)), actor, "key-1",
                                   [ghost](auto r) { ghost->set_value(std::move(r)); });
    // The same events as the stored key-2 append: the store answers it from the key.
    processor_->SubmitWithCallback(Resource("r-dup"), actor, "key-2",
                                   [dedup](auto r) { dedup->set_value(std::move(r)); });
    // Appends nothing (rejected against the model): answered after the one before it.
    processor_->SubmitWithCallback(User("first"), actor, {},
                                   [follower](auto r) { follower->set_value(std::move(r)); });
    gate_->Open();
    const auto g = ghost->get_future().get();
    const auto d = dedup->get_future().get();
    const auto f = follower->get_future().get();
    EXPECT_EQ(g.status().code(), StatusCode::kFailedPrecondition) << g.status().ToString();
    EXPECT_FALSE(d.ok()) << "a deduplicated append decided after a failed one was acknowledged";
    EXPECT_EQ(d.status().code(), StatusCode::kUnavailable) << d.status().ToString();
    EXPECT_EQ(f.status().code(), StatusCode::kUnavailable) << f.status().ToString();
  }
  EXPECT_EQ(store_->Head(), head);
  // Retried against the rebuilt model, the deduplicated command stands.
  auto retried = Run(Resource("r-dup"), "key-2");
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(store_->Head(), head);
  EXPECT_TRUE(Model() == FoldLog());
}

// A command whose events span streams is stored whole or not at all. Here the store refuses
// the part on the first user's stream (its idempotency key was used for other events), and
// the part before it, on the import's stream, which the store would take on its own, is not
// stored either.
TEST_F(CommandProcessorTest, ACommandSpanningStreamsIsStoredWholeOrNotAtAll) {
  domain::ImportUsers import;
  import.import_id = "imp1";
  import.org_id = domain::OrgId("acme");
  import.file_name = "users.csv";
  import.rows_total = 2;
  for (std::uint32_t n = 1; n <= 2; ++n) {
    domain::ImportRowInput row;
    row.row = n;
    row.user_id = domain::UserId("imp1-" + std::to_string(n));
    row.username = "imported" + std::to_string(n);
    row.display_name = "Imported";
    row.email = row.username + "@example.com";
    row.level = "client-base";
    import.rows.push_back(row);
  }
  // The store's key for the command's second part (see command_processor.h), taken.
  const std::string taken =
      ScopedIdempotencyKey(CallerKindName(CallerKind::kStaff), "staff:test", "import-key") + "#1";
  ASSERT_TRUE(store_
                  ->Append(StreamId("elsewhere"), eventstore::ExpectedVersion::Any(),
                           {eventstore::testing::NoteEnvelope("elsewhere", "other events")}, taken)
                  .ok());
  const Position head = store_->Head();

  auto refused = Run(import, "import-key");
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status().ToString();
  EXPECT_EQ(store_->Head(), head) << "part of the command was stored";
  EXPECT_EQ(Model().workflows.FindImport("imp1"), nullptr);
  EXPECT_TRUE(Model() == FoldLog());

  auto stored = Run(import, "another-key");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_NE(Model().FindUser("imp1-2"), nullptr);
  EXPECT_NE(Model().workflows.FindImport("imp1"), nullptr);
  EXPECT_TRUE(Model() == FoldLog());
}

TEST_F(CommandProcessorTest, ARejectedCommandIsAnsweredAndChangesNothing) {
  ASSERT_TRUE(Run(User("dup")).ok());
  const Position head = store_->Head();
  auto again = Run(User("dup"));
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(store_->Head(), head);
  EXPECT_TRUE(Model() == FoldLog());
}

TEST_F(CommandProcessorTest, AProcessorStartedOnALogFoldsItAndDecidesOnIt) {
  ASSERT_TRUE(Run(User("ann")).ok());
  ASSERT_TRUE(Run(Resource("r1", "u-ann")).ok());
  processor_.reset();
  auto restarted = CommandProcessor::Start(*gate_, sessions_, pool_);
  ASSERT_TRUE(restarted.ok()) << restarted.status().ToString();
  processor_ = std::move(restarted).value();
  EXPECT_TRUE(Model() == FoldLog());
  EXPECT_FALSE(Run(User("ann")).ok()) << "the folded model knows ann already";
  EXPECT_TRUE(Run(User("bob")).ok());
  EXPECT_TRUE(Model() == FoldLog());
}

TEST_F(CommandProcessorTest, AProcessorDoesNotStartOnADamagedEventAndNamesItsPosition) {
  ASSERT_TRUE(Run(User("ann")).ok());
  ASSERT_TRUE(Run(User("bob")).ok());
  processor_.reset();
  gate_->DamageReadRunAt(Position(2));  // ann's CreateUser; the org is at position 1
  auto restarted = CommandProcessor::Start(*gate_, sessions_, pool_);
  ASSERT_FALSE(restarted.ok());
  EXPECT_EQ(restarted.status().code(), StatusCode::kCorruption);
  EXPECT_NE(restarted.status().message().find("position 2"), std::string::npos) << restarted.status().ToString();
}

}  // namespace
}  // namespace portico::gateway
