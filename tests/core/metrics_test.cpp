#include "core/metrics.h"

#include <gtest/gtest.h>

namespace glet {
namespace {

TEST(MetricsRegistryTest, CountersSumByLabelSubset) {
  MetricsRegistry m;
  m.Declare("glet_requests_total", MetricsRegistry::Type::kCounter, "Requests by outcome.");
  m.Add("glet_requests_total", {{"model", "a"}, {"outcome", "served"}}, 3);
  m.Add("glet_requests_total", {{"model", "a"}, {"outcome", "dropped"}});
  m.Add("glet_requests_total", {{"model", "b"}, {"outcome", "served"}});
  EXPECT_EQ(m.Value("glet_requests_total", {{"model", "a"}, {"outcome", "served"}}), 3);
  EXPECT_EQ(m.Sum("glet_requests_total", {{"model", "a"}}), 4);
  EXPECT_EQ(m.Sum("glet_requests_total", {{"outcome", "served"}}), 4);
  EXPECT_EQ(m.Sum("nosuch", {}), 0);
}

TEST(MetricsRegistryTest, RendersPrometheusTextWithCumulativeBuckets) {
  MetricsRegistry m;
  m.Declare("lat_ms", MetricsRegistry::Type::kHistogram, "Latency.", {10, 100});
  m.Observe("lat_ms", {{"model", "a"}}, 5);
  m.Observe("lat_ms", {{"model", "a"}}, 50);
  m.Observe("lat_ms", {{"model", "a"}}, 500);
  m.Set("up", {}, 1);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE lat_ms histogram\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_ms_bucket{model=\"a\",le=\"10\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_ms_bucket{model=\"a\",le=\"100\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_ms_bucket{model=\"a\",le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_ms_count{model=\"a\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_ms_sum{model=\"a\"} 555\n"), std::string::npos);
  EXPECT_NE(text.find("up 1\n"), std::string::npos);
}

TEST(MetricsRegistryTest, LabelValuesAreEscaped) {
  MetricsRegistry m;
  m.Add("c", {{"model", "a\"b"}});
  EXPECT_NE(m.RenderPrometheus().find("c{model=\"a\\\"b\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace glet
