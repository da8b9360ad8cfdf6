// `glet schedule` end to end: the real binary, its outputs and its exit codes.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/file_util.h"
#include "sched/plan.h"
#include "testing/test_util.h"

namespace glet {
namespace {

using testing::RunGlet;
using testing::SourcePath;
using testing::TempDir;

const std::string kProfile = SourcePath("resource/profiles/ref-gpu");

TEST(ScheduleCliTest, PlansWritesAndChecksAPlan) {
  TempDir dir;
  const std::string plan = dir.path() + "/plan.json";
  const std::string list = dir.path() + "/ModelList.txt";
  auto r = RunGlet({"schedule", "--rates", SourcePath("resource/rates/scenario1.csv"),
                    "--profile-dir", kProfile, "--out", plan, "--model-list", list});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 200 rps per model: two devices with the default burst margin, one when planned for the mean
  // rate (saturated glets with no room for bursts).
  EXPECT_NE(r.out.find("devices: 2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("valid: true"), std::string::npos);
  auto mean_rate = RunGlet({"schedule", "--rates", SourcePath("resource/rates/scenario1.csv"),
                            "--profile-dir", kProfile, "--burst-miss", "0"});
  ASSERT_EQ(mean_rate.exit_code, 0) << mean_rate.err;
  EXPECT_NE(mean_rate.out.find("devices: 1\n"), std::string::npos) << mean_rate.out;
  auto loaded = sched::Plan::Load(plan);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_NEAR(loaded->PlacedRate("vgg16"), 200, 1e-6);
  auto text = ReadFileToString(list);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find(",resnet50,"), std::string::npos);
  auto check = RunGlet({"schedule", "--check", plan, "--profile-dir", kProfile});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("valid: true"), std::string::npos);
}

TEST(ScheduleCliTest, ExplainSaysWhyEachDecisionWasTaken) {
  auto r = RunGlet({"schedule", "--rates", SourcePath("resource/rates/scenario1.csv"),
                    "--profile-dir", kProfile, "--explain", "--scale", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("explain: resnet50: 600.0 rps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("most cost-effective partition"), std::string::npos);
  EXPECT_NE(r.out.find("explain: place: glet"), std::string::npos);
  EXPECT_NE(r.out.find("explain: interference: tried slow-down caps"), std::string::npos);
}

TEST(ScheduleCliTest, AppSplitsTheSloOverStages) {
  auto r = RunGlet({"schedule", "--app", SourcePath("resource/apps/traffic.json"), "--app-rate",
                    "200", "--profile-dir", kProfile});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("stage_0: ssd-mobilenetv1: ssd-mobilenetv1 level 0, 200.0 rps"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("valid: true"), std::string::npos);
  auto bad = RunGlet({"schedule", "--app", SourcePath("resource/apps/traffic.json"), "--app-rate",
                      "-1", "--profile-dir", kProfile});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--app-rate"), std::string::npos);
}

TEST(ScheduleCliTest, CheckRejectsAnInvalidPlan) {
  TempDir dir;
  const std::string plan = dir.path() + "/plan.json";
  ASSERT_EQ(RunGlet({"schedule", "--rates", SourcePath("resource/rates/scenario1.csv"),
                     "--profile-dir", kProfile, "--out", plan})
                .exit_code,
            0);
  auto p = sched::Plan::Load(plan).value();
  p.workload[0].rate_rps *= 10;  // the plan no longer places all of it
  const std::string bad = dir.WriteFile("bad.json", p.ToJson().dump());
  auto r = RunGlet({"schedule", "--check", bad, "--profile-dir", kProfile});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("valid: false"), std::string::npos);
  EXPECT_NE(r.err.find("invalid plan: model resnet50: placed"), std::string::npos) << r.err;
}

TEST(ScheduleCliTest, MinDevicesAndPeak) {
  auto min = RunGlet({"schedule", "--rates", SourcePath("resource/rates/scenario1.csv"),
                      "--devices", "ref-gpu:16", "--profiles-root", SourcePath("resource/profiles"),
                      "--min-devices", "--scale", "2.5"});
  ASSERT_EQ(min.exit_code, 0) << min.err;
  EXPECT_NE(min.out.find("devices: 3\n"), std::string::npos) << min.out;
  auto peak = RunGlet({"schedule", "--rates", SourcePath("resource/rates/scenario1.csv"),
                       "--devices", "ref-gpu:2", "--profiles-root", SourcePath("resource/profiles"),
                       "--peak", "--json"});
  ASSERT_EQ(peak.exit_code, 0) << peak.err;
  EXPECT_NE(peak.out.find("\"peak_scale\""), std::string::npos) << peak.out;
  EXPECT_NE(peak.out.find("\"plan\""), std::string::npos);
}

TEST(ScheduleCliTest, DoesNotFitIsARunTimeFailureNamingTheModel) {
  TempDir dir;
  auto rates = dir.WriteFile("r.csv", "model,rate_rps,slo_ms\nresnet50,5000,108\n");
  auto r =
      RunGlet({"schedule", "--rates", rates, "--profile-dir", kProfile, "--devices", "ref-gpu:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not fit on 1 ref-gpu device(s)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resnet50"), std::string::npos);
}

struct BadCase {
  std::string rates;
  std::vector<std::string> extra;
  std::string expected;
};

TEST(ScheduleCliTest, BadInputExitsTwoNamingTheFault) {
  TempDir dir;
  const std::vector<BadCase> cases = {
      {"model,rate_rps,slo_ms\nnope,10,100\n", {}, "unknown model 'nope'"},
      {"model,rate_rps,slo_ms\nresnet50,-3,100\n", {}, "r.csv:2: column 'rate_rps': must be > 0"},
      {"model,rate_rps,slo_ms\nresnet50,0,100\n", {}, "column 'rate_rps'"},
      {"model,rate_rps,slo_ms\nresnet50,10,4\n", {}, "'resnet50' is infeasible at any size"},
      {"model,rate_rps,slo_ms\nresnet50,10,100\n",
       {"--partitions", "30"},
       "profile gap: model 'resnet50' partition 30 batch 1"},
      {"model,rate_rps,slo_ms\nresnet50,10,100\n", {"--devices", ""}, "empty device budget"},
      {"model,rate_rps,slo_ms\nresnet50,10,100\n", {"--devices", "ref-gpu:0"}, "count must be"},
      {"model,rate_rps,slo_ms\nresnet50,10,100\n", {"--policy", "magic"}, "unknown policy"},
      {"model,rate_rps,slo_ms\nresnet50,10,100\n", {"--poisson", "2"}, "--poisson: must be 0"},
      {"model,rate_rps,slo_ms\nresnet50,10,100\n",
       {"--burst-miss", "1"},
       "--burst-miss: must be 0"},
      {"model,rate\n", {}, "expected header"},
  };
  for (const BadCase& c : cases) {
    std::string rates = dir.WriteFile("r.csv", c.rates);
    std::vector<std::string> args = {"schedule", "--rates", rates, "--profile-dir", kProfile};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = RunGlet(args, 30);
    EXPECT_EQ(r.exit_code, 2) << c.expected << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  auto missing =
      RunGlet({"schedule", "--rates", dir.path() + "/none.csv", "--profile-dir", kProfile});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("none.csv"), std::string::npos);
  auto no_profile = RunGlet(
      {"schedule", "--rates", SourcePath("resource/rates/scenario1.csv"), "--devices", "tpu:2"});
  EXPECT_EQ(no_profile.exit_code, 2);
  EXPECT_NE(no_profile.err.find("no profile for device type 'tpu'"), std::string::npos);
  auto bad_plan = dir.WriteFile("p.json", "{\"version\": 1, \"devices\": 3}");
  auto check = RunGlet({"schedule", "--check", bad_plan, "--profile-dir", kProfile});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("p.json"), std::string::npos) << check.err;
}

TEST(ScheduleCliTest, TaskFileNeedsModelIds) {
  auto ok = RunGlet({"schedule", "--tasks", SourcePath("resource/rates/scenario1_tasks.txt"),
                     "--model-ids", "resnet50,vgg16,mobilenet_v2", "--profile-dir", kProfile});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto missing = RunGlet({"schedule", "--tasks", SourcePath("resource/rates/scenario1_tasks.txt"),
                          "--profile-dir", kProfile});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--model-ids"), std::string::npos);
}

}  // namespace
}  // namespace glet
