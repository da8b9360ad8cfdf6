#include "dag/dag.h"

#include <gtest/gtest.h>

#include "dag/problem.h"

namespace glet::dag {
namespace {

std::vector<Task> ThreeTasks() { return {{"a", {1, 2}}, {"b", {3, kInfCost}}, {"c", {5, 6}}}; }

TEST(DagTest, BuildsAdjacencyAndTopologicalOrder) {
  auto dag = Dag::Create(ThreeTasks(), {{2, 1, 4}, {0, 2, 1}}, 2, "x");
  ASSERT_TRUE(dag.ok()) << dag.status().ToString();
  EXPECT_EQ(dag->topological_order(), (std::vector<int>{0, 2, 1}));
  ASSERT_EQ(dag->successors(2).size(), 1u);
  EXPECT_EQ(dag->successors(2)[0].task, 1);
  EXPECT_DOUBLE_EQ(dag->successors(2)[0].data, 4);
  ASSERT_EQ(dag->predecessors(1).size(), 1u);
  EXPECT_EQ(dag->predecessors(1)[0].task, 2);
}

TEST(DagTest, InfiniteCostsAreLeftOutOfTheMean) {
  auto dag = Dag::Create(ThreeTasks(), {}, 2, "x");
  ASSERT_TRUE(dag.ok());
  EXPECT_DOUBLE_EQ(dag->MeanCost(0), 1.5);
  EXPECT_DOUBLE_EQ(dag->MeanCost(1), 3);  // not (3 + inf) / 2
  EXPECT_FALSE(dag->CanRun(1, 1));
  EXPECT_DOUBLE_EQ(dag->MinCost(1), 3);
}

TEST(DagTest, CycleIsAnErrorListingItsTasks) {
  auto dag = Dag::Create(ThreeTasks(), {{0, 1, 1}, {1, 2, 1}, {2, 1, 1}}, 2, "g.json");
  ASSERT_FALSE(dag.ok());
  EXPECT_EQ(dag.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dag.status().message(), "g.json: the graph has a cycle: b -> c -> b");
}

TEST(DagTest, RejectsSelfLoopDuplicateEdgeAndBadData) {
  auto self = Dag::Create(ThreeTasks(), {{1, 1, 1}}, 2, "g");
  EXPECT_EQ(self.status().message(), "g: edge b -> b: a task cannot depend on itself (cycle)");
  auto dup = Dag::Create(ThreeTasks(), {{0, 1, 1}, {0, 1, 2}}, 2, "g");
  EXPECT_EQ(dup.status().message(), "g: edge a -> b: duplicate edge");
  auto neg = Dag::Create(ThreeTasks(), {{0, 1, -1}}, 2, "g");
  EXPECT_EQ(neg.status().message(), "g: edge a -> b: data must be >= 0 (got -1)");
  auto range = Dag::Create(ThreeTasks(), {{0, 7, 1}}, 2, "g");
  EXPECT_EQ(range.status().code(), StatusCode::kInvalidArgument);
}

TEST(DagTest, RejectsNegativeCostAndTaskNoProcessorCanRun) {
  auto neg = Dag::Create({{"a", {1, -2}}}, {}, 2, "g");
  EXPECT_EQ(neg.status().message(), "g: task 'a': processor 1: cost must be >= 0 (got -2)");
  auto none = Dag::Create({{"a", {kInfCost, kInfCost}}}, {}, 2, "g");
  EXPECT_EQ(none.status().message(),
            "g: task 'a': infinite cost on every processor; nothing can run it");
  auto width = Dag::Create({{"a", {1}}}, {}, 2, "g");
  EXPECT_EQ(width.status().code(), StatusCode::kInvalidArgument);
}

TEST(PlatformTest, CommunicationConvention) {
  auto p = Platform::Create({"a", "b"}, {0, 2, 4, 0}, {1, 3}, "x");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_DOUBLE_EQ(p->CommCost(0, 0, 10), 0);
  EXPECT_DOUBLE_EQ(p->CommCost(0, 1, 10), 1 + 10.0 / 2);  // sender's startup + data / bw
  EXPECT_DOUBLE_EQ(p->CommCost(1, 0, 10), 3 + 10.0 / 4);
  EXPECT_DOUBLE_EQ(p->MeanCommCost(10), 2 + 10.0 / 3);  // mean startup + data / mean bw
}

TEST(PlatformTest, RejectsZeroBandwidthAndBadShapes) {
  auto zero = Platform::Create({"a", "b"}, {0, 0, 1, 0}, {}, "x");
  EXPECT_EQ(zero.status().message(), "x: bandwidth from a to b must be > 0 (got 0.000)");
  auto shape = Platform::Create({"a", "b"}, {0, 1, 1}, {}, "x");
  EXPECT_EQ(shape.status().code(), StatusCode::kInvalidArgument);
  auto dup = Platform::Create({"a", "a"}, {0, 1, 1, 0}, {}, "x");
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
}

TEST(MergeProblemsTest, PrefixesTaskNamesAndKeepsEdges) {
  auto d1 = Dag::Create({{"a", {1}}, {"b", {1}}}, {{0, 1, 1}}, 1, "one");
  auto d2 = Dag::Create({{"a", {2}}}, {}, 1, "two");
  std::vector<Problem> parts;
  parts.push_back(Problem{"net", std::move(d1).value(), Platform::Uniform(1)});
  parts.push_back(Problem{"net", std::move(d2).value(), Platform::Uniform(1)});
  auto merged = MergeProblems(std::move(parts));
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->dag.num_tasks(), 3);
  EXPECT_EQ(merged->dag.task(0).name, "net#0/a");
  EXPECT_EQ(merged->dag.task(2).name, "net#1/a");
  EXPECT_EQ(merged->dag.num_edges(), 1);
}

TEST(MergeProblemsTest, DifferentPlatformsAreAnError) {
  auto d1 = Dag::Create({{"a", {1}}}, {}, 1, "one");
  auto d2 = Dag::Create({{"a", {1, 1}}}, {}, 2, "two");
  std::vector<Problem> parts;
  parts.push_back(Problem{"one", std::move(d1).value(), Platform::Uniform(1)});
  parts.push_back(Problem{"two", std::move(d2).value(), Platform::Uniform(2)});
  auto merged = MergeProblems(std::move(parts));
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(merged.status().message().rfind("two: ", 0), 0u);
}

}  // namespace
}  // namespace glet::dag
