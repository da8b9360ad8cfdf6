// CqRunLoop: jobs and gRPC completion-queue tags run on its one prepared thread; Stop() drains.
#include "serve/cq_run_loop.h"

#include <gmock/gmock.h>
#include <grpc/support/time.h>
#include <grpcpp/alarm.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

// A queue as a server would give it (the builder needs no port or service for that).
class CqRunLoopTest : public ::testing::Test {
 protected:
  void SetUp() override { cq_ = builder_.AddCompletionQueue(); }
  grpc::ServerBuilder builder_;
  std::unique_ptr<grpc::ServerCompletionQueue> cq_;
};

// Records the thread it ran on and the `ok` it got.
class RecordingTag final : public CqTag {
 public:
  void Proceed(bool ok) override {
    std::lock_guard<std::mutex> lock(mu);
    ran_on = std::this_thread::get_id();
    got_ok = ok;
    ++runs;
  }
  std::mutex mu;
  std::thread::id ran_on;
  bool got_ok = false;
  int runs = 0;
};

TEST_F(CqRunLoopTest, JobsAndTagsRunOnThePreparedThreadInOrder) {
  std::thread::id prepared_on;
  auto loop = CqRunLoop::Start(
      "test-loop",
      [&] {
        prepared_on = std::this_thread::get_id();
        return Status::Ok();
      },
      cq_.get());
  ASSERT_TRUE(loop.ok()) << loop.status().ToString();

  std::vector<int> order;
  std::vector<std::thread::id> job_threads;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*loop)
                    ->Run([&, i] {
                      order.push_back(i);
                      job_threads.push_back(std::this_thread::get_id());
                    })
                    .ok());
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));  // Run() returned after each job ran
  for (const std::thread::id& t : job_threads) {
    EXPECT_EQ(t, prepared_on);
  }

  // A gRPC operation's tag (an alarm here) is proceeded on the same thread.
  RecordingTag tag;
  grpc::Alarm alarm;
  alarm.Set(cq_.get(), gpr_now(GPR_CLOCK_MONOTONIC), AsTag(&tag));
  ASSERT_TRUE((*loop)->Run([] {}).ok());  // queued after the alarm: the tag has run by now
  {
    std::lock_guard<std::mutex> lock(tag.mu);
    EXPECT_EQ(tag.runs, 1);
    EXPECT_TRUE(tag.got_ok);
    EXPECT_EQ(tag.ran_on, prepared_on);
  }
  EXPECT_NE(prepared_on, std::this_thread::get_id());
}

TEST_F(CqRunLoopTest, StopDrainsPendingTagsAndRefusesJobs) {
  auto loop = CqRunLoop::Start("test-loop", nullptr, cq_.get());
  ASSERT_TRUE(loop.ok());
  // An alarm far in the future: Stop() must still deliver its tag (cancelled, ok=false).
  RecordingTag tag;
  grpc::Alarm alarm;
  alarm.Set(cq_.get(),
            gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_seconds(600, GPR_TIMESPAN)),
            AsTag(&tag));
  alarm.Cancel();
  (*loop)->Stop();
  (*loop)->Stop();  // idempotent
  {
    std::lock_guard<std::mutex> lock(tag.mu);
    EXPECT_EQ(tag.runs, 1);
    EXPECT_FALSE(tag.got_ok);
  }
  bool ran = false;
  Status s = (*loop)->Run([&] { ran = true; });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ran);
}

TEST_F(CqRunLoopTest, FailedPrepareFailsStart) {
  auto loop = CqRunLoop::Start(
      "test-loop", [] { return InvalidArgumentError("slice 'cpu:9': no core 9"); }, cq_.get());
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(loop.status().message(), HasSubstr("no core 9"));
  ShutdownAndDrain(*cq_);  // nobody drives it: drain it here, as its owner must
}

}  // namespace
}  // namespace glet::serve
