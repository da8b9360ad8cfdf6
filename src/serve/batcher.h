// Batcher: the batching and dropping policy of one model (or one model's share on a glet). It
// holds a bounded FIFO queue of PendingRequests and decides, as a pure function of its state and
// the time it is given, when to cut a batch and which requests can no longer meet their
// deadlines. It never reads a clock, sleeps or starts threads ("policies compute, loops wait"):
// the serving loop waits until BatchDecision::wake_at or the next arrival, the simulator
// schedules an event at wake_at, tests pass a ManualClock's Now().
//
// Policy, with b = planned batch size, d = planned duty cycle, L(k) = expected latency of a batch
// of k items and Lmax = max L(k) for k <= b:
//   - Enqueue drops a request that cannot finish by its deadline even if run at once alone
//     (now + L(n) > deadline: kSloUnreachable; deadline already passed: kDeadlineExpired), or
//     that finds the queue full (kQueueFull). Requests with n < 1 or n > b are refused as
//     kInvalidArgument (failed, not dropped).
//   - Decide(now) first drops queued requests that became hopeless (same two tests), then cuts a
//     batch from the head of the queue (FIFO, whole requests, at most b items):
//       full      the batch has b items or the next request does not fit: at once;
//       deadline  the batch must start by S = earliest deadline in the batch - Lmax (it would
//                 miss if it waited to grow; Lmax because it may still grow to b items): due at
//                 S, or at once if the glet is expected to be busy past S with the batches this
//                 batcher cut before (see below): the batch cannot start by S anyway, and
//                 waiting would only let it grow and run longer. The serving loop's wake-up
//                 margin (set_wakeup_margin: how late it tends to wake) moves S that much
//                 earlier, so a loop that wakes late still starts the batch in time;
//       duty      now >= cycle start + d, where the cycle starts at the later of the last
//                 dispatch and the oldest queued request's arrival.
//     wake_at is when the next of these becomes due (now if another batch is ready at once,
//     TimePoint::max() when the queue is empty).
//   - Busy estimate: each cut batch of k items is expected to occupy the glet for L(k) after the
//     batches cut before it (back to back, from the cut); GletIdle(now) tells the batcher that
//     every batch it cut has been answered, so the glet is free now. Only the deadline trigger
//     uses it (a batch behind a running one is cut that much sooner); dropping stays the
//     no-queueing test above.
//   - Enqueue also says when the head batch is due after the arrival (Admission::due_at), so a
//     loop that waits for an earlier wake_at need not be woken by every arrival: only one that
//     makes the head due sooner (it started the queue, filled the batch, or has an earlier
//     deadline) changes what Decide() would answer.
//
// Thread safety: none; the owner serialises calls (the frontend holds its model lock).
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "serve/request.h"

namespace glet::serve {

struct BatcherConfig {
  std::string model;                    // for messages
  int batch_size = 1;                   // b: most items in one batch, >= 1
  Duration duty_cycle{};                // d: > 0
  std::vector<Duration> batch_latency;  // [k-1] = L(k), expected latency of k items; >= b
                                        // entries, each > 0
  size_t max_queue_requests = 1024;     // queue bound, >= 1
};

// Why a batch was cut (a metrics label: "full", "deadline", "duty_cycle").
enum class BatchTrigger { kFull, kDeadline, kDutyCycle };
std::string_view BatchTriggerName(BatchTrigger trigger);

struct Batch {
  std::vector<PendingRequest> requests;  // FIFO order
  int items = 0;                         // sum of requests[].n, 1..b
  BatchTrigger trigger = BatchTrigger::kFull;
};

struct BatchDecision {
  std::optional<Batch> batch;            // the batch to run now, if any
  TimePoint wake_at = TimePoint::max();  // call Decide() again by then (or on an arrival)
  std::vector<DroppedRequest> dropped;   // requests given up on by this call
};

// What Enqueue did with a request.
struct Admission {
  bool queued = false;
  // Set when the request was dropped; `status` is then DropStatus(request, *drop_reason).
  std::optional<DropReason> drop_reason;
  // OK when queued; else what the client is told (kInvalidArgument for a bad n: failed).
  Status status;
  // When queued: when the head batch becomes due now that the request is in the queue (now if
  // a batch is ready); TimePoint::max() when not queued.
  TimePoint due_at = TimePoint::max();
};

class Batcher {
 public:
  // kInvalidArgument naming the model and the config field at fault.
  static Result<Batcher> Create(BatcherConfig config);

  Batcher(Batcher&&) = default;
  Batcher& operator=(Batcher&&) = default;
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Queues `request` or refuses it (see the policy above). A refused request is not kept.
  Admission Enqueue(PendingRequest request, TimePoint now);

  // Drops hopeless requests and cuts at most one batch. Call again at wake_at, after an
  // arrival, and at once when wake_at <= now.
  BatchDecision Decide(TimePoint now);

  // Re-planning: new batch size, duty cycle, latencies and bound. Queued requests stay, except
  // those with n > the new b (dropped: kSloUnreachable, they cannot run under the new plan) and
  // the newest beyond a smaller bound (dropped: kQueueFull). kInvalidArgument as Create(), and
  // then the batcher is unchanged.
  Result<std::vector<DroppedRequest>> UpdateConfig(BatcherConfig config);

  // Every batch cut so far has been answered at `now`: the glet is free (see "Busy estimate").
  void GletIdle(TimePoint now);
  // How late the caller's loop tends to wake after wake_at (>= 0; 0 at creation, kept by
  // UpdateConfig): the deadline trigger fires that much earlier.
  void set_wakeup_margin(Duration margin) { wakeup_margin_ = std::max(margin, Duration::zero()); }

  // Empties the queue, e.g. on shutdown or unload; every request is returned with `reason`.
  std::vector<DroppedRequest> DrainAll(DropReason reason);

  const BatcherConfig& config() const { return config_; }
  size_t queued_requests() const { return queue_.size(); }
  int queued_items() const { return queued_items_; }

 private:
  explicit Batcher(BatcherConfig config);
  static Status Validate(const BatcherConfig& config);

  Duration LatencyFor(int items) const { return config_.batch_latency[items - 1]; }
  // kDeadlineExpired / kSloUnreachable if `r` cannot finish by its deadline when run at `now`.
  std::optional<DropReason> Hopeless(const PendingRequest& r, TimePoint now) const;
  // Items and request count of the batch the head of the queue would form; `full` if it cannot
  // grow any more.
  struct Candidate {
    int items = 0;
    size_t requests = 0;
    bool full = false;
    TimePoint earliest_deadline = TimePoint::max();
  };
  Candidate HeadCandidate() const;
  // When the head batch becomes due by deadline or duty cycle (now if full).
  TimePoint DueAt(const Candidate& c, TimePoint now) const;
  // When the head batch becomes due by its deadline alone (see the policy).
  TimePoint DeadlineDueAt(const Candidate& c, TimePoint now) const;

  BatcherConfig config_;
  Duration max_latency_{};  // Lmax
  std::deque<PendingRequest> queue_;
  int queued_items_ = 0;
  std::optional<TimePoint> last_dispatch_;   // unset before the first batch
  TimePoint busy_until_ = TimePoint::min();  // the glet's expected end of the batches cut
  Duration wakeup_margin_{};
};

}  // namespace glet::serve
