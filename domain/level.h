// Capability sets and access levels.
//
// A CapabilitySet holds, for each capability of the catalogue, the set of scopes it is held
// with (an empty set: not held). A capability held with several scopes is allowed where any
// of them is satisfied (AroFlo's contractor Manager sees tasks "assigned to business and
// user": assigned_business and assigned).
//
// A Level is a named CapabilitySet: a built-in preset (domain/presets.h, with the seed it
// reproduces) or a custom level defined by the provider (LevelDefined).
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "domain/catalogue.h"
#include "domain/ids.h"

namespace portico::domain {

class CapabilitySet {
 public:
  void Add(Capability c, Scope s) { masks_[Index(c)] |= Bit(s); }
  void Remove(Capability c) { masks_[Index(c)] = 0; }
  bool Has(Capability c) const { return masks_[Index(c)] != 0; }
  ScopeMask Scopes(Capability c) const { return masks_[Index(c)]; }
  bool empty() const;

  // Every (capability, scope) held, in catalogue order then scope order.
  std::vector<std::pair<Capability, Scope>> Entries() const;

  bool operator==(const CapabilitySet&) const = default;

 private:
  static std::size_t Index(Capability c) { return static_cast<std::size_t>(c); }
  std::array<ScopeMask, kCapabilityCount> masks_{};
};

struct Level {
  LevelId id;
  std::string name;
  CapabilitySet capabilities;
  bool preset = false;
  std::string seed;  // presets: the seed document and chart it reproduces; "" for custom levels

  bool operator==(const Level&) const = default;
};

}  // namespace portico::domain
