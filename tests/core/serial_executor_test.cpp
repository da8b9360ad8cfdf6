#include "core/serial_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace glet {
namespace {

using ::testing::HasSubstr;

TEST(SerialExecutorTest, RunsEveryJobOnOnePreparedThread) {
  std::thread::id prepared_on;
  auto e = SerialExecutor::Start("test-runner", [&] {
    prepared_on = std::this_thread::get_id();
    return Status::Ok();
  });
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  std::mutex mu;
  std::set<std::thread::id> ran_on;
  std::vector<std::thread> callers;
  std::atomic<int> runs{0};
  for (int i = 0; i < 4; ++i) {
    callers.emplace_back([&] {
      for (int k = 0; k < 25; ++k) {
        ASSERT_TRUE((*e)->Run([&] {
                          std::lock_guard<std::mutex> lock(mu);
                          ran_on.insert(std::this_thread::get_id());
                          ++runs;
                        })
                        .ok());
      }
    });
  }
  for (std::thread& t : callers) {
    t.join();
  }
  EXPECT_EQ(runs.load(), 100);  // Run() returned only after its job ran
  ASSERT_EQ(ran_on.size(), 1u);
  EXPECT_EQ(*ran_on.begin(), prepared_on);
  EXPECT_NE(prepared_on, std::this_thread::get_id());
}

TEST(SerialExecutorTest, RunsJobsOneAtATimeInOrder) {
  auto e = SerialExecutor::Start("test-runner", nullptr);
  ASSERT_TRUE(e.ok());
  std::vector<int> order;
  int running = 0;
  int most_running = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*e)->Run([&, i] {
                      most_running = std::max(most_running, ++running);
                      order.push_back(i);
                      --running;
                    })
                    .ok());
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(most_running, 1);
}

TEST(SerialExecutorTest, FailedPrepareFailsStart) {
  auto e = SerialExecutor::Start("test-runner",
                                 [] { return InvalidArgumentError("slice 'cpu:9': no core 9"); });
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr("no core 9"));
}

TEST(SerialExecutorTest, RefusesJobsAfterStop) {
  auto e = SerialExecutor::Start("test-runner", nullptr);
  ASSERT_TRUE(e.ok());
  (*e)->Stop();
  (*e)->Stop();  // idempotent
  bool ran = false;
  Status s = (*e)->Run([&] { ran = true; });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ran);
}

TEST(SerialExecutorTest, PostedJobsRunInOrderWithoutWaitingAndBeforeStopReturns) {
  auto e = SerialExecutor::Start("test-runner", nullptr);
  ASSERT_TRUE(e.ok());
  std::mutex gate;
  gate.lock();  // holds the first job, so Post() provably returns before its job runs
  std::vector<int> order;
  ASSERT_TRUE((*e)->Post([&] {
                    std::lock_guard<std::mutex> wait(gate);
                    order.push_back(0);
                  })
                  .ok());
  for (int i = 1; i < 5; ++i) {
    // A posted job may post again; it runs after everything queued before it.
    ASSERT_TRUE((*e)->Post([&, i] {
                      order.push_back(i);
                      if (i == 4) {
                        EXPECT_TRUE((*e)->Post([&] { order.push_back(5); }).ok());
                      }
                    })
                    .ok());
  }
  EXPECT_TRUE(order.empty());
  gate.unlock();
  ASSERT_TRUE((*e)->Run([] {}).ok());  // queued behind 0-4: job 5 is posted by the time it runs
  (*e)->Stop();                        // lets every queued job (5) run
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  bool ran = false;
  EXPECT_EQ((*e)->Post([&] { ran = true; }).code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace glet
