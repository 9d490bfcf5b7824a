// The built-in access levels (presets). They are data: domain/presets.txt (its grammar is at
// its top), embedded into the library at build time and parsed once, on first use.
//
// Preset ids: client-manager, client-base (AroFlo client chart, seed 000), contractor-manager,
// contractor-base (AroFlo contractor chart, seed 001), client-self-service (Daftra, seed 002),
// portal-basic, portal-advanced, portal-manager (Autotask, seed 003). A custom level may not
// take a preset's id.
// Thread-safe: the parsed table is immutable after first use.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/level.h"

namespace portico::domain {

// Parses presets text. InvalidArgument names the line and what is wrong with it: an unknown
// statement, capability or scope, a duplicate level or entry, a level without name or seed.
Result<std::vector<Level>> ParsePresets(std::string_view text);

// The text of domain/presets.txt as embedded at build time.
std::string_view EmbeddedPresetsText();

// The presets parsed from EmbeddedPresetsText(), in file order. The embedded text is part of
// the build, so a failure to parse it is a broken build: the process aborts (the presets test
// reports the parse error itself).
const std::vector<Level>& Presets();

// The preset with this id, or nullptr.
const Level* FindPreset(std::string_view id);

}  // namespace portico::domain
