#include "sched/device_assignment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace glet::sched {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A planned device of `type` holding glets of (partition, model) with batch 4.
PlannedDevice Dev(int id, const std::string& type, std::vector<std::pair<int, std::string>> glets) {
  PlannedDevice d;
  d.id = id;
  d.type = type;
  for (const auto& [partition, model] : glets) {
    PlannedGlet g;
    g.partition = partition;
    g.duty_ms = 10;
    g.models.push_back(PlannedModel{model, 4});
    d.glets.push_back(g);
  }
  return d;
}

GletWork Running(const std::string& device, int partition, const std::string& model) {
  return GletWork{device, partition, {{model, 4}}};
}

const std::vector<PhysicalDevice> kGpus = {
    {"n/gpu0", "ref-gpu"}, {"n/gpu1", "ref-gpu"}, {"n/gpu2", "ref-gpu"}, {"n/gpu3", "ref-gpu"}};

TEST(DeviceAssignmentTest, NothingRunningPlacesInOrder) {
  Plan plan;
  plan.devices = {Dev(0, "ref-gpu", {{50, "a"}}), Dev(1, "ref-gpu", {{100, "b"}})};
  Result<std::vector<int>> placed = AssignDevices(plan, kGpus, {});
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_THAT(*placed, ElementsAre(0, 1));
}

TEST(DeviceAssignmentTest, UnchangedGletsStayWhereTheyRun) {
  // The new plan lists the devices the other way round; device k -> k-th device would restart
  // both glets.
  Plan plan;
  plan.devices = {Dev(0, "ref-gpu", {{50, "b"}}), Dev(1, "ref-gpu", {{50, "a"}})};
  const std::vector<GletWork> running = {Running("n/gpu0", 50, "a"), Running("n/gpu1", 50, "b")};
  Result<std::vector<int>> placed = AssignDevices(plan, kGpus, running);
  ASSERT_TRUE(placed.ok());
  EXPECT_THAT(*placed, ElementsAre(1, 0));
}

TEST(DeviceAssignmentTest, NewGletsGoWhereTheyFitNextToTheOldOnes) {
  // gpu0 and gpu1 run glets the new plan drops; gpu2 and gpu3 are idle. Placing the new 100%
  // glets on gpu0/gpu1 would need 200% during make-before-break.
  Plan plan;
  plan.devices = {Dev(0, "ref-gpu", {{100, "c"}}), Dev(1, "ref-gpu", {{50, "a"}, {50, "d"}})};
  const std::vector<GletWork> running = {Running("n/gpu0", 100, "x"), Running("n/gpu1", 50, "a"),
                                         Running("n/gpu1", 50, "y")};
  Result<std::vector<int>> placed = AssignDevices(plan, kGpus, running);
  ASSERT_TRUE(placed.ok());
  // Both go to the idle devices: on gpu1, device 1 would keep its glet of a, but its new glet
  // of d next to the retiring glet of y would need 150%.
  EXPECT_THAT(*placed, ElementsAre(2, 3));
  // Without idle devices the kept glet decides: device 1 stays on gpu1.
  const std::vector<PhysicalDevice> two = {kGpus[0], kGpus[1]};
  placed = AssignDevices(plan, two, running);
  ASSERT_TRUE(placed.ok());
  EXPECT_THAT(*placed, ElementsAre(0, 1));
}

TEST(DeviceAssignmentTest, TypesArePlacedApartAndEmptyDevicesNowhere) {
  Plan plan;
  plan.devices = {Dev(0, "cpu", {{100, "lenet"}}), Dev(1, "ref-gpu", {}),
                  Dev(2, "ref-gpu", {{50, "a"}})};
  std::vector<PhysicalDevice> devices = {{"n/gpu0", "ref-gpu"}, {"n/cpu0", "cpu"}};
  Result<std::vector<int>> placed = AssignDevices(plan, devices, {Running("gone/gpu9", 50, "a")});
  ASSERT_TRUE(placed.ok());
  EXPECT_THAT(*placed, ElementsAre(1, -1, 0));
}

TEST(DeviceAssignmentTest, TooFewDevicesOfATypeNamesIt) {
  Plan plan;
  plan.devices = {Dev(0, "cpu", {{100, "a"}}), Dev(1, "cpu", {{100, "b"}})};
  Result<std::vector<int>> placed = AssignDevices(plan, {{"n/cpu0", "cpu"}}, {});
  ASSERT_FALSE(placed.ok());
  EXPECT_EQ(placed.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(placed.status().message(), HasSubstr("2 cpu devices"));
}

}  // namespace
}  // namespace glet::sched
