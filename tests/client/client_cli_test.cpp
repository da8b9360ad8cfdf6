// `glet client` end to end: the real binary against an in-test KServe server, its report, its
// request log and its exit codes. Skips when the glet binary has not been built (client_tests
// does not depend on it; CI builds everything first).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "client/kserve_test_server.h"
#include "core/file_util.h"
#include "core/strings.h"
#include "testing/test_util.h"

namespace glet::client {
namespace {

using glet::testing::RunGlet;
using glet::testing::TempDir;
using ::testing::HasSubstr;

class ClientCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(glet::testing::GletBinary())) {
      GTEST_SKIP() << "glet binary not built: " << glet::testing::GletBinary();
    }
  }
};

TEST_F(ClientCliTest, ReportsExactAccountingAndWritesTheLog) {
  testing::KServeTestServer server;
  TempDir dir;
  const std::string log = dir.path() + "/requests.csv";
  auto r = RunGlet({"client", "--target", server.target(), "--model", "ok:200:uniform", "--model",
                    "drop:100:uniform", "--duration", "0.1", "--slo", "ok=1000", "--slo",
                    "drop=1000", "--seed", "7", "--log", log, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["sent"], 30);
  EXPECT_EQ(j["served"], 20);
  EXPECT_EQ(j["dropped"], 10);
  EXPECT_EQ(j["failed"], 0);
  EXPECT_EQ(j["dropped_by_reason"]["queue_full"], 10);
  EXPECT_EQ(j["models"]["ok"]["served"], 20);
  EXPECT_EQ(j["models"]["ok"]["slo_source"], "--slo");
  EXPECT_EQ(j["models"]["drop"]["dropped"], 10);
  EXPECT_EQ(server.received().at("ok"), 20);

  auto text = ReadFileToString(log);
  ASSERT_TRUE(text.ok());
  const std::vector<std::string> lines = Split(Trim(*text), '\n');
  ASSERT_EQ(lines.size(), 31u);
  EXPECT_EQ(lines[0], "id,model,sent_ms,done_ms,status,reason,latency_ms");
  int served = 0;
  int dropped = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    served += lines[i].find(",served,,") != std::string::npos;
    dropped += lines[i].find(",dropped,queue_full,") != std::string::npos;
  }
  EXPECT_EQ(served, 20);
  EXPECT_EQ(dropped, 10);
}

TEST_F(ClientCliTest, TextReportHasHeadlineLines) {
  testing::KServeTestServer server;
  auto r = RunGlet({"client", "--target", server.target(), "--model", "fail:50:uniform",
                    "--duration", "0.1", "--slo", "fail=10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* line : {"sent: 5\n", "served: 0\n", "failed: 5\n", "slo_attainment: 0.0000\n",
                           "failed_by_reason: invalid_argument=5\n", "seed: 1\n"}) {
    EXPECT_THAT(r.out, HasSubstr(line));
  }
  EXPECT_THAT(r.out, HasSubstr("model.fail: sent 5 served 0 dropped 0 failed 5 slo_ms 10.0"));
}

TEST_F(ClientCliTest, DryRunIsDeterministicInTheSeed) {
  auto a = RunGlet({"client", "--model", "x:100", "--duration", "5", "--seed", "3", "--dry-run"});
  auto b = RunGlet({"client", "--model", "x:100", "--duration", "5", "--seed", "3", "--dry-run"});
  auto c = RunGlet({"client", "--model", "x:100", "--duration", "5", "--seed", "4", "--dry-run"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_THAT(a.out, HasSubstr("seed: 3\n"));
}

TEST_F(ClientCliTest, SloComesFromTheServerWhenNotGiven) {
  testing::KServeTestServer server;
  auto r = RunGlet({"client", "--target", server.target(), "--model", "ok:50:uniform", "--duration",
                    "0.1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["models"]["ok"]["slo_ms"], 250.0);
  EXPECT_EQ(j["models"]["ok"]["slo_source"], "server");
}

TEST_F(ClientCliTest, UnknownSloIsBadUsage) {
  testing::KServeTestServer server;
  auto r =
      RunGlet({"client", "--target", server.target(), "--model", "drop:10", "--duration", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("model 'drop': no SLO known"));
  EXPECT_THAT(r.err, HasSubstr("--slo drop=MS"));
  EXPECT_EQ(server.received().count("drop"), 0u);
}

TEST_F(ClientCliTest, ModelTheServerDoesNotKnowIsBadUsage) {
  testing::KServeTestServer server;
  auto r = RunGlet({"client", "--target", server.target(), "--model", "nope:10", "--duration", "1",
                    "--slo", "nope=5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("model 'nope'"));
}

TEST_F(ClientCliTest, WaitReadyGivesUpWithExit1) {
  std::string target;
  {
    testing::KServeTestServer gone;
    target = gone.target();
  }
  auto r = RunGlet({"client", "--target", target, "--model", "lenet:10", "--duration", "1",
                    "--wait-ready", "0.3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(target + ": server not ready after 0.3 s"));
}

TEST_F(ClientCliTest, BadInputExits2NamingTheCulprit) {
  TempDir dir;
  const std::string trace = dir.WriteFile("t.csv", "second,rps\n0,5\n0,6\n");
  const std::string workload = dir.WriteFile("w.csv", "model,rate_rps\nlenet,abc\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"client"}, "nothing to send"},
      {{"client", "--model", "lenet"}, "--model lenet: expected NAME:RATE"},
      {{"client", "--model", "lenet:5"}, "needs --duration or --max-requests"},
      {{"client", "--trace", "lenet=" + trace}, trace + ":3: second: must be greater"},
      {{"client", "--workload", workload, "--duration", "1"}, workload + ":2: rate_rps"},
      {{"client", "--model", "lenet:5", "--duration", "1", "--slo", "lenet"}, "--slo lenet"},
      {{"client", "--model", "lenet:5", "--duration", "1", "--target", "nohost"}, "--target"},
      {{"client", "--model", "lenet:5", "--duration", "1", "--dist", "zipf"}, "--dist"},
      {{"client", "--model", "lenet:5", "--duration", "1", "--log", "/nonexistent/dir/r.csv"},
       "--log"},
      {{"client", "--model", "lenet:5", "--duration", "1", "--max-inflight", "0"},
       "--max-inflight"},
  };
  for (const Case& c : cases) {
    auto r = RunGlet(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace glet::client
