#include "serve/http_connection_pool.h"

#include <utility>

namespace glet::serve {

HttpConnectionPool::HttpConnectionPool(int max_threads)
    : max_threads_(max_threads < 1 ? 1 : max_threads) {}

HttpConnectionPool::~HttpConnectionPool() { shutdown(); }

void HttpConnectionPool::enqueue(std::function<void()> fn) {
  {
    MutexLock lock(mu_);
    if (!stop_) {
      jobs_.push_back(std::move(fn));
      if (idle_ < static_cast<int>(jobs_.size()) &&
          static_cast<int>(threads_.size()) < max_threads_) {
        threads_.emplace_back([this] { Work(); });
      } else {
        cv_.notify_one();  // an idle thread takes it, or the first to finish does
      }
      return;
    }
  }
  fn();  // not after shutdown(); run here rather than lose the connection
}

void HttpConnectionPool::Work() {
  UniqueMutexLock lock(mu_);
  while (true) {
    ++idle_;
    cv_.wait(lock, [this]() GLET_REQUIRES(mu_) { return stop_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty()) {
      return;  // stopping, nothing left
    }
    std::function<void()> fn = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    fn();
    lock.lock();
  }
}

void HttpConnectionPool::shutdown() {
  std::vector<std::thread> threads;
  {
    MutexLock lock(mu_);
    stop_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (std::thread& t : threads) {
    t.join();
  }
}

int HttpConnectionPool::threads() const {
  MutexLock lock(mu_);
  return static_cast<int>(threads_.size());
}

}  // namespace glet::serve
