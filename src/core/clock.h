// Clock: the one source of time for batching, dropping, monitoring, emulated devices and the
// simulator, so that all of them are testable without sleeps.
//
// Now() is monotonic. SleepUntil() blocks the caller until Now() >= t (real clocks sleep; the
// manual clock waits for Advance() or, in auto-advance mode, jumps). Wall-clock time for people
// (logs, reports) is not here.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <string>

#include "core/mutex.h"

namespace glet {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

// Milliseconds as a double, for printing and for profile arithmetic.
inline double ToMillis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
// Seconds as a double (Prometheus' base unit).
inline double ToSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline Duration FromMillis(double ms) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Blocks until Now() >= t. Returns at once if t is in the past.
  virtual void SleepUntil(TimePoint t) = 0;
  void SleepFor(Duration d) { SleepUntil(Now() + d); }
};

// The real monotonic clock (std::chrono::steady_clock).
class SystemClock final : public Clock {
 public:
  // A process-wide instance; owned by the library, never deleted.
  static SystemClock& Get();
  // Names the domain of this clock's readings: the kernel's boot id, shared by every process of
  // this host since boot (so their Now() readings compare), different on another host or after a
  // reboot. Empty if the host does not say (then no two processes may assume they share it).
  static const std::string& HostId();
  // Clock
  TimePoint Now() const override;
  void SleepUntil(TimePoint t) override;
};

// A clock that moves only when told. Starts at an arbitrary fixed epoch.
// In auto-advance mode SleepUntil(t) moves the clock to t at once (one thread, as in a
// simulation); otherwise it blocks until another thread calls Advance()/AdvanceTo() past t.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(bool auto_advance = false);
  ManualClock(const ManualClock&) = delete;
  ManualClock& operator=(const ManualClock&) = delete;

  void Advance(Duration d);
  // REQUIRES: t >= Now() (moving backwards is ignored).
  void AdvanceTo(TimePoint t);
  // Number of SleepUntil() calls that are blocked right now (for tests that must wait for a
  // sleeper before advancing).
  int sleepers() const;

  // Clock
  TimePoint Now() const override;
  void SleepUntil(TimePoint t) override;

 private:
  const bool auto_advance_;
  mutable Mutex mu_;
  CondVar cv_;
  TimePoint now_ GLET_GUARDED_BY(mu_);
  int sleepers_ GLET_GUARDED_BY(mu_) = 0;
};

}  // namespace glet
