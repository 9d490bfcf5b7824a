#include "domain/memory_log.h"

#include <algorithm>

#include "domain/decide.h"
#include "domain/evolve.h"

namespace portico::domain {

Result<std::vector<DomainEvent>> MemoryLog::Execute(const Command& command, std::int64_t now_us,
                                                    const schemas::EventMeta& meta) {
  ASSIGN_OR_RETURN(std::vector<DomainEvent> events, Decide(state_, command, now_us));
  RETURN_IF_ERROR(Append(events, now_us, meta));
  return events;
}

Status MemoryLog::Append(const std::vector<DomainEvent>& events, std::int64_t now_us,
                         const schemas::EventMeta& meta) {
  for (const DomainEvent& event : events) {
    std::string bytes = EncodeEvent(event, meta);
    RETURN_IF_ERROR(schemas::VerifyEnvelope(bytes).status());
    schemas::StoreFields fields;
    fields.position = envelopes_.size() + 1;
    for (int i = 0; i < 8; ++i) fields.event_id[15 - i] = static_cast<std::uint8_t>(fields.position >> (8 * i));
    fields.stream_version = ++stream_versions_[event.stream];
    last_recorded_us_ = std::max(last_recorded_us_, now_us);
    fields.recorded_at_us = last_recorded_us_;
    fields.prev_hash = last_hash_;
    last_hash_ = schemas::StampEnvelope(bytes, fields);
    RETURN_IF_ERROR(EvolveBytes(state_, bytes));
    envelopes_.push_back(std::move(bytes));
  }
  return Status::Ok();
}

Result<AccessState> MemoryLog::Replay() const {
  AccessState state;
  for (const std::string& bytes : envelopes_) RETURN_IF_ERROR(EvolveBytes(state, bytes));
  return state;
}

}  // namespace portico::domain
