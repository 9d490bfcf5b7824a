// The demo dataset of `portico serve --demo` (README, "Running"): a provider with default
// settings, two client organisations (acme, with the sub-organisation acme-north, and globex),
// a contractor business (sparkies), a portal user on each preset, resources of several types
// and notes of each visibility. Seeded through the CommandProcessor as real commands (actor:
// the system "demo"), so the log, Kafka and the read models see it like any other history.
#pragma once

#include <string_view>

#include "common/status.h"
#include "gateway/app/command_processor.h"

namespace portico::gateway {

// Every demo user's password, and the user the startup banner suggests (acme's client manager).
inline constexpr std::string_view kDemoPassword = "portico-demo-1";
inline constexpr std::string_view kDemoUsername = "alice.manager";

// Seeds the dataset. Blocking (argon2id once, fsync'd appends): call it off the event loop.
// Meant for an empty log; on a log that already holds any of its ids the first such command
// fails and its error is returned.
Status SeedDemoData(CommandProcessor& processor);

}  // namespace portico::gateway
