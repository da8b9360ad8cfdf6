// HttpConnectionPool (serve/http_connection_pool.h): a thread per connection on demand, up to
// the cap; beyond it connections wait for the first thread to free.
#include "serve/http_connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <vector>

namespace glet::serve {
namespace {

TEST(HttpConnectionPoolTest, StartsThreadsOnDemandUpToTheCapThenQueues) {
  HttpConnectionPool pool(3);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  std::vector<std::promise<void>> running(4);
  for (int i = 0; i < 4; ++i) {
    pool.enqueue([&, i] {
      ++started;
      running[i].set_value();
      released.wait();  // a slow connection holds its thread
      ++finished;
    });
  }
  for (int i = 0; i < 3; ++i) {
    running[i].get_future().wait();  // three held connections: three threads
  }
  EXPECT_EQ(pool.threads(), 3);
  EXPECT_EQ(started.load(), 3);  // the fourth waits for a thread
  release.set_value();
  running[3].get_future().wait();  // ... and runs once one frees
  pool.shutdown();
  EXPECT_EQ(finished.load(), 4);
  EXPECT_EQ(pool.threads(), 0);
}

TEST(HttpConnectionPoolTest, ThreadsAreReused) {
  HttpConnectionPool pool(1);
  std::atomic<int> ran{0};
  for (int i = 0; i < 20; ++i) {
    std::promise<void> done;
    pool.enqueue([&] {
      ++ran;
      done.set_value();
    });
    done.get_future().wait();
  }
  EXPECT_EQ(pool.threads(), 1);
  pool.shutdown();
  EXPECT_EQ(ran.load(), 20);
}

}  // namespace
}  // namespace glet::serve
