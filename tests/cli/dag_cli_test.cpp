// `glet dag` as a user runs it: the real binary on the example inputs in resource/dag/.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "testing/test_util.h"

namespace glet {
namespace {

using testing::RunGlet;
using testing::SourcePath;
using testing::TempDir;

TEST(DagCliTest, HeftPaperExampleFromCsvTrio) {
  auto r = RunGlet({"dag", "--csv", SourcePath("resource/dag/heft_paper")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("algorithm: heft\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("makespan: 80\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("slr: 1.9512\n"), std::string::npos) << r.out;      // 80 / 41
  EXPECT_NE(r.out.find("speedup: 1.5875\n"), std::string::npos) << r.out;  // 127 / 80
}

TEST(DagCliTest, AllAlgorithmsPrintAComparisonTable) {
  TempDir dir;
  const std::string out = dir.path() + "/s.json";
  const std::string svg = dir.path() + "/g.svg";
  auto r = RunGlet({"dag", "--dag", SourcePath("resource/dag/peft_paper.json"), "--algo", "all",
                    "--out", out, "--svg", svg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("algorithm  makespan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nheft       133 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\npeft       122 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("makespan: 122\n"), std::string::npos) << r.out;
  ASSERT_TRUE(FileExists(out));
  ASSERT_TRUE(FileExists(svg));
  auto svg_text = ReadFileToString(svg);
  EXPECT_EQ(svg_text->rfind("<svg", 0), 0u);
}

TEST(DagCliTest, JsonOutputAndSchedulingOnTopOfAnExistingSchedule) {
  TempDir dir;
  const std::string first = dir.path() + "/first.json";
  auto r1 = RunGlet({"dag", "--dag", SourcePath("resource/dag/heft_paper.json"), "--out", first});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  auto r2 = RunGlet({"dag", "--dag", SourcePath("resource/dag/heft_paper.json"), "--start-after",
                     first, "--start-time", "20", "--json"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  auto doc = nlohmann::json::parse(r2.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r2.out;
  EXPECT_EQ(doc["start_time"].get<double>(), 20);
  EXPECT_GT(doc["end_time"].get<double>(), 80);
  for (const auto& t : doc["schedule"]) {
    EXPECT_GE(t["start"].get<double>(), 20);
  }
}

TEST(DagCliTest, PsoGaIsReproducibleWithASeed) {
  std::vector<std::string> args = {"dag",    "--csv",        SourcePath("resource/dag/heft_paper"),
                                   "--algo", "psoga",        "--seed",
                                   "7",      "--iterations", "30"};
  auto a = RunGlet(args);
  auto b = RunGlet(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("seed: 7\n"), std::string::npos);
}

TEST(DagCliTest, SeveralDagsAndPartitionedLayersArePlacedTogether) {
  auto r = RunGlet({"dag", "--dag", SourcePath("resource/dag/heft_paper.json"), "--dag",
                    SourcePath("resource/dag/heft_paper.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tasks: 20\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("heft_paper#1/T10"), std::string::npos) << r.out;
  TempDir dir;
  const std::string emitted = dir.path() + "/dag.json";
  auto p = RunGlet({"dag", "--layers", SourcePath("resource/dag/small_cnn_layers.json"),
                    "--devices", SourcePath("resource/dag/edge_devices.json"), "--pieces", "2",
                    "--emit-dag", emitted});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("dag: small-cnn\n"), std::string::npos) << p.out;
  auto again = RunGlet({"dag", "--dag", emitted});
  ASSERT_EQ(again.exit_code, 0) << again.err;
}

struct BadInput {
  std::vector<std::string> files;  // name, contents pairs written to a temp dir
  std::vector<std::string> args;   // "{dir}" is replaced by the temp dir
  std::string names;               // what the one-line error must contain
};

TEST(DagCliTest, BadInputExitsTwoWithOneLineNamingFileRowAndColumn) {
  const std::string exe = "TP,P_0,P_1\nT_0,1,2\nT_1,3,4\n";
  const std::string conn = "T,T0,T1\nT0,0,1\nT1,0,0\n";
  const std::string bw = "P,P_0,P_1\nP_0,0,1\nP_1,1,0\n";
  for (const BadInput& c : std::vector<BadInput>{
           {{"g_task_exe_time.csv", "TP,P_0,P_1\nT_0,1,2\nT_1,-3,4\n", "g_task_connectivity.csv",
             conn, "g_resource_BW.csv", bw},
            {"--csv", "{dir}/g"},
            "g_task_exe_time.csv:3: row 'T_1', column 'P_0': cost must be >= 0"},
           {{"g_task_exe_time.csv", exe, "g_task_connectivity.csv", "T,T0,T1\nT0,0,1\n",
             "g_resource_BW.csv", bw},
            {"--csv", "{dir}/g"},
            "g_task_connectivity.csv: 1 rows but 2 columns; the matrix must be square"},
           {{"g_task_exe_time.csv", exe, "g_task_connectivity.csv", "T,T0,T1\nT0,0,1\nT1,1,0\n",
             "g_resource_BW.csv", bw},
            {"--csv", "{dir}/g"},
            "g_task_connectivity.csv: the graph has a cycle: T_0 -> T_1 -> T_0"},
           {{"d.json", R"({"processors": ["a"], "tasks": [{"id": "x", "cost": [1]}],
                          "edges": [{"from": "x", "to": "nope"}]})"},
            {"--dag", "{dir}/d.json"},
            "d.json: /edges/0/to: unknown task 'nope'"},
           {{}, {"--dag", "{dir}/missing.json"}, "missing.json"},
           {{}, {"--csv", SourcePath("resource/dag/heft_paper"), "--algo", "fifo"}, "--algo"},
           {{},
            {"--csv", SourcePath("resource/dag/heft_paper"), "--algo", "psoga", "--particles", "0"},
            "--particles"},
           {{},
            {"--csv", SourcePath("resource/dag/heft_paper"), "--start-time", "-1"},
            "--start-time"},
           {{}, {}, "no DAG given"},
       }) {
    TempDir dir;
    for (size_t i = 0; i + 1 < c.files.size(); i += 2) {
      dir.WriteFile(c.files[i], c.files[i + 1]);
    }
    std::vector<std::string> args = {"dag"};
    for (std::string a : c.args) {
      auto pos = a.find("{dir}");
      if (pos != std::string::npos) {
        a.replace(pos, 5, dir.path());
      }
      args.push_back(a);
    }
    auto r = RunGlet(args);
    EXPECT_EQ(r.exit_code, 2) << c.names << "\n" << r.err;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    EXPECT_EQ(r.err.rfind("glet dag: ", 0), 0u) << r.err;
  }
}

TEST(DagCliTest, HelpDescribesTheCommunicationConvention) {
  auto r = RunGlet({"dag", "--help"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("startup[p] + D / bandwidth[p][q]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--start-after"), std::string::npos);
}

}  // namespace
}  // namespace glet
