// AccessIndex: the access read model without its lock. It holds the domain's AccessState, as
// folded by domain::Evolve, plus what listings need that the state lacks, and answers the
// "what may this user see" walks over indexes (never over every resource).
//
// How a listing finds its candidates (the only resources it ever looks at):
//   - resources owned by the user's organisation (state.resources_by_org), and by its
//     sub-organisations when one of the view capabilities in play is held with org_tree;
//   - for a contractor organisation, also the resources assigned to it (and to its sub-
//     organisations, with org_tree: state.resources_by_assigned_org), and the resources the
//     user is among the assigned users of (resources_by_assigned_user, kept here).
// That is every resource domain::Check can relate to the user (domain/check.h, step 6), so
// filtering the candidates with domain::CanSeeResource gives exactly the visible resources.
// Candidates of a type or status the user holds no view capability for are skipped before
// the check.
//
// The hot path of a check is index lookups: users, resources and the user's organisation by
// id in the state's flat tables (domain/entity_map.h), the capability by name in a sorted
// table, then domain::Check on the entities; the answer is exactly domain::Check's by ids.
//
// Also kept here, apart from the model proper: the sessions ended on this node whose
// SessionEnded event the model has not applied yet (see SessionsModel). They are node-local
// and excluded from Digest().
//
// Not thread-safe: one writer, or any number of readers (AccessModel guards it).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "common/strong_type.h"
#include "domain/check.h"
#include "domain/state.h"
#include "schemas/events_generated.h"

namespace portico::projections {

// Which resources a listing wants: a bit per schema::ResourceType and per ResourceStatus.
struct ResourceFilter {
  static constexpr std::uint16_t kAllTypes = 0x07ff;  // the 11 resource types
  static constexpr std::uint8_t kAllStatuses = 0x07;  // current, completed, periodic

  std::uint16_t types = kAllTypes;
  std::uint8_t statuses = kAllStatuses;

  // nullopt: any.
  static ResourceFilter Of(std::optional<schema::ResourceType> type,
                           std::optional<schema::ResourceStatus> status);
  static std::uint16_t TypeBit(schema::ResourceType t) {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(t));
  }
  static std::uint8_t StatusBit(schema::ResourceStatus s) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(s));
  }
  bool Matches(schema::ResourceType t, schema::ResourceStatus s) const {
    return (types & TypeBit(t)) != 0 && (statuses & StatusBit(s)) != 0;
  }
};

class AccessIndex {
 public:
  AccessIndex() = default;
  AccessIndex(const AccessIndex&) = delete;
  AccessIndex& operator=(const AccessIndex&) = delete;

  // Folds one verified event (domain::Evolve) and keeps the extra index in step.
  void Fold(const schema::Envelope& event);

  // Sizes the resource lookup table for `events` more events (a catch-up), as if each could
  // add a resource, up to kMaxReservedResources more. Otherwise the table doubles as
  // resources arrive, and every doubling places all its slots again. A reserved resource
  // costs 16 to 32 bytes of table (8-byte slots, a power of two of them, at most half full:
  // domain/entity_map.h), so a log with far fewer resources than events wastes at most 64 MiB.
  static constexpr std::uint64_t kMaxReservedResources = 2u << 20;
  void Reserve(std::uint64_t events);

  const domain::AccessState& state() const { return state_; }

  // What the last Fold did to a resource, for a model that follows this one event by event
  // (the alerts model): the resource a ResourceUpserted event names, and its type and status
  // just before (none when the event created it), and whether the event changed any of its
  // fields (all but updated_at_us; always when it created it: a re-sync that upserts the same
  // resource again changes nothing). Null after any other event, and when the resource does
  // not exist after it (Evolve ignored an event that would have created it).
  struct ResourceChange {
    const domain::Resource* resource = nullptr;
    std::optional<schema::ResourceType> type_before;
    std::optional<schema::ResourceStatus> status_before;
    bool changed = true;
  };
  const ResourceChange& last_resource_change() const { return last_resource_change_; }

  // The same as domain::Check(state(), user, capability, resource, now_us).
  domain::CheckResult Check(const domain::UserId& user, std::string_view capability,
                            const domain::ResourceId* resource, std::int64_t now_us) const;

  // Shorthands for state().FindUser / FindResource.
  const domain::User* FindUser(std::string_view id) const { return state_.FindUser(id); }
  const domain::Resource* FindResource(std::string_view id) const { return state_.FindResource(id); }

  // Calls fn for every resource the user may see (domain::CanSeeResource) that matches the
  // filter, in no particular order. Nothing for an inactive user (domain::CheckUserActive).
  void ForEachVisibleResource(const domain::User& user, const ResourceFilter& filter, std::int64_t now_us,
                              const std::function<void(const domain::Resource&)>& fn) const;

  // How many resources the user may see, per resource type, among those the filter selects.
  std::vector<std::uint64_t> CountVisibleByType(const domain::User& user, const ResourceFilter& filter,
                                                std::int64_t now_us) const;

  // The notes of the resource the user may see (domain::CanSeeNote), in the order shared.
  // The caller checks first that the user may see the resource itself.
  void ForEachVisibleNote(const domain::User& user, const domain::Resource& resource, std::int64_t now_us,
                          const std::function<void(const domain::Note&)>& fn) const;

  // Node-local: sessions ended on this node, each with the position of its SessionEnded
  // event; forgotten once the model has applied that position.
  void MarkEndedHere(const std::vector<domain::SessionId>& sessions, Position ended_at);
  bool IsEndedHere(std::string_view session_id) const;
  void ForgetEndedThrough(Position applied);
  std::size_t ended_here_size() const { return ended_here_.size(); }

 private:
  using ResourceIndex = domain::EntityMap<domain::Resource>::Index;
  void IndexAssignedUsers(ResourceIndex resource, const std::vector<domain::UserId>& users, bool add);

  domain::AccessState state_;
  // user id -> resources it is among the assigned users of (their index in state_.resources).
  domain::StringMap<domain::IndexSet> resources_by_assigned_user_;
  // session id -> position of its SessionEnded event.
  domain::StringMap<Position> ended_here_;
  ResourceChange last_resource_change_;
};

}  // namespace portico::projections
