#include "serve/outage_queue.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

namespace glet::serve {

OutageQueue::OutageQueue(std::string model, size_t max_requests)
    : model_(std::move(model)), max_requests_(std::max<size_t>(1, max_requests)) {}

void OutageQueue::SetLatency(std::vector<Duration> best_latency) {
  latency_ = std::move(best_latency);
}

Duration OutageQueue::LatencyFor(int items) const {
  if (latency_.empty()) {
    return Duration::zero();
  }
  const size_t k =
      static_cast<size_t>(std::clamp<int>(items, 1, static_cast<int>(latency_.size())));
  return latency_[k - 1];
}

Admission OutageQueue::Hold(PendingRequest request, TimePoint now) {
  Admission admission;
  std::optional<DropReason> reason;
  if (request.deadline <= now) {
    reason = DropReason::kDeadlineExpired;
  } else if (now >= GiveUpAt(request)) {
    reason = DropReason::kSloUnreachable;
  } else if (queue_.size() >= max_requests_) {
    reason = DropReason::kQueueFull;
  }
  if (reason) {
    admission.drop_reason = reason;
    admission.status = DropStatus(request, *reason);
    return admission;
  }
  queue_.push_back(std::move(request));
  admission.queued = true;
  return admission;
}

OutageDecision OutageQueue::Expire(TimePoint now) {
  OutageDecision decision;
  size_t kept = 0;
  for (size_t i = 0; i < queue_.size(); ++i) {
    const TimePoint give_up = GiveUpAt(queue_[i]);
    if (now >= give_up) {
      decision.dropped.push_back({std::move(queue_[i]), DropReason::kNoGlet});
      continue;
    }
    decision.wake_at = std::min(decision.wake_at, give_up);
    if (kept != i) {
      queue_[kept] = std::move(queue_[i]);
    }
    ++kept;
  }
  queue_.resize(kept);
  return decision;
}

TimePoint OutageQueue::wake_at() const {
  TimePoint wake = TimePoint::max();
  for (const PendingRequest& r : queue_) {
    wake = std::min(wake, GiveUpAt(r));
  }
  return wake;
}

std::vector<PendingRequest> OutageQueue::ReleaseAll() {
  std::vector<PendingRequest> out(std::make_move_iterator(queue_.begin()),
                                  std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

std::vector<DroppedRequest> OutageQueue::DrainAll(DropReason reason) {
  std::vector<DroppedRequest> out;
  out.reserve(queue_.size());
  for (PendingRequest& r : queue_) {
    out.push_back({std::move(r), reason});
  }
  queue_.clear();
  return out;
}

}  // namespace glet::serve
