// AuditModel: the "audit" projection. Every event of the log, queryable by user,
// organisation, actor, resource, type and time range, in position order, a page at a time
// (GET /v1/audit).
//
// Per event it keeps a compact record (position, recorded time, type, actor kind and id,
// on-behalf-of, stream), the strings interned once (audit_keys.h), not the event's bytes: the
// gateway renders an event's data from the log (projections/event_json.h). Inverted indexes
// map each user, organisation, resource, actor and type to the ascending positions of the
// events about it. What an event is about, from its body and stream:
//   - the user, organisation or resource its stream names ("user:u1", "org:o1", "resource:r1";
//     a user with its organisation, a resource with its organisation), whatever the type;
//   - the user of every user-stream event (UserCreated ... SessionEnded, RegistrationDecided,
//     ContactDetailsUpdated, the alert and password-reset events, LoginDetailsSent), and that
//     user's organisation (remembered from UserCreated, or RegistrationRequested before it);
//   - the organisation of OrgRegistered (and its parent), OrgAccessChanged, OrgAllowedLevelsSet,
//     RegistrationCodeSet, UsersImported;
//   - RegistrationRequested and PortalRequestSubmitted: the user and the organisation named;
//   - ImportRowsRecorded: the users of its accepted rows;
//   - EstimateApproved, PaymentIntentRecorded: the resource, its organisation and the user;
//   - ResourceUpserted: the resource, its organisation (and the previous one if it moved), its
//     assigned organisation, its contact and assigned users;
//   - NoteShared and NoteVisibilityChanged: the note's resource and that resource's
//     organisation; NoteShared also its author;
//   - the actor filter matches the actor's id and the on-behalf-of staff name (a staff member
//     acting as a portal user is found by either name);
//   - ProviderSettingsChanged, LevelDefined and AlertSetDefined are found by type, actor and
//     time only.
// A query intersects the posting lists of its filters, driving from the shortest, and
// narrows the time range by binary search over the records (recorded times never decrease
// along the log; should a log break that, the time filter is applied record by record).
//
// Position and model live together (one lock). No snapshot: rebuilt from the log at every
// start, like the access model.
// Thread safety: Apply() takes the lock exclusively, Query() shared; applied() is lock-free.
#pragma once

#include <atomic>
#include <array>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "projections/audit_keys.h"
#include "projections/projection.h"

namespace portico::projections {

inline constexpr std::size_t kDefaultAuditLimit = 100;
inline constexpr std::size_t kMaxAuditLimit = 1000;

struct AuditFilter {
  std::optional<std::string> user_id;
  std::optional<std::string> org_id;
  std::optional<std::string> actor;
  std::optional<std::string> resource_id;
  std::optional<schema::EventBody> type;
  std::optional<std::int64_t> from_us;  // recorded_at_us >= from_us
  std::optional<std::int64_t> to_us;    // recorded_at_us < to_us
  Position after;                       // only positions strictly after this one
  std::size_t limit = kDefaultAuditLimit;  // 0: the default; at most kMaxAuditLimit
};

struct AuditRecord {
  Position position;
  std::int64_t recorded_at_us = 0;
  schema::EventBody type = schema::EventBody::NONE;
  schema::ActorKind actor_kind = schema::ActorKind::System;
  std::string actor;
  std::string on_behalf_of;
  std::string stream;
};

struct AuditPage {
  std::vector<AuditRecord> records;  // ascending positions
  // Set when more records match: pass it as the next query's `after`.
  std::optional<Position> next;
};

class AuditModel final : public Projection {
 public:
  AuditModel() = default;
  AuditModel(const AuditModel&) = delete;
  AuditModel& operator=(const AuditModel&) = delete;

  std::string_view name() const override { return "audit"; }
  Position applied() const override { return Position(applied_.load(std::memory_order_acquire)); }
  // Refuses (FailedPrecondition, nothing changed) a position other than applied() + 1.
  Status Apply(const schema::Envelope& event, Position position) override;
  bool self_contained() const override { return true; }
  // Reserves a record per coming event, and room for about as many new keys (KeyTable::Reserve).
  void ExpectEvents(std::uint64_t count) override;

  AuditPage Query(const AuditFilter& filter) const;

 private:
  struct Record {
    std::int64_t recorded_at_us;
    std::uint32_t stream;        // key of the stream's entity (or kStream key)
    std::uint32_t actor;         // kActor key, KeyTable::kNone when no id
    std::uint32_t on_behalf_of;  // kActor key, KeyTable::kNone when none
    schema::EventBody type;
    schema::ActorKind actor_kind;
  };

  void Index(const schema::Envelope& event, std::uint64_t position);  // requires mu_
  // Remembers the user's organisation, unless it has one already. Requires mu_.
  void LinkUserToOrg(std::string_view user_id, std::string_view org_id);
  AuditRecord Render(std::uint64_t position) const;                   // requires mu_ (shared)

  mutable std::shared_mutex mu_;
  KeyTable keys_;                     // GUARDED_BY(mu_)
  std::vector<Record> records_;       // GUARDED_BY(mu_); records_[p - 1] is position p
  std::array<Postings, static_cast<std::size_t>(schema::EventBody::MAX) + 1> by_type_;  // GUARDED_BY(mu_)
  bool time_ordered_ = true;          // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> applied_{0};
};

}  // namespace portico::projections
