#include "core/process_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace glet {
namespace {

using ::testing::HasSubstr;

TEST(ProcessMetricsTest, ParsesProcStatFieldsAfterACommandNameWithSpacesAndParentheses) {
  // Fields 14 utime 250, 15 stime 50, 20 threads 7, 22 starttime 1000, 23 vsize 8192000,
  // 24 rss 300 pages.
  const std::string stat =
      "4242 (glet (x) y) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 7 0 1000 8192000 "
      "300 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
  Result<ProcessSample> s = ParseProcStat(stat, 100, 4096, 1.7e9);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.0);
  EXPECT_EQ(s->threads, 7);
  EXPECT_DOUBLE_EQ(s->start_time_seconds, 1.7e9 + 10);
  EXPECT_DOUBLE_EQ(s->virtual_bytes, 8192000);
  EXPECT_DOUBLE_EQ(s->resident_bytes, 300.0 * 4096);
}

TEST(ProcessMetricsTest, MalformedStatIsAnErrorNamingTheField) {
  EXPECT_THAT(ParseProcStat("4242 glet S 1", 100, 4096, 0).status().message(), HasSubstr("no ')'"));
  EXPECT_THAT(ParseProcStat("4242 (glet) S 1 2 3", 100, 4096, 0).status().message(),
              HasSubstr("field 14 missing"));
  EXPECT_THAT(ParseProcStat("4242 (glet) S 1 4242 4242 0 -1 4194560 500 0 0 0 x 50 0 0 20 0 7 0 "
                            "1000 8192000 300",
                            100, 4096, 0)
                  .status()
                  .message(),
              HasSubstr("field 14 'x' is not a number"));
}

TEST(ProcessMetricsTest, ScrapeShowsThisProcess) {
  MetricsRegistry metrics;
  RegisterProcessMetrics(metrics);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter"));
  EXPECT_GT(metrics.Value("process_resident_memory_bytes", {}), 1 << 20);
  EXPECT_GT(metrics.Value("process_virtual_memory_bytes", {}),
            metrics.Value("process_resident_memory_bytes", {}));
  EXPECT_GE(metrics.Value("process_threads", {}), 1);
  EXPECT_GE(metrics.Value("process_open_fds", {}), 3);  // at least stdin, stdout, stderr
  EXPECT_GE(metrics.Value("process_max_fds", {}), metrics.Value("process_open_fds", {}));
  EXPECT_GT(metrics.Value("process_start_time_seconds", {}), 1.5e9);
}

}  // namespace
}  // namespace glet
