#include "core/clock.h"

#include <fstream>
#include <thread>

namespace glet {

SystemClock& SystemClock::Get() {
  static SystemClock* clock = new SystemClock();  // never destroyed: safe at exit
  return *clock;
}

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
}

void SystemClock::SleepUntil(TimePoint t) { std::this_thread::sleep_until(t); }

const std::string& SystemClock::HostId() {
  static const std::string* const id = [] {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string line;
    std::getline(in, line);
    return new std::string(in ? line : "");
  }();
  return *id;
}

ManualClock::ManualClock(bool auto_advance)
    : auto_advance_(auto_advance), now_(TimePoint(std::chrono::hours(1))) {}

void ManualClock::Advance(Duration d) {
  MutexLock lock(mu_);
  now_ += d;
  cv_.notify_all();
}

void ManualClock::AdvanceTo(TimePoint t) {
  MutexLock lock(mu_);
  if (t > now_) {
    now_ = t;
  }
  cv_.notify_all();
}

int ManualClock::sleepers() const {
  MutexLock lock(mu_);
  return sleepers_;
}

TimePoint ManualClock::Now() const {
  MutexLock lock(mu_);
  return now_;
}

void ManualClock::SleepUntil(TimePoint t) {
  UniqueMutexLock lock(mu_);
  if (auto_advance_) {
    if (t > now_) {
      now_ = t;
    }
    cv_.notify_all();
    return;
  }
  ++sleepers_;
  cv_.wait(lock, [&]() GLET_REQUIRES(mu_) { return now_ >= t; });
  --sleepers_;
}

}  // namespace glet
