#include "gateway/app/staff_routes.h"

#include "gateway/app/staff_route_helpers.h"

namespace portico::gateway {

void AddStaffRoutes(Router& router, const AppRouteDeps& deps) {
  AddStaffSettingsRoutes(router, deps);
  AddStaffOrgRoutes(router, deps);
  AddStaffUserRoutes(router, deps);
  AddStaffSessionRoutes(router, deps);
  AddStaffResourceRoutes(router, deps);
  AddStaffQueryRoutes(router, deps);
}

}  // namespace portico::gateway
