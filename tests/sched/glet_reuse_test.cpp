#include "sched/glet_reuse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace glet::sched {
namespace {

using ::testing::ElementsAre;

GletWork Work(const std::string& device, int partition,
              std::vector<std::pair<std::string, int>> models) {
  return GletWork{device, partition, std::move(models)};
}

TEST(GletReuseTest, KeepsGletsWithTheSameDevicePartitionModelsAndBatches) {
  const std::vector<GletWork> running = {Work("d0", 50, {{"a", 4}}), Work("d0", 50, {{"b", 2}})};
  EXPECT_THAT(MatchUnchangedGlets(running, running), ElementsAre(0, 1));
  // Order in the new plan does not matter.
  EXPECT_THAT(MatchUnchangedGlets(running, {running[1], running[0]}), ElementsAre(1, 0));
}

TEST(GletReuseTest, AnyDifferenceInWhereOrWhatStartsANewGlet) {
  const std::vector<GletWork> running = {Work("d0", 50, {{"a", 4}, {"b", 2}})};
  EXPECT_THAT(MatchUnchangedGlets(running, {Work("d1", 50, {{"a", 4}, {"b", 2}})}),
              ElementsAre(-1));
  EXPECT_THAT(MatchUnchangedGlets(running, {Work("d0", 60, {{"a", 4}, {"b", 2}})}),
              ElementsAre(-1));
  EXPECT_THAT(MatchUnchangedGlets(running, {Work("d0", 50, {{"a", 8}, {"b", 2}})}),
              ElementsAre(-1));
  EXPECT_THAT(MatchUnchangedGlets(running, {Work("d0", 50, {{"b", 2}, {"a", 4}})}),
              ElementsAre(-1));
  EXPECT_THAT(MatchUnchangedGlets(running, {Work("d0", 50, {{"a", 4}})}), ElementsAre(-1));
}

TEST(GletReuseTest, EachRunningGletIsKeptAtMostOnce) {
  const GletWork same = Work("d0", 20, {{"a", 1}});
  EXPECT_THAT(MatchUnchangedGlets({same, same}, {same, same, same}), ElementsAre(0, 1, -1));
  EXPECT_THAT(MatchUnchangedGlets({same}, {Work("d0", 20, {{"b", 1}}), same, same}),
              ElementsAre(-1, 0, -1));
  EXPECT_TRUE(MatchUnchangedGlets({}, {}).empty());
  EXPECT_THAT(MatchUnchangedGlets({}, {same}), ElementsAre(-1));
}

TEST(GletReuseTest, RatesAndDutyCycleDoNotMakeAGletDiffer) {
  PlannedGlet g;
  g.partition = 50;
  g.duty_ms = 40;
  PlannedModel m;
  m.model = "resnet50";
  m.batch = 8;
  m.rate_rps = 100;
  g.models = {m};
  PlannedGlet moved = g;
  moved.duty_ms = 25;
  moved.models[0].rate_rps = 300;
  moved.models[0].exec_ms = 12;
  EXPECT_EQ(WorkOf("gpu0", g), Work("gpu0", 50, {{"resnet50", 8}}));
  EXPECT_EQ(WorkOf("gpu0", g), WorkOf("gpu0", moved));
  EXPECT_THAT(MatchUnchangedGlets({WorkOf("gpu0", g)}, {WorkOf("gpu0", moved)}), ElementsAre(0));
}

}  // namespace
}  // namespace glet::sched
