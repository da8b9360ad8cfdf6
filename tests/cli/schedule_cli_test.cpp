// `glet schedule` end to end: the real binary, its outputs and its exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

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
       "profile gap: model 'resnet50': the ref-gpu profile measures it at none of the allowed "
       "partitions 30"},
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

double ValueOf(const std::string& out, const std::string& key) {
  const auto at = out.find(key + ": ");
  return at == std::string::npos ? -1 : std::stod(out.substr(at + key.size() + 2));
}

TEST(ScheduleCliTest, MixedDeviceTypes) {
  TempDir dir;
  const std::string root = SourcePath("resource/profiles");
  // mobilenet_v2 runs on both types (on the CPU only with a loose SLO), resnet50 only on GPUs.
  auto rates =
      dir.WriteFile("r.csv", "model,rate_rps,slo_ms\nmobilenet_v2,100,400\nresnet50,100,108\n");
  auto gpu = RunGlet(
      {"schedule", "--rates", rates, "--devices", "ref-gpu:1", "--profiles-root", root, "--peak"});
  ASSERT_EQ(gpu.exit_code, 0) << gpu.err;
  const std::string plan = dir.path() + "/plan.json";
  auto mixed = RunGlet({"schedule", "--rates", rates, "--devices", "ref-gpu:1,cpu:1",
                        "--profiles-root", root, "--peak", "--out", plan});
  ASSERT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_NE(mixed.out.find("budget: ref-gpu:1,cpu:1\n"), std::string::npos) << mixed.out;
  EXPECT_NE(mixed.out.find("devices_by_type: ref-gpu:1,cpu:1\n"), std::string::npos);
  EXPECT_NE(mixed.out.find("cost: 2.00\n"), std::string::npos);
  EXPECT_NE(mixed.out.find("valid: true"), std::string::npos);
  EXPECT_GT(ValueOf(mixed.out, "peak_scale"), ValueOf(gpu.out, "peak_scale"));
  // The plan file checks against every type's profile.
  auto check = RunGlet({"schedule", "--check", plan, "--profiles-root", root});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("valid: true"), std::string::npos);
  // The simulator runs it, each glet with its device type's profile; every request accounted.
  auto sim = RunGlet({"simulate", "--plan", plan, "--duration", "1", "--profiles-root", root});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  EXPECT_NE(sim.out.find("device_type: ref-gpu,cpu\n"), std::string::npos) << sim.out;
  EXPECT_GT(ValueOf(sim.out, "sent"), 0);
  EXPECT_EQ(ValueOf(sim.out, "sent"),
            ValueOf(sim.out, "served") + ValueOf(sim.out, "dropped") + ValueOf(sim.out, "failed"))
      << sim.out;
  // --explain says why each model went where.
  auto explain = RunGlet({"schedule", "--rates", rates, "--devices", "ref-gpu:2,cpu:1",
                          "--profiles-root", root, "--explain"});
  ASSERT_EQ(explain.exit_code, 0) << explain.err;
  EXPECT_NE(explain.out.find("explain: type: resnet50 100.0 rps: ref-gpu "), std::string::npos)
      << explain.out;
  EXPECT_NE(explain.out.find("cpu cannot run it (unknown model 'resnet50'"), std::string::npos);
  EXPECT_NE(explain.out.find("(only ref-gpu runs it)"), std::string::npos);
  EXPECT_NE(explain.out.find("explain: [ref-gpu] place: glet"), std::string::npos);
}

TEST(ScheduleCliTest, MixedDeviceTypesPreferTheCheapestCapacity) {
  TempDir dir;
  // A device twice as slow at 0.2 of the price: resnet50 at slo 108 serves 250 rps on it against
  // 1002 on ref-gpu, 1252 against 1002 per unit of cost.
  std::filesystem::create_directories(dir.path() + "/ref-gpu-x2");
  dir.WriteFile("ref-gpu-x2/device.json",
                R"({"base": ")" + kProfile + R"(", "time_scale": 2, "cost": 0.2})");
  std::filesystem::create_directories(dir.path() + "/ref-gpu");
  dir.WriteFile("ref-gpu/device.json", R"({"base": ")" + kProfile + R"("})");
  auto rates = dir.WriteFile("r.csv", "model,rate_rps,slo_ms\nresnet50,300,108\n");
  auto r = RunGlet({"schedule", "--rates", rates, "--devices", "ref-gpu:4,ref-gpu-x2:4",
                    "--profiles-root", dir.path(), "--explain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(all on ref-gpu-x2, the cheapest)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("device_0: ref-gpu:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("device_0: ref-gpu-x2:"), std::string::npos) << r.out;
  // --min-devices: per type, the most expensive first; the cost is printed.
  auto min = RunGlet({"schedule", "--rates", rates, "--devices", "ref-gpu:4,ref-gpu-x2:1",
                      "--profiles-root", dir.path(), "--min-devices", "--scale", "3"});
  ASSERT_EQ(min.exit_code, 0) << min.err;
  EXPECT_NE(min.out.find("devices_by_type: ref-gpu:"), std::string::npos) << min.out;
  EXPECT_GT(ValueOf(min.out, "cost"), 0);
}

TEST(ScheduleCliTest, MixedDeviceTypesBadInputExitsTwo) {
  TempDir dir;
  const std::string root = SourcePath("resource/profiles");
  auto rates = dir.WriteFile("r.csv", "model,rate_rps,slo_ms\nmobilenet_v2,100,400\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--devices", "ref-gpu:2,tpu:1"}, "no profile for device type 'tpu'"},
      {{"--devices", "ref-gpu:2,cpu:0"}, "--devices: 'cpu:0': count must be in 1..100000"},
      {{"--devices", "ref-gpu:2,cpu:-1"}, "--devices: 'cpu:-1': count must be"},
      {{"--devices", "ref-gpu:2,cpu"}, "--devices: 'cpu': expected TYPE:COUNT"},
      {{"--devices", "ref-gpu:2,ref-gpu:1"}, "device type 'ref-gpu' given twice"},
      {{"--devices", "ref-gpu:2,cpu:1", "--profile-dir", kProfile},
       "--profile-dir: names the profile of one device type"},
      {{"--devices", "ref-gpu:2,cpu:1", "--policy", "gpulet"},
       "--policy gpulet: plans one device type at a time (the budget is ref-gpu:2,cpu:1)"},
      {{"--devices", "ref-gpu:2,cpu:1", "--policy", "optimal", "--peak"},
       "--policy optimal: plans one device type"},
      {{"--devices", "ref-gpu:2,cpu:1", "--app", SourcePath("resource/apps/traffic.json"),
        "--app-rate", "10"},
       "--app: the SLO split over stages plans one device type"},
  };
  for (const auto& [extra, expected] : cases) {
    std::vector<std::string> args = {"schedule", "--profiles-root", root};
    if (std::find(extra.begin(), extra.end(), "--app") == extra.end()) {
      args.insert(args.end(), {"--rates", rates});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunGlet(args, 60);
    EXPECT_EQ(r.exit_code, 2) << expected << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  auto nope = dir.WriteFile("n.csv", "model,rate_rps,slo_ms\nnope,10,100\n");
  auto r = RunGlet(
      {"schedule", "--rates", nope, "--devices", "ref-gpu:1,cpu:1", "--profiles-root", root});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("model 'nope': no device type of the budget ref-gpu:1,cpu:1 can run it "
                       "(ref-gpu: unknown model 'nope'"),
            std::string::npos)
      << r.err;
  // More than both types hold: exit 1 naming the budget.
  auto big = dir.WriteFile("b.csv", "model,rate_rps,slo_ms\nmobilenet_v2,100000,400\n");
  auto full = RunGlet(
      {"schedule", "--rates", big, "--devices", "ref-gpu:1,cpu:1", "--profiles-root", root});
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_NE(full.err.find("does not fit on ref-gpu:1,cpu:1 device(s)"), std::string::npos)
      << full.err;
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
