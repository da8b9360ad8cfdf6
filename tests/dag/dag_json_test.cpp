#include "dag/dag_json.h"

#include <gtest/gtest.h>

#include "dag/heft.h"
#include "dag/schedule_json.h"
#include "testing/test_util.h"

namespace glet::dag {
namespace {

Result<Problem> Parse(const std::string& text) {
  auto doc = ParseJson(text, "d.json");
  EXPECT_TRUE(doc.ok());
  return ParseDagJson(*doc, "d.json", "d");
}

const char kGood[] = R"({
  "processors": ["a", "b"],
  "bandwidth": [[0, 2], [4, 0]],
  "startup": [1, 0],
  "tasks": [{"id": "x", "cost": [1, null]}, {"id": "y", "cost": [2, "inf"]},
            {"id": "z", "cost": [3, 3]}],
  "edges": [{"from": "x", "to": "y", "data": 5}, {"from": "y", "to": "z"}]
})";

TEST(DagJsonTest, ReadsNullAndInfAsInfiniteCost) {
  auto p = Parse(kGood);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "d");
  EXPECT_FALSE(p->dag.CanRun(0, 1));
  EXPECT_FALSE(p->dag.CanRun(1, 1));
  EXPECT_DOUBLE_EQ(p->platform.CommCost(0, 1, 6), 1 + 3);
  EXPECT_DOUBLE_EQ(p->dag.edges()[1].data, 0);
}

TEST(DagJsonTest, RoundTripsThroughDagToJson) {
  auto p = Parse(kGood);
  ASSERT_TRUE(p.ok());
  auto again = ParseDagJson(DagToJson(*p), "again", "x");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name, "d");
  EXPECT_EQ(again->dag.num_edges(), 2);
  EXPECT_TRUE(again->platform.SameAs(p->platform));
  EXPECT_FALSE(again->dag.CanRun(0, 1));
}

TEST(DagJsonTest, UnknownTaskIdNamesThePointer) {
  auto p = Parse(R"({"processors": ["a"], "tasks": [{"id": "x", "cost": [1]}],
                     "edges": [{"from": "x", "to": "q"}]})");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "d.json: /edges/0/to: unknown task 'q'");
}

TEST(DagJsonTest, NegativeCostNamesThePointer) {
  auto p = Parse(R"({"processors": ["a", "b"], "tasks": [{"id": "x", "cost": [1, -2]}]})");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "d.json: /tasks/0/cost/1: cost must be >= 0 (got -2)");
}

TEST(DagJsonTest, CycleAndNonSquareBandwidthAreErrors) {
  auto cycle = Parse(R"({"processors": ["a"],
      "tasks": [{"id": "x", "cost": [1]}, {"id": "y", "cost": [1]}],
      "edges": [{"from": "x", "to": "y"}, {"from": "y", "to": "x"}]})");
  EXPECT_EQ(cycle.status().message(), "d.json: the graph has a cycle: x -> y -> x");
  auto bw = Parse(R"({"processors": ["a", "b"], "bandwidth": [[0, 1], [1]],
      "tasks": [{"id": "x", "cost": [1, 1]}]})");
  EXPECT_EQ(bw.status().message(),
            "d.json: /bandwidth/1: expected 2 columns (the matrix must be square, one per "
            "processor), got 1");
  auto width = Parse(R"({"processors": ["a", "b"], "tasks": [{"id": "x", "cost": [1]}]})");
  EXPECT_EQ(width.status().message(),
            "d.json: /tasks/0/cost: expected 2 costs (one per processor), got 1");
  auto dup = Parse(R"({"processors": ["a"], "tasks": [{"id": "x", "cost": [1]},
      {"id": "x", "cost": [1]}]})");
  EXPECT_EQ(dup.status().message(), "d.json: /tasks/1/id: duplicate task id 'x'");
}

TEST(ScheduleJsonTest, ScheduleBecomesContextForTheNextDag) {
  auto p = Parse(kGood);
  ASSERT_TRUE(p.ok());
  auto s = HeftScheduler().Run(*p, {});
  ASSERT_TRUE(s.ok());
  Json doc = ScheduleToJson(*p, *s);
  EXPECT_EQ(doc["tasks"].size(), 3u);
  EXPECT_EQ(doc["makespan"].get<double>(), s->makespan());
  auto c = ParseScheduleContext(doc, "s.json", p->platform, 4);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_DOUBLE_EQ(c->start_time, 4);
  size_t slots = 0;
  for (const auto& v : c->busy) {
    slots += v.size();
  }
  EXPECT_EQ(slots, 3u);
}

TEST(ScheduleJsonTest, UnknownProcessorNamesThePointer) {
  auto p = Parse(kGood);
  ASSERT_TRUE(p.ok());
  auto doc = ParseJson(R"({"tasks": [{"task": "t", "processor": "gpu9", "start": 0,
                                      "finish": 1}]})",
                       "s.json");
  auto c = ParseScheduleContext(*doc, "s.json", p->platform, 0);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "s.json: /tasks/0/processor: unknown processor 'gpu9' (have: a, b)");
}

}  // namespace
}  // namespace glet::dag
