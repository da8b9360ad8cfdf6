// Derived and dilated device profiles: device.json "base" and "time_scale" (perf/device_profile.h),
// and emulated slices of a dilated profile running k times slower (perf/emulation.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "perf/device_profile.h"
#include "perf/emulation.h"
#include "testing/test_util.h"

namespace glet::perf {
namespace {

using ::testing::HasSubstr;

// A folder holding ref-gpu (the committed profile, by absolute base) and profiles derived from
// it by the test.
class TimeScaleTest : public ::testing::Test {
 protected:
  std::string Derived(const std::string& name, const std::string& device_json) {
    std::filesystem::create_directories(dir_.path() + "/" + name);
    dir_.WriteFile(name + "/device.json", device_json);
    return dir_.path() + "/" + name;
  }
  std::string RefGpu() const { return testing::SourcePath("resource/profiles/ref-gpu"); }

  testing::TempDir dir_;
};

TEST_F(TimeScaleTest, DilatedProfileScalesEveryTimeAndKeepsEverythingElse) {
  Result<DeviceProfile> ref = DeviceProfile::LoadDir(RefGpu());
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  const std::string dir =
      Derived("ref-gpu-x10", R"({"base": ")" + RefGpu() + R"(", "time_scale": 10})");
  Result<DeviceProfile> x10 = DeviceProfile::LoadDir(dir);
  ASSERT_TRUE(x10.ok()) << x10.status().message();
  EXPECT_EQ(x10->type, "ref-gpu-x10");
  for (const LatencyRow& row : ref->latency.rows()) {
    ASSERT_NEAR(*x10->LatencyMs(row.model, row.partition, row.batch), 10 * row.latency_ms, 1e-9)
        << row.model << " " << row.partition << " " << row.batch;
  }
  EXPECT_NEAR(x10->BatchCostMs("resnet50", 4), 10 * ref->BatchCostMs("resnet50", 4), 1e-9);
  EXPECT_GT(ref->BatchCostMs("resnet50", 4), 0);
  EXPECT_NEAR(x10->net_mbps, ref->net_mbps / 10, 1e-9);
  // Not times: inherited as they are.
  EXPECT_TRUE(x10->interference.has_value());
  EXPECT_EQ(x10->model_mem_mib, ref->model_mem_mib);
  EXPECT_EQ(x10->aliases, ref->aliases);
  EXPECT_EQ(x10->InputBytes("resnet50"), ref->InputBytes("resnet50"));
  EXPECT_DOUBLE_EQ(x10->mem_mib, ref->mem_mib);
}

TEST_F(TimeScaleTest, BaseBySiblingNameAndOwnFilesOverrideTheBase) {
  Derived("slow", R"({"mem_mib": 2048})");
  dir_.WriteFile("slow/latency.csv", "m,100,1,4\nm,100,2,6\n");
  const std::string child = Derived("slow-x3", R"({"base": "slow", "time_scale": 3})");
  Result<DeviceProfile> p = DeviceProfile::LoadDir(child);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_NEAR(*p->LatencyMs("m", 100, 2), 18, 1e-9);
  EXPECT_DOUBLE_EQ(p->mem_mib, 2048);
  // A latency.csv of its own replaces the base's (and is scaled too).
  dir_.WriteFile("slow-x3/latency.csv", "m,100,1,1\n");
  p = DeviceProfile::LoadDir(child);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_NEAR(*p->LatencyMs("m", 100, 1), 3, 1e-9);
  EXPECT_FALSE(p->LatencyMs("m", 100, 2).ok());
}

// load.csv: a model's cold start, found through aliases, inherited from a base and dilated with
// it; a bad row is named.
TEST_F(TimeScaleTest, LoadTimesAreReadFollowAliasesAndScale) {
  Derived("slow", R"({"aliases": {"m2": "m"}})");
  dir_.WriteFile("slow/latency.csv", "m,100,1,4\n");
  dir_.WriteFile("slow/load.csv", "model,load_ms\nm,2900\n");
  Result<DeviceProfile> p = DeviceProfile::LoadDir(dir_.path() + "/slow");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->LoadMs("m"), 2900);
  EXPECT_EQ(p->LoadMs("m2"), 2900);
  EXPECT_FALSE(p->LoadMs("other").has_value());
  const std::string child = Derived("slow-x3", R"({"base": "slow", "time_scale": 3})");
  Result<DeviceProfile> x3 = DeviceProfile::LoadDir(child);
  ASSERT_TRUE(x3.ok()) << x3.status().message();
  EXPECT_EQ(x3->LoadMs("m"), 8700);
  dir_.WriteFile("slow/load.csv", "model,load_ms\nm,-1\n");
  p = DeviceProfile::LoadDir(dir_.path() + "/slow");
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("load.csv"));
  EXPECT_THAT(p.status().message(), HasSubstr("load_ms"));
}

TEST_F(TimeScaleTest, BadDerivationsNameTheFileAndField) {
  const std::string zero = Derived("zero", R"({"base": ")" + RefGpu() + R"(", "time_scale": 0})");
  Result<DeviceProfile> p = DeviceProfile::LoadDir(zero);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("zero/device.json"));
  EXPECT_THAT(p.status().message(), HasSubstr("time_scale: must be a finite number > 0"));

  const std::string missing = Derived("missing", R"({"base": "nosuch"})");
  p = DeviceProfile::LoadDir(missing);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("missing/device.json: /base"));
  EXPECT_THAT(p.status().message(), HasSubstr("nosuch: not a profile directory"));

  Derived("a", R"({"base": "b"})");
  const std::string b = Derived("b", R"({"base": "a"})");
  p = DeviceProfile::LoadDir(b);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("a cycle?"));
}

TEST_F(TimeScaleTest, EmulatedSlicesOfADilatedProfileRunSlower) {
  const std::string dir =
      Derived("ref-gpu-x4", R"({"base": ")" + RefGpu() + R"(", "time_scale": 4})");
  Result<std::shared_ptr<const LatencyProfile>> x4 = LoadNamedProfile(dir);
  ASSERT_TRUE(x4.ok()) << x4.status().message();
  Result<std::shared_ptr<const LatencyProfile>> ref = LoadNamedProfile(RefGpu());
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  EXPECT_NEAR(*(*x4)->LatencyMs("resnet50", 50, 8), 4 * *(*ref)->LatencyMs("resnet50", 50, 8),
              1e-9);
  // The slice's timing function is the dilated one.
  Result<device::SliceSpec> spec = device::SliceSpec::Parse("emulated:" + dir + ":50");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  Result<device::SliceOptions> options = SliceOptionsFor(*spec, nullptr);
  ASSERT_TRUE(options.ok()) << options.status().message();
  Result<double> ms = options->latency("resnet50", 50, 8);
  ASSERT_TRUE(ms.ok());
  EXPECT_NEAR(*ms, 4 * *(*ref)->LatencyMs("resnet50", 50, 8), 1e-9);
}

}  // namespace
}  // namespace glet::perf
