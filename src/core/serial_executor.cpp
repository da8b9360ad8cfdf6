#include "core/serial_executor.h"

#include <pthread.h>

#include <future>
#include <utility>

namespace glet {

struct SerialExecutor::Job {
  const std::function<void()>* fn = nullptr;
  bool done = false;  // guarded by the executor's mu_
};

Result<std::unique_ptr<SerialExecutor>> SerialExecutor::Start(const std::string& name,
                                                              std::function<Status()> prepare) {
  std::unique_ptr<SerialExecutor> e(new SerialExecutor());
  std::promise<Status> prepared;
  std::future<Status> prepared_status = prepared.get_future();
  SerialExecutor* raw = e.get();
  e->thread_ = std::thread([raw, name, &prepare, &prepared] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    Status s = prepare ? prepare() : Status::Ok();
    const bool ok = s.ok();
    prepared.set_value(std::move(s));  // `prepare` and `prepared` are not touched after this
    if (ok) {
      raw->Loop();
    }
  });
  Status s = prepared_status.get();
  if (!s.ok()) {
    e->thread_.join();
    e->stopping_ = true;
    return s;
  }
  return e;
}

SerialExecutor::~SerialExecutor() { Stop(); }

Status SerialExecutor::Run(const std::function<void()>& job) {
  Job j;
  j.fn = &job;
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    return UnavailableError("executor is stopped");
  }
  queue_.push_back(&j);
  cv_.notify_all();
  cv_.wait(lock, [&j] { return j.done; });
  return Status::Ok();
}

void SerialExecutor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> join_lock(join_mu_);
  if (thread_.joinable()) {
    thread_.join();
  }
}

void SerialExecutor::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      return;  // stopping, and every job queued before Stop() has run
    }
    Job* j = queue_.front();
    queue_.pop_front();
    lock.unlock();
    (*j->fn)();
    lock.lock();
    j->done = true;
    cv_.notify_all();
  }
}

}  // namespace glet
