// Batcher: the batching, admission and shedding policy of one model on one glet (a lane). It
// holds a bounded FIFO queue of PendingRequests and decides, as a pure function of its state,
// the glet's shared state (GletLoad) and the time it is given, when to cut a batch and which
// requests can no longer meet their deadlines. It never reads a clock, sleeps or starts threads
// ("policies compute, loops wait"): the serving loop waits until BatchDecision::wake_at or the
// next arrival, the simulator schedules an event at wake_at, tests pass a ManualClock's Now().
//
// Policy, with b = planned batch size, d = planned duty cycle, L(k) = expected latency of a batch
// of k items, Lmax = max L(k) for k <= b, and the glet's shared state G (GletLoad: when every
// batch cut for the glet so far is expected to be done, and each member's latest start):
//   - Prediction. A request of n items queued behind Q items can finish, at the earliest, at
//     F = S + j x P + L(r), where S = max(now, G.busy_until) is when the glet is free, j full
//     batches of b items are ahead of it in FIFO order, r is the size of its own batch (b when
//     j > 0: behind a full batch its own fills too), and P = L(b) per batch ahead (max(L(b), d)
//     on a time-shared glet, where each member gets one batch per duty cycle).
//     PredictFinish() says F for a request not queued yet.
//   - With `shed` off, nothing is refused or dropped as kOverloaded and batches are not capped
//     by deadline (the plan's batching alone, which serves late under overload).
//   - Enqueue (admission) refuses a request that cannot finish by its deadline even if run at
//     once alone (deadline passed: kDeadlineExpired; now + L(n) > deadline: kSloUnreachable),
//     one that could alone but not behind the work ahead (F > deadline: kOverloaded, shed before
//     it costs device time), or one that finds the queue full (kQueueFull). Requests with
//     n < 1 or n > b are refused as kInvalidArgument (failed, not dropped). Under overload the
//     queue so holds only what can still be served in time, and goodput stays at capacity.
//   - Decide(now) first drops queued requests that became hopeless (the same tests, in FIFO
//     order against the requests kept ahead of them), then cuts a batch from the head of the
//     queue: whole requests in FIFO order, at most b items, and no more than every request in
//     it can finish with (S + L(items) <= each one's deadline). While more than b items wait
//     (overload), batches stay full instead: the requests of the head batch that cannot finish
//     with a full batch are shed (kOverloaded, "early drop"), so throughput stays at capacity.
//     The head batch is due:
//       full      when it has b items or cannot grow (the next request does not fit in b, or
//                 would make one in the batch miss): at once;
//       deadline  by S_d = earliest deadline in the batch - Lmax (it would miss if it waited to
//                 grow; Lmax because it may still grow to b items), or at once if the glet is
//                 expected busy past S_d. The serving loop's wake-up margin (set_wakeup_margin:
//                 how late it tends to wake) moves S_d that much earlier;
//       idle      (work_conserving) when the glet is free (now >= G.busy_until): an idle glet
//                 runs what is queued instead of waiting to fill the planned batch; at load the
//                 glet is busy and the batch grows while it waits;
//       duty      at cycle start + d, where the cycle starts at the later of the last dispatch
//                 and the oldest queued request's arrival (the plan's bound at load).
//     On a time-shared glet, a cut that is not due by its own deadline (full, idle, duty) takes
//     turns with the other members that have work queued (GletLoad::MustYield: a member that
//     cut the last batch waits for them), and must not make another member miss: if it would
//     run past another member's published latest start, it waits for that member to cut first
//     (a yield lasts max(50 us, the wake-up margin) past the time the other is expected to cut:
//     its loop must wake up to cut), except for the member that cut last (it is this member's
//     turn). A cut due by its own deadline waits too when this member cut the last batch and
//     another member's batch, still in time, would miss behind it. So each member keeps its
//     share of the glet while another is overloaded. wake_at is when the next cut becomes due
//     (now if another batch is ready at once, TimePoint::max() when the queue is empty).
//   - Each cut batch of k items is expected to occupy the glet for L(k) after the batches cut
//     before it on the glet (GletLoad::OnCut); BatchAnswered(now) reports each answered batch,
//     and when none is left in flight the glet is free at that moment.
//   - Enqueue also says when the head batch is due after the arrival (Admission::due_at), so a
//     loop that waits for an earlier wake_at need not be woken by every arrival: only one that
//     makes the head due sooner changes what Decide() would answer.
//
// Thread safety: none for the batcher; the owner serialises calls (the frontend holds its model
// lock). The GletLoad it shares is thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "serve/glet_load.h"
#include "serve/request.h"

namespace glet::serve {

struct BatcherConfig {
  std::string model;                    // for messages
  int batch_size = 1;                   // b: most items in one batch, >= 1
  Duration duty_cycle{};                // d: > 0
  std::vector<Duration> batch_latency;  // [k-1] = L(k), expected latency of k items; >= b
                                        // entries, each > 0
  size_t max_queue_requests = 1024;     // queue bound, >= 1
  // The policy's two edges, both on by default; off, the batcher keeps to the plan as gpu-let's
  // does (a baseline for benchmarks, and hand-computed tests of the planned batching):
  bool work_conserving = true;  // the "idle" trigger
  bool shed = true;             // kOverloaded admission, early drop, batches capped by deadline
};

// Why a batch was cut (a metrics label: "full", "deadline", "idle", "duty_cycle").
enum class BatchTrigger { kFull, kDeadline, kIdle, kDutyCycle };
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
  // kInvalidArgument naming the model and the config field at fault. `glet` is the state shared
  // with the other batchers of the same glet (null: a glet of its own); the batcher joins it
  // and leaves it when destroyed.
  static Result<Batcher> Create(BatcherConfig config, std::shared_ptr<GletLoad> glet = nullptr);

  ~Batcher();
  Batcher(Batcher&& other) noexcept;
  Batcher& operator=(Batcher&& other) noexcept;
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

  // One batch this batcher cut was answered (served, dropped or failed) at `now`.
  void BatchAnswered(TimePoint now);
  // The earliest a request of n items queued now could finish (F above), for choosing among a
  // model's lanes. REQUIRES: 1 <= n <= b.
  TimePoint PredictFinish(int n, TimePoint now) const;
  // How late the caller's loop tends to wake after wake_at (>= 0; 0 at creation, kept by
  // UpdateConfig): the deadline trigger fires that much earlier.
  void set_wakeup_margin(Duration margin) { wakeup_margin_ = std::max(margin, Duration::zero()); }

  // Empties the queue, e.g. on shutdown or unload; every request is returned with `reason`.
  std::vector<DroppedRequest> DrainAll(DropReason reason);

  const BatcherConfig& config() const { return config_; }
  const std::shared_ptr<GletLoad>& glet_load() const { return glet_; }
  size_t queued_requests() const { return queue_.size(); }
  int queued_items() const { return queued_items_; }

 private:
  Batcher(BatcherConfig config, std::shared_ptr<GletLoad> glet);
  static Status Validate(const BatcherConfig& config);
  void SetConfig(BatcherConfig config);

  Duration LatencyFor(int items) const { return config_.batch_latency[items - 1]; }
  // When the glet is free for a batch cut now: max(now, its busy estimate).
  TimePoint GletFree(TimePoint now) const { return std::max(now, glet_->busy_until()); }
  // P: how long each full batch ahead holds a request back.
  Duration PerBatchAhead() const;
  // F for a request of n items behind `items_ahead` items, the glet free at `free`.
  TimePoint FinishBehind(int items_ahead, int n, TimePoint free) const;
  // kDeadlineExpired / kSloUnreachable if `r` cannot finish by its deadline when run at `now`.
  std::optional<DropReason> Hopeless(const PendingRequest& r, TimePoint now) const;
  // The batch the head of the queue would form if cut with the glet free at `free`; `full` if
  // it cannot grow any more (b items, or with `cap`, one more would make a request of it miss).
  struct Candidate {
    int items = 0;
    size_t requests = 0;
    bool full = false;
    TimePoint earliest_deadline = TimePoint::max();
  };
  Candidate HeadCandidate(TimePoint free, bool cap = true) const;
  // When the head batch `c` becomes due; `trigger` (if not null) says why.
  TimePoint DueAt(const Candidate& c, TimePoint now, TimePoint free,
                  BatchTrigger* trigger = nullptr) const;
  // The latest start of the head batch `c` (not empty): its earliest deadline - Lmax - the
  // wake-up margin.
  TimePoint LatestStart(const Candidate& c) const;
  // When the head batch becomes due by its deadline alone (see the policy).
  TimePoint DeadlineDueAt(const Candidate& c, TimePoint now, TimePoint free) const;
  // Tells the glet the latest start of the head batch (max when the queue is empty).
  void PublishLatestStart(const Candidate& c);

  BatcherConfig config_;
  Duration max_latency_{};  // Lmax
  std::deque<PendingRequest> queue_;
  int queued_items_ = 0;
  std::optional<TimePoint> last_dispatch_;  // unset before the first batch
  Duration wakeup_margin_{};
  std::shared_ptr<GletLoad> glet_;  // null only when moved from
  int slot_ = -1;                   // this batcher's member slot in glet_
};

// Drop reasons that only mean "not on this lane, now" (kOverloaded, kQueueFull): another glet of
// the model may still serve the request in time.
bool IsShed(DropReason reason);

// Model-level admission, after the router's pick refused a request as shed: of `lanes` (the
// model's other lanes in rotation), the index of the one where `request` would finish first
// (PredictFinish), if by its deadline and within that lane's batch size and queue bound; -1 if
// none would.
int SpareLane(const std::vector<const Batcher*>& lanes, const PendingRequest& request,
              TimePoint now);

}  // namespace glet::serve
