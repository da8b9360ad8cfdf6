#include "dag/dag_csv.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace glet::dag {
namespace {

using ::glet::testing::TempDir;

const char kExe[] = "TP,P_0,P_1\nT_0,1,2\nT_1,3,inf\nT_2,5,6\n";
const char kConn[] = "T,T0,T1,T2\nT0,0,4,0\nT1,0,0,2\nT2,0,0,0\n";
const char kBw[] = "P,P_0,P_1\nP_0,0,2\nP_1,2,0\nStartup,1,0.5\n";

struct Trio {
  TempDir dir;
  std::string prefix;
  Trio(const std::string& exe, const std::string& conn, const std::string& bw) {
    prefix = dir.path() + "/g";
    dir.WriteFile("g_task_exe_time.csv", exe);
    dir.WriteFile("g_task_connectivity.csv", conn);
    dir.WriteFile("g_resource_BW.csv", bw);
  }
  std::string Error() const {
    auto p = LoadDagCsv(prefix);
    EXPECT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    std::string msg = p.status().message();
    // Strip the temporary folder so tests compare file names only.
    auto pos = msg.find(dir.path() + "/");
    if (pos != std::string::npos) {
      msg.erase(pos, dir.path().size() + 1);
    }
    return msg;
  }
};

TEST(DagCsvTest, ReadsTrioWithInfiniteCostAndStartupRow) {
  Trio t(kExe, kConn, kBw);
  auto p = LoadDagCsv(t.prefix);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "g");
  EXPECT_EQ(p->dag.num_tasks(), 3);
  EXPECT_EQ(p->dag.num_edges(), 2);
  EXPECT_EQ(p->dag.task(1).name, "T_1");
  EXPECT_FALSE(p->dag.CanRun(1, 1));
  EXPECT_EQ(p->platform.names(), (std::vector<std::string>{"P_0", "P_1"}));
  EXPECT_DOUBLE_EQ(p->platform.CommCost(0, 1, 4), 1 + 4.0 / 2);
  EXPECT_DOUBLE_EQ(p->platform.CommCost(1, 0, 4), 0.5 + 4.0 / 2);
}

TEST(DagCsvTest, StartupRowIsOptional) {
  Trio t(kExe, kConn, "P,P_0,P_1\nP_0,0,2\nP_1,2,0\n");
  auto p = LoadDagCsv(t.prefix);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_DOUBLE_EQ(p->platform.startup(0), 0);
}

TEST(DagCsvTest, NegativeCostNamesFileRowAndColumn) {
  Trio t("TP,P_0,P_1\nT_0,1,2\nT_1,3,-4\nT_2,5,6\n", kConn, kBw);
  EXPECT_EQ(t.Error(),
            "g_task_exe_time.csv:3: row 'T_1', column 'P_1': cost must be >= 0 (got -4)");
}

TEST(DagCsvTest, BadNumberNamesFileRowAndColumn) {
  Trio t(kExe, "T,T0,T1,T2\nT0,0,x,0\nT1,0,0,2\nT2,0,0,0\n", kBw);
  EXPECT_EQ(t.Error(),
            "g_task_connectivity.csv:2: row 'T0', column 'T1': expected a number (got 'x')");
}

TEST(DagCsvTest, NonSquareConnectivityIsAnError) {
  Trio missing_row(kExe, "T,T0,T1,T2\nT0,0,4,0\nT1,0,0,2\n", kBw);
  EXPECT_EQ(missing_row.Error(),
            "g_task_connectivity.csv: 2 rows but 3 columns; the matrix must be square (one row "
            "and one column per task)");
  Trio short_row(kExe, "T,T0,T1,T2\nT0,0,4\nT1,0,0,2\nT2,0,0,0\n", kBw);
  EXPECT_EQ(short_row.Error(),
            "g_task_connectivity.csv:2: row 'T0' has 2 values, expected 3 (one per header "
            "column)");
}

TEST(DagCsvTest, NonSquareBandwidthIsAnError) {
  Trio t(kExe, kConn, "P,P_0,P_1\nP_0,0,2\n");
  EXPECT_EQ(t.Error(),
            "g_resource_BW.csv: 1 rows but 2 columns; the matrix must be square (plus an "
            "optional final Startup row)");
}

TEST(DagCsvTest, UnknownTaskRowIsAnError) {
  Trio t(kExe, "T,T0,T1,T2\nT0,0,4,0\nT9,0,0,2\nT2,0,0,0\n", kBw);
  EXPECT_EQ(t.Error(),
            "g_task_connectivity.csv:3: unknown task 'T9' here; expected 'T1' (rows follow the "
            "header's order)");
}

TEST(DagCsvTest, CycleIsAnError) {
  Trio t(kExe, "T,T0,T1,T2\nT0,0,4,0\nT1,0,0,2\nT2,0,1,0\n", kBw);
  EXPECT_EQ(t.Error(), "g_task_connectivity.csv: the graph has a cycle: T_1 -> T_2 -> T_1");
  Trio self(kExe, "T,T0,T1,T2\nT0,3,4,0\nT1,0,0,2\nT2,0,0,0\n", kBw);
  EXPECT_EQ(self.Error(),
            "g_task_connectivity.csv:2: row 'T0', column 'T0': a task cannot depend on itself "
            "(cycle)");
}

TEST(DagCsvTest, TaskCountMismatchAndZeroBandwidth) {
  Trio count("TP,P_0,P_1\nT_0,1,2\n", kConn, kBw);
  EXPECT_NE(count.Error().find("3 tasks, but"), std::string::npos);
  Trio bw(kExe, kConn, "P,P_0,P_1\nP_0,0,0\nP_1,2,0\n");
  EXPECT_EQ(bw.Error(),
            "g_resource_BW.csv:2: row 'P_0', column 'P_1': bandwidth must be > 0 (got 0)");
}

TEST(DagCsvTest, MissingFileNamesIt) {
  auto p = LoadDagCsv("/nonexistent/dir/g");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("/nonexistent/dir/g_task_exe_time.csv"), std::string::npos);
}

}  // namespace
}  // namespace glet::dag
