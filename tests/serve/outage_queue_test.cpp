// OutageQueue under a ManualClock: who waits for a glet, who is given up on and when, and the
// order in which the waiting requests come back.
#include "serve/outage_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/clock.h"

namespace glet::serve {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class OutageQueueTest : public ::testing::Test {
 protected:
  // L(1) = 10 ms, L(2) = 15 ms; at most 3 requests wait.
  OutageQueueTest() : queue_("resnet50", 3) {
    queue_.SetLatency({milliseconds(10), milliseconds(15)});
  }

  PendingRequest Req(RequestId id, Duration slo, int n = 1) {
    PendingRequest r;
    r.id = id;
    r.model = "resnet50";
    r.arrival = clock_.Now();
    r.deadline = clock_.Now() + slo;
    r.n = n;
    return r;
  }
  void HoldOk(PendingRequest r) {
    const Admission a = queue_.Hold(std::move(r), clock_.Now());
    ASSERT_TRUE(a.queued) << a.status.ToString();
    ASSERT_TRUE(a.status.ok());
  }
  static std::vector<RequestId> Ids(const std::vector<PendingRequest>& requests) {
    std::vector<RequestId> ids;
    for (const PendingRequest& r : requests) {
      ids.push_back(r.id);
    }
    return ids;
  }

  ManualClock clock_;
  OutageQueue queue_;
};

TEST_F(OutageQueueTest, HeldRequestsComeBackInArrivalOrder) {
  HoldOk(Req(1, milliseconds(100)));
  clock_.Advance(milliseconds(1));
  HoldOk(Req(2, milliseconds(50)));
  HoldOk(Req(3, milliseconds(200), 2));
  EXPECT_EQ(queue_.size(), 3u);
  EXPECT_THAT(Ids(queue_.ReleaseAll()), ElementsAre(1, 2, 3));
  EXPECT_TRUE(queue_.empty());
  EXPECT_EQ(queue_.wake_at(), TimePoint::max());
}

TEST_F(OutageQueueTest, WaitingRequestIsGivenUpOnAsNoGletWhenItCanNoLongerRunInTime) {
  const TimePoint start = clock_.Now();
  HoldOk(Req(1, milliseconds(100)));     // gives up at 100 - L(1) = 90 ms
  HoldOk(Req(2, milliseconds(60), 2));   // gives up at 60 - L(2) = 45 ms
  HoldOk(Req(3, milliseconds(500), 7));  // beyond the table: L(2), gives up at 485 ms
  EXPECT_EQ(queue_.wake_at(), start + milliseconds(45));

  clock_.Advance(milliseconds(44));
  OutageDecision d = queue_.Expire(clock_.Now());
  EXPECT_TRUE(d.dropped.empty());
  EXPECT_EQ(d.wake_at, start + milliseconds(45));

  clock_.AdvanceTo(d.wake_at);
  d = queue_.Expire(clock_.Now());
  ASSERT_EQ(d.dropped.size(), 1u);
  EXPECT_EQ(d.dropped[0].request.id, 2u);
  EXPECT_EQ(d.dropped[0].reason, DropReason::kNoGlet);
  EXPECT_EQ(d.wake_at, start + milliseconds(90));

  clock_.AdvanceTo(start + milliseconds(485));
  d = queue_.Expire(clock_.Now());
  ASSERT_EQ(d.dropped.size(), 2u);
  EXPECT_EQ(d.dropped[0].request.id, 1u);
  EXPECT_EQ(d.dropped[1].request.id, 3u);
  EXPECT_EQ(d.wake_at, TimePoint::max());
  EXPECT_TRUE(queue_.empty());
}

TEST_F(OutageQueueTest, RefusesWhatCouldNotMakeItAndWhatFindsItFull) {
  // Deadline already passed.
  PendingRequest late = Req(1, milliseconds(5));
  clock_.Advance(milliseconds(5));
  Admission a = queue_.Hold(late, clock_.Now());
  EXPECT_FALSE(a.queued);
  EXPECT_EQ(a.drop_reason, DropReason::kDeadlineExpired);
  EXPECT_EQ(a.status.code(), StatusCode::kDeadlineExceeded);
  // Could not make it even if a glet came back now: 8 ms left, L(1) = 10 ms.
  a = queue_.Hold(Req(2, milliseconds(8)), clock_.Now());
  EXPECT_FALSE(a.queued);
  EXPECT_EQ(a.drop_reason, DropReason::kSloUnreachable);
  EXPECT_THAT(a.status.message(),
              HasSubstr("model resnet50: request 2: dropped (slo_unreachable)"));
  // The bound.
  HoldOk(Req(3, milliseconds(100)));
  HoldOk(Req(4, milliseconds(100)));
  HoldOk(Req(5, milliseconds(100)));
  a = queue_.Hold(Req(6, milliseconds(100)), clock_.Now());
  EXPECT_FALSE(a.queued);
  EXPECT_EQ(a.drop_reason, DropReason::kQueueFull);
  EXPECT_EQ(a.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(queue_.size(), 3u);
}

TEST_F(OutageQueueTest, DrainAllGivesUpOnEveryRequestWithTheReason) {
  HoldOk(Req(1, milliseconds(100)));
  HoldOk(Req(2, milliseconds(100)));
  std::vector<DroppedRequest> d = queue_.DrainAll(DropReason::kModelUnloaded);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].request.id, 1u);
  EXPECT_EQ(d[1].reason, DropReason::kModelUnloaded);
  EXPECT_TRUE(queue_.empty());
}

TEST_F(OutageQueueTest, WithoutLatenciesARequestWaitsUntilItsDeadline) {
  OutageQueue q("lenet1", 1);
  const TimePoint start = clock_.Now();
  ASSERT_TRUE(q.Hold(Req(1, milliseconds(30)), clock_.Now()).queued);
  EXPECT_EQ(q.wake_at(), start + milliseconds(30));
  clock_.Advance(milliseconds(30));
  OutageDecision d = q.Expire(clock_.Now());
  ASSERT_EQ(d.dropped.size(), 1u);
  EXPECT_EQ(d.dropped[0].reason, DropReason::kNoGlet);
}

}  // namespace
}  // namespace glet::serve
