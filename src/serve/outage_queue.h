// OutageQueue: the requests of one model that wait while none of the model's glets is up — a
// proxy restarting after a crash, a node switched over to a new plan without overlap (its old
// glet stops before the new one is ready). Like the Batcher it is a pure policy: a bounded FIFO
// that decides, from the time it is given, which waiting requests can no longer make their
// deadline. It never reads a clock, sleeps or starts threads: the frontend holds a request here
// instead of failing it, releases the queue to the model's lanes when a glet comes back, and its
// hold loop waits until wake_at() to give up on the hopeless.
//
// A held request still needs, once a glet is back, the fastest planned latency of its size on
// any glet of the model, L(n) (SetLatency(): the frontend passes the element-wise minimum over
// the model's lanes; sizes beyond the table use its last entry; an empty table counts as 0). It
// is given up on once now + L(n) >= deadline:
//   - Hold(): kDeadlineExpired if the deadline has passed, else kSloUnreachable (it could not
//     make it even if a glet were up right now); kQueueFull when max_requests already wait.
//   - Expire(now): kNoGlet — it waited for a glet that did not come back in time.
// ReleaseAll() hands back every held request in arrival order (to be routed again);
// DrainAll(reason) gives up on all of them (model unloaded, shutdown).
//
// Thread safety: none; the owner serialises calls (the frontend holds its model lock).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "core/clock.h"
#include "serve/batcher.h"
#include "serve/request.h"

namespace glet::serve {

struct OutageDecision {
  std::vector<DroppedRequest> dropped;   // given up on by this call (kNoGlet)
  TimePoint wake_at = TimePoint::max();  // call Expire() again by then; max() when empty
};

class OutageQueue {
 public:
  // `model` is for messages; at most `max_requests` (>= 1; 0 is taken as 1) wait at once.
  OutageQueue(std::string model, size_t max_requests);

  // [k-1] = the fastest planned latency of a batch of k items on any glet of the model.
  void SetLatency(std::vector<Duration> best_latency);

  // Holds `request` until ReleaseAll() or refuses it (see above). A refused request is not kept;
  // its Admission carries the reason and DropStatus().
  Admission Hold(PendingRequest request, TimePoint now);
  // Gives up on the held requests that can no longer make their deadline.
  OutageDecision Expire(TimePoint now);
  // When Expire() next has something to do (TimePoint::max() when nothing is held).
  TimePoint wake_at() const;
  // When `r`, once held, is given up on: its deadline - L(n).
  TimePoint GiveUpAt(const PendingRequest& r) const { return r.deadline - LatencyFor(r.n); }

  std::vector<PendingRequest> ReleaseAll();
  std::vector<DroppedRequest> DrainAll(DropReason reason);

  size_t size() const { return queue_.size(); }
  bool empty() const { return queue_.empty(); }

 private:
  Duration LatencyFor(int items) const;

  std::string model_;
  size_t max_requests_ = 1;
  std::vector<Duration> latency_;
  std::deque<PendingRequest> queue_;
};

}  // namespace glet::serve
