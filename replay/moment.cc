#include "replay/moment.h"

#include "replay/chain_check.h"
#include "replay/log_db.h"
#include "schemas/envelope.h"

namespace portico::replay {

Result<std::int64_t> RecordedAt(const LogDb& db, Position position) {
  if (position.value() == 0) return std::int64_t{0};
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, db.ReadEvent(position));
  if (!bytes) return FaultAt(position.value(), "missing");
  auto envelope = schemas::VerifyEnvelope(*bytes);
  if (!envelope.ok()) return FaultAt(position.value(), envelope.status().message());
  if ((*envelope)->position() != position.value()) {
    return FaultAt(position.value(), "the envelope stored here says position " +
                                         std::to_string((*envelope)->position()));
  }
  return (*envelope)->recorded_at_us();
}

Result<Moment> ResolveMoment(const LogDb& db, const MomentSpec& spec, Position head) {
  if (spec.at_us && spec.position) return Status::InvalidArgument("give --at or --position, not both");
  if (spec.position) {
    if (*spec.position > head.value()) {
      return Status::InvalidArgument("position " + std::to_string(*spec.position) + " is beyond the head (" +
                                     std::to_string(head.value()) + ")");
    }
    const Position position(*spec.position);
    ASSIGN_OR_RETURN(std::int64_t time, RecordedAt(db, position));
    return Moment{position, time};
  }
  if (!spec.at_us) {
    ASSIGN_OR_RETURN(std::int64_t time, RecordedAt(db, head));
    return Moment{head, time};
  }
  // Recorded times never decrease along the log (verify checks it): the last position whose
  // time is <= at.
  std::uint64_t lo = 0, hi = head.value();
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo + 1) / 2;
    ASSIGN_OR_RETURN(std::int64_t time, RecordedAt(db, Position(mid)));
    if (time <= *spec.at_us) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return Moment{Position(lo), *spec.at_us};
}

}  // namespace portico::replay
