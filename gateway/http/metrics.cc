#include "gateway/http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace portico::gateway {

struct MetricsRegistry::Family {
  std::string help;
  std::string type;  // counter, histogram, gauge
  // Keyed by the rendered label set ("{a=\"x\"}" or ""), so one label set is one series.
  std::map<std::string, std::unique_ptr<Counter>> counters;
  std::map<std::string, std::unique_ptr<Histogram>> histograms;
  std::map<std::string, std::function<double()>> gauges;
};

namespace {

bool IsMetricName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
  });
}

std::string Escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// {a="x",b="y"}; "" when there are no labels.
std::string LabelText(const Labels& labels) {
  std::string out;
  auto add = [&out](std::string_view name, std::string_view value) {
    out += out.empty() ? "{" : ",";
    out += name;
    out += "=\"";
    out += Escape(value);
    out += '"';
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (!out.empty()) out += '}';
  return out;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::invalid_argument("histogram bounds must increase");
  }
}

void Histogram::Observe(double value) {
  std::size_t bucket = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::CumulativeCounts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family& MetricsRegistry::GetFamily(std::string_view name, std::string_view help,
                                                    std::string_view type) {
  if (!IsMetricName(name)) throw std::invalid_argument("bad metric name " + std::string(name));
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->help = std::string(help);
    family->type = std::string(type);
    it = families_.emplace(std::string(name), std::move(family)).first;
  } else if (it->second->type != type) {
    throw std::invalid_argument("metric " + std::string(name) + " is a " + it->second->type);
  }
  return *it->second;
}

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = GetFamily(name, help, "counter").counters[LabelText(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const Labels& labels, std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  auto& family = GetFamily(name, help, "histogram");
  // Series are stored under their label set; bucket lines add "le" when rendering, which needs
  // the labels themselves, so the key is the label text without braces.
  std::string key = LabelText(labels);
  if (!key.empty()) key = key.substr(1, key.size() - 2);
  auto& slot = family.histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

void MetricsRegistry::AddGauge(std::string_view name, std::string_view help, const Labels& labels,
                               std::function<double()> read) {
  std::lock_guard lock(mutex_);
  GetFamily(name, help, "gauge").gauges[LabelText(labels)] = std::move(read);
}

std::string MetricsRegistry::Render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family->help, name, family->type);
    for (const auto& [labels, counter] : family->counters) {
      out += fmt::format("{}{} {}\n", name, labels, counter->value());
    }
    for (const auto& [labels, read] : family->gauges) {
      out += fmt::format("{}{} {}\n", name, labels, FormatNumber(read()));
    }
    for (const auto& [inner, histogram] : family->histograms) {
      const auto counts = histogram->CumulativeCounts();
      const std::string prefix = inner.empty() ? "" : inner + ",";
      for (std::size_t i = 0; i < counts.size(); ++i) {
        const std::string le =
            i < histogram->bounds().size() ? FormatNumber(histogram->bounds()[i]) : "+Inf";
        out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix, le, counts[i]);
      }
      const std::string braces = inner.empty() ? "" : "{" + inner + "}";
      out += fmt::format("{}_sum{} {}\n", name, braces, FormatNumber(histogram->sum()));
      out += fmt::format("{}_count{} {}\n", name, braces, counts.back());
    }
  }
  return out;
}

}  // namespace portico::gateway
