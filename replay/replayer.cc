#include "replay/replayer.h"

#include "domain/evolve.h"
#include "replay/log_db.h"
#include "replay/progress.h"
#include "replay/scan.h"

namespace portico::replay {

Status Replayer::AdvanceTo(Position to, FoldObserver* observer) {
  if (to <= position()) return Status::Ok();
  ScanOptions scan;
  scan.from = Position(position().value() + 1);
  scan.to = to;
  scan.hash = options_.verify_hashes;
  const Status scanned = ScanLog(db_, scan, [&](const EventBatch& batch) -> Status {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const schema::Envelope* envelope = batch.envelope(i);
      RETURN_IF_ERROR(chain_.Next(batch.position(i), batch.bytes(i), envelope,
                                  options_.verify_hashes ? &batch.computed_hash(i) : nullptr));
      if (observer != nullptr) observer->Before(*envelope, state_);
      domain::Evolve(state_, *envelope);
      if (observer != nullptr) RETURN_IF_ERROR(observer->After(*envelope, batch.bytes(i), state_));
    }
    if (options_.progress != nullptr) options_.progress->Update(position().value());
    return Status::Ok();
  });
  if (!scanned.ok()) return scanned;
  if (position() < to) {
    return FaultAt(position().value() + 1, "missing (the log ends at position " +
                                               std::to_string(position().value()) + ")");
  }
  return Status::Ok();
}

}  // namespace portico::replay
