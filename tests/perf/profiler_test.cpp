#include "perf/profiler.h"

#include <gtest/gtest.h>

#include "core/file_util.h"
#include "device/emulated_slice.h"
#include "perf/device_profile.h"
#include "testing/test_util.h"

namespace glet::perf {
namespace {

model::ModelSpec Spec(const std::string& name) {
  model::ModelSpec spec;
  spec.name = name;
  spec.input = {"input", model::DType::kFloat32, {2}};
  spec.output = {"output", model::DType::kFloat32, {2}};
  return spec;
}

std::unique_ptr<device::Slice> Emulated(ManualClock& clock, int* runs) {
  device::SliceOptions o;
  o.clock = &clock;
  o.latency = [runs](const std::string& model, int partition, int batch) -> Result<double> {
    ++*runs;
    return (model == "a" ? 1.0 : 3.0) * batch * 100.0 / partition;
  };
  return std::move(
      *device::EmulatedSlice::Create(*device::SliceSpec::Parse("emulated:test:50"), o));
}

TEST(ProfilerTest, RecordsMedianLatencyPerModelAndBatch) {
  ManualClock clock(/*auto_advance=*/true);
  int runs = 0;
  auto slice = Emulated(clock, &runs);
  testing::TempDir dir;
  ProfileRequest req{{Spec("a"), Spec("b")}, {1, 4}, 1, 3, "", dir.path() + "/p.csv", ""};
  int calls = 0;
  auto result = ProfileSlice(*slice, req, clock, [&](const ProfileProgress& p) {
    ++calls;
    EXPECT_EQ(p.total, 4);
    EXPECT_EQ(p.done, calls);
  });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->measured, 4);
  auto profile = LatencyProfile::Load(req.out_path);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_DOUBLE_EQ(*profile->LatencyMs("a", 50, 4), 8.0);
  EXPECT_DOUBLE_EQ(*profile->LatencyMs("b", 50, 1), 6.0);
}

// --load-out: each model's cold start (load, then a first batch of 1) is measured once; a second
// run finds it and measures nothing again.
TEST(ProfilerTest, RecordsEachModelsColdStartOnce) {
  ManualClock clock(/*auto_advance=*/true);
  int runs = 0;
  auto slice = Emulated(clock, &runs);
  testing::TempDir dir;
  ProfileRequest req{{Spec("a"), Spec("b")},  {1}, 0, 1, "", dir.path() + "/p.csv",
                     dir.path() + "/load.csv"};
  auto result = ProfileSlice(*slice, req, clock, [](const ProfileProgress&) {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->loads_measured, 2);
  auto loads = ReadLoadTimes(req.load_out_path);
  ASSERT_TRUE(loads.ok()) << loads.status().ToString();
  EXPECT_DOUBLE_EQ(loads->at("a"), 2.0);  // the emulated load is instant; its batch of 1: 2 ms
  EXPECT_DOUBLE_EQ(loads->at("b"), 6.0);
  result = ProfileSlice(*slice, req, clock, [](const ProfileProgress&) {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->loads_measured, 0);
  EXPECT_EQ(ReadLoadTimes(req.load_out_path)->size(), 2u);
}

TEST(ProfilerTest, ResumesBySkippingRowsAlreadyMeasured) {
  ManualClock clock(true);
  int runs = 0;
  auto slice = Emulated(clock, &runs);
  testing::TempDir dir;
  std::string out = dir.WriteFile("p.csv", "model,partition,batch,latency_ms\na,50,1,0.5\n");
  ProfileRequest req{{Spec("a")}, {1, 2}, 0, 1, "", out, ""};
  auto result = ProfileSlice(*slice, req, clock, [](const ProfileProgress&) {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->skipped, 1);
  EXPECT_EQ(result->measured, 1);
  auto profile = LatencyProfile::Load(out);
  ASSERT_TRUE(profile.ok());
  EXPECT_DOUBLE_EQ(*profile->LatencyMs("a", 50, 1), 0.5);  // kept, not re-measured
  EXPECT_DOUBLE_EQ(*profile->LatencyMs("a", 50, 2), 4.0);
}

TEST(ProfilerTest, CorruptExistingOutputIsReportedNotOverwritten) {
  ManualClock clock(true);
  int runs = 0;
  auto slice = Emulated(clock, &runs);
  testing::TempDir dir;
  std::string out = dir.WriteFile("p.csv", "a,50,1,oops\n");
  ProfileRequest req{{Spec("a")}, {1}, 0, 1, "", out, ""};
  auto result = ProfileSlice(*slice, req, clock, [](const ProfileProgress&) {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(out + ":1"), std::string::npos);
  EXPECT_EQ(*ReadFileToString(out), "a,50,1,oops\n");
}

}  // namespace
}  // namespace glet::perf
