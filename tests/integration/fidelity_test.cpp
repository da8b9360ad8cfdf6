// Simulator fidelity at small scale: the same requests through the real serving plane and through
// `glet simulate` must agree on SLO attainment (within 1 percentage point) and on p99 (within
// 10%).
//
// The real side: `glet frontend` planning for fixed rates, one `glet backend` with four emulated
// devices and its `glet proxy` children, and `glet client` sending Poisson arrivals with a
// per-request log (--log). The simulated side: `glet simulate` plans the same rates on the same
// profile (so the same plan: the test checks the devices in use) and replays that log
// (--replay): the same requests at the same send times.
//
// The devices are a dilated ref-gpu ("ref-gpu-x10": device.json {"base": ..., "time_scale": 10}
// in the test's resource folder): every latency x 10, rates / 10, SLOs x 10, so the host's own
// costs (gRPC, copies, thread wake-ups) stay small next to the emulated ones on a 2-core machine.
// What remains of them is measured on the same hosts first (calibration, on a deployment of the
// same plan with planned rather than work-conserving batching: one model at a
// time, uniform arrivals; lane busy time - compute time per batch, client - frontend latency per
// request) and given to the simulator as its serving overhead. Both sides pipeline two batches
// per lane (the frontend's and the simulator's default).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/file_util.h"
#include "core/json_reader.h"
#include "core/strings.h"
#include "model/model_spec.h"
#include "testing/client_report.h"
#include "testing/glet_deployment.h"
#include "testing/prometheus_text.h"
#include "testing/test_util.h"

namespace glet {
namespace {

using std::chrono::seconds;

constexpr double kTimeScale = 10;
constexpr char kProfile[] = "ref-gpu-x10";
constexpr double kMib = 1024.0 * 1024.0;
constexpr double kInputMib = 3 * 224 * 224 * 4 / kMib;  // every model below takes 3x224x224

// Model-time rates (rps) sent per model, and the rates the plan is made for: the plan is sized
// for 90% of what arrives, so queues build in bursts and attainment is not trivially 100%.
const std::map<std::string, double> kSentRps = {
    {"googlenet", 150}, {"mobilenet_v2", 150}, {"resnet50", 150}};
constexpr double kPlanShare = 0.9;
constexpr double kDurationS = 20;  // real (dilated) seconds of client arrivals

// A frontend and a backend with four emulated kProfile devices; stopped when destroyed.
class Deployment {
 public:
  explicit Deployment(std::vector<std::pair<std::string, std::string>> env)
      : glet_({testing::GletBinary(), std::move(env)}) {}

  ::testing::AssertionResult Start(const std::string& config, const std::string& node) {
    Status s = glet_.StartFrontend(config);
    if (s.ok()) {
      s = glet_.StartBackend(node);
    }
    if (s.ok()) {
      s = glet_.AwaitReady(seconds(60));
    }
    if (!s.ok()) {
      return ::testing::AssertionFailure() << s.message();
    }
    return ::testing::AssertionSuccess();
  }

  std::string Metrics() const {
    const std::string& http = glet_.http();
    const size_t colon = http.rfind(':');
    httplib::Client client(http.substr(0, colon), std::stoi(http.substr(colon + 1)));
    client.set_read_timeout(30);
    httplib::Result res = client.Get("/metrics");
    return res ? res->body : "";
  }

  // `glet client` with Poisson (or uniform) arrivals at the given real rates; the JSON report.
  Result<Json> Client(const std::map<std::string, double>& rps, double duration_s,
                      const std::string& dist, const std::string& log) const {
    std::vector<std::string> args = {
        "--log-level", "warn",   "client",     "--target",
        glet_.grpc(),  "--json", "--duration", FormatDouble(duration_s, 3),
        "--seed",      "7",      "--dist",     dist,
        "--log",       log};
    for (const auto& [model, r] : rps) {
      args.push_back("--model");
      args.push_back(model + ":" + FormatDouble(r, 6));
    }
    std::vector<std::string> env;
    for (const auto& [k, v] : glet_.env()) {
      env.push_back(k + "=" + v);
    }
    testing::CommandResult r = testing::RunGlet(args, 180, env);
    if (r.exit_code != 0) {
      return InternalError("glet client exited " + std::to_string(r.exit_code) + ": " + r.err);
    }
    return testing::JsonAfterBrace(r.out, "client report");
  }

 private:
  testing::GletDeployment glet_;
};

// Mean client latency of the served requests of a client log.
double MeanServedLatencyMs(const std::string& log) {
  Result<CsvTable> t = CsvTable::ReadFile(log, /*has_header=*/true);
  if (!t.ok()) {
    return NAN;
  }
  const int status = *t->Column("status");
  const int latency = *t->Column("latency_ms");
  double sum = 0;
  int n = 0;
  for (const CsvTable::Row& row : t->rows()) {
    if (row.cells[status] == "served") {
      sum += *ParseDouble(row.cells[latency], "latency_ms");
      ++n;
    }
  }
  return n == 0 ? NAN : sum / n;
}

struct Overhead {
  double request_ms = 0;
  double batch_ms = 0;
  double batch_ms_per_mib = 0;
};

class FidelityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    const std::string res = dir_.path() + "/resource";
    fs::create_directories(res + "/profiles/" + kProfile);
    fs::copy_file(testing::SourcePath("resource/models.json"), res + "/models.json");
    dir_.WriteFile(std::string("resource/profiles/") + kProfile + "/device.json",
                   R"({"base": ")" + testing::SourcePath("resource/profiles/ref-gpu") +
                       R"(", "time_scale": )" + FormatDouble(kTimeScale, 0) + "}\n");
    env_ = {{"GLET_RESOURCE_DIR", res}};
  }

  // The serve config and the simulator's rates CSV for the same workload (SLOs x k, rates / k).
  void WriteWorkload() {
    Result<model::ModelManifest> manifest =
        model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
    ASSERT_TRUE(manifest.ok()) << manifest.status().message();
    std::string models;
    std::string rates = "model,rate_rps,slo_ms,max_batch\n";
    for (const auto& [name, rps] : kSentRps) {
      Result<const model::ModelSpec*> spec = manifest->Find(name);
      ASSERT_TRUE(spec.ok()) << name;
      const double planned = rps * kPlanShare / kTimeScale;
      const double slo = (*spec)->slo_ms * kTimeScale;
      models += std::string(models.empty() ? "" : ", ") + R"({"name": ")" + name +
                R"(", "rate_rps": )" + FormatDouble(planned, 6) + R"(, "slo_ms": )" +
                FormatDouble(slo, 3) + "}";
      rates += name + "," + FormatDouble(planned, 6) + "," + FormatDouble(slo, 3) + "," +
               std::to_string((*spec)->max_batch) + "\n";
    }
    const std::string common =
        R"({"models": [)" + models + R"(], "epoch_s": 1000000, "min_devices": 4)";
    config_ = dir_.WriteFile("serve.json", common + "}");
    // Calibration needs batches of different sizes: with work-conserving batching a lone model
    // below its planned rate runs every request alone on its idle glet.
    calibration_config_ = dir_.WriteFile("serve-calibration.json",
                                         common + R"(, "batching": {"work_conserving": false}})");
    rates_ = dir_.WriteFile("rates.csv", rates);
    std::string devices;
    for (int i = 0; i < 4; ++i) {
      devices += std::string(i == 0 ? "" : ", ") + R"({"id": "gpu)" + std::to_string(i) +
                 R"(", "kind": "emulated", "profile": ")" + kProfile + R"(", "mem_mib": 11264})";
    }
    node_ = dir_.WriteFile("node.json", R"({"node": "fidelity", "devices": [)" + devices + "]}");
  }

  // Host costs, measured on `d` (planned batching) with one model at a time (the others' lanes
  // idle): resnet50 uniform at 30% and 80% of its planned rate, so its batches (a few items,
  // then most of a full one) are cut by the duty cycle one at a time: with two in flight a lane's
  // batches could overlap, and lane busy time counts an overlap once.
  Overhead Calibrate(const Deployment& d) {
    struct Point {
      double batch_mib = 0;
      double batch_overhead_ms = 0;
      double transit_ms = 0;
    };
    std::vector<Point> points;
    const double planned = kSentRps.at("resnet50") * kPlanShare / kTimeScale;
    for (double rps : {0.3 * planned, 0.8 * planned}) {
      const std::string before = d.Metrics();
      const std::string log = dir_.path() + "/calibration-" + FormatDouble(rps, 1) + ".csv";
      Result<Json> report = d.Client({{"resnet50", rps}}, std::max(3.0, 30 / rps), "uniform", log);
      EXPECT_TRUE(report.ok()) << report.status().message();
      const std::string after = d.Metrics();
      auto delta = [&](const std::string& name, const std::string& label = "") {
        const std::vector<std::string> labels =
            label.empty() ? std::vector<std::string>{} : std::vector<std::string>{label};
        return testing::MetricSum(after, name, labels) - testing::MetricSum(before, name, labels);
      };
      const double batches = delta("glet_compute_time_seconds_count");
      const std::string resnet = "model=\"resnet50\"";
      Point p;
      p.batch_mib = delta("glet_batch_size_sum") / batches * kInputMib;
      p.batch_overhead_ms =
          1000 * (delta("glet_glet_busy_seconds_total") - delta("glet_compute_time_seconds_sum")) /
          batches;
      p.transit_ms =
          MeanServedLatencyMs(log) - 1000 * delta("glet_request_latency_seconds_sum", resnet) /
                                         delta("glet_request_latency_seconds_count", resnet);
      points.push_back(p);
    }
    Overhead o;
    const Point& a = points[0];
    const Point& b = points[1];
    o.batch_ms_per_mib = b.batch_mib > a.batch_mib
                             ? std::max(0.0, (b.batch_overhead_ms - a.batch_overhead_ms) /
                                                 (b.batch_mib - a.batch_mib))
                             : 0.0;
    o.batch_ms = std::max(0.0, a.batch_overhead_ms - o.batch_ms_per_mib * a.batch_mib);
    // Every model sends the same input size: the per-request cost needs no per-MiB part.
    o.request_ms = std::max(0.0, (a.transit_ms + b.transit_ms) / 2);
    std::cerr << "calibration: request " << o.request_ms << " ms, batch " << o.batch_ms << " ms + "
              << o.batch_ms_per_mib << " ms/MiB (batch points " << a.batch_mib << " MiB "
              << a.batch_overhead_ms << " ms, " << b.batch_mib << " MiB " << b.batch_overhead_ms
              << " ms)" << std::endl;
    return o;
  }

  Result<Json> Simulate(const std::string& log, const Overhead& o) {
    std::vector<std::string> args = {
        "--log-level", "warn", "simulate", "--rates", rates_, "--devices",
        std::string(kProfile) + ":4", "--replay", log, "--duration",
        FormatDouble(kDurationS + 1, 3), "--replan", "off",
        // Emulated devices do not slow each other down.
        "--no-interference", "--request-overhead-ms", FormatDouble(o.request_ms, 4),
        "--batch-overhead-ms", FormatDouble(o.batch_ms, 4), "--batch-overhead-ms-per-mib",
        FormatDouble(o.batch_ms_per_mib, 4), "--json"};
    std::vector<std::string> env;
    for (const auto& [k, v] : env_) {
      env.push_back(k + "=" + v);
    }
    testing::CommandResult r = testing::RunGlet(args, 120, env);
    if (r.exit_code != 0) {
      return InternalError("glet simulate exited " + std::to_string(r.exit_code) + ": " + r.err);
    }
    return testing::JsonAfterBrace(r.out, "simulate report");
  }

  testing::TempDir dir_;
  std::vector<std::pair<std::string, std::string>> env_;
  std::string config_;
  std::string calibration_config_;
  std::string rates_;
  std::string node_;
};

TEST_F(FidelityTest, ServingPlaneAndSimulatorAgreeOnAttainmentAndP99) {
  WriteWorkload();
  Overhead overhead;
  {
    Deployment calibration(env_);
    ASSERT_TRUE(calibration.Start(calibration_config_, node_));
    overhead = Calibrate(calibration);
  }
  Deployment d(env_);
  ASSERT_TRUE(d.Start(config_, node_));

  std::map<std::string, double> real_rps;
  for (const auto& [model, rps] : kSentRps) {
    real_rps[model] = rps / kTimeScale;
  }
  const std::string log = dir_.path() + "/client.csv";
  Result<Json> real = d.Client(real_rps, kDurationS, "poisson", log);
  ASSERT_TRUE(real.ok()) << real.status().message();
  const double devices_in_use = testing::MetricSum(d.Metrics(), "glet_devices_in_use");
  Result<Json> sim = Simulate(log, overhead);
  ASSERT_TRUE(sim.ok()) << sim.status().message();

  const Json& r = *real;
  const Json& s = *sim;
  std::cerr << "real: sent " << r["sent"] << " served " << r["served"] << " attainment "
            << r["slo_attainment"] << " p99 " << r["p99_ms"] << " ms; sim: served " << s["served"]
            << " attainment " << s["slo_attainment"] << " p99 " << s["p99_ms"] << " ms"
            << std::endl;
  // Same requests, same plan.
  ASSERT_EQ(r["sent"], s["sent"]);
  EXPECT_GT(r["sent"].get<int64_t>(), 500);
  EXPECT_EQ(s["devices"].get<double>(), devices_in_use) << "the two planned differently";
  EXPECT_EQ(r["failed"], 0) << r.dump(2);
  // The bounds of issue 5.
  EXPECT_NEAR(s["slo_attainment"].get<double>(), r["slo_attainment"].get<double>(), 0.01)
      << "real " << r.dump(2) << "\nsim " << s.dump(2);
  EXPECT_NEAR(s["p99_ms"].get<double>() / r["p99_ms"].get<double>(), 1.0, 0.10)
      << "real " << r.dump(2) << "\nsim " << s.dump(2);
}

}  // namespace
}  // namespace glet
