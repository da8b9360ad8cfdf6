// Happens-before edges for ThreadSanitizer across hand-offs it cannot see: an object passed to
// another thread through a library built without TSan (a gRPC completion queue) is released by
// the sender before the hand-off and acquired by the receiver after it. Without these, every tag
// that crosses a completion queue is reported as a race (its construction on one thread, its use
// on the loop thread). No-ops unless built with -fsanitize=thread (scripts/tsan.sh).
#pragma once

#if defined(__SANITIZE_THREAD__)
#define GLET_TSAN_ENABLED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GLET_TSAN_ENABLED 1
#endif
#endif

#if defined(GLET_TSAN_ENABLED)
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#define GLET_TSAN_RELEASE(addr) __tsan_release(addr)
#define GLET_TSAN_ACQUIRE(addr) __tsan_acquire(addr)
#else
#define GLET_TSAN_RELEASE(addr) static_cast<void>(addr)
#define GLET_TSAN_ACQUIRE(addr) static_cast<void>(addr)
#endif
