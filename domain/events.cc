#include "domain/events.h"

namespace portico::domain {
namespace {

std::string Prefixed(std::string_view prefix, std::string_view id) {
  std::string out;
  out.reserve(prefix.size() + id.size());
  out.append(prefix).append(id);
  return out;
}

}  // namespace

std::string OrgStream(std::string_view org_id) { return Prefixed("org:", org_id); }
std::string LevelStream(std::string_view level_id) { return Prefixed("level:", level_id); }
std::string UserStream(std::string_view user_id) { return Prefixed("user:", user_id); }
std::string ResourceStream(std::string_view resource_id) { return Prefixed("resource:", resource_id); }
std::string NoteStream(std::string_view note_id) { return Prefixed("note:", note_id); }
std::string AlertSetStream(std::string_view alert_set_id) { return Prefixed("alertset:", alert_set_id); }

std::string EncodeEvent(const DomainEvent& event, schemas::EventMeta meta) {
  meta.stream_id = event.stream;
  return schemas::EncodeEnvelope(meta, event.body);
}

}  // namespace portico::domain
