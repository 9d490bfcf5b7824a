#include "gateway/http/metrics.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace portico::gateway {
namespace {

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(MetricsTest, CountersWithLabels) {
  MetricsRegistry registry;
  Counter& ok = registry.GetCounter("app_requests_total", "Requests",
                                    {{"route", "/a/{id}"}, {"status", "200"}});
  Counter& again = registry.GetCounter("app_requests_total", "Requests",
                                       {{"route", "/a/{id}"}, {"status", "200"}});
  EXPECT_EQ(&ok, &again);
  ok.Increment();
  again.Increment(2);
  registry.GetCounter("app_requests_total", "Requests", {{"route", "q\"\\\n"}, {"status", "500"}});
  const std::string text = registry.Render();
  EXPECT_TRUE(
      Contains(text, "# HELP app_requests_total Requests\n# TYPE app_requests_total counter\n"));
  EXPECT_TRUE(Contains(text, "app_requests_total{route=\"/a/{id}\",status=\"200\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, "app_requests_total{route=\"q\\\"\\\\\\n\",status=\"500\"} 0\n"))
      << text;
}

TEST(MetricsTest, HistogramsAreCumulative) {
  MetricsRegistry registry;
  Histogram& h =
      registry.GetHistogram("app_latency_seconds", "Latency", {{"route", "/x"}}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // on the bound: counted in le="0.1"
  h.Observe(0.5);
  h.Observe(7);
  const std::string text = registry.Render();
  EXPECT_TRUE(Contains(text, "# TYPE app_latency_seconds histogram\n"));
  EXPECT_TRUE(Contains(text, "app_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n")) << text;
  EXPECT_TRUE(Contains(text, "app_latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, "app_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n")) << text;
  EXPECT_TRUE(Contains(text, "app_latency_seconds_count{route=\"/x\"} 4\n")) << text;
  EXPECT_TRUE(Contains(text, "app_latency_seconds_sum{route=\"/x\"} 7.65\n")) << text;

  registry.GetHistogram("plain_seconds", "No labels", {}, {1}).Observe(2);
  const std::string plain = registry.Render();
  EXPECT_TRUE(Contains(plain, "plain_seconds_bucket{le=\"+Inf\"} 1\n")) << plain;
  EXPECT_TRUE(Contains(plain, "plain_seconds_count 1\n")) << plain;
}

TEST(MetricsTest, GaugesAreReadAtScrapeTime) {
  MetricsRegistry registry;
  double lag = 3;
  registry.AddGauge("projection_lag", "Events behind", {{"projection", "access"}},
                    [&] { return lag; });
  EXPECT_TRUE(Contains(registry.Render(), "projection_lag{projection=\"access\"} 3\n"));
  lag = 0;
  EXPECT_TRUE(Contains(registry.Render(), "projection_lag{projection=\"access\"} 0\n"));
}

TEST(MetricsTest, NameIsOneType) {
  MetricsRegistry registry;
  registry.GetCounter("thing", "A thing");
  EXPECT_THROW(registry.AddGauge("thing", "A thing", {}, [] { return 1.0; }),
               std::invalid_argument);
  EXPECT_THROW(registry.GetCounter("9bad", "x"), std::invalid_argument);
}

}  // namespace
}  // namespace portico::gateway
