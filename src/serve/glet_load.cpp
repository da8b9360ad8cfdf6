#include "serve/glet_load.h"

#include <algorithm>

namespace glet::serve {

int GletLoad::Join() {
  MutexLock lock(mu_);
  for (size_t i = 0; i < members_.size(); ++i) {
    if (!members_[i].present) {
      members_[i] = Member{true, TimePoint::max()};
      return static_cast<int>(i);
    }
  }
  members_.push_back(Member{true, TimePoint::max()});
  return static_cast<int>(members_.size() - 1);
}

void GletLoad::Leave(int slot) {
  MutexLock lock(mu_);
  if (slot >= 0 && static_cast<size_t>(slot) < members_.size()) {
    members_[slot] = Member{};
  }
}

int GletLoad::members() const {
  MutexLock lock(mu_);
  return static_cast<int>(
      std::count_if(members_.begin(), members_.end(), [](const Member& m) { return m.present; }));
}

void GletLoad::OnCut(TimePoint now, Duration latency, int slot) {
  MutexLock lock(mu_);
  busy_until_ = std::max(busy_until_, now) + latency;
  in_flight_.push_back(latency);
  last_cut_slot_ = slot;
}

void GletLoad::OnAnswered(TimePoint now) {
  MutexLock lock(mu_);
  if (in_flight_.empty()) {
    return;
  }
  in_flight_.pop_front();
  busy_until_ = now;
  for (Duration d : in_flight_) {
    busy_until_ += d;
  }
}

TimePoint GletLoad::busy_until() const {
  MutexLock lock(mu_);
  return busy_until_;
}

int GletLoad::in_flight() const {
  MutexLock lock(mu_);
  return static_cast<int>(in_flight_.size());
}

void GletLoad::SetLatestStart(int slot, TimePoint latest_start) {
  MutexLock lock(mu_);
  if (slot >= 0 && static_cast<size_t>(slot) < members_.size() && members_[slot].present) {
    members_[slot].latest_start = latest_start;
  }
}

bool GletLoad::MustYield(int slot) const {
  MutexLock lock(mu_);
  if (slot < 0 || last_cut_slot_ != slot) {
    return false;
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    if (static_cast<int>(i) != slot && members_[i].present &&
        members_[i].latest_start != TimePoint::max()) {
      return true;
    }
  }
  return false;
}

TimePoint GletLoad::OthersLatestStart(int slot) const {
  MutexLock lock(mu_);
  TimePoint earliest = TimePoint::max();
  for (size_t i = 0; i < members_.size(); ++i) {
    if (static_cast<int>(i) != slot && members_[i].present) {
      earliest = std::min(earliest, members_[i].latest_start);
    }
  }
  return earliest;
}

TimePoint GletLoad::LatestStartOfWaitingTurns(int slot) const {
  MutexLock lock(mu_);
  TimePoint earliest = TimePoint::max();
  for (size_t i = 0; i < members_.size(); ++i) {
    const int other = static_cast<int>(i);
    if (other != slot && other != last_cut_slot_ && members_[i].present) {
      earliest = std::min(earliest, members_[i].latest_start);
    }
  }
  return earliest;
}

}  // namespace glet::serve
