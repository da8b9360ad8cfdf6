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

Batcher MakeBatcher(BatcherConfig c = TestConfig(), std::shared_ptr<GletLoad> glet = nullptr) {
  Result<Batcher> b = Batcher::Create(std::move(c), std::move(glet));
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
  // A batcher whose glet is expected busy until `until` with another batch (cut now).
  Batcher BusyBatcher(TimePoint until, BatcherConfig c = TestConfig()) {
    auto glet = std::make_shared<GletLoad>();
    glet->OnCut(clock_.Now(), until - clock_.Now());
    return MakeBatcher(std::move(c), std::move(glet));
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
// Admission::due_at lets the serving loop skip waking for arrivals that change nothing: it moves
// earlier only when the arrival starts the queue, fills the batch or brings an earlier deadline.
TEST_F(BatcherTest, AdmissionSaysWhenTheHeadBatchIsDue) {
  const TimePoint t0 = clock_.Now();
  Batcher b = BusyBatcher(t0 + milliseconds(12));  // free at t0 + 12, after the duty cycle
  Admission first = b.Enqueue(Req(1), t0);
  ASSERT_TRUE(first.queued);
  EXPECT_EQ(first.due_at, t0 + milliseconds(10));  // duty cycle from its arrival
  clock_.Advance(milliseconds(2));
  Admission second = b.Enqueue(Req(2), clock_.Now());
  EXPECT_EQ(second.due_at, first.due_at);  // nothing new: no need to wake the loop
  // A deadline whose latest start (t0 + 2 + 17 - 8 = t0 + 11) comes before the glet is free
  // makes the head due at once: waiting cannot help it.
  Admission tight = b.Enqueue(Req(3, milliseconds(17)), clock_.Now());
  ASSERT_TRUE(tight.queued) << tight.status.ToString();
  EXPECT_EQ(tight.due_at, clock_.Now());
  // The same as Decide() says.
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
  // A refused request is never due.
  Admission refused = b.Enqueue(Req(5, milliseconds(1)), clock_.Now());
  EXPECT_FALSE(refused.queued);
  EXPECT_EQ(refused.due_at, TimePoint::max());
}

// Work-conserving: an idle glet runs a lone request at once instead of waiting for the batch to
// fill or the duty cycle to end; a busy glet lets the batch grow until it is free.
TEST_F(BatcherTest, LoneRequestOnAnIdleGletIsCutAtOnce) {
  Batcher b = MakeBatcher();
  const TimePoint t0 = clock_.Now();
  const Admission a = b.Enqueue(Req(1), t0);
  EXPECT_EQ(a.due_at, t0);
  BatchDecision d = b.Decide(t0);
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kIdle);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{1}));
  // The glet now runs it until t0 + L(1) = t0 + 5: the next requests wait for that and go
  // together.
  clock_.Advance(milliseconds(1));
  EnqueueOk(b, Req(2));
  EnqueueOk(b, Req(3));
  d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());
  EXPECT_EQ(d.wake_at, t0 + milliseconds(5));
  clock_.AdvanceTo(t0 + milliseconds(5));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kIdle);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{2, 3}));
  // Answered early: the glet is free at once, whatever was expected.
  clock_.Advance(milliseconds(1));
  b.BatchAnswered(clock_.Now());
  b.BatchAnswered(clock_.Now());
  EnqueueOk(b, Req(4));
  EXPECT_TRUE(b.Decide(clock_.Now()).batch.has_value());
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
  // The leftover waits for the glet to be free again (L(3) = 7 ms), before the duty cycle ends.
  EXPECT_EQ(d.wake_at, clock_.Now() + milliseconds(7));
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
  const TimePoint t0 = clock_.Now();
  Batcher b = BusyBatcher(t0 + milliseconds(20));
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
  const TimePoint t0 = clock_.Now();
  Batcher b = BusyBatcher(t0 + milliseconds(30));
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

// A batch never grows past what its earliest deadline allows: with the glet free at t0 + 13,
// request 1 (deadline t0 + 20) still finishes in a batch of 3 (t0 + 13 + L(3) = t0 + 20) but
// not of 4 (t0 + 21), so the head batch stops at 3 and is due at once.
TEST_F(BatcherTest, BatchStopsGrowingWhereItsEarliestDeadlineWouldMiss) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);  // the boundary is far away
  const TimePoint t0 = clock_.Now();
  Batcher b = BusyBatcher(t0 + milliseconds(13), c);
  EnqueueOk(b, Req(1, milliseconds(20)));  // alone: t0 + 13 + 5 = t0 + 18 <= t0 + 20
  EnqueueOk(b, Req(2, milliseconds(50)));
  EnqueueOk(b, Req(3, milliseconds(50)));
  EnqueueOk(b, Req(4, milliseconds(50)));
  BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{1, 2, 3}));
  EXPECT_TRUE(d.dropped.empty());
}

TEST_F(BatcherTest, DeadlineBatchBehindABusyGletIsCutAtOnceInsteadOfGrowing) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);  // only full batches, deadlines and idleness cut
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

  // Once told every batch was answered, the glet is free: the next request runs at once.
  clock_.AdvanceTo(t0 + milliseconds(1));
  b.BatchAnswered(clock_.Now());
  b.BatchAnswered(clock_.Now());
  EnqueueOk(b, Req(6, milliseconds(14)));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{6}));
}

TEST_F(BatcherTest, WakeupMarginMovesTheDeadlineTriggerEarlierAndSurvivesUpdateConfig) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);
  const TimePoint t0 = clock_.Now();
  // The glet is free at t0 + 10; request 1's latest start is t0 + 20 - 8 = t0 + 12, so it
  // waits for the glet; a 3 ms margin moves its latest start to t0 + 9, before the glet is
  // free: due at once.
  Batcher b = BusyBatcher(t0 + milliseconds(10), c);
  EnqueueOk(b, Req(1, milliseconds(20)));
  EXPECT_EQ(b.Decide(clock_.Now()).wake_at, t0 + milliseconds(10));
  b.set_wakeup_margin(milliseconds(3));
  ASSERT_TRUE(b.UpdateConfig(c).ok());
  b.set_wakeup_margin(-milliseconds(1));  // clamped to none
  EXPECT_EQ(b.Decide(clock_.Now()).wake_at, t0 + milliseconds(10));
  b.set_wakeup_margin(milliseconds(3));
  ASSERT_TRUE(b.UpdateConfig(c).ok());  // kept by UpdateConfig
  const BatchDecision d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
}

TEST_F(BatcherTest, BusyEstimateFollowsTheCutBatchesBackToBack) {
  BatcherConfig c = TestConfig();
  c.duty_cycle = milliseconds(100);
  Batcher b = MakeBatcher(c);
  const TimePoint t0 = clock_.Now();
  // A lone request runs at once: busy until t0 + 5.
  EnqueueOk(b, Req(1));
  ASSERT_TRUE(b.Decide(clock_.Now()).batch.has_value());
  // The next waits for the glet...
  EnqueueOk(b, Req(2));
  BatchDecision d = b.Decide(clock_.Now());
  EXPECT_FALSE(d.batch.has_value());
  EXPECT_EQ(d.wake_at, t0 + milliseconds(5));
  // ...unless a request in the batch must start before then (t0 + 12 - 8 = t0 + 4): cut now,
  // behind the first, busy until t0 + 5 + L(2) = t0 + 11.
  EnqueueOk(b, Req(3, milliseconds(12)));
  d = b.Decide(clock_.Now());
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(d.batch->trigger, BatchTrigger::kDeadline);
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{2, 3}));
  EnqueueOk(b, Req(4));
  EXPECT_EQ(b.Decide(clock_.Now()).wake_at, t0 + milliseconds(11));
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
  // Request 3 runs at once on the idle glet.
  ASSERT_TRUE(d.batch.has_value());
  EXPECT_EQ(Ids(*d.batch), (std::vector<RequestId>{3}));
  EXPECT_EQ(b.queued_requests(), 0u);
  EXPECT_EQ(b.queued_items(), 0);
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

// Overload: b = 4, L(4) = 8 ms, SLO 20 ms. Behind 8 queued items a request would finish at
// t0 + 16 + L(1) = t0 + 21 > t0 + 20: shed at arrival (kOverloaded), before it costs device
// time; everything admitted finishes in time when the glet runs the batches back to back.
TEST_F(BatcherTest, OverloadedLaneShedsWhatCannotMakeItAndServesTheRestInTime) {
  Batcher b = MakeBatcher();
  const TimePoint t0 = clock_.Now();
  std::vector<RequestId> admitted;
  for (RequestId id = 1; id <= 30; ++id) {
    const Admission a = b.Enqueue(Req(id, milliseconds(20)), t0);
    if (a.queued) {
      admitted.push_back(id);
    } else {
      ASSERT_EQ(a.drop_reason, DropReason::kOverloaded) << id;
      EXPECT_EQ(a.status.code(), StatusCode::kResourceExhausted);
      EXPECT_THAT(a.status.message(), HasSubstr("overloaded"));
    }
  }
  EXPECT_EQ(admitted.size(), 8u);
  // The glet runs what is cut, one batch after another: every admitted request is served by
  // its deadline.
  TimePoint glet_free = t0;
  size_t served = 0;
  while (b.queued_requests() > 0) {
    const BatchDecision d = b.Decide(clock_.Now());
    EXPECT_TRUE(d.dropped.empty());
    if (!d.batch) {
      clock_.AdvanceTo(d.wake_at);
      continue;
    }
    const TimePoint end =
        std::max(glet_free, clock_.Now()) + TestConfig().batch_latency[d.batch->items - 1];
    for (const PendingRequest& r : d.batch->requests) {
      EXPECT_LE(end, r.deadline) << r.id;
      ++served;
    }
    glet_free = end;
  }
  EXPECT_EQ(served, admitted.size());
  EXPECT_EQ(glet_free, t0 + milliseconds(16));
}

// A request admitted in time can become hopeless behind work it did not know of (the other
// member of its glet cut a long batch): Decide sheds it before it is cut, and keeps the rest.
TEST_F(BatcherTest, QueuedRequestsThatCanNoLongerMakeItAreShedBeforeTheyRun) {
  auto glet = std::make_shared<GletLoad>();
  const TimePoint t0 = clock_.Now();
  glet->OnCut(t0, milliseconds(2));
  Batcher b = MakeBatcher(TestConfig(), glet);
  EnqueueOk(b, Req(1, milliseconds(15)));
  EnqueueOk(b, Req(2, milliseconds(40)));
  glet->OnCut(t0, milliseconds(10));  // now free at t0 + 12: request 1 would end at t0 + 17
  const BatchDecision d = b.Decide(t0);
  ASSERT_EQ(d.dropped.size(), 1u);
  EXPECT_EQ(d.dropped[0].request.id, 1u);
  EXPECT_EQ(d.dropped[0].reason, DropReason::kOverloaded);
  EXPECT_EQ(b.queued_requests(), 1u);
}

// Two models time-share a glet. Model A has a full batch ready, but running it first (8 ms)
// would make model B's request miss: B's batch must start by t0 + 6 (deadline t0 + 14, Lmax 8).
// A yields until B has cut, so B keeps its share; then A runs.
TEST_F(BatcherTest, TimeSharedGletKeepsEachMembersShare) {
  auto glet = std::make_shared<GletLoad>();
  const TimePoint t0 = clock_.Now();
  glet->OnCut(t0, milliseconds(4));  // a batch of someone's runs until t0 + 4
  Batcher a = MakeBatcher(TestConfig(), glet);
  Batcher b = MakeBatcher(TestConfig(), glet);
  EXPECT_EQ(glet->members(), 2);
  Admission ab = b.Enqueue(Req(100, milliseconds(14)), t0);
  ASSERT_TRUE(ab.queued) << ab.status.ToString();
  EXPECT_EQ(ab.due_at, t0 + milliseconds(4));  // when the glet is free
  for (RequestId id = 1; id <= 4; ++id) {
    EnqueueOk(a, Req(id));
  }
  BatchDecision da = a.Decide(t0);
  EXPECT_FALSE(da.batch.has_value()) << "A's full batch would push B past its latest start";
  EXPECT_GT(da.wake_at, t0 + milliseconds(6));
  EXPECT_LT(da.wake_at, t0 + milliseconds(7));
  clock_.AdvanceTo(t0 + milliseconds(4));
  const BatchDecision db = b.Decide(clock_.Now());
  ASSERT_TRUE(db.batch.has_value());
  EXPECT_EQ(db.batch->trigger, BatchTrigger::kIdle);  // B ends at t0 + 9 <= t0 + 14
  clock_.AdvanceTo(da.wake_at);
  da = a.Decide(clock_.Now());
  ASSERT_TRUE(da.batch.has_value());
  EXPECT_EQ(da.batch->trigger, BatchTrigger::kFull);
  EXPECT_EQ(glet->busy_until(), t0 + milliseconds(4 + 5 + 8));
}

// Two members whose head batches cannot both run in time in A-then-B order: A cut the glet's
// last batch, so it is B's turn; B runs as soon as the glet is free instead of waiting for A's
// latest start, and A, though its own deadline comes first, does not take the glet back from B
// (before, each waited for the other until A's deadline cut made B miss). A's head is then
// served as far as it still fits and the rest is shed.
TEST_F(BatcherTest, MemberThatCutLastDoesNotTakeTheGletBackByItsDeadline) {
  auto glet = std::make_shared<GletLoad>();
  const TimePoint t0 = clock_.Now();
  Batcher a = MakeBatcher(TestConfig(), glet);
  Batcher b = MakeBatcher(TestConfig(), glet);
  for (RequestId id = 1; id <= 4; ++id) {
    EnqueueOk(a, Req(id));
  }
  ASSERT_TRUE(a.Decide(t0).batch.has_value());  // A's full batch runs until t0 + 8
  for (RequestId id = 5; id <= 8; ++id) {
    EnqueueOk(a, Req(id, milliseconds(18)));  // A's head: latest start t0 + 10
  }
  EnqueueOk(b, Req(100, milliseconds(20)));  // B's: latest start t0 + 12
  const BatchDecision da = a.Decide(t0);
  EXPECT_FALSE(da.batch.has_value());
  EXPECT_GT(da.wake_at, t0 + milliseconds(12)) << "A must not cut at its own deadline (t0 + 10)";
  const BatchDecision wait_b = b.Decide(t0);
  EXPECT_FALSE(wait_b.batch.has_value());
  EXPECT_EQ(wait_b.wake_at, t0 + milliseconds(8)) << "B's turn: it runs when the glet is free";
  clock_.AdvanceTo(t0 + milliseconds(8));
  a.BatchAnswered(clock_.Now());
  const BatchDecision db = b.Decide(clock_.Now());
  ASSERT_TRUE(db.batch.has_value());
  EXPECT_EQ(Ids(*db.batch), std::vector<RequestId>{100});  // ends t0 + 13 <= t0 + 20
  const BatchDecision next_a = a.Decide(clock_.Now());     // behind B's batch, until t0 + 13
  ASSERT_TRUE(next_a.batch.has_value());
  EXPECT_EQ(Ids(*next_a.batch), std::vector<RequestId>{5});  // t0 + 13 + 5 <= t0 + 18
  ASSERT_EQ(next_a.dropped.size(), 3u);
  for (const DroppedRequest& d : next_a.dropped) {
    EXPECT_EQ(d.reason, DropReason::kOverloaded);
  }
}

// A batcher leaves its glet when destroyed or moved from: the members count follows.
TEST_F(BatcherTest, MembersJoinAndLeaveTheirGlet) {
  auto glet = std::make_shared<GletLoad>();
  {
    Batcher a = MakeBatcher(TestConfig(), glet);
    Batcher moved = std::move(a);
    EXPECT_EQ(glet->members(), 1);
    Batcher b = MakeBatcher(TestConfig(), glet);
    EXPECT_EQ(glet->members(), 2);
    b = MakeBatcher(TestConfig(), glet);  // the old b leaves, the new one joins
    EXPECT_EQ(glet->members(), 2);
  }
  EXPECT_EQ(glet->members(), 0);
}

// Model-level admission: the lane where a request would finish first takes it, if in time.
TEST_F(BatcherTest, SpareLanePicksTheLaneThatFinishesFirstInTime) {
  const TimePoint t0 = clock_.Now();
  Batcher busy = BusyBatcher(t0 + milliseconds(30));
  Batcher soon = BusyBatcher(t0 + milliseconds(3));
  Batcher idle = MakeBatcher();
  PendingRequest r = Req(1, milliseconds(20));
  EXPECT_EQ(SpareLane({&busy, &soon, &idle}, r, t0), 2);
  EXPECT_EQ(SpareLane({&busy, &soon}, r, t0), 1);
  EXPECT_EQ(SpareLane({&busy}, r, t0), -1);  // t0 + 35 > t0 + 20
  r.n = 5;                                   // more than any lane's batch size
  EXPECT_EQ(SpareLane({&idle}, r, t0), -1);
  EXPECT_TRUE(IsShed(DropReason::kOverloaded));
  EXPECT_TRUE(IsShed(DropReason::kQueueFull));
  EXPECT_FALSE(IsShed(DropReason::kSloUnreachable));
}

TEST(BatchTriggerTest, NamesAreMetricLabels) {
  EXPECT_EQ(BatchTriggerName(BatchTrigger::kFull), "full");
  EXPECT_EQ(BatchTriggerName(BatchTrigger::kDeadline), "deadline");
  EXPECT_EQ(BatchTriggerName(BatchTrigger::kIdle), "idle");
  EXPECT_EQ(BatchTriggerName(BatchTrigger::kDutyCycle), "duty_cycle");
}

}  // namespace
}  // namespace glet::serve
