#include "serve/cq_run_loop.h"

#include <grpc/support/time.h>
#include <grpcpp/alarm.h>

#include <utility>

#include "core/prepared_thread.h"

namespace glet::serve {

// A Run() job: an alarm that fires at once delivers it to the loop thread.
class CqRunLoop::JobTag final : public CqTag {
 public:
  JobTag(CqRunLoop& loop, const std::function<void()>& fn) : loop_(loop), fn_(fn) {}

  void Proceed(bool ok) override {
    if (ok) {
      fn_();
    }
    MutexLock lock(loop_.mu_);
    ran_ = ok;
    done_ = true;
    loop_.cv_.notify_all();
  }

  grpc::Alarm alarm;
  // REQUIRES: loop_.mu_ held. (Not analysed: the analysis cannot tell that the loop's Run()
  // holding its own mu_ holds the tag's loop_.mu_.)
  bool done() const GLET_NO_THREAD_SAFETY_ANALYSIS { return done_; }
  bool ran() const GLET_NO_THREAD_SAFETY_ANALYSIS { return ran_; }

 private:
  CqRunLoop& loop_;
  const std::function<void()>& fn_;
  bool done_ GLET_GUARDED_BY(loop_.mu_) = false;
  bool ran_ GLET_GUARDED_BY(loop_.mu_) = false;
};

Result<std::unique_ptr<CqRunLoop>> CqRunLoop::Start(const std::string& name,
                                                    std::function<Status()> prepare,
                                                    grpc::ServerCompletionQueue* cq) {
  std::unique_ptr<CqRunLoop> loop(new CqRunLoop(cq));
  CqRunLoop* raw = loop.get();
  Result<std::thread> thread = StartPreparedThread(name, prepare, [raw] { raw->Loop(); });
  if (!thread.ok()) {
    MutexLock lock(loop->mu_);
    loop->stopping_ = true;
    return thread.status();
  }
  MutexLock lock(loop->join_mu_);
  loop->thread_ = std::move(thread).value();
  return loop;
}

void ShutdownAndDrain(grpc::CompletionQueue& cq) {
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
}

CqRunLoop::~CqRunLoop() { Stop(); }

Status CqRunLoop::Run(const std::function<void()>& job) {
  JobTag tag(*this, job);
  UniqueMutexLock lock(mu_);
  if (stopping_) {
    return UnavailableError("run loop is stopped");
  }
  // Set under the lock: Stop() cannot shut the queue down between the check and the Set.
  tag.alarm.Set(cq_, gpr_now(GPR_CLOCK_MONOTONIC), AsTag(&tag));
  cv_.wait(lock, [&tag] { return tag.done(); });
  return tag.ran() ? Status::Ok() : UnavailableError("run loop is stopped");
}

void CqRunLoop::Stop() {
  MutexLock join_lock(join_mu_);
  {
    MutexLock lock(mu_);
    if (stopping_ && !thread_.joinable()) {
      return;
    }
    stopping_ = true;
  }
  cq_->Shutdown();  // alarms already set still fire: their jobs run before Next() says done
  thread_.join();
}

void CqRunLoop::Loop() {
  void* tag = nullptr;
  bool ok = false;
  while (cq_->Next(&tag, &ok)) {
    GLET_TSAN_ACQUIRE(tag);
    static_cast<CqTag*>(tag)->Proceed(ok);
  }
}

}  // namespace glet::serve
