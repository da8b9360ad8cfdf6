// JobRunner: a thread that runs jobs one at a time, on itself. Run() blocks the caller until its
// job has run there. Implementations: SerialExecutor (core/serial_executor.h: a thread that
// only runs jobs) and CqRunLoop (serve/cq_run_loop.h: a thread that also drives a gRPC
// completion queue, so calls are received and answered on the thread that runs them).
//
// Contract for every implementation:
//   - Run(job) returns OK once job() returned on the runner's thread; kUnavailable (and the job
//     never runs) once Stop() began. Jobs run in Run() call order. A job must not call Run() on
//     its own runner (it would wait for itself).
//   - Stop() lets every job queued before it run, then joins the thread. Idempotent; the
//     destructor calls it.
//
// Thread safety: Run() and Stop() may be called from any thread except the runner's own.
#pragma once

#include <functional>

#include "core/status.h"

namespace glet {

class JobRunner {
 public:
  virtual ~JobRunner() = default;
  virtual Status Run(const std::function<void()>& job) = 0;
  virtual void Stop() = 0;
};

}  // namespace glet
