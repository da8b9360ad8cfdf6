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
    case BatchTrigger::kIdle:
      return "idle";
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

namespace {

// How long at least a cut that yields to another member of a time-shared glet (its turn, or its
// latest start) waits past the time that member is expected to cut, before looking again (longer
// when the loops wake up late: the wake-up margin).
constexpr Duration kYield = std::chrono::microseconds(50);

}  // namespace

Result<Batcher> Batcher::Create(BatcherConfig config, std::shared_ptr<GletLoad> glet) {
  GLET_RETURN_IF_ERROR(Validate(config));
  return Batcher(std::move(config), std::move(glet));
}

Batcher::Batcher(BatcherConfig config, std::shared_ptr<GletLoad> glet) : glet_(std::move(glet)) {
  if (glet_ == nullptr) {
    glet_ = std::make_shared<GletLoad>();
  }
  slot_ = glet_->Join();
  SetConfig(std::move(config));
}

Batcher::~Batcher() {
  if (glet_ != nullptr) {
    glet_->Leave(slot_);
  }
}

Batcher::Batcher(Batcher&& other) noexcept
    : config_(std::move(other.config_)),
      max_latency_(other.max_latency_),
      queue_(std::move(other.queue_)),
      queued_items_(std::exchange(other.queued_items_, 0)),
      last_dispatch_(other.last_dispatch_),
      wakeup_margin_(other.wakeup_margin_),
      glet_(std::move(other.glet_)),
      slot_(std::exchange(other.slot_, -1)) {}

Batcher& Batcher::operator=(Batcher&& other) noexcept {
  if (this != &other) {
    if (glet_ != nullptr) {
      glet_->Leave(slot_);
    }
    config_ = std::move(other.config_);
    max_latency_ = other.max_latency_;
    queue_ = std::move(other.queue_);
    queued_items_ = std::exchange(other.queued_items_, 0);
    last_dispatch_ = other.last_dispatch_;
    wakeup_margin_ = other.wakeup_margin_;
    glet_ = std::move(other.glet_);
    slot_ = std::exchange(other.slot_, -1);
  }
  return *this;
}

void Batcher::SetConfig(BatcherConfig config) {
  config_ = std::move(config);
  max_latency_ = *std::max_element(config_.batch_latency.begin(),
                                   config_.batch_latency.begin() + config_.batch_size);
}

Duration Batcher::PerBatchAhead() const {
  const Duration full = LatencyFor(config_.batch_size);
  return glet_->members() > 1 ? std::max(full, config_.duty_cycle) : full;
}

TimePoint Batcher::FinishBehind(int items_ahead, int n, TimePoint free) const {
  const int b = config_.batch_size;
  int batches = items_ahead / b;
  int rest = items_ahead % b;
  if (rest + n > b) {
    ++batches;
    rest = 0;
  }
  // Behind a full batch the queue is long: its own batch is expected to fill too.
  return free + batches * PerBatchAhead() + LatencyFor(batches > 0 ? b : rest + n);
}

TimePoint Batcher::PredictFinish(int n, TimePoint now) const {
  return FinishBehind(queued_items_, n, GletFree(now));
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
  const TimePoint free = GletFree(now);
  std::optional<DropReason> reason = Hopeless(request, now);
  if (!reason && config_.shed && FinishBehind(queued_items_, request.n, free) > request.deadline) {
    reason = DropReason::kOverloaded;
  }
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
  const Candidate head = HeadCandidate(free);
  admission.due_at = DueAt(head, now, free);
  PublishLatestStart(head);
  return admission;
}

Batcher::Candidate Batcher::HeadCandidate(TimePoint free, bool cap) const {
  Candidate c;
  for (const PendingRequest& r : queue_) {
    if (c.items + r.n > config_.batch_size) {
      c.full = true;
      break;
    }
    const TimePoint earliest = std::min(c.earliest_deadline, r.deadline);
    if (cap && config_.shed && c.requests > 0 && free + LatencyFor(c.items + r.n) > earliest) {
      c.full = true;  // growing would make a request of the batch miss
      break;
    }
    c.items += r.n;
    ++c.requests;
    c.earliest_deadline = earliest;
  }
  if (c.items == config_.batch_size) {
    c.full = true;
  }
  return c;
}

TimePoint Batcher::DueAt(const Candidate& c, TimePoint now, TimePoint free,
                         BatchTrigger* trigger) const {
  if (c.requests == 0) {
    return TimePoint::max();
  }
  const TimePoint by_deadline = DeadlineDueAt(c, now, free);
  TimePoint eager = now;
  BatchTrigger why = BatchTrigger::kFull;
  if (!c.full) {
    TimePoint cycle_start = queue_.front().arrival;
    if (last_dispatch_ && *last_dispatch_ > cycle_start) {
      cycle_start = *last_dispatch_;
    }
    const TimePoint by_duty = cycle_start + config_.duty_cycle;
    if (config_.work_conserving && free <= by_duty) {
      eager = free;  // work-conserving: when the glet is free
      why = BatchTrigger::kIdle;
    } else {
      eager = by_duty;
      why = BatchTrigger::kDutyCycle;
    }
  }
  // On a time-shared glet the members with work take turns, and a cut must not push another
  // member past the latest start of its batch. The other member's loop needs time to wake and
  // cut: as long as this loop's own wake-ups run late (the wake-up margin), at least kYield.
  const Duration grace = std::max(kYield, wakeup_margin_);
  const bool must_yield = glet_->MustYield(slot_);
  if (eager < by_deadline && glet_->OthersLatestStart(slot_) != TimePoint::max()) {
    // Not forced by its own deadline. When another member cut last it is this member's turn,
    // and that member's latest start does not hold it back (else two members could each wait
    // for the other until one's deadline forced a cut that made the other miss).
    if (must_yield) {
      eager = std::max(eager, free) + grace;
    }
    const TimePoint others = glet_->LatestStartOfWaitingTurns(slot_);
    if (others != TimePoint::max() && std::max(eager, free) + LatencyFor(c.items) > others) {
      eager = std::max({eager, others, now}) + grace;
    }
  }
  if (by_deadline < eager || (by_deadline == eager && !c.full)) {
    eager = by_deadline;
    why = BatchTrigger::kDeadline;
    if (must_yield) {
      // Its own deadline is near, but this member cut the glet's last batch: it does not take
      // the glet again from a member whose turn it is and whose batch can still make it but
      // would not behind this one (an overloaded member keeps to its share; its head is shed
      // if it can no longer make it).
      const TimePoint others = glet_->OthersLatestStart(slot_);
      if (others != TimePoint::max() && others >= now &&
          std::max(now, free) + LatencyFor(c.items) > others) {
        eager = others + grace;
      }
    }
  }
  if (trigger != nullptr) {
    *trigger = why;
  }
  return std::max(eager, now);
}

TimePoint Batcher::LatestStart(const Candidate& c) const {
  return c.earliest_deadline - max_latency_ - wakeup_margin_;
}

TimePoint Batcher::DeadlineDueAt(const Candidate& c, TimePoint now, TimePoint free) const {
  const TimePoint latest_start = LatestStart(c);
  return free > latest_start ? now : latest_start;
}

void Batcher::PublishLatestStart(const Candidate& c) {
  glet_->SetLatestStart(slot_, c.requests == 0 ? TimePoint::max() : LatestStart(c));
}

void Batcher::BatchAnswered(TimePoint now) { glet_->OnAnswered(now); }

BatchDecision Batcher::Decide(TimePoint now) {
  BatchDecision decision;
  // Drop what can no longer make it behind the requests kept ahead of it, compacting the rest
  // in FIFO order (no allocation when nothing is dropped).
  const TimePoint free = GletFree(now);
  size_t kept = 0;
  int items_ahead = 0;
  for (size_t i = 0; i < queue_.size(); ++i) {
    std::optional<DropReason> reason = Hopeless(queue_[i], now);
    if (!reason && config_.shed &&
        FinishBehind(items_ahead, queue_[i].n, free) > queue_[i].deadline) {
      reason = DropReason::kOverloaded;
    }
    if (reason) {
      queued_items_ -= queue_[i].n;
      decision.dropped.push_back({std::move(queue_[i]), *reason});
    } else {
      items_ahead += queue_[i].n;
      if (kept != i) {
        queue_[kept] = std::move(queue_[i]);
      }
      ++kept;
    }
  }
  queue_.resize(kept);
  // More than a batch waits (overload): batches stay full, for throughput. The requests of the
  // head batch that cannot wait for a full one are shed (early drop), rather than the batch cut
  // short for them.
  while (config_.shed && queued_items_ > config_.batch_size) {
    Candidate window = HeadCandidate(free, /*cap=*/false);
    const TimePoint end = free + LatencyFor(window.items);
    if (window.earliest_deadline >= end) {
      break;
    }
    for (size_t i = 0; i < window.requests;) {
      if (queue_[i].deadline < end) {
        queued_items_ -= queue_[i].n;
        decision.dropped.push_back({std::move(queue_[i]), DropReason::kOverloaded});
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
        --window.requests;
      } else {
        ++i;
      }
    }
  }

  const Candidate head = HeadCandidate(free);
  BatchTrigger trigger = BatchTrigger::kFull;
  const TimePoint due = DueAt(head, now, free, &trigger);
  if (due > now) {
    decision.wake_at = due;
    PublishLatestStart(head);
    return decision;
  }
  Batch batch;
  batch.trigger = trigger;
  batch.items = head.items;
  batch.requests.reserve(head.requests);
  for (size_t i = 0; i < head.requests; ++i) {
    batch.requests.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_items_ -= head.items;
  last_dispatch_ = now;
  glet_->OnCut(now, LatencyFor(head.items), slot_);
  decision.batch = std::move(batch);
  const TimePoint next_free = GletFree(now);
  const Candidate next = HeadCandidate(next_free);
  decision.wake_at = DueAt(next, now, next_free);
  PublishLatestStart(next);
  return decision;
}

Result<std::vector<DroppedRequest>> Batcher::UpdateConfig(BatcherConfig config) {
  GLET_RETURN_IF_ERROR(Validate(config));
  SetConfig(std::move(config));
  std::deque<PendingRequest> old;
  old.swap(queue_);
  queued_items_ = 0;
  std::vector<DroppedRequest> dropped;
  for (PendingRequest& r : old) {
    if (r.n > config_.batch_size) {
      dropped.push_back({std::move(r), DropReason::kSloUnreachable});
    } else if (queue_.size() >= config_.max_queue_requests) {
      dropped.push_back({std::move(r), DropReason::kQueueFull});
    } else {
      queued_items_ += r.n;
      queue_.push_back(std::move(r));
    }
  }
  PublishLatestStart(HeadCandidate(glet_->busy_until()));
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
  PublishLatestStart(Candidate{});
  return dropped;
}

bool IsShed(DropReason reason) {
  return reason == DropReason::kOverloaded || reason == DropReason::kQueueFull;
}

int SpareLane(const std::vector<const Batcher*>& lanes, const PendingRequest& request,
              TimePoint now) {
  int best = -1;
  TimePoint best_finish = TimePoint::max();
  for (size_t i = 0; i < lanes.size(); ++i) {
    const Batcher& b = *lanes[i];
    if (request.n < 1 || request.n > b.config().batch_size ||
        b.queued_requests() >= b.config().max_queue_requests) {
      continue;
    }
    const TimePoint finish = b.PredictFinish(request.n, now);
    if (finish <= request.deadline && finish < best_finish) {
      best = static_cast<int>(i);
      best_finish = finish;
    }
  }
  return best;
}

}  // namespace glet::serve
