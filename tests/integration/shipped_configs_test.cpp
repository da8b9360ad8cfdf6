// The shipped serve configs, run as the README runs them: `glet serve` with its embedded default
// (resource/serve/local-cpu.json: real TorchScript lenet and mobilenet_v2 on this machine's CPU
// cores, frontend, one backend and its proxies) and with the game and traffic apps on four
// emulated ref-GPUs, each with its client for a few seconds. Each config must plan on the shipped
// profiles and serve everything it names; a config or profile change that stops it fitting fails
// here.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json_reader.h"
#include "testing/client_report.h"
#include "testing/test_util.h"

namespace glet {
namespace {

TEST(ShippedConfigsTest, GletServeServesBothDefaultModels) {
  for (const char* file : {"lenet.pt", "mobilenet_v2.pt"}) {
    if (!std::filesystem::exists(testing::ModelPath(file))) {
      GTEST_SKIP() << testing::ModelPath(file) << " missing: run scripts/setup.sh";
    }
  }
  testing::CommandResult r = testing::RunGlet(
      {"--log-level", "warn", "serve", "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0",
       "--control", "127.0.0.1:0", "--client-seconds", "3", "--json"},
      180);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<Json> report = testing::JsonAfterBrace(r.out, "client report");
  ASSERT_TRUE(report.ok()) << report.status().ToString() << "\n" << r.out;
  testing::ExpectServedAndNoneFailed(*report, {"lenet", "mobilenet_v2"});
}

TEST(ShippedConfigsTest, GletServeServesTheGameAndTrafficApps) {
  testing::CommandResult r = testing::RunGlet(
      {"--log-level", "warn", "serve", "--config",
       testing::SourcePath("resource/serve/apps-ref-gpu-x4.json"), "--http", "127.0.0.1:0",
       "--grpc", "127.0.0.1:0", "--control", "127.0.0.1:0", "--client-seconds", "3", "--json"},
      180);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<Json> report = testing::JsonAfterBrace(r.out, "client report");
  ASSERT_TRUE(report.ok()) << report.status().ToString() << "\n" << r.out;
  testing::ExpectServedAndNoneFailed(*report, {"game", "traffic"});
}

}  // namespace
}  // namespace glet
