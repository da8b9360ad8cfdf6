#include "serve/batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/clock.h"

namespace glet::serve {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// b = 4, d = 10 ms, L(k) = 4 + k ms (Lmax = 8 ms), queue bound 8.
BatcherConfig TestConfig() {
  BatcherConfig c;
  c.model = "resnet50";
  c.batch_size = 4;
  c.duty_cycle = milliseconds(10);
  c.batch_latency = {milliseconds(5), milliseconds(6), milliseconds(7), milliseconds(8)};
  c.max_queue_requests = 8;
  return c;
}

Batcher MakeBatcher(BatcherConfig c = TestConfig()) {
  Result<Batcher> b = Batcher::Create(std::move(c));
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return std::move(b).value();
}

class BatcherTest : public ::testing::Test {
 protected:
  // A request arriving now with the given SLO.
  PendingRequest Req(RequestId id, Duration slo = milliseconds(100), int n = 1) {
    PendingRequest r;
    r.id = id;
    r.model = "resnet50";
    r.arrival = clock_.Now();
    r.deadline = clock_.Now() + slo;
    r.n = n;
    r.payload = id * 10;
    return r;
  }
  void EnqueueOk(Batcher& b, PendingRequest r) {
    const Admission a = b.Enqueue(std::move(r), clock_.Now());
    ASSERT_TRUE(a.queued) << a.status.ToString();
    ASSERT_TRUE(a.status.ok());
  }
  static std::vector<RequestId> Ids(const Batch& batch) {
    std::vector<RequestId> ids;
    for (const PendingRequest& r : batch.requests) {
      ids.push_back(r.id);
    }
    return ids;
  }

  ManualClock clock_;
};

TEST_F(BatcherTest, IdleBatcherSleepsUntilAnArrival) {
  Batcher b = MakeBatcher();
  const BatchDecision d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());
  EXPECT_TRUE(d.dropped.empty());
  EXPECT_EQ(d.wake_at, TimePoint::max());
}

// Admission::due_at lets the serving loop skip waking for arrivals that change nothing: it moves
// earlier only when the arrival starts the queue, fills the batch or brings an earlier deadline.
TEST_F(BatcherTest, AdmissionSaysWhenTheHeadBatchIsDue) {
  Batcher b = MakeBatcher();
  const TimePoint t0 = clock_.Now();
  Admission first = b.Enqueue(Req(1), t0);
  ASSERT_TRUE(first.queued);
  EXPECT_EQ(first.due_at, t0 + milliseconds(10));  // duty cycle from its arrival
  clock_.Advance(milliseconds(2));
  Admission second = b.Enqueue(Req(2), clock_.Now());
  EXPECT_EQ(second.due_at, first.due_at);  // nothing new: no need to wake the loop
  // A tight deadline makes the head due earlier: its 15 ms SLO less Lmax 8 ms, before the duty
  // cycle ends (t0 + 9 < t0 + 10).
  Admission tight = b.Enqueue(Req(3, milliseconds(15)), clock_.Now());
  EXPECT_EQ(tight.due_at, clock_.Now() + milliseconds(15) - milliseconds(8));
  EXPECT_LT(tight.due_at, first.due_at);
  // The fourth item fills the batch: due now.
  Admission full = b.Enqueue(Req(4), clock_.Now());
  EXPECT_EQ(full.due_at, clock_.Now());
  // The same as Decide() says.
  EXPECT_TRUE(b.Decide(clock_.Now()).batch.has_value());
  // A refused request is never due.
  Admission refused = b.Enqueue(Req(5, milliseconds(1)), clock_.Now());
  EXPECT_FALSE(refused.queued);
  EXPECT_EQ(refused.due_at, TimePoint::max());
}

TEST_F(BatcherTest, DispatchesFullBatchAtOnce) {
  Batcher b = MakeBatcher();
  for (RequestId id = 1; id <= 4; ++id) {
    EnqueueOk(b, Req(id));
  }
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kFull);
  EXPECT_EQ(d.batch->items, 4);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{1, 2, 3, 4}));
  EXPECT_EQ(d.batch->requests[2].payload, 30u);
  EXPECT_EQ(d.wake_at, TimePoint::max());
  EXPECT_EQ(b.queued_requests(), 0u);
  EXPECT_EQ(b.queued_items(), 0);
}

TEST_F(BatcherTest, BatchIsFullWhenNextRequestDoesNotFit) {
  Batcher b = MakeBatcher();
  EnqueueOk(b, Req(1, milliseconds(100), 3));
  EnqueueOk(b, Req(2, milliseconds(100), 2));
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kFull);
  EXPECT_EQ(d.batch->items, 3);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{1}));
  EXPECT_EQ(b.queued_items(), 2);
  // The leftover waits a duty cycle from this dispatch.
  EXPECT_EQ(d.wake_at, clock_.Now() + milliseconds(10));
}

TEST_F(BatcherTest, FullBatchReadyBehindAnotherMeansWakeNow) {
  Batcher b = MakeBatcher();
  for (RequestId id = 1; id <= 9 - 1; ++id) {
    EnqueueOk(b, Req(id));
  }
  const BatchDecision first = b.Decide(clock_.Now());
  ASSERT_TRUE(first.batch.has_value());
  EXPECT_EQ(first.wake_at, clock_.Now());
  const BatchDecision second = b.Decide(clock_.Now());
  ASSERT_TRUE(second.batch.has_value());
  EXPECT_EQ(Ids(*second.batch), (std::vector<RequestId>{5, 6, 7, 8}));
}

TEST_F(BatcherTest, PartialBatchWaitsForDutyCycleBoundary) {
  Batcher b = MakeBatcher();
  const TimePoint t0 = clock_.Now();
  EnqueueOk(b, Req(1));
  clock_.Advance(milliseconds(3));
  EnqueueOk(b, Req(2));
  BatchDecision d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());
  EXPECT_EQ(d.wake_at, t0 + milliseconds(10));  // the oldest arrival + d

  clock_.AdvanceTo(t0 + milliseconds(9));
  d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());

  clock_.AdvanceTo(t0 + milliseconds(10));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDutyCycle);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{1, 2}));
  EXPECT_EQ(d.wake_at, TimePoint::max());
}

TEST_F(BatcherTest, DutyCycleRestartsAtLastDispatchForLeftovers) {
  Batcher b = MakeBatcher();
  const TimePoint t0 = clock_.Now();
  for (RequestId id = 1; id <= 5; ++id) {
    EnqueueOk(b, Req(id));
  }
  clock_.Advance(milliseconds(3));  // the loop ran late
  BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kFull);
  // Request 5 arrived at t0, but its cycle starts at the dispatch, t0 + 3 ms.
  EXPECT_EQ(d.wake_at, t0 + milliseconds(13));
  clock_.AdvanceTo(t0 + milliseconds(12));
  EXPECT_FALSE(b.Decide(clock_.Now()).batch.has_value());
  clock_.AdvanceTo(t0 + milliseconds(13));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDutyCycle);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{5}));
}

TEST_F(BatcherTest, DispatchesPartialBatchWhenOldestWouldOtherwiseMissDeadline) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);  // the boundary is far away
  Batcher b = MakeBatcher(c);
  const TimePoint t0 = clock_.Now();
  EnqueueOk(b, Req(1, milliseconds(20)));
  clock_.Advance(milliseconds(2));
  EnqueueOk(b, Req(2, milliseconds(50)));
  BatchDecision d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());
  // Latest start: request 1's deadline (t0 + 20) - Lmax (8).
  EXPECT_EQ(d.wake_at, t0 + milliseconds(12));

  clock_.AdvanceTo(t0 + milliseconds(11));
  EXPECT_FALSE(b.Decide(clock_.Now()).batch.has_value());
  clock_.AdvanceTo(t0 + milliseconds(12));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{1, 2}));
  EXPECT_TRUE(d.dropped.empty());
}

TEST_F(BatcherTest, DeadlineBatchBehindABusyGletIsCutAtOnceInsteadOfGrowing) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);  // only full batches and deadlines cut
  Batcher b = MakeBatcher(c);
  const TimePoint t0 = clock_.Now();
  // A full batch of 4: the glet is expected busy until t0 + L(4) = t0 + 8.
  for (RequestId id = 1; id <= 4; ++id) {
    EnqueueOk(b, Req(id, milliseconds(100)));
  }
  BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kFull);
  // Request 5 must start by its deadline (t0 + 14) - Lmax (8) = t0 + 6, before the glet is
  // expected free (t0 + 8): waiting to grow cannot help it, so its batch is due at once.
  EnqueueOk(b, Req(5, milliseconds(14)));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{5}));

  // Once told every batch was answered, the glet is free: the same kind of request waits for
  // its latest start again (t0 + 1 + 14 - 8).
  clock_.AdvanceTo(t0 + milliseconds(1));
  b.GletIdle(clock_.Now());
  EnqueueOk(b, Req(6, milliseconds(14)));
  d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());
  EXPECT_EQ(d.wake_at, t0 + milliseconds(7));
}

TEST_F(BatcherTest, WakeupMarginMovesTheDeadlineTriggerEarlierAndSurvivesUpdateConfig) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);
  Batcher b = MakeBatcher(c);
  const TimePoint t0 = clock_.Now();
  b.set_wakeup_margin(milliseconds(3));
  EnqueueOk(b, Req(1, milliseconds(20)));
  // Latest start t0 + 20 - 8 = t0 + 12, minus the 3 ms margin.
  EXPECT_EQ(b.Decide(clock_.Now()).wake_at, t0 + milliseconds(9));
  ASSERT_TRUE(b.UpdateConfig(c).ok());
  EXPECT_EQ(b.Decide(clock_.Now()).wake_at, t0 + milliseconds(9));
  b.set_wakeup_margin(-milliseconds(1));  // clamped to none
  EXPECT_EQ(b.Decide(clock_.Now()).wake_at, t0 + milliseconds(12));
  b.set_wakeup_margin(milliseconds(3));
  clock_.AdvanceTo(t0 + milliseconds(9));
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
}

TEST_F(BatcherTest, BusyEstimateFollowsTheCutBatchesBackToBack) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);
  Batcher b = MakeBatcher(c);
  const TimePoint t0 = clock_.Now();
  // Two batches of one, cut by their tight deadlines at t0: busy until t0 + 5 + 5 = t0 + 10.
  EnqueueOk(b, Req(1, milliseconds(6)));
  ASSERT_TRUE(b.Decide(clock_.Now()).batch.has_value());
  EnqueueOk(b, Req(2, milliseconds(6)));
  ASSERT_TRUE(b.Decide(clock_.Now()).batch.has_value());
  // Latest start t0 + 17 - 8 = t0 + 9 < t0 + 10: due at once; with 18 ms it is t0 + 10, not
  // past the busy estimate: it waits for t0 + 10.
  EnqueueOk(b, Req(3, milliseconds(18)));
  BatchDecision d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());
  EXPECT_EQ(d.wake_at, t0 + milliseconds(10));
  EnqueueOk(b, Req(4, milliseconds(17)));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{3, 4}));
}

TEST_F(BatcherTest, TightButReachableRequestIsDispatchedAtOnce) {
  Batcher b = MakeBatcher();
  // 6 ms: reachable alone (L(1) = 5) but not if the batch grew to Lmax = 8.
  EnqueueOk(b, Req(1, milliseconds(6)));
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
}

TEST_F(BatcherTest, DropsAtEnqueueWhenUnreachableEvenIfRunNow) {
  Batcher b = MakeBatcher();
  const Admission a = b.Enqueue(Req(7, milliseconds(4)), clock_.Now());  // L(1) = 5 ms
  EXPECT_FALSE(a.queued);
  ASSERT_TRUE(a.drop_reason.has_value());
  EXPECT_EQ(*a.drop_reason, DropReason::kSloUnreachable);
  EXPECT_EQ(a.status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(a.status.message(), HasSubstr("model resnet50: request 7"));
  EXPECT_THAT(a.status.message(), HasSubstr("slo_unreachable"));
  EXPECT_EQ(b.queued_requests(), 0u);

  // Exactly reachable is admitted: now + L(1) == deadline.
  EXPECT_TRUE(b.Enqueue(Req(8, milliseconds(5)), clock_.Now()).queued);
  // A multi-item request is judged by its own latency L(n): L(2) = 6 > 5.
  const Admission two = b.Enqueue(Req(9, milliseconds(5), 2), clock_.Now());
  EXPECT_EQ(two.drop_reason, DropReason::kSloUnreachable);
}

TEST_F(BatcherTest, DropsAtEnqueueWhenDeadlineAlreadyPassed) {
  Batcher b = MakeBatcher();
  PendingRequest r = Req(3);
  r.deadline = clock_.Now() - milliseconds(1);
  const Admission a = b.Enqueue(r, clock_.Now());
  EXPECT_EQ(a.drop_reason, DropReason::kDeadlineExpired);
  EXPECT_EQ(a.status.code(), StatusCode::kDeadlineExceeded);
}

TEST_F(BatcherTest, DropsQueuedRequestWhoseDeadlineBecameUnreachable) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);
  Batcher b = MakeBatcher(c);
  const TimePoint t0 = clock_.Now();
  EnqueueOk(b, Req(1, milliseconds(30)));
  EnqueueOk(b, Req(2, milliseconds(20)));
  EnqueueOk(b, Req(3, milliseconds(90)));
  // The loop does not run again until t0 + 26: request 2's deadline has passed, request 1
  // (deadline t0 + 30) cannot finish even alone (26 + 5 > 30).
  clock_.AdvanceTo(t0 + milliseconds(26));
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_EQ(d.dropped.size(), 2u);
  EXPECT_EQ(d.dropped[0].request.id, 1u);
  EXPECT_EQ(d.dropped[0].reason, DropReason::kSloUnreachable);
  EXPECT_EQ(d.dropped[1].request.id, 2u);
  EXPECT_EQ(d.dropped[1].reason, DropReason::kDeadlineExpired);
  // Request 3 is not due: duty cycle ends at t0 + 100, its deadline allows until t0 + 82.
  EXPECT_FALSE(d.batch.has_value());
  EXPECT_EQ(d.wake_at, t0 + milliseconds(82));
  EXPECT_EQ(b.queued_requests(), 1u);
  EXPECT_EQ(b.queued_items(), 1);
}

TEST_F(BatcherTest, BoundedQueueDropsWithQueueFull) {
  BatcherConfig c = TestConfig();
  c.max_queue_requests = 3;
  c.batch_size = 4;
  Batcher b = MakeBatcher(c);
  for (RequestId id = 1; id <= 3; ++id) {
    EnqueueOk(b, Req(id));
  }
  const Admission a = b.Enqueue(Req(4), clock_.Now());
  EXPECT_FALSE(a.queued);
  EXPECT_EQ(a.drop_reason, DropReason::kQueueFull);
  EXPECT_EQ(a.status.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(a.status.message(), HasSubstr("request 4"));
  EXPECT_EQ(b.queued_requests(), 3u);
  // Room again once a batch leaves.
  clock_.Advance(milliseconds(10));
  ASSERT_TRUE(b.Decide(clock_.Now()).batch.has_value());
  EXPECT_TRUE(b.Enqueue(Req(5), clock_.Now()).queued);
}

TEST_F(BatcherTest, RefusesRequestWithItemCountOutsideBatchSizeAsFailed) {
  Batcher b = MakeBatcher();
  for (int n : {0, -1, 5}) {
    const Admission a = b.Enqueue(Req(11, milliseconds(100), n), clock_.Now());
    EXPECT_FALSE(a.queued) << n;
    EXPECT_FALSE(a.drop_reason.has_value()) << n;
    EXPECT_EQ(a.status.code(), StatusCode::kInvalidArgument) << n;
    EXPECT_THAT(a.status.message(), HasSubstr("request 11: n=" + std::to_string(n)));
  }
}

TEST_F(BatcherTest, CreateRejectsBadConfigNamingModelAndField) {
  struct Case {
    void (*mutate)(BatcherConfig&);
    const char* field;
  };
  const Case cases[] = {
      {[](BatcherConfig& c) { c.batch_size = 0; }, "batch_size"},
      {[](BatcherConfig& c) { c.duty_cycle = Duration::zero(); }, "duty_cycle_ms"},
      {[](BatcherConfig& c) { c.batch_latency.pop_back(); }, "batch_latency: has 3 entries"},
      {[](BatcherConfig& c) { c.batch_latency[1] = Duration::zero(); }, "batch_latency: batch 2"},
      {[](BatcherConfig& c) { c.max_queue_requests = 0; }, "max_queue_requests"},
  };
  for (const Case& k : cases) {
    BatcherConfig c = TestConfig();
    k.mutate(c);
    Result<Batcher> b = Batcher::Create(c);
    ASSERT_FALSE(b.ok()) << k.field;
    EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(b.status().message(), HasSubstr("model 'resnet50'"));
    EXPECT_THAT(b.status().message(), HasSubstr(k.field));
  }
}

TEST_F(BatcherTest, UpdateConfigKeepsQueueAndDropsWhatNoLongerFits) {
  Batcher b = MakeBatcher();
  EnqueueOk(b, Req(1, milliseconds(100), 3));
  EnqueueOk(b, Req(2));
  EnqueueOk(b, Req(3));
  EnqueueOk(b, Req(4));
  BatcherConfig smaller = TestConfig();
  smaller.batch_size = 2;
  smaller.batch_latency.resize(2);
  smaller.max_queue_requests = 2;
  Result<std::vector<DroppedRequest>> dropped = b.UpdateConfig(smaller);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  ASSERT_EQ(dropped->size(), 2u);
  EXPECT_EQ((*dropped)[0].request.id, 1u);
  EXPECT_EQ((*dropped)[0].reason, DropReason::kSloUnreachable);
  EXPECT_EQ((*dropped)[1].request.id, 4u);
  EXPECT_EQ((*dropped)[1].reason, DropReason::kQueueFull);
  EXPECT_EQ(b.config().batch_size, 2);
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{2, 3}));
}

TEST_F(BatcherTest, UpdateConfigWithBadConfigLeavesBatcherUnchanged) {
  Batcher b = MakeBatcher();
  EnqueueOk(b, Req(1));
  BatcherConfig bad = TestConfig();
  bad.duty_cycle = -milliseconds(1);
  Result<std::vector<DroppedRequest>> r = b.UpdateConfig(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.config().duty_cycle, milliseconds(10));
  EXPECT_EQ(b.queued_requests(), 1u);
}

TEST_F(BatcherTest, DrainAllReturnsEveryQueuedRequestWithReason) {
  Batcher b = MakeBatcher();
  EnqueueOk(b, Req(1));
  EnqueueOk(b, Req(2, milliseconds(100), 2));
  const std::vector<DroppedRequest> drained = b.DrainAll(DropReason::kShutdown);
  ASSERT_EQ(drained.size(), 2u);
  EXPECT_EQ(drained[0].request.id, 1u);
  EXPECT_EQ(drained[1].request.id, 2u);
  EXPECT_EQ(drained[1].reason, DropReason::kShutdown);
  EXPECT_EQ(b.queued_requests(), 0u);
  EXPECT_EQ(b.queued_items(), 0);
  EXPECT_EQ(b.Decide(clock_.Now()).wake_at, TimePoint::max());
}

TEST(BatchTriggerTest, NamesAreMetricLabels) {
  EXPECT_EQ(BatchTriggerName(BatchTrigger::kFull), "full");
  EXPECT_EQ(BatchTriggerName(BatchTrigger::kDeadline), "deadline");
  EXPECT_EQ(BatchTriggerName(BatchTrigger::kDutyCycle), "duty_cycle");
}

}  // namespace
}  // namespace glet::serve
