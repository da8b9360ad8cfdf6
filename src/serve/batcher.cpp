#include "serve/batcher.h"

#include <algorithm>
#include <string>
#include <utility>

namespace glet::serve {

std::string_view BatchTriggerName(BatchTrigger trigger) {
  switch (trigger) {
    case BatchTrigger::kFull:
      return "full";
    case BatchTrigger::kDeadline:
      return "deadline";
    case BatchTrigger::kDutyCycle:
      return "duty_cycle";
  }
  return "unknown";
}

Status Batcher::Validate(const BatcherConfig& config) {
  const std::string where = "batcher for model '" + config.model + "': ";
  if (config.batch_size < 1) {
    return InvalidArgumentError(where + "batch_size: must be >= 1 (got " +
                                std::to_string(config.batch_size) + ")");
  }
  if (config.duty_cycle <= Duration::zero()) {
    return InvalidArgumentError(where + "duty_cycle_ms: must be > 0 (got " +
                                std::to_string(ToMillis(config.duty_cycle)) + ")");
  }
  if (config.batch_latency.size() < static_cast<size_t>(config.batch_size)) {
    return InvalidArgumentError(
        where + "batch_latency: has " + std::to_string(config.batch_latency.size()) +
        " entries, needs one per batch size up to " + std::to_string(config.batch_size));
  }
  for (int k = 1; k <= config.batch_size; ++k) {
    if (config.batch_latency[k - 1] <= Duration::zero()) {
      return InvalidArgumentError(where + "batch_latency: batch " + std::to_string(k) +
                                  ": must be > 0 ms (got " +
                                  std::to_string(ToMillis(config.batch_latency[k - 1])) + ")");
    }
  }
  if (config.max_queue_requests < 1) {
    return InvalidArgumentError(where + "max_queue_requests: must be >= 1 (got 0)");
  }
  return Status::Ok();
}

Result<Batcher> Batcher::Create(BatcherConfig config) {
  GLET_RETURN_IF_ERROR(Validate(config));
  return Batcher(std::move(config));
}

Batcher::Batcher(BatcherConfig config) : config_(std::move(config)) {
  max_latency_ = *std::max_element(config_.batch_latency.begin(),
                                   config_.batch_latency.begin() + config_.batch_size);
}

std::optional<DropReason> Batcher::Hopeless(const PendingRequest& r, TimePoint now) const {
  if (r.deadline <= now) {
    return DropReason::kDeadlineExpired;
  }
  if (now + LatencyFor(r.n) > r.deadline) {
    return DropReason::kSloUnreachable;
  }
  return std::nullopt;
}

Admission Batcher::Enqueue(PendingRequest request, TimePoint now) {
  Admission admission;
  if (request.n < 1 || request.n > config_.batch_size) {
    admission.status = InvalidArgumentError(
        "model " + request.model + ": request " + std::to_string(request.id) +
        ": n=" + std::to_string(request.n) + " items: must be between 1 and the batch size " +
        std::to_string(config_.batch_size));
    return admission;
  }
  std::optional<DropReason> reason = Hopeless(request, now);
  if (!reason && queue_.size() >= config_.max_queue_requests) {
    reason = DropReason::kQueueFull;
  }
  if (reason) {
    admission.drop_reason = reason;
    admission.status = DropStatus(request, *reason);
    return admission;
  }
  queued_items_ += request.n;
  queue_.push_back(std::move(request));
  admission.queued = true;
  admission.due_at = DueAt(HeadCandidate(), now);
  return admission;
}

Batcher::Candidate Batcher::HeadCandidate() const {
  Candidate c;
  for (const PendingRequest& r : queue_) {
    if (c.items + r.n > config_.batch_size) {
      c.full = true;
      break;
    }
    c.items += r.n;
    ++c.requests;
    c.earliest_deadline = std::min(c.earliest_deadline, r.deadline);
  }
  if (c.items == config_.batch_size) {
    c.full = true;
  }
  return c;
}

TimePoint Batcher::DueAt(const Candidate& c, TimePoint now) const {
  if (c.requests == 0) {
    return TimePoint::max();
  }
  if (c.full) {
    return now;
  }
  TimePoint cycle_start = queue_.front().arrival;
  if (last_dispatch_ && *last_dispatch_ > cycle_start) {
    cycle_start = *last_dispatch_;
  }
  const TimePoint by_duty = cycle_start + config_.duty_cycle;
  return std::min(by_duty, DeadlineDueAt(c, now));
}

TimePoint Batcher::DeadlineDueAt(const Candidate& c, TimePoint now) const {
  const TimePoint latest_start = c.earliest_deadline - max_latency_ - wakeup_margin_;
  return busy_until_ > latest_start ? now : latest_start;
}

void Batcher::GletIdle(TimePoint now) { busy_until_ = std::min(busy_until_, now); }

BatchDecision Batcher::Decide(TimePoint now) {
  BatchDecision decision;
  // Drop what can no longer make it, compacting the rest in FIFO order (no allocation when
  // nothing is dropped).
  size_t kept = 0;
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (std::optional<DropReason> reason = Hopeless(queue_[i], now)) {
      queued_items_ -= queue_[i].n;
      decision.dropped.push_back({std::move(queue_[i]), *reason});
    } else {
      if (kept != i) {
        queue_[kept] = std::move(queue_[i]);
      }
      ++kept;
    }
  }
  queue_.resize(kept);

  const Candidate head = HeadCandidate();
  const TimePoint due = DueAt(head, now);
  if (due > now) {
    decision.wake_at = due;
    return decision;
  }
  // Cut the head batch; name the trigger that made it due.
  Batch batch;
  if (head.full) {
    batch.trigger = BatchTrigger::kFull;
  } else if (now >= DeadlineDueAt(head, now)) {
    batch.trigger = BatchTrigger::kDeadline;
  } else {
    batch.trigger = BatchTrigger::kDutyCycle;
  }
  batch.items = head.items;
  batch.requests.reserve(head.requests);
  for (size_t i = 0; i < head.requests; ++i) {
    batch.requests.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_items_ -= head.items;
  last_dispatch_ = now;
  busy_until_ = std::max(busy_until_, now) + LatencyFor(head.items);
  decision.batch = std::move(batch);
  decision.wake_at = DueAt(HeadCandidate(), now);
  return decision;
}

Result<std::vector<DroppedRequest>> Batcher::UpdateConfig(BatcherConfig config) {
  GLET_RETURN_IF_ERROR(Validate(config));
  Batcher updated(std::move(config));
  updated.last_dispatch_ = last_dispatch_;
  updated.busy_until_ = busy_until_;
  updated.wakeup_margin_ = wakeup_margin_;
  std::vector<DroppedRequest> dropped;
  for (PendingRequest& r : queue_) {
    if (r.n > updated.config_.batch_size) {
      dropped.push_back({std::move(r), DropReason::kSloUnreachable});
    } else if (updated.queue_.size() >= updated.config_.max_queue_requests) {
      dropped.push_back({std::move(r), DropReason::kQueueFull});
    } else {
      updated.queued_items_ += r.n;
      updated.queue_.push_back(std::move(r));
    }
  }
  *this = std::move(updated);
  return dropped;
}

std::vector<DroppedRequest> Batcher::DrainAll(DropReason reason) {
  std::vector<DroppedRequest> dropped;
  dropped.reserve(queue_.size());
  for (PendingRequest& r : queue_) {
    dropped.push_back({std::move(r), reason});
  }
  queue_.clear();
  queued_items_ = 0;
  return dropped;
}

}  // namespace glet::serve
