// CqRunLoop: a JobRunner (core/job_runner.h) whose thread also drives one gRPC server completion
// queue: it waits in CompletionQueue::Next() and runs each completed operation's CqTag on itself.
// A server whose calls are handled by the tags of this queue receives, runs and answers them on
// one thread: no hand-off from gRPC's threads to a worker and back, so a call costs the process
// one wake-up (none when the next call is already waiting) instead of several. `glet proxy` runs
// its batches this way (proxy_service.h).
//
// Jobs (Run) reach the thread through the same queue (a grpc::Alarm that fires at once), so
// they interleave with the calls in arrival order.
//
// Contract, beyond JobRunner's:
//   - Every tag given to gRPC operations on `cq` must be a CqTag* (converted with AsTag());
//     Proceed(ok) runs on the loop thread with Next()'s `ok`.
//   - Stop() shuts `cq` down and runs every tag left until the queue is drained. REQUIRES: the
//     grpc::Server using `cq` was shut down first (or never started), as gRPC demands.
//   - `cq` is not owned and outlives the loop.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/job_runner.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/tsan.h"

namespace glet::serve {

// An operation waiting on a CqRunLoop's queue.
class CqTag {
 public:
  virtual ~CqTag() = default;
  // Runs on the loop thread when the operation completes; `ok` as CompletionQueue::Next's.
  virtual void Proceed(bool ok) = 0;
};

// The tag to hand to gRPC for `tag` (Next() returns it as a void*).
inline void* AsTag(CqTag* tag) {
  GLET_TSAN_RELEASE(tag);  // the loop thread acquires it when the queue hands it back
  return tag;
}

// Shuts down a queue that no loop drives and drains it, as gRPC requires before destroying it.
// REQUIRES: nothing that must run is pending on it (its tags are discarded).
void ShutdownAndDrain(grpc::CompletionQueue& cq);

class CqRunLoop final : public JobRunner {
 public:
  // Starts the thread (named `name`), which runs `prepare` first; if that fails the thread ends
  // and Start() returns its status.
  static Result<std::unique_ptr<CqRunLoop>> Start(const std::string& name,
                                                  std::function<Status()> prepare,
                                                  grpc::ServerCompletionQueue* cq);
  ~CqRunLoop() override;
  CqRunLoop(const CqRunLoop&) = delete;
  CqRunLoop& operator=(const CqRunLoop&) = delete;

  Status Run(const std::function<void()>& job) override;
  void Stop() override;

 private:
  class JobTag;
  explicit CqRunLoop(grpc::ServerCompletionQueue* cq) : cq_(cq) {}
  void Loop();

  grpc::ServerCompletionQueue* const cq_;  // not owned
  // Lock order: join_mu_ -> mu_.
  Mutex mu_;
  CondVar cv_;
  bool stopping_ GLET_GUARDED_BY(mu_) = false;  // no alarm is set on cq_ once true
  Mutex join_mu_;  // one Stop() shuts the queue down and joins; the others wait for it
  std::thread thread_ GLET_GUARDED_BY(join_mu_);
};

}  // namespace glet::serve
