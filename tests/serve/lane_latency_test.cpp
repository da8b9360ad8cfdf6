#include "serve/lane_latency.h"

#include <gtest/gtest.h>

#include "testing/ref_profile.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

class LaneLatencyTest : public ::testing::Test {
 protected:
  perf::DeviceProfile profile_ = glet::testing::RefGpuProfile();
};

TEST_F(LaneLatencyTest, ProfileTimesAlphaPlusHostOverhead) {
  sched::PlannedModel m;
  m.model = "lenet1";
  m.batch = 3;
  m.alpha = 1.5;
  m.exec_ms = 99;  // used only where the profile has no row
  const std::vector<Duration> plain = LaneBatchLatencies(profile_, m, 20, 0);
  const std::vector<Duration> with = LaneBatchLatencies(profile_, m, 20, 5);
  ASSERT_EQ(plain.size(), 3u);
  ASSERT_EQ(with.size(), 3u);
  for (int k = 1; k <= 3; ++k) {
    const double profile_ms = profile_.LatencyMs("lenet1", 20, k).value();
    EXPECT_NEAR(ToMillis(plain[k - 1]), profile_ms * 1.5, 1e-6) << "batch " << k;
    EXPECT_NEAR(ToMillis(with[k - 1]), profile_ms * 1.5 + 5, 1e-6) << "batch " << k;
  }
}

TEST_F(LaneLatencyTest, AlphaBelowOneCountsAsOneAndMissingRowsUseExecMs) {
  sched::PlannedModel m;
  m.model = "no_such_model";
  m.batch = 2;
  m.alpha = 0.5;
  m.exec_ms = 7;
  const std::vector<Duration> lat = LaneBatchLatencies(profile_, m, 20, 1);
  ASSERT_EQ(lat.size(), 2u);
  EXPECT_NEAR(ToMillis(lat[0]), 8, 1e-6);
  EXPECT_NEAR(ToMillis(lat[1]), 8, 1e-6);
}

}  // namespace
}  // namespace glet::serve
