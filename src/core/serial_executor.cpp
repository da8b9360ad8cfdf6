#include "core/serial_executor.h"

#include <memory>
#include <utility>

#include "core/prepared_thread.h"

namespace glet {

struct SerialExecutor::Job {
  const std::function<void()>* fn = nullptr;
  bool done = false;             // guarded by the executor's mu_
  std::function<void()> posted;  // Post()'s job: fn points here
  std::unique_ptr<Job> owned;    // set for Post()'s jobs (the job owns itself while queued)
};

Result<std::unique_ptr<SerialExecutor>> SerialExecutor::Start(const std::string& name,
                                                              std::function<Status()> prepare) {
  std::unique_ptr<SerialExecutor> e(new SerialExecutor());
  SerialExecutor* raw = e.get();
  Result<std::thread> thread = StartPreparedThread(name, prepare, [raw] { raw->Loop(); });
  if (!thread.ok()) {
    MutexLock lock(e->mu_);
    e->stopping_ = true;
    return thread.status();
  }
  MutexLock lock(e->join_mu_);
  e->thread_ = std::move(thread).value();
  return e;
}

SerialExecutor::~SerialExecutor() { Stop(); }

Status SerialExecutor::Run(const std::function<void()>& job) {
  Job j;
  j.fn = &job;
  UniqueMutexLock lock(mu_);
  if (stopping_) {
    return UnavailableError("executor is stopped");
  }
  queue_.push_back(&j);
  cv_.notify_all();
  cv_.wait(lock, [&j] { return j.done; });
  return Status::Ok();
}

Status SerialExecutor::Post(std::function<void()> job) {
  auto j = std::make_unique<Job>();
  j->posted = std::move(job);
  j->fn = &j->posted;
  Job* raw = j.get();
  raw->owned = std::move(j);
  MutexLock lock(mu_);
  if (stopping_) {
    const std::unique_ptr<Job> unrun = std::move(raw->owned);
    return UnavailableError("executor is stopped");
  }
  queue_.push_back(raw);
  cv_.notify_all();
  return Status::Ok();
}

void SerialExecutor::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  MutexLock join_lock(join_mu_);
  if (thread_.joinable()) {
    thread_.join();
  }
}

void SerialExecutor::Loop() {
  UniqueMutexLock lock(mu_);
  while (true) {
    cv_.wait(lock, [this]() GLET_REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      return;  // stopping, and every job queued before Stop() has run
    }
    Job* j = queue_.front();
    queue_.pop_front();
    lock.unlock();
    std::unique_ptr<Job> posted = std::move(j->owned);  // nobody waits for these
    (*j->fn)();
    if (posted != nullptr) {
      posted.reset();  // the job's captures are released outside the lock
      lock.lock();
      continue;
    }
    lock.lock();
    j->done = true;
    cv_.notify_all();
  }
}

}  // namespace glet
