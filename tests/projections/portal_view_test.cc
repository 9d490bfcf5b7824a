#include "projections/portal_view.h"

#include <gtest/gtest.h>

#include "projections/feed.h"

namespace portico::projections {
namespace {

using testing::BuildScenario;
using testing::CatchUp;
using testing::Cast;
using testing::World;

class PortalViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildScenario(world_);
    CatchUp(model_, world_.log);
  }

  std::uint64_t BruteCount(const std::string& user, schema::ResourceType type) const {
    const auto& s = world_.state();
    const domain::User* u = s.FindUser(user);
    std::uint64_t n = 0;
    for (const domain::Resource& r : s.resources) {
      n += r.type == type && r.status == schema::ResourceStatus::Current &&
           domain::CanSeeResource(s, *u, r, world_.now).allowed;
    }
    return n;
  }

  World world_;
  AccessModel model_;
  PortalView view_{model_};
};

TEST_F(PortalViewTest, CountsMatchBruteForce) {
  std::uint64_t total = 0;
  for (const std::string& user : Cast::kUsers) {
    auto home = view_.Home(domain::UserId(user), world_.now);
    ASSERT_TRUE(home.ok()) << home.status().ToString();
    EXPECT_EQ(home->counts.open_tasks, BruteCount(user, schema::ResourceType::Task)) << user;
    EXPECT_EQ(home->counts.open_quotes, BruteCount(user, schema::ResourceType::Quote)) << user;
    EXPECT_EQ(home->counts.open_invoices, BruteCount(user, schema::ResourceType::Invoice)) << user;
    total += home->counts.open_tasks + home->counts.open_quotes + home->counts.open_invoices;
  }
  EXPECT_GT(total, 10u);
}

TEST_F(PortalViewTest, ShowsProfileOrganisationLevelAndCapabilities) {
  auto home = view_.Home(domain::UserId("carol"), world_.now);
  ASSERT_TRUE(home.ok());
  EXPECT_EQ(home->profile.user_id, "carol");
  EXPECT_EQ(home->profile.username, "carol");
  EXPECT_EQ(home->profile.display_name, "User carol");
  EXPECT_EQ(home->profile.type, schema::UserType::Active);
  EXPECT_FALSE(home->profile.must_reset_password);
  EXPECT_EQ(home->org.id, "acme-east");
  EXPECT_EQ(home->org.name, "Org acme-east");
  EXPECT_EQ(home->org.kind, schema::OrgKind::Client);
  EXPECT_EQ(home->org.effective_mode, schema::AccessMode::Enabled);
  EXPECT_EQ(home->level.id, "client-manager");
  EXPECT_EQ(home->level.name, "Client manager");
  const auto* user = world_.state().FindUser("carol");
  EXPECT_EQ(home->capabilities, domain::EffectiveCapabilities(world_.state(), *user, world_.now).Entries());
  EXPECT_EQ(home->position, model_.applied());

  // A grant shows at once; a restricted parent shows in the effective mode.
  world_.Do(domain::GrantPermission{domain::UserId("carol"), "invoices.view", "", 0});
  world_.Do(domain::SetOrgAccess{domain::OrgId("acme"), schema::AccessMode::Restricted});
  world_.Do(domain::ForcePasswordReset{domain::UserId("carol")});
  CatchUp(model_, world_.log);
  home = view_.Home(domain::UserId("carol"), world_.now);
  ASSERT_TRUE(home.ok());
  EXPECT_EQ(home->org.effective_mode, schema::AccessMode::Restricted);
  EXPECT_TRUE(home->profile.must_reset_password);
  bool has_invoices = false;
  for (const auto& [cap, scope] : home->capabilities) has_invoices |= cap == domain::Capability::kInvoicesView;
  EXPECT_TRUE(has_invoices);
  EXPECT_EQ(home->counts.open_invoices, BruteCount("carol", schema::ResourceType::Invoice));
}

TEST_F(PortalViewTest, UnknownUserIsNotFound) {
  EXPECT_EQ(view_.Home(domain::UserId("nobody"), world_.now).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace portico::projections
