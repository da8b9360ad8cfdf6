#include "core/prepared_thread.h"

#include <pthread.h>

#include <future>
#include <utility>

namespace glet {

Result<std::thread> StartPreparedThread(const std::string& name,
                                        const std::function<Status()>& prepare,
                                        std::function<void()> body) {
  std::promise<Status> prepared;
  std::future<Status> prepared_status = prepared.get_future();
  std::thread thread([name, &prepare, &prepared, body = std::move(body)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    Status s = prepare ? prepare() : Status::Ok();
    const bool ok = s.ok();
    prepared.set_value(std::move(s));  // `prepare` and `prepared` are not touched after this
    if (ok) {
      body();
    }
  });
  Status s = prepared_status.get();
  if (!s.ok()) {
    thread.join();
    return s;
  }
  return thread;
}

}  // namespace glet
