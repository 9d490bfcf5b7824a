#include "projections/portal_view.h"

namespace portico::projections {

Result<PortalHome> PortalView::Home(const domain::UserId& user_id, std::int64_t now_us) const {
  return access_.Read([&](const AccessIndex& index) -> Result<PortalHome> {
    const domain::AccessState& s = index.state();
    const domain::User* user = s.FindUser(user_id.value());
    if (user == nullptr) return Status::NotFound("user '" + user_id.value() + "' does not exist");
    PortalHome home;
    home.profile = {user->id.value(), user->username, user->display_name, user->email, user->type,
                    user->must_reset_password};
    if (const domain::Org* org = s.FindOrg(user->org.value())) {
      home.org = {org->id.value(), org->name, org->kind, s.EffectiveMode(*org)};
    } else {
      home.org.id = user->org.value();
    }
    home.level.id = user->level.value();
    if (const domain::Level* level = s.FindLevel(user->level.value())) home.level.name = level->name;
    home.capabilities = domain::EffectiveCapabilities(s, *user, now_us).Entries();

    ResourceFilter open;
    open.statuses = ResourceFilter::StatusBit(schema::ResourceStatus::Current);
    open.types = ResourceFilter::TypeBit(schema::ResourceType::Task) | ResourceFilter::TypeBit(schema::ResourceType::Quote) |
                 ResourceFilter::TypeBit(schema::ResourceType::Invoice);
    const auto counts = index.CountVisibleByType(*user, open, now_us);
    home.counts.open_tasks = counts[static_cast<std::size_t>(schema::ResourceType::Task)];
    home.counts.open_quotes = counts[static_cast<std::size_t>(schema::ResourceType::Quote)];
    home.counts.open_invoices = counts[static_cast<std::size_t>(schema::ResourceType::Invoice)];
    home.position = Position(s.position);
    return home;
  });
}

}  // namespace portico::projections
