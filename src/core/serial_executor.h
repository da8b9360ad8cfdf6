// SerialExecutor: one long-lived thread that runs submitted jobs one at a time, in the order they
// were submitted (a JobRunner, core/job_runner.h). Run() blocks the caller until its job has run
// on that thread; Post() queues a job and returns at once.
//
// Why a dedicated thread: work whose speed depends on the thread that does it (torch's intra-op
// pool is per calling thread under OpenMP, CPU affinity is per thread) should always run on the
// same prepared thread, not on whichever RPC thread received the call: a fresh OpenMP team per
// caller leaves the previous teams spinning beside the one at work.
//
// Contract:
//   - Start() runs `prepare` first on the new thread; if it fails the thread ends and Start()
//     returns its status (the executor is never half-started).
//   - Run(job) returns OK once job() returned on the executor thread; kUnavailable (and job
//     never runs) after Stop() began. Jobs run in Run()/Post() call order; a job must not call
//     Run() on its own executor (it would wait for itself).
//   - Post(job) queues `job` and returns OK without waiting; kUnavailable (the job is dropped
//     unrun) after Stop() began. A job may Post() to its own executor.
//   - Stop() lets every job queued before it run, then joins the thread. Idempotent; the
//     destructor calls it.
//
// Thread safety: Run() and Stop() may be called from any thread except the executor's own;
// Post() from any thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/job_runner.h"
#include "core/mutex.h"
#include "core/status.h"

namespace glet {

class SerialExecutor final : public JobRunner {
 public:
  // `name` names the thread (at most 15 characters are kept; shown by ps and perf).
  static Result<std::unique_ptr<SerialExecutor>> Start(const std::string& name,
                                                       std::function<Status()> prepare);
  ~SerialExecutor() override;

  SerialExecutor(const SerialExecutor&) = delete;
  SerialExecutor& operator=(const SerialExecutor&) = delete;

  Status Run(const std::function<void()>& job) override;
  Status Post(std::function<void()> job);
  void Stop() override;

 private:
  struct Job;
  SerialExecutor() = default;
  void Loop();

  Mutex mu_;
  CondVar cv_;
  // Run()'s jobs live on their callers' stacks; Post()'s are owned by the queue (Job::owned).
  std::deque<Job*> queue_ GLET_GUARDED_BY(mu_);
  bool stopping_ GLET_GUARDED_BY(mu_) = false;
  Mutex join_mu_;  // one Stop() joins; the others wait for it (taken after mu_ is released)
  std::thread thread_ GLET_GUARDED_BY(join_mu_);
};

}  // namespace glet
