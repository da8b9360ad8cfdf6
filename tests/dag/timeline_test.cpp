#include "dag/timeline.h"

#include <gtest/gtest.h>

namespace glet::dag {
namespace {

ProcessorTimeline Busy() {
  ProcessorTimeline t;
  t.Insert(7, 20, 1);
  t.Insert(0, 5, 0);  // out of order on purpose
  return t;
}

TEST(ProcessorTimelineTest, EmptyTimelineStartsAtReadyTime) {
  ProcessorTimeline t;
  EXPECT_DOUBLE_EQ(t.EarliestStart(3, 10), 3);
}

TEST(ProcessorTimelineTest, InsertsIntoAGapLongEnough) {
  ProcessorTimeline t = Busy();
  EXPECT_DOUBLE_EQ(t.EarliestStart(0, 2), 5);   // gap [5, 7) fits 2
  EXPECT_DOUBLE_EQ(t.EarliestStart(0, 3), 20);  // ... but not 3
}

TEST(ProcessorTimelineTest, RespectsReadyTimeInsideAGap) {
  ProcessorTimeline t = Busy();
  EXPECT_DOUBLE_EQ(t.EarliestStart(6, 1), 6);     // [6, 7) still fits
  EXPECT_DOUBLE_EQ(t.EarliestStart(6.5, 1), 20);  // [6.5, 7.5) would overlap
  EXPECT_DOUBLE_EQ(t.EarliestStart(25, 1), 25);   // after everything
  EXPECT_DOUBLE_EQ(t.EarliestStart(10, 1), 20);   // inside a busy interval
}

TEST(ProcessorTimelineTest, ZeroLengthSlotsKeepOrder) {
  ProcessorTimeline t = Busy();
  t.Insert(5, 5, 2);
  t.Insert(5, 7, 3);
  ASSERT_EQ(t.slots().size(), 4u);
  for (size_t i = 1; i < t.slots().size(); ++i) {
    EXPECT_LE(t.slots()[i - 1].finish, t.slots()[i].start);
  }
  EXPECT_DOUBLE_EQ(t.EarliestStart(0, 1), 20);
}

}  // namespace
}  // namespace glet::dag
