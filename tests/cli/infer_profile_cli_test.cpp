// `glet infer` and `glet profile` as a user runs them: the real binary, real files.
#include <gtest/gtest.h>

#include "core/file_util.h"
#include "perf/latency_profile.h"
#include "testing/test_util.h"

namespace glet {
namespace {

using testing::RunGlet;

TEST(InferCliTest, EmulatedSliceReportsHeadlineFigures) {
  auto r = RunGlet({"infer", "--model", "resnet50", "--batch", "4", "--requests", "5", "--slice",
                    "emulated:ref-gpu:100"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("model: resnet50\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency_p99_ms: "), std::string::npos);
  EXPECT_NE(r.out.find("throughput_items_per_s: "), std::string::npos);
}

TEST(InferCliTest, RealLenetOnOneCoreAsJson) {
  auto r = RunGlet({"infer", "--model", "lenet", "--batch", "2", "--requests", "3", "--slice",
                    "cpu:0", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"latency_mean_ms\""), std::string::npos) << r.out;
}

struct BadFlag {
  std::vector<std::string> args;
  std::string names;  // the flag or thing the one-line error must name
};

TEST(InferCliTest, BadFlagsExitTwoWithOneLineNamingTheFlag) {
  for (const BadFlag& c : std::vector<BadFlag>{
           {{"infer", "--model", "nosuch"}, "--model"},
           {{"infer", "--model", "lenet", "--batch", "0"}, "--batch"},
           {{"infer", "--model", "lenet", "--batch", "abc"}, "--batch"},
           {{"infer", "--model", "lenet", "--slice", "tpu:0"}, "--slice"},
           {{"infer", "--model", "lenet", "--slice", "cpu:0-999"}, "core"},
           {{"infer", "--model", "lenet", "--slice", "emulated:nosuchprofile:50"}, "nosuchprofile"},
           {{"infer", "--model", "lenet", "--manifest", "/nonexistent.json"}, "/nonexistent.json"},
           {{"infer", "--model", "lenet", "--model-dir", "/nonexistent"}, "export_models.py"},
           {{"infer", "--model", "lenet", "--bogus"}, "--bogus"},
           {{"infer"}, "--model"},
           {{"profile", "--models", "lenet", "--out", "/tmp/x.csv", "--batches", "1,x"},
            "--batches"},
           {{"nosuchcommand"}, "nosuchcommand"},
       }) {
    auto r = RunGlet(c.args);
    std::string cmd;
    for (const auto& a : c.args) {
      cmd += a + " ";
    }
    EXPECT_EQ(r.exit_code, 2) << cmd << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << cmd << "\nstderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd << "\nstderr: " << r.err;
  }
}

TEST(InferCliTest, HelpExitsZero) {
  for (const char* sub : {"infer", "profile"}) {
    auto r = RunGlet({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("--"), std::string::npos);
  }
}

TEST(ProfileCliTest, WritesReferenceFormatAndResumes) {
  testing::TempDir dir;
  const std::string out = dir.path() + "/sub/latency.csv";
  auto first = RunGlet({"profile", "--models", "resnet50,vgg16", "--batches", "1,2", "--slices",
                        "emulated:ref-gpu:50", "--repeats", "1", "--warmup", "0", "--out", out});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("rows_measured: 4"), std::string::npos) << first.out;
  auto profile = perf::LatencyProfile::Load(out);
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->rows().size(), 4u);
  EXPECT_EQ(*ReadFileToString(out), *ReadFileToString(out));  // readable twice, not locked
  auto second = RunGlet({"profile", "--models", "resnet50,vgg16", "--batches", "1,2,4", "--slices",
                         "emulated:ref-gpu:50", "--repeats", "1", "--warmup", "0", "--out", out});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("rows_measured: 2"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("rows_skipped: 4"), std::string::npos) << second.out;
}

}  // namespace
}  // namespace glet
