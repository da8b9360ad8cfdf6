// Mutex with clang thread-safety annotations (libstdc++'s std::mutex carries none), a scoped
// MutexLock, UniqueMutexLock (a scoped lock that can be released and taken again, and waited on
// with a CondVar), and the GLET_GUARDED_BY / GLET_REQUIRES / GLET_EXCLUDES macros. The macros
// expand to nothing on compilers without the attributes; scripts/check_thread_safety.sh runs
// clang's analysis over the sources.
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define GLET_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define GLET_THREAD_ANNOTATION_(x)
#endif

#define GLET_CAPABILITY(x) GLET_THREAD_ANNOTATION_(capability(x))
#define GLET_SCOPED_CAPABILITY GLET_THREAD_ANNOTATION_(scoped_lockable)
#define GLET_GUARDED_BY(x) GLET_THREAD_ANNOTATION_(guarded_by(x))
#define GLET_PT_GUARDED_BY(x) GLET_THREAD_ANNOTATION_(pt_guarded_by(x))
#define GLET_REQUIRES(...) GLET_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define GLET_EXCLUDES(...) GLET_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define GLET_ACQUIRE(...) GLET_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define GLET_RELEASE(...) GLET_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
// For a function the analysis cannot follow (say why next to it).
#define GLET_NO_THREAD_SAFETY_ANALYSIS GLET_THREAD_ANNOTATION_(no_thread_safety_analysis)

namespace glet {

class GLET_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  void Lock() GLET_ACQUIRE() { mu_.lock(); }
  void Unlock() GLET_RELEASE() { mu_.unlock(); }
  // For std::condition_variable_any and std::unique_lock.
  void lock() GLET_ACQUIRE() { mu_.lock(); }
  void unlock() GLET_RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class GLET_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) GLET_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() GLET_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;  // not owned
};

// Wait on a Mutex: std::condition_variable_any works with any lockable (a UniqueMutexLock).
using CondVar = std::condition_variable_any;

// std::unique_lock<Mutex> as the analysis sees it: held from construction to destruction except
// between unlock() and lock(). A CondVar waits on it directly (cv.wait(lock, ...)); the analysis
// treats the wait as keeping the lock held.
class GLET_SCOPED_CAPABILITY UniqueMutexLock {
 public:
  explicit UniqueMutexLock(Mutex& mu) GLET_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~UniqueMutexLock() GLET_RELEASE() {
    if (held_) {
      mu_.Unlock();
    }
  }
  UniqueMutexLock(const UniqueMutexLock&) = delete;
  UniqueMutexLock& operator=(const UniqueMutexLock&) = delete;
  void lock() GLET_ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }
  void unlock() GLET_RELEASE() {
    held_ = false;
    mu_.Unlock();
  }

 private:
  Mutex& mu_;  // not owned
  bool held_ = true;
};

}  // namespace glet
