// GletLoad: what the batchers of one glet share about it. A glet may serve several models
// (time-sharing); each model has its own Batcher (lane), and each batcher's decisions depend on
// the glet as a whole: when it is expected to be free again (every member's batches run one
// after another on it), and how late each member's pending batch may start before it misses
// its deadline, so that one member never cuts a batch that would make another's miss.
//
//   - busy_until: the expected end of every batch cut for the glet so far, run back to back
//     from its cut (OnCut). An answer (OnAnswered) re-bases it: the glet runs its batches one at
//     a time in the order they were cut, so the ones still in flight end at now + the sum of
//     their expected latencies (when none is left, the glet is free now, whatever was
//     expected). So an estimate that ran short (a slower glet) does not leave a batch still in
//     flight unaccounted for.
//   - latest starts: each member (Join) publishes the latest time its pending head batch may
//     start (SetLatestStart; TimePoint::max() when it has nothing queued);
//     OthersLatestStart(slot) is the earliest of the other members'.
//   - turns: MustYield(slot) is true when that member cut the glet's last batch and another
//     member has work queued: members with work take turns (round robin), so one member's
//     overload cannot take the others' share of the glet. A member whose turn it is (another
//     cut last) does not wait for the latest start of the member that cut last
//     (LatestStartOfWaitingTurns), and the member that cut last waits for it even when its own
//     deadline is near, as long as its cut would make the other miss (Batcher::DueAt).
//
// Pure state (no clock, no threads): callers pass `now`. Thread safety: every method may be
// called from any thread (lanes of different models share one GletLoad); the internal mutex is
// a leaf lock, taken last and held only inside these calls.
#pragma once

#include <deque>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"

namespace glet::serve {

class GletLoad {
 public:
  GletLoad() = default;
  GletLoad(const GletLoad&) = delete;
  GletLoad& operator=(const GletLoad&) = delete;

  // A member joins (returns its slot) or leaves (its latest start no longer counts).
  int Join();
  void Leave(int slot);
  int members() const;

  // Member `slot` cut a batch expected to take `latency` at `now`: it runs after the batches
  // cut before.
  void OnCut(TimePoint now, Duration latency, int slot = -1);
  // One cut batch was answered (served, dropped or failed) at `now`.
  void OnAnswered(TimePoint now);
  // When the glet is expected to have run every batch cut so far (min() before the first).
  TimePoint busy_until() const;
  int in_flight() const;

  // Member `slot` has work queued whose head batch must start by `latest_start` (max() and
  // nothing queued when it has none).
  void SetLatestStart(int slot, TimePoint latest_start);
  // See "turns" above.
  bool MustYield(int slot) const;
  // The earliest latest start published by the members other than `slot` (max() if none).
  TimePoint OthersLatestStart(int slot) const;
  // The same, leaving out the member that cut the glet's last batch too: when another member
  // cut last, it is `slot`'s turn, and that member's latest start does not hold `slot` back.
  TimePoint LatestStartOfWaitingTurns(int slot) const;

 private:
  mutable Mutex mu_;
  TimePoint busy_until_ GLET_GUARDED_BY(mu_) = TimePoint::min();
  std::deque<Duration> in_flight_ GLET_GUARDED_BY(mu_);  // expected latencies, in cut order
  int last_cut_slot_ GLET_GUARDED_BY(mu_) = -1;
  // Per slot: the member's latest start; `present` false for a free slot.
  struct Member {
    bool present = false;
    TimePoint latest_start = TimePoint::max();
  };
  std::vector<Member> members_ GLET_GUARDED_BY(mu_);
};

}  // namespace glet::serve
