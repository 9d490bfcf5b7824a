#include "projections/access_model.h"

#include <algorithm>

#include "projections/next_position.h"
#include "projections/state_digest.h"

namespace portico::projections {

Status AccessModel::Apply(const schema::Envelope& event, Position position) {
  std::unique_lock lock(mu_);
  RETURN_IF_ERROR(CheckNextPosition(name(), applied(), event, position));
  index_.Fold(event);
  index_.ForgetEndedThrough(position);
  applied_.store(position.value(), std::memory_order_release);
  return Status::Ok();
}

void AccessModel::ExpectEvents(std::uint64_t count) {
  std::unique_lock lock(mu_);
  index_.Reserve(count);
}

domain::CheckResult AccessModel::Check(const domain::UserId& user, std::string_view capability,
                                       const domain::ResourceId* resource, std::int64_t now_us) const {
  std::shared_lock lock(mu_);
  return index_.Check(user, capability, resource, now_us);
}

std::vector<domain::Resource> AccessModel::ListVisibleResources(const domain::UserId& user,
                                                                const ResourceFilter& filter,
                                                                std::int64_t now_us) const {
  std::vector<domain::Resource> out;
  {
    std::shared_lock lock(mu_);
    const domain::User* u = index_.FindUser(user.value());
    if (u == nullptr) return out;
    index_.ForEachVisibleResource(*u, filter, now_us, [&](const domain::Resource& r) { out.push_back(r); });
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::optional<domain::Resource> AccessModel::GetVisibleResource(const domain::UserId& user,
                                                                const domain::ResourceId& resource,
                                                                std::int64_t now_us) const {
  std::shared_lock lock(mu_);
  const domain::AccessState& s = index_.state();
  const domain::User* u = index_.FindUser(user.value());
  const domain::Resource* r = index_.FindResource(resource.value());
  if (u == nullptr || r == nullptr || !domain::CanSeeResource(s, *u, *r, now_us).allowed) return std::nullopt;
  return *r;
}

std::optional<std::vector<domain::Note>> AccessModel::VisibleNotes(const domain::UserId& user,
                                                                   const domain::ResourceId& resource,
                                                                   std::int64_t now_us) const {
  std::shared_lock lock(mu_);
  const domain::AccessState& s = index_.state();
  const domain::User* u = index_.FindUser(user.value());
  const domain::Resource* r = index_.FindResource(resource.value());
  if (u == nullptr || r == nullptr || !domain::CanSeeResource(s, *u, *r, now_us).allowed) return std::nullopt;
  std::vector<domain::Note> out;
  index_.ForEachVisibleNote(*u, *r, now_us, [&](const domain::Note& n) { out.push_back(n); });
  return out;
}

void AccessModel::MarkSessionsEnded(const std::vector<domain::SessionId>& sessions, Position ended_at) {
  std::unique_lock lock(mu_);
  index_.MarkEndedHere(sessions, ended_at);
}

std::string AccessModel::Digest() const {
  std::shared_lock lock(mu_);
  return schemas::HexEncode(DigestAccessState(index_.state()));
}

}  // namespace portico::projections
