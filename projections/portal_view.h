// PortalView: what a portal user's home page shows (GET /v1/portal/me): profile,
// organisation, level, effective capabilities, and counts of the open (status current) tasks,
// quotes and invoices the user may see.
//
// It is a query over AccessModel, not a projection of its own: the page is computed at each
// query, under one shared lock, from the model's state. The counts take the same index walk as
// the listings (AccessIndex::ForEachVisibleResource: the resources of the user's organisation,
// its sub-organisations where org_tree is held, and for contractors what is assigned to them),
// so the cost is bounded by the user's own side, never by every resource. Keeping the counts
// as stored numbers instead would mean recomputing them for every user of an organisation at
// each change of a resource, a level or a grant; the walk is cheaper and always exact.
//
// Thread-safe; the AccessModel must outlive the view.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/catalogue.h"
#include "domain/ids.h"
#include "projections/access_model.h"

namespace portico::projections {

struct PortalHome {
  struct Profile {
    std::string user_id;
    std::string username;
    std::string display_name;
    std::string email;
    schema::UserType type = schema::UserType::Active;
    bool must_reset_password = false;
  };
  struct Organisation {
    std::string id;
    std::string name;
    schema::OrgKind kind = schema::OrgKind::Client;
    schema::AccessMode effective_mode = schema::AccessMode::Disabled;  // as its ancestors allow
  };
  struct AccessLevel {
    std::string id;
    std::string name;  // "" when the level is unknown
  };
  struct Counts {
    std::uint64_t open_tasks = 0;
    std::uint64_t open_quotes = 0;
    std::uint64_t open_invoices = 0;
  };

  Profile profile;
  Organisation org;
  AccessLevel level;
  // domain::EffectiveCapabilities, in catalogue then scope order; names via
  // domain::CapabilityName and domain::ScopeName.
  std::vector<std::pair<domain::Capability, domain::Scope>> capabilities;
  Counts counts;
  Position position;  // the model's position when the page was computed
};

class PortalView {
 public:
  explicit PortalView(const AccessModel& access) : access_(access) {}

  // NotFound for an unknown user. An inactive user (archived, disabled, locked, organisation
  // or portal disabled) still gets its page, with zero counts: the session check is the
  // gateway's gate, not this.
  Result<PortalHome> Home(const domain::UserId& user, std::int64_t now_us) const;

 private:
  const AccessModel& access_;
};

}  // namespace portico::projections
