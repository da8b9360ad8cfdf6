// device.json "cost": the price of one device of a type (perf/device_profile.h), read by the
// planner to serve each model where it costs least (sched/fleet.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "perf/device_profile.h"
#include "testing/test_util.h"

namespace glet::perf {
namespace {

using ::testing::HasSubstr;

class DeviceCostTest : public ::testing::Test {
 protected:
  std::string Profile(const std::string& name, const std::string& device_json) {
    std::filesystem::create_directories(dir_.path() + "/" + name);
    dir_.WriteFile(name + "/latency.csv", "m,100,1,4\n");
    dir_.WriteFile(name + "/device.json", device_json);
    return dir_.path() + "/" + name;
  }
  testing::TempDir dir_;
};

TEST_F(DeviceCostTest, DefaultsToOneAndIsInheritedFromTheBase) {
  Result<DeviceProfile> plain = DeviceProfile::LoadDir(Profile("plain", "{}"));
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_DOUBLE_EQ(plain->cost, 1);
  Result<DeviceProfile> cheap = DeviceProfile::LoadDir(Profile("cheap", R"({"cost": 0.25})"));
  ASSERT_TRUE(cheap.ok()) << cheap.status().message();
  EXPECT_DOUBLE_EQ(cheap->cost, 0.25);
  Result<DeviceProfile> derived =
      DeviceProfile::LoadDir(Profile("cheap-x2", R"({"base": "cheap", "time_scale": 2})"));
  ASSERT_TRUE(derived.ok()) << derived.status().message();
  EXPECT_DOUBLE_EQ(derived->cost, 0.25);
  Result<DeviceProfile> own =
      DeviceProfile::LoadDir(Profile("cheap-own", R"({"base": "cheap", "cost": 3})"));
  ASSERT_TRUE(own.ok()) << own.status().message();
  EXPECT_DOUBLE_EQ(own->cost, 3);
}

TEST_F(DeviceCostTest, CostMustBePositive) {
  for (const char* bad : {R"({"cost": 0})", R"({"cost": -1})", R"({"cost": "1"})"}) {
    Result<DeviceProfile> p = DeviceProfile::LoadDir(Profile("bad", bad));
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr("device.json"));
    EXPECT_THAT(p.status().message(), HasSubstr("cost"));
  }
}

}  // namespace
}  // namespace glet::perf
