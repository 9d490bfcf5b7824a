// Progress of a long command on stderr: on a terminal a bar redrawn in place (events/s and
// ETA), otherwise plain lines every few seconds. Nothing at all for the first second, so quick
// commands stay quiet.
//
// Not thread-safe: one thread calls Update and Finish.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace portico::replay {

enum class ProgressMode : std::uint8_t {
  kAuto,   // kBar when stderr is a terminal, else kLines
  kBar,
  kLines,
  kOff,
};

std::string_view ProgressModeName(ProgressMode mode);
std::optional<ProgressMode> ParseProgressMode(std::string_view name);

class Progress {
 public:
  // `out` must outlive the Progress. `total` is the number of events expected (0: unknown).
  // kAuto is resolved with `terminal` (whether `out` is a terminal).
  Progress(std::ostream& out, ProgressMode mode, bool terminal, std::string label, std::uint64_t total);
  ~Progress();  // Finish()es if not done
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `done` events so far. Cheap unless it is time to print.
  void Update(std::uint64_t done);
  // Clears the bar (or prints a last line when something was shown).
  void Finish();

 private:
  void Print(std::uint64_t done, bool last);

  std::ostream& out_;
  ProgressMode mode_;
  std::string label_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point next_print_;
  bool shown_ = false;
  bool finished_ = false;
};

}  // namespace portico::replay
