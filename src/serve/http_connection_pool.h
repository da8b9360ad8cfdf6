// HttpConnectionPool: the task queue the HTTP server runs its connections on. cpp-httplib serves
// each accepted connection on one pool thread for the connection's whole life (every keep-alive
// request, and every wait for a slow client's next byte), and its default pool has a fixed eight
// threads: eight slow connections (slowloris) blocked every endpoint, health included. This pool
// starts a thread for a connection when none is idle, up to `max_threads`, and keeps finished
// threads for the next connections; only beyond max_threads do connections wait for a thread.
// With read timeouts on the server, a slow client so holds one thread of many, for a bounded time.
//
// Thread safety: enqueue() from the accept thread, shutdown() once from the owner.
#pragma once

#include <httplib.h>

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "core/mutex.h"

namespace glet::serve {

class HttpConnectionPool : public httplib::TaskQueue {
 public:
  // REQUIRES: max_threads >= 1.
  explicit HttpConnectionPool(int max_threads);
  ~HttpConnectionPool() override;
  HttpConnectionPool(const HttpConnectionPool&) = delete;
  HttpConnectionPool& operator=(const HttpConnectionPool&) = delete;

  // Runs `fn` on an idle thread, a new one (while fewer than max_threads run), or the first
  // thread to become idle.
  void enqueue(std::function<void()> fn) override;
  // Runs what is queued, then joins every thread. Idempotent.
  void shutdown() override;

  int threads() const;

 private:
  void Work() GLET_EXCLUDES(mu_);

  const int max_threads_;
  mutable Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> jobs_ GLET_GUARDED_BY(mu_);
  int idle_ GLET_GUARDED_BY(mu_) = 0;
  bool stop_ GLET_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ GLET_GUARDED_BY(mu_);
};

}  // namespace glet::serve
