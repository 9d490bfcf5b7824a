#include "domain/level.h"

namespace portico::domain {

bool CapabilitySet::empty() const {
  for (ScopeMask m : masks_) {
    if (m != 0) return false;
  }
  return true;
}

std::vector<std::pair<Capability, Scope>> CapabilitySet::Entries() const {
  std::vector<std::pair<Capability, Scope>> out;
  for (std::size_t c = 0; c < kCapabilityCount; ++c) {
    for (std::size_t s = 0; s < kScopeCount; ++s) {
      if (masks_[c] & Bit(static_cast<Scope>(s))) {
        out.emplace_back(static_cast<Capability>(c), static_cast<Scope>(s));
      }
    }
  }
  return out;
}

}  // namespace portico::domain
