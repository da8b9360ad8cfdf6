// `glet simulate` end to end: the real binary, its outputs and its exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "testing/test_util.h"

namespace glet {
namespace {

using ::testing::HasSubstr;
using testing::RunGlet;
using testing::SourcePath;
using testing::TempDir;

const std::string kRates = SourcePath("resource/rates/scenario1.csv");

TEST(SimulateCliTest, SimulatesRatesAndWritesReportAndPlots) {
  TempDir dir;
  auto r = RunGlet({"simulate", "--rates", kRates, "--devices", "ref-gpu:4", "--duration", "5",
                    "--out", dir.path() + "/report.json", "--svg-dir", dir.path() + "/svg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("slo_attainment: "));
  EXPECT_THAT(r.out, HasSubstr("p99_ms: "));
  EXPECT_THAT(r.out, HasSubstr("device.0: "));
  EXPECT_THAT(r.out, HasSubstr("percentiles: histogram"));
  auto text = ReadFileToString(dir.path() + "/report.json");
  ASSERT_TRUE(text.ok());
  auto j = nlohmann::json::parse(*text, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["sent"].get<int64_t>(),
            j["served"].get<int64_t>() + j["dropped"].get<int64_t>() + j["failed"].get<int64_t>());
  EXPECT_EQ(j["timeline"].size(), 5u);
  EXPECT_TRUE(j.contains("plan"));
  for (const char* svg : {"slo_attainment.svg", "devices.svg", "plan.svg"}) {
    auto s = ReadFileToString(dir.path() + "/svg/" + svg);
    ASSERT_TRUE(s.ok()) << svg;
    EXPECT_THAT(*s, HasSubstr("<svg")) << svg;
  }
}

TEST(SimulateCliTest, SameSeedSameResultAndPlanFileRoundTrip) {
  TempDir dir;
  const std::string plan = dir.path() + "/plan.json";
  auto s = RunGlet({"schedule", "--rates", kRates, "--devices", "ref-gpu:4", "--out", plan});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto a = RunGlet({"simulate", "--plan", plan, "--duration", "3", "--seed", "9", "--json"});
  auto b = RunGlet({"simulate", "--plan", plan, "--duration", "3", "--seed", "9", "--json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto ja = nlohmann::json::parse(a.out);
  auto jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(ja["models"], jb["models"]);
  EXPECT_EQ(ja["sent"], jb["sent"]);
  // The client's log, replayed, gives the same arrivals.
  const std::string log = dir.path() + "/log.csv";
  auto c = RunGlet({"simulate", "--plan", plan, "--duration", "3", "--seed", "9", "--log", log});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("percentiles: exact"));
  auto d = RunGlet({"simulate", "--plan", plan, "--duration", "3", "--replay", log, "--json"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(nlohmann::json::parse(d.out)["sent"], ja["sent"]);
}

TEST(SimulateCliTest, BatchingEdgesCanBeTurnedOffForABaseline) {
  // One plan, driven at 5% and at 5x of what it was made for (--scale with --plan).
  TempDir dir;
  const std::string plan = dir.path() + "/plan.json";
  auto p = RunGlet({"schedule", "--rates", kRates, "--devices", "ref-gpu:4", "--out", plan});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto run = [&](const std::string& scale, std::vector<std::string> extra) {
    std::vector<std::string> args = {"simulate", "--plan",  plan,  "--duration",
                                     "3",        "--scale", scale, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunGlet(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  };
  // Low load: an idle glet runs a request at once, unless work-conserving batching is off.
  auto eager = run("0.05", {});
  auto planned = run("0.05", {"--no-work-conserving"});
  ASSERT_FALSE(eager.is_discarded());
  ASSERT_FALSE(planned.is_discarded());
  EXPECT_LT(eager["p50_ms"].get<double>(), planned["p50_ms"].get<double>());
  // Overload: shedding drops requests as "overloaded" and serves more of them in time.
  auto shed = run("5", {});
  auto kept = run("5", {"--no-shed", "--no-work-conserving"});
  ASSERT_FALSE(shed.is_discarded());
  ASSERT_FALSE(kept.is_discarded());
  EXPECT_GT(shed["dropped_by_reason"].value("overloaded", 0), 0) << shed["dropped_by_reason"];
  EXPECT_EQ(kept["dropped_by_reason"].value("overloaded", 0), 0) << kept["dropped_by_reason"];
  EXPECT_GT(shed["goodput_rps"].get<double>(), kept["goodput_rps"].get<double>());
  // The arrivals follow --scale: about 100x as many at 5x as at 5%.
  EXPECT_GT(shed["sent"].get<double>(), 50 * eager["sent"].get<double>());
}

TEST(SimulateCliTest, RisingTraceRePlansAtEpochs) {
  TempDir dir;
  std::string trace = "second,rps\n";
  for (int s = 0; s < 40; ++s) {
    trace += std::to_string(s) + "," + std::to_string(100 + 40 * s) + "\n";
  }
  const std::string path = dir.WriteFile("trace.csv", trace);
  auto r = RunGlet({"simulate", "--rates", kRates, "--devices", "ref-gpu:8", "--trace",
                    "resnet50=" + path, "--duration", "40", "--epoch", "5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["replans"].get<int>(), 1);
  EXPECT_GE(j["devices_max"].get<int>(), j["devices"].get<int>());
}

struct BadCase {
  std::vector<std::string> args;
  std::string names;  // what the one-line message must name
};

TEST(SimulateCliTest, DemandPastTheBudgetDegradesToTheLargestShareThatFits) {
  // resnet50 rises to 10x what 2 ref-GPUs hold: the re-plan that does not fit plans for the
  // largest share of every rate that does (as the controller does), not a failed re-plan.
  TempDir dir;
  const std::string path = dir.WriteFile("trace.csv", "second,rps\n0,200\n2,2000\n6,2000\n");
  auto r = RunGlet({"simulate", "--rates", kRates, "--devices", "ref-gpu:2", "--trace",
                    "resnet50=" + path, "--duration", "6", "--epoch", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["replans_degraded"].get<int>(), 1) << r.out.substr(0, 400);
  EXPECT_EQ(j["replans_failed"].get<int>(), 0);
  EXPECT_EQ(j["failed"].get<int>(), 0);
}

TEST(SimulateCliTest, BadInputExitsTwoNamingTheFault) {
  TempDir dir;
  const std::string bad_trace = dir.WriteFile("t.csv", "second,rps\n0,10\n1,abc\n");
  const std::string bad_plan = dir.WriteFile("p.json", "{\"version\": 1, \"devices\": 3}");
  const std::string huge_plan = dir.WriteFile("huge.json", "{\"version\": 1e400}");
  const std::string bad_log =
      dir.WriteFile("l.csv", "id,model,sent_ms,done_ms,status,reason,latency_ms\n1,x,y,1,s,,1\n");
  const std::vector<BadCase> cases = {
      {{"--rates", "/nonexistent/r.csv", "--devices", "ref-gpu:4"}, "/nonexistent/r.csv"},
      {{"--rates", kRates}, "--devices"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--dist", "gamma"}, "--dist"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--trace", "resnet50=" + bad_trace},
       "t.csv:3"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--model", "nosuch:10"}, "'nosuch'"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--duration", "0"}, "--duration"},
      {{"--rates", kRates, "--devices", "nosuch-gpu:4"}, "nosuch-gpu"},
      {{"--plan", bad_plan}, "p.json"},
      {{"--plan", huge_plan}, "huge.json: invalid JSON: number overflow"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--replay", bad_log}, "l.csv:2"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--replan", "sometimes"}, "--replan"},
      {{"--devices", "ref-gpu:4"}, "--plan"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--batch-overhead-ms=-1"},
       "--batch-overhead-ms"},
      {{"--rates", kRates, "--devices", "ref-gpu:4", "--replay", bad_log, "--scale", "2"},
       "--scale"},
  };
  for (const BadCase& c : cases) {
    std::vector<std::string> args = {"simulate"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = RunGlet(args, 60);
    EXPECT_EQ(r.exit_code, 2) << c.names << ": " << r.err << r.out;
    EXPECT_THAT(r.err, HasSubstr(c.names)) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

// A plan whose glets run on ref-gpu and cpu devices (as glet schedule makes it for
// --devices ref-gpu:1,cpu:1 at its peak: mobilenet_v2 on both types, resnet50 on the GPU).
std::string MixedPlan(const TempDir& dir) {
  const std::string rates =
      dir.WriteFile("mixed.csv", "model,rate_rps,slo_ms\nmobilenet_v2,100,400\nresnet50,100,108\n");
  const std::string plan = dir.path() + "/mixed_plan.json";
  auto s = RunGlet(
      {"schedule", "--rates", rates, "--devices", "ref-gpu:1,cpu:1", "--peak", "--out", plan});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_THAT(s.out, HasSubstr("devices_by_type: ref-gpu:1,cpu:1\n"));
  return plan;
}

void ExpectAccounted(const nlohmann::json& j) {
  EXPECT_GT(j["sent"].get<int64_t>(), 0);
  EXPECT_EQ(j["sent"].get<int64_t>(),
            j["served"].get<int64_t>() + j["dropped"].get<int64_t>() + j["failed"].get<int64_t>());
}

TEST(SimulateCliTest, SimulatesPlansOnSeveralDeviceTypes) {
  TempDir dir;
  const std::string plan = MixedPlan(dir);
  // The plan's budget (ref-gpu:1,cpu:1), each type's profile from resource/profiles.
  auto a = RunGlet({"simulate", "--plan", plan, "--duration", "3", "--seed", "5", "--json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto ja = nlohmann::json::parse(a.out);
  ExpectAccounted(ja);
  EXPECT_EQ(ja["device_type"], "ref-gpu,cpu");
  EXPECT_EQ(ja["devices"], 2);
  EXPECT_EQ(ja["device_occupancy"].size(), 2u);
  // Same seed, same run.
  auto b = RunGlet({"simulate", "--plan", plan, "--duration", "3", "--seed", "5", "--json"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(ja["models"], jb["models"]);
  // Re-plans within a budget per type as the rates move.
  const std::string trace = dir.WriteFile("t.csv", "second,rps\n0,500\n3,150\n6,550\n");
  auto re =
      RunGlet({"simulate", "--plan", plan, "--duration", "9", "--trace", "mobilenet_v2=" + trace,
               "--epoch", "1", "--devices", "ref-gpu:1,cpu:1", "--json"});
  ASSERT_EQ(re.exit_code, 0) << re.err;
  auto jr = nlohmann::json::parse(re.out);
  ExpectAccounted(jr);
  EXPECT_GE(jr["replans"].get<int>(), 1);
  EXPECT_LE(jr["devices_max"].get<int>(), 2);
  // --rates planned on two types.
  auto r = RunGlet({"simulate", "--rates", kRates, "--devices", "ref-gpu:4,cpu:1", "--duration",
                    "2", "--profiles-root", SourcePath("resource/profiles"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectAccounted(nlohmann::json::parse(r.out));
}

TEST(SimulateCliTest, SeveralDeviceTypesBadInputExitsTwo) {
  TempDir dir;
  const std::string plan = MixedPlan(dir);
  auto text = ReadFileToString(plan);
  ASSERT_TRUE(text.ok());
  auto j = nlohmann::json::parse(*text);
  int cpu_device = -1;
  for (auto& d : j["devices"]) {
    if (d["type"] == "cpu") {
      cpu_device = d["id"].get<int>();
      d["type"] = "tpu";
    }
  }
  ASSERT_GE(cpu_device, 0) << *text;
  const std::string tpu_plan = dir.WriteFile("tpu_plan.json", j.dump(2));
  for (auto& d : j["devices"]) {
    d["type"] = "ref-gpu";
  }
  const std::string gpus_plan = dir.WriteFile("gpus_plan.json", j.dump(2));
  const std::vector<BadCase> cases = {
      // A plan device whose type has no profile: the device and its type are named.
      {{"--plan", tpu_plan},
       "device " + std::to_string(cpu_device) + " (type 'tpu'): no profile for device type 'tpu'"},
      {{"--plan", plan, "--profile-dir", SourcePath("resource/profiles/ref-gpu")},
       "--profile-dir: names the profile of one device type"},
      {{"--plan", plan, "--devices", "ref-gpu:1"}, "is a 'cpu', --devices says 'ref-gpu'"},
      {{"--plan", gpus_plan, "--devices", "ref-gpu:1,cpu:1"},
       "--devices: the plan uses 2 ref-gpu devices, more than 1"},
      {{"--plan", plan, "--profiles-root", dir.path()}, "no profile for device type 'ref-gpu'"},
      // Re-plans need a policy that plans several types.
      {{"--plan", plan, "--replan", "on", "--policy", "optimal"},
       "re-planning: --policy optimal: plans one device type at a time"},
      {{"--app", SourcePath("resource/apps/traffic.json"), "--model", "traffic:10", "--devices",
        "ref-gpu:1,cpu:1"},
       "the SLO split over stages plans one device type"},
  };
  for (const BadCase& c : cases) {
    std::vector<std::string> args = {"simulate", "--duration", "1"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = RunGlet(args, 60);
    EXPECT_EQ(r.exit_code, 2) << c.names << ": " << r.err << r.out;
    EXPECT_THAT(r.err, HasSubstr(c.names)) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace glet
