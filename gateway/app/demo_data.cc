#include "gateway/app/demo_data.h"

#include <string>
#include <utility>
#include <vector>

#include "domain/decide.h"
#include "domain/validate.h"

namespace portico::gateway {
namespace {

using schema::NoteVisibility;
using schema::OrgKind;
using schema::ResourceStatus;
using schema::ResourceType;
using schema::UserType;

class Seeder {
 public:
  explicit Seeder(CommandProcessor& processor) : processor_(processor) {}

  Status Run(const domain::Command& command, std::string_view what) {
    auto out = processor_.Submit(command, actor_);
    if (!out.ok()) {
      return Status::Internal("demo data: " + std::string(what) + ": " + out.status().ToString());
    }
    return Status::Ok();
  }

  Status Org(const std::string& id, const std::string& name, OrgKind kind,
             const std::string& parent = {}) {
    domain::RegisterOrg reg;
    reg.org_id = domain::OrgId(id);
    reg.name = name;
    reg.kind = kind;
    reg.parent_org_id = domain::OrgId(parent);
    RETURN_IF_ERROR(Run(reg, "organisation " + id));
    domain::SetOrgAccess access;
    access.org_id = domain::OrgId(id);
    access.mode = schema::AccessMode::Enabled;
    return Run(access, "access of " + id);
  }

  Status User(const std::string& org, const std::string& username, const std::string& display,
              UserType type, const std::string& level) {
    domain::CreateUser user;
    user.user_id = domain::UserId("u-" + username);
    user.org_id = domain::OrgId(org);
    user.username = username;
    user.display_name = display;
    user.email = username + "@example.com";
    user.user_type = type;
    user.level = domain::LevelId(level);
    user.password = password_;
    return Run(user, "user " + username);
  }

  Status Resource(const std::string& id, ResourceType type, const std::string& org,
                  const std::string& title, ResourceStatus status = ResourceStatus::Current,
                  const std::string& contact = {}, std::vector<std::string> assigned_users = {},
                  const std::string& assigned_org = {}) {
    domain::UpsertResource r;
    r.resource_id = domain::ResourceId(id);
    r.type = type;
    r.org_id = domain::OrgId(org);
    r.title = title;
    r.status = status;
    r.contact_user_id = domain::UserId(contact.empty() ? std::string() : "u-" + contact);
    for (auto& u : assigned_users) r.assigned_user_ids.emplace_back("u-" + u);
    r.assigned_org_id = domain::OrgId(assigned_org);
    return Run(r, "resource " + id);
  }

  Status Note(const std::string& id, const std::string& resource, const std::string& body,
              NoteVisibility visibility) {
    domain::ShareNote n;
    n.note_id = domain::NoteId(id);
    n.resource_id = domain::ResourceId(resource);
    n.body = body;
    n.visibility = visibility;
    return Run(n, "note " + id);
  }

  Status PreparePassword() {
    const Status policy = processor_.Read([](const domain::AccessState& state) {
      return domain::CheckPasswordPolicy(state.settings, std::string(kDemoPassword));
    });
    RETURN_IF_ERROR(policy);
    ASSIGN_OR_RETURN(auto hash, HashPassword(std::string(kDemoPassword)));
    password_ = domain::NewPassword{std::string(kDemoPassword), std::move(hash)};
    return Status::Ok();
  }

 private:
  CommandProcessor& processor_;
  const CommandActor actor_{schema::ActorKind::System, "demo", {}};
  domain::NewPassword password_;
};

}  // namespace

Status SeedDemoData(CommandProcessor& processor) {
  Seeder s(processor);
  RETURN_IF_ERROR(s.Run(domain::ChangeSettings{}, "settings"));
  RETURN_IF_ERROR(s.PreparePassword());

  RETURN_IF_ERROR(s.Org("acme", "Acme Property Group", OrgKind::Client));
  RETURN_IF_ERROR(s.Org("acme-north", "Acme North Depot", OrgKind::Client, "acme"));
  RETURN_IF_ERROR(s.Org("globex", "Globex Corporation", OrgKind::Client));
  RETURN_IF_ERROR(s.Org("sparkies", "Sparkies Electrical", OrgKind::Contractor));

  // One user on each preset (and globex's own manager, to show the separation).
  RETURN_IF_ERROR(s.User("acme", "alice.manager", "Alice Manager", UserType::Active, "client-manager"));
  RETURN_IF_ERROR(s.User("acme", "bob.base", "Bob Base", UserType::Active, "client-base"));
  RETURN_IF_ERROR(s.User("acme", "paula.manager", "Paula Portal-Manager", UserType::Active, "portal-manager"));
  RETURN_IF_ERROR(s.User("acme-north", "nora.basic", "Nora Basic", UserType::Active, "portal-basic"));
  RETURN_IF_ERROR(s.User("acme-north", "nick.advanced", "Nick Advanced", UserType::Active, "portal-advanced"));
  RETURN_IF_ERROR(s.User("globex", "gina.manager", "Gina Manager", UserType::Active, "client-manager"));
  RETURN_IF_ERROR(s.User("globex", "sally.self", "Sally Self-Service", UserType::Active, "client-self-service"));
  RETURN_IF_ERROR(s.User("sparkies", "sam.manager", "Sam Manager", UserType::Contractor, "contractor-manager"));
  RETURN_IF_ERROR(s.User("sparkies", "sid.sparky", "Sid Sparky", UserType::Contractor, "contractor-base"));

  RETURN_IF_ERROR(s.Resource("acme-t1", ResourceType::Task, "acme", "Fix the boiler in reception",
                             ResourceStatus::Current, "alice.manager", {"sid.sparky"}, "sparkies"));
  RETURN_IF_ERROR(s.Resource("acme-t2", ResourceType::Task, "acme", "Replace the lobby lights",
                             ResourceStatus::Completed, "bob.base", {}, "sparkies"));
  RETURN_IF_ERROR(s.Resource("acme-t3", ResourceType::Task, "acme", "Quarterly fire-alarm test",
                             ResourceStatus::Periodic, "alice.manager", {"bob.base"}));
  RETURN_IF_ERROR(s.Resource("acme-q1", ResourceType::Quote, "acme", "New boiler for reception",
                             ResourceStatus::Current, "alice.manager"));
  RETURN_IF_ERROR(s.Resource("acme-i1", ResourceType::Invoice, "acme", "Lobby lights, March",
                             ResourceStatus::Current, "alice.manager"));
  RETURN_IF_ERROR(s.Resource("acme-north-t1", ResourceType::Task, "acme-north",
                             "Roller door at the north depot", ResourceStatus::Current,
                             "nora.basic", {"nick.advanced"}));
  RETURN_IF_ERROR(s.Resource("acme-north-e1", ResourceType::Estimate, "acme-north",
                             "Re-roofing the north depot", ResourceStatus::Current, "nick.advanced"));
  RETURN_IF_ERROR(s.Resource("globex-p1", ResourceType::Project, "globex", "Globex office fit-out",
                             ResourceStatus::Current, "gina.manager"));
  RETURN_IF_ERROR(s.Resource("globex-t1", ResourceType::Task, "globex", "Leaking tap, level 3",
                             ResourceStatus::Current, "sally.self", {"sam.manager"}, "sparkies"));

  RETURN_IF_ERROR(s.Note("acme-t1-n1", "acme-t1", "An electrician is booked for Tuesday morning.",
                         NoteVisibility::Client));
  RETURN_IF_ERROR(s.Note("acme-t1-n2", "acme-t1", "Gate code 4821; the boiler room key is at reception.",
                         NoteVisibility::Contractor));
  RETURN_IF_ERROR(s.Note("acme-t1-n3", "acme-t1", "Client disputed the last call-out fee.",
                         NoteVisibility::Internal));
  RETURN_IF_ERROR(s.Note("acme-q1-n1", "acme-q1", "Quote valid for 30 days.", NoteVisibility::Client));
  RETURN_IF_ERROR(s.Note("globex-t1-n1", "globex-t1", "Plumber requested access to level 3.",
                         NoteVisibility::Client));
  return Status::Ok();
}

}  // namespace portico::gateway
