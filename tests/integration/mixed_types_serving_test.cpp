// A deployment with two device types: `glet serve` (frontend, one backend, its proxies) on a
// node of two emulated devices of different types, in a resource folder written by the test.
// Model `alpha` runs only on type-a, `beta` only on type-b (each profile knows one model), so
// both are served only if the controller plans both types together.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json_reader.h"
#include "testing/client_report.h"
#include "testing/test_util.h"

namespace glet {
namespace {

constexpr char kManifest[] = R"({"models": [
  {"name": "alpha", "file": "alpha.pt",
   "input": {"name": "input", "dtype": "FP32", "shape": [4]},
   "output": {"name": "output", "dtype": "FP32", "shape": [2]},
   "slo_ms": 400, "mem_mib": 100, "max_batch": 4},
  {"name": "beta", "file": "beta.pt",
   "input": {"name": "input", "dtype": "FP32", "shape": [4]},
   "output": {"name": "output", "dtype": "FP32", "shape": [2]},
   "slo_ms": 400, "mem_mib": 100, "max_batch": 4}]}
)";

TEST(MixedTypesServingTest, TheControllerPlansEveryDeviceType) {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  dir.WriteFile("resource/models.json", kManifest);
  for (const auto& [type, model] : {std::pair{"type-a", "alpha"}, std::pair{"type-b", "beta"}}) {
    fs::create_directories(dir.path() + "/resource/profiles/" + type);
    std::string latency = "model,partition,batch,latency_ms\n";
    for (int b = 1; b <= 4; ++b) {
      latency += std::string(model) + ",100," + std::to_string(b) + "," +
                 std::to_string(20 + 5 * b) + "\n";
    }
    dir.WriteFile(std::string("resource/profiles/") + type + "/latency.csv", latency);
    dir.WriteFile(std::string("resource/profiles/") + type + "/mem-config.json",
                  R"({"models": [{"name": ")" + std::string(model) + R"(", "mem": 100}]})");
  }
  dir.WriteFile("node.json", R"({"node": "mixed", "devices": [
    {"id": "a0", "kind": "emulated", "profile": "type-a", "mem_mib": 11264},
    {"id": "b0", "kind": "emulated", "profile": "type-b", "mem_mib": 11264}]}
)");
  const std::string config = dir.WriteFile(
      "serve.json",
      R"({"models": [{"name": "alpha", "rate_rps": 10}, {"name": "beta", "rate_rps": 10}],
  "partitions": {"type-a": [100], "type-b": [100]}, "epoch_s": 60, "node": "node.json",
  "min_devices": 2})");
  testing::CommandResult r = testing::RunGlet(
      {"--log-level", "warn", "serve", "--config", config, "--http", "127.0.0.1:0", "--grpc",
       "127.0.0.1:0", "--control", "127.0.0.1:0", "--client-seconds", "2", "--json"},
      120, {"GLET_RESOURCE_DIR=" + dir.path() + "/resource"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<Json> report = testing::JsonAfterBrace(r.out, "client report");
  ASSERT_TRUE(report.ok()) << report.status().ToString() << "\n" << r.out;
  testing::ExpectServedAndNoneFailed(*report, {"alpha", "beta"});
}

}  // namespace
}  // namespace glet
