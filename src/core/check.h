// GLET_CHECK / GLET_DCHECK: assertions for our own bugs only ("cannot happen"). Never use them on
// a config value, request field, file content or socket result: those get a Status.
// GLET_CHECK(cond) << "context"; aborts with file:line, the condition and the streamed message.
#pragma once

#include <sstream>

namespace glet::internal {

// Collects the streamed message and aborts in its destructor.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Lets `GLET_CHECK(x) << ...` compile to a void expression.
struct CheckVoidify {
  void operator&(std::ostream&) {}
};

}  // namespace glet::internal

#define GLET_CHECK(cond)                      \
  (cond) ? (void)0                            \
         : ::glet::internal::CheckVoidify() & \
               ::glet::internal::CheckFailure(__FILE__, __LINE__, #cond).stream()

#ifdef NDEBUG
#define GLET_DCHECK(cond) \
  true ? (void)0          \
       : ::glet::internal::CheckVoidify() & ::glet::internal::CheckFailure("", 0, "").stream()
#else
#define GLET_DCHECK(cond) GLET_CHECK(cond)
#endif
