// Internal to domain/decide*.cc: the Decide overloads of the portal workflows (issue 6) and
// the helpers they share. decide.cc includes it so that Decide's dispatch sees them.
#pragma once

#include "domain/check.h"
#include "domain/decide_internal.h"

namespace portico::domain::internal {

Result<Events> DecideOne(const AccessState& s, const SetRegistrationCode& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const RequestRegistration& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const DecideRegistration& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ImportUsers& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const SubmitPortalRequest& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const AddPortalNote& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const ApproveEstimate& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const RecordPaymentIntent& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const UpdateContactDetails& c, std::int64_t now_us);
Result<Events> DecideOne(const AccessState& s, const PortalManagerAction& c, std::int64_t now_us);

std::string RegistrationStream(std::string_view user_id);  // "registration:<id>"
std::string ImportStream(std::string_view import_id);      // "import:<id>"
std::string RequestStream(std::string_view request_id);    // "request:<id>"

// The one FailedPrecondition every closed registration door answers with (domain/workflows.h).
Status RegistrationClosed();

// A portal user's action: the user, active and unarchived; NotFound when `resource` is given
// and the user cannot see it (or it does not exist: the same answer); PermissionDenied,
// naming the check's reason, when domain::Check refuses the capability (a restricted
// organisation among the reasons); FailedPrecondition when the capability does not apply to
// the resource's type.
Result<const User*> RequirePortalCapability(const AccessState& s, const UserId& user_id, Capability capability,
                                            const ResourceId* resource, std::int64_t now_us);

}  // namespace portico::domain::internal
