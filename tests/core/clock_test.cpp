#include "core/clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace glet {
namespace {

TEST(ManualClockTest, AutoAdvanceJumpsToWakeTime) {
  ManualClock clock(/*auto_advance=*/true);
  TimePoint start = clock.Now();
  clock.SleepFor(std::chrono::milliseconds(7));
  EXPECT_EQ(clock.Now() - start, std::chrono::milliseconds(7));
  clock.SleepUntil(start);  // in the past: no change
  EXPECT_EQ(clock.Now() - start, std::chrono::milliseconds(7));
}

TEST(ManualClockTest, SleeperWakesOnlyWhenAdvancedPastDeadline) {
  ManualClock clock;
  TimePoint wake = clock.Now() + std::chrono::milliseconds(10);
  std::atomic<bool> woke{false};
  std::thread t([&] {
    clock.SleepUntil(wake);
    woke = true;
  });
  while (clock.sleepers() == 0) {
    std::this_thread::yield();
  }
  clock.Advance(std::chrono::milliseconds(9));
  EXPECT_FALSE(woke.load());
  clock.Advance(std::chrono::milliseconds(1));
  t.join();
  EXPECT_TRUE(woke.load());
}

}  // namespace
}  // namespace glet
