// The worked examples of the HEFT paper (Topcuoglu, Hariri, Wu, IEEE TPDS 2002, Fig. 2 and 4)
// and the PEFT paper (Arabnejad, Barbosa, IEEE TPDS 2014), read from resource/dag/ in both
// input formats: the published schedules, makespans and tables are reproduced exactly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dag/cpop.h"
#include "dag/dag_csv.h"
#include "dag/dag_json.h"
#include "dag/heft.h"
#include "dag/metrics.h"
#include "dag/peft.h"
#include "dag/ranks.h"
#include "testing/test_util.h"

namespace glet::dag {
namespace {

using ::glet::testing::SourcePath;

Problem LoadJson(const std::string& name) {
  auto p = LoadDagJson(SourcePath("resource/dag/" + name + ".json"));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

Problem LoadCsv(const std::string& name) {
  auto p = LoadDagCsv(SourcePath("resource/dag/" + name));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

Schedule RunAndCheck(const DagScheduler& s, const Problem& problem) {
  auto r = s.Run(problem, ScheduleContext{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(CheckSchedule(problem, ScheduleContext{}, *r).ok());
  return std::move(r).value();
}

struct Expected {
  int processor;  // 0-based
  double start;
  double finish;
};

void ExpectPlacements(const Schedule& s, const std::vector<Expected>& expected) {
  ASSERT_EQ(s.placements.size(), expected.size());
  for (size_t t = 0; t < expected.size(); ++t) {
    EXPECT_EQ(s.placements[t].processor, expected[t].processor) << "task T" << t + 1;
    EXPECT_DOUBLE_EQ(s.placements[t].start, expected[t].start) << "task T" << t + 1;
    EXPECT_DOUBLE_EQ(s.placements[t].finish, expected[t].finish) << "task T" << t + 1;
  }
}

// Fig. 4(a) of the HEFT paper.
const std::vector<Expected> kHeftPaperHeft = {{2, 0, 9},   {0, 27, 40}, {2, 9, 28},  {1, 18, 26},
                                              {2, 28, 38}, {1, 26, 42}, {2, 38, 49}, {0, 57, 62},
                                              {1, 56, 68}, {1, 73, 80}};

TEST(PaperExamplesTest, HeftPaperUpwardRanks) {
  Problem p = LoadJson("heft_paper");
  std::vector<double> up = UpwardRanks(p);
  const double expected[] = {108.0,          77.0,           80.0,           80.0,
                             69.0,           63.0 + 1.0 / 3, 42.0 + 2.0 / 3, 35.0 + 2.0 / 3,
                             44.0 + 1.0 / 3, 14.0 + 2.0 / 3};
  for (int t = 0; t < 10; ++t) {
    EXPECT_NEAR(up[t], expected[t], 1e-9) << "T" << t + 1;
  }
  // The paper's scheduling order: n1, n3, n4, n2, n5, n6, n9, n7, n8, n10.
  EXPECT_EQ(OrderByDecreasing(p.dag, up), (std::vector<int>{0, 2, 3, 1, 4, 5, 8, 6, 7, 9}));
}

TEST(PaperExamplesTest, HeftReproducesHeftPaperSchedule) {
  for (const Problem& p : {LoadJson("heft_paper"), LoadCsv("heft_paper")}) {
    Schedule s = RunAndCheck(HeftScheduler(), p);
    EXPECT_DOUBLE_EQ(s.makespan(), 80);
    ExpectPlacements(s, kHeftPaperHeft);
  }
}

TEST(PaperExamplesTest, CpopReproducesHeftPaperMakespan) {
  for (const Problem& p : {LoadJson("heft_paper"), LoadCsv("heft_paper")}) {
    Schedule s = RunAndCheck(CpopScheduler(), p);
    EXPECT_DOUBLE_EQ(s.makespan(), 86);
    // Critical path n1 -> n2 -> n9 -> n10 on P2 (the paper's critical-path processor).
    for (int t : {0, 1, 8, 9}) {
      EXPECT_EQ(s.placements[t].processor, 1) << "T" << t + 1;
    }
  }
}

TEST(PaperExamplesTest, PeftOptimisticCostTableMatchesPaper) {
  Problem p = LoadJson("peft_paper");
  std::vector<double> oct = PeftScheduler::OptimisticCostTable(p);
  const double expected[10][3] = {{64, 68, 86}, {42, 39, 42}, {27, 41, 43}, {42, 39, 50},
                                  {28, 37, 28}, {42, 39, 44}, {13, 16, 22}, {13, 16, 33},
                                  {13, 16, 20}, {0, 0, 0}};
  for (int t = 0; t < 10; ++t) {
    for (int q = 0; q < 3; ++q) {
      EXPECT_DOUBLE_EQ(oct[t * 3 + q], expected[t][q]) << "T" << t + 1 << " P" << q + 1;
    }
  }
}

TEST(PaperExamplesTest, PeftReproducesPeftPaperSchedule) {
  for (const Problem& p : {LoadJson("peft_paper"), LoadCsv("peft_paper")}) {
    Schedule s = RunAndCheck(PeftScheduler(), p);
    EXPECT_DOUBLE_EQ(s.makespan(), 122);
    ExpectPlacements(s, {{0, 0, 22},
                         {0, 29, 51},
                         {0, 51, 83},
                         {0, 22, 29},
                         {2, 35, 70},
                         {1, 29, 46},
                         {0, 83, 97},
                         {1, 54, 77},
                         {2, 81, 89},
                         {1, 106, 122}});
  }
}

TEST(PaperExamplesTest, HeftOnPeftPaperExample) {
  Schedule s = RunAndCheck(HeftScheduler(), LoadJson("peft_paper"));
  EXPECT_DOUBLE_EQ(s.makespan(), 133);
}

}  // namespace
}  // namespace glet::dag
