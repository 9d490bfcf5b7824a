// Decide for what a portal user does itself: ask for a task or work request, write a note,
// approve an estimate, record a payment intent, update its contact details. Each is checked
// with domain::Check against the user's capabilities and scopes; all of them write, so none
// is allowed in a restricted organisation.
#include <cctype>

#include "domain/decide_workflows_internal.h"
#include "domain/validate.h"

namespace portico::domain::internal {
namespace {

constexpr std::size_t kMaxDescriptionLength = 20000;
constexpr std::size_t kMaxPhoneLength = 40;
constexpr std::int64_t kMaxAmountCents = 1'000'000'000'000;  // ten billion in the currency

Status ValidateCurrency(std::string_view currency) {
  if (currency.size() != 3) return Status::InvalidArgument("currency must be a 3-letter ISO 4217 code");
  for (char ch : currency) {
    if (ch < 'A' || ch > 'Z') return Status::InvalidArgument("currency must be a 3-letter ISO 4217 code");
  }
  return Status::Ok();
}

Status ValidatePhone(std::string_view phone) {
  if (phone.size() > kMaxPhoneLength) return Status::InvalidArgument("phone is longer than 40 characters");
  for (char ch : phone) {
    if (!(std::isdigit(static_cast<unsigned char>(ch)) || ch == ' ' || ch == '+' || ch == '-' || ch == '(' ||
          ch == ')' || ch == '.')) {
      return Status::InvalidArgument("phone may hold digits, spaces and + - ( ) . only");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string RequestStream(std::string_view request_id) { return "request:" + std::string(request_id); }

Result<const User*> RequirePortalCapability(const AccessState& s, const UserId& user_id, Capability capability,
                                            const ResourceId* resource, std::int64_t now_us) {
  ASSIGN_OR_RETURN(const User* user, RequireUser(s, user_id));
  const Resource* r = nullptr;
  if (resource != nullptr) {
    RETURN_IF_ERROR(ValidateId("resource id", resource->value()));
    r = s.FindResource(resource->value());
    // Unknown and invisible answer alike, so that existence does not leak.
    if (r == nullptr || !CanSeeResource(s, *user, *r, now_us).allowed) {
      return Status::NotFound("no resource " + Quoted(resource->value()));
    }
  }
  const CheckResult may = Check(s, *user, capability, r, now_us);
  if (may.allowed) return user;
  if (may.reason == Reason::kWrongResourceType || may.reason == Reason::kNotAResourceCapability) {
    return Status::FailedPrecondition(std::string(CapabilityName(capability)) + " does not apply here: " + may.detail);
  }
  return Status::PermissionDenied("not allowed to use " + std::string(CapabilityName(capability)) + " (" +
                                  std::string(ReasonName(may.reason)) + "): " + may.detail);
}

Result<Events> DecideOne(const AccessState& s, const SubmitPortalRequest& c, std::int64_t now_us) {
  if (!InRange(c.kind)) return Status::InvalidArgument("kind is not task or work_request");
  const Capability capability = c.kind == schema::PortalRequestKind::Task ? Capability::kTasksCreate
                                                                           : Capability::kWorkRequestsSubmit;
  ASSIGN_OR_RETURN(const User* user, RequirePortalCapability(s, c.user_id, capability, nullptr, now_us));
  RETURN_IF_ERROR(ValidateId("request id", c.request_id));
  RETURN_IF_ERROR(ValidateText("title", c.title, kMaxTitleLength, false));
  RETURN_IF_ERROR(ValidateText("description", c.description, kMaxDescriptionLength, true, /*multiline=*/true));
  schema::PortalRequestSubmittedT submitted;
  submitted.request_id = c.request_id;
  submitted.kind = c.kind;
  submitted.user_id = c.user_id.value();
  submitted.org_id = user->org.value();
  submitted.title = c.title;
  submitted.description = c.description;
  Events out;
  out.push_back(MakeEvent(RequestStream(c.request_id), std::move(submitted)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const AddPortalNote& c, std::int64_t now_us) {
  const Resource* resource = s.FindResource(c.resource_id.value());
  // On a task, tasks.notes.add; on anything else, seeing it (ShareNote's rule), in an
  // organisation that is not read-only.
  const bool task = resource == nullptr || resource->type == schema::ResourceType::Task;
  const Capability capability =
      task ? Capability::kTasksNotesAdd : ViewCapabilityFor(resource->type, resource->status);
  ASSIGN_OR_RETURN(const User* user, RequirePortalCapability(s, c.user_id, capability, &c.resource_id, now_us));
  const Org* org = s.FindOrg(user->org.value());
  if (org == nullptr) return Status::NotFound("organisation " + Quoted(user->org.value()) + " does not exist");
  if (!task && s.EffectiveMode(*org) != schema::AccessMode::Enabled) {
    return Status::PermissionDenied("not allowed to write notes (org_restricted): organisation " +
                                    Quoted(org->id.value()) + " is restricted (read-only)");
  }
  ShareNote note;
  note.note_id = c.note_id;
  note.resource_id = c.resource_id;
  note.body = c.body;
  note.visibility = org->kind == schema::OrgKind::Contractor ? schema::NoteVisibility::Contractor
                                                              : schema::NoteVisibility::Client;
  note.author_user_id = c.user_id;
  return DecideOne(s, note, now_us);
}

Result<Events> DecideOne(const AccessState& s, const ApproveEstimate& c, std::int64_t now_us) {
  RETURN_IF_ERROR(RequirePortalCapability(s, c.user_id, Capability::kEstimatesApprove, &c.resource_id, now_us).status());
  RETURN_IF_ERROR(ValidateText("comment", c.comment, kMaxDescriptionLength, true, /*multiline=*/true));
  schema::EstimateApprovedT approved;
  approved.resource_id = c.resource_id.value();
  approved.user_id = c.user_id.value();
  approved.comment = c.comment;
  Events out;
  out.push_back(MakeEvent(ResourceStream(c.resource_id.value()), std::move(approved)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const RecordPaymentIntent& c, std::int64_t now_us) {
  RETURN_IF_ERROR(RequirePortalCapability(s, c.user_id, Capability::kInvoicesPay, &c.resource_id, now_us).status());
  RETURN_IF_ERROR(ValidateId("intent id", c.intent_id));
  if (c.amount_cents <= 0 || c.amount_cents > kMaxAmountCents) {
    return Status::InvalidArgument("amount_cents must be between 1 and " + std::to_string(kMaxAmountCents));
  }
  RETURN_IF_ERROR(ValidateCurrency(c.currency));
  RETURN_IF_ERROR(ValidateId("payment method", c.method));
  schema::PaymentIntentRecordedT intent;
  intent.intent_id = c.intent_id;
  intent.resource_id = c.resource_id.value();
  intent.user_id = c.user_id.value();
  intent.amount_cents = c.amount_cents;
  intent.currency = c.currency;
  intent.method = c.method;
  Events out;
  out.push_back(MakeEvent(ResourceStream(c.resource_id.value()), std::move(intent)));
  return out;
}

Result<Events> DecideOne(const AccessState& s, const UpdateContactDetails& c, std::int64_t now_us) {
  RETURN_IF_ERROR(RequirePortalCapability(s, c.user_id, Capability::kProfileUpdate, nullptr, now_us).status());
  RETURN_IF_ERROR(ValidateText("display name", c.display_name, kMaxNameLength, false));
  if (c.email.empty()) return Status::InvalidArgument("email is required");
  RETURN_IF_ERROR(ValidateEmail(c.email));
  RETURN_IF_ERROR(ValidatePhone(c.phone));
  schema::ContactDetailsUpdatedT updated;
  updated.user_id = c.user_id.value();
  updated.display_name = c.display_name;
  updated.email = c.email;
  updated.phone = c.phone;
  if (const User* user = s.FindUser(c.user_id.value()); user != nullptr && user->email != c.email) {
    updated.previous_email = user->email;
  }
  Events out;
  out.push_back(MakeEvent(UserStream(c.user_id.value()), std::move(updated)));
  return out;
}

}  // namespace portico::domain::internal
