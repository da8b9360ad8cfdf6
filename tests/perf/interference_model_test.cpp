#include "perf/interference_model.h"

#include <gtest/gtest.h>

#include "perf/device_profile.h"
#include "perf/workload_type.h"
#include "testing/test_util.h"

namespace glet::perf {
namespace {

TEST(InterferenceModelTest, AlphaIsTheLinearModelOverPartitionScaledUtilisation) {
  auto m = InterferenceModel::FromParts({1, 2, 3, 4, 0.5}, {});
  GletLoad me{UtilSample{0, 0.2, 0.4}, 50};
  GletLoad other{UtilSample{0, 0.1, 0.3}, 50};
  // 1*0.2*0.5 + 2*0.1*0.5 + 3*0.4*0.5 + 4*0.3*0.5 + 0.5 = 1.9
  EXPECT_DOUBLE_EQ(m.Alpha(me, {other}), 1.9);
  // Two neighbours add up.
  EXPECT_DOUBLE_EQ(m.Alpha(me, {other, other}), 1.9 + 2 * 0.1 * 0.5 + 4 * 0.3 * 0.5);
  // Alone: exactly 1; below 1: floored.
  EXPECT_DOUBLE_EQ(m.Alpha(me, {}), 1.0);
  auto low = InterferenceModel::FromParts({0, 0, 0, 0, 0.9}, {});
  EXPECT_DOUBLE_EQ(low.Alpha(me, {other}), 1.0);
}

TEST(InterferenceModelTest, ParsesPercentagesAndInterpolatesBatches) {
  auto m = InterferenceModel::Parse(
      "c0,c1,c2,c3,c4\n0.1,0.7,0.3,0.1,0.9\n", "int.csv",
      "bench,batch,avg_duration(ms),SM_util(%),l2_util(%),mem_util(%),a,b\n"
      "x,1,0.1,10,20,30,0,0,\nx,4,0.1,40,50,60,0,0,\n",
      "util.csv");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_DOUBLE_EQ(m->constants()[1], 0.7);
  auto u2 = m->Util("x", 2);  // a third of the way from batch 1 to 4
  ASSERT_TRUE(u2.ok());
  EXPECT_NEAR(u2->l2, 0.30, 1e-12);
  EXPECT_NEAR(u2->dram, 0.40, 1e-12);
  EXPECT_NEAR(m->Util("x", 32)->sm, 0.40, 1e-12);  // above the range: the largest measured
  auto missing = m->Util("y", 1);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("model 'y'"), std::string::npos);
}

TEST(InterferenceModelTest, RejectsBadFilesNamingLineAndColumn) {
  const std::string util = "bench,batch,avg_duration(ms),SM_util(%),l2_util(%),mem_util(%)\n";
  auto few = InterferenceModel::Parse("a,b\n1,2\n", "int.csv", util, "util.csv");
  EXPECT_NE(few.status().message().find("int.csv:1: expected 5 columns"), std::string::npos);
  auto pct = InterferenceModel::Parse("a,b,c,d,e\n1,1,1,1,1\n", "int.csv",
                                      util + "x,1,0.1,10,120,30\n", "util.csv");
  EXPECT_NE(pct.status().message().find("util.csv:2: column 'l2_util(%)'"), std::string::npos)
      << pct.status().message();
  auto cols =
      InterferenceModel::Parse("a,b,c,d,e\n1,1,1,1,1\n", "int.csv", "bench,batch\n", "util.csv");
  EXPECT_NE(cols.status().message().find("missing column 'SM_util(%)'"), std::string::npos);
}

TEST(DeviceProfileTest, LoadsTheReferenceProfileWithAliases) {
  auto p = DeviceProfile::LoadDir(glet::testing::SourcePath("resource/profiles/ref-gpu"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->type, "ref-gpu");
  EXPECT_DOUBLE_EQ(p->mem_mib, 11264);
  ASSERT_TRUE(p->interference.has_value());
  // lenet3 has no rows of its own: latency of lenet1, utilisation of lenet, its own memory.
  EXPECT_TRUE(p->Knows("lenet3"));
  EXPECT_DOUBLE_EQ(*p->LatencyMs("lenet3", 50, 4), *p->LatencyMs("lenet1", 50, 4));
  EXPECT_TRUE(p->Util("lenet3", 8).ok());
  EXPECT_DOUBLE_EQ(*p->ModelMemMib("lenet3"), 50);
  EXPECT_DOUBLE_EQ(p->InputBytes("resnet50"), 4.0 * 3 * 224 * 224);
  EXPECT_GT(p->BatchCostMs("resnet50", 8), 0);
  EXPECT_FALSE(p->Knows("nope"));
  EXPECT_EQ(p->LatencyMs("nope", 50, 1).status().code(), StatusCode::kNotFound);
}

TEST(DeviceProfileTest, ClassifiesWorkloadTypes) {
  auto p = DeviceProfile::LoadDir(glet::testing::SourcePath("resource/profiles/ref-gpu")).value();
  EXPECT_EQ(p.TypeOf("mobilenet_v2"), WorkloadType::kMemory);
  EXPECT_EQ(p.TypeOf("lenet1"), WorkloadType::kMemory);
  EXPECT_EQ(p.TypeOf("vgg16"), WorkloadType::kCompute);
  EXPECT_EQ(p.TypeOf("resnet50"), WorkloadType::kCompute);
  EXPECT_EQ(p.TypeOf("nope"), WorkloadType::kUnknown);
  EXPECT_TRUE(Complementary(WorkloadType::kMemory, WorkloadType::kCompute));
  EXPECT_FALSE(Complementary(WorkloadType::kMemory, WorkloadType::kUnknown));
}

TEST(DeviceProfileTest, RejectsBadDirectoriesNamingTheFile) {
  glet::testing::TempDir dir;
  auto none = DeviceProfile::LoadDir(dir.path() + "/missing");
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  dir.WriteFile("latency.csv", "m,50,1,2\n");
  dir.WriteFile("device.json", "{\"mem_mib\": -4}");
  auto bad = DeviceProfile::LoadDir(dir.path());
  EXPECT_NE(bad.status().message().find("device.json: /mem_mib: must be > 0"), std::string::npos)
      << bad.status().message();
  dir.WriteFile("device.json", "{\"colour\": 1}");
  EXPECT_NE(DeviceProfile::LoadDir(dir.path()).status().message().find("colour"),
            std::string::npos);
  dir.WriteFile("device.json", "{}");
  dir.WriteFile("util.csv", "x\n");
  EXPECT_NE(DeviceProfile::LoadDir(dir.path()).status().message().find("must come together"),
            std::string::npos);
}

}  // namespace
}  // namespace glet::perf
