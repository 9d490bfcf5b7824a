#include "replay/progress.h"

#include <cstdio>

namespace portico::replay {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kQuietStart = std::chrono::seconds(1);
constexpr auto kBarInterval = std::chrono::milliseconds(100);
constexpr auto kLineInterval = std::chrono::seconds(5);
constexpr int kBarWidth = 30;

std::string Duration(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

}  // namespace

std::string_view ProgressModeName(ProgressMode mode) {
  switch (mode) {
    case ProgressMode::kAuto: return "auto";
    case ProgressMode::kBar: return "bar";
    case ProgressMode::kLines: return "lines";
    case ProgressMode::kOff: return "off";
  }
  return "auto";
}

std::optional<ProgressMode> ParseProgressMode(std::string_view name) {
  for (ProgressMode mode : {ProgressMode::kAuto, ProgressMode::kBar, ProgressMode::kLines, ProgressMode::kOff}) {
    if (ProgressModeName(mode) == name) return mode;
  }
  return std::nullopt;
}

Progress::Progress(std::ostream& out, ProgressMode mode, bool terminal, std::string label, std::uint64_t total)
    : out_(out),
      mode_(mode == ProgressMode::kAuto ? (terminal ? ProgressMode::kBar : ProgressMode::kLines) : mode),
      label_(std::move(label)),
      total_(total),
      start_(Clock::now()),
      next_print_(start_ + kQuietStart) {}

Progress::~Progress() { Finish(); }

void Progress::Update(std::uint64_t done) {
  done_ = done;
  if (mode_ == ProgressMode::kOff || finished_) return;
  const auto now = Clock::now();
  if (now < next_print_) return;
  next_print_ = now + (mode_ == ProgressMode::kBar ? kBarInterval : kLineInterval);
  Print(done, false);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (shown_) Print(done_, true);
}

void Progress::Print(std::uint64_t done, bool last) {
  shown_ = true;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  const bool known = total_ > 0 && done <= total_;
  const double fraction = known ? static_cast<double>(done) / static_cast<double>(total_) : 0;
  const double eta = known && rate > 0 ? static_cast<double>(total_ - done) / rate : -1;
  char line[256];
  if (mode_ == ProgressMode::kBar) {
    std::string bar(kBarWidth, ' ');
    for (int i = 0; i < static_cast<int>(fraction * kBarWidth); ++i) bar[i] = '#';
    std::snprintf(line, sizeof line, "\r%s [%s] %5.1f%% %llu/%llu events  %.0f events/s  %s %s\033[K",
                  label_.c_str(), bar.c_str(), fraction * 100, static_cast<unsigned long long>(done),
                  static_cast<unsigned long long>(total_), rate, last ? "took" : "ETA",
                  Duration(last ? elapsed : eta).c_str());
    out_ << line;
    if (last) out_ << '\n';
  } else {
    std::snprintf(line, sizeof line, "%s: %llu/%llu events (%.1f%%), %.0f events/s, %s %s\n", label_.c_str(),
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                  fraction * 100, rate, last ? "took" : "ETA", Duration(last ? elapsed : eta).c_str());
    out_ << line;
  }
  out_.flush();
}

}  // namespace portico::replay
