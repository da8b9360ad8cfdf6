// StartPreparedThread: starts a long-lived thread that first prepares itself (pins to cores,
// sizes a thread pool: work whose speed depends on the thread that does it) and only then runs
// its body. The caller learns whether the preparation worked before the body starts serving:
//   - returns the running thread once `prepare` returned OK (the thread then runs `body`);
//   - returns prepare's error once the thread has ended (joined; `body` never ran).
// `name` names the thread (at most 15 characters are kept; shown by ps and perf). A null
// `prepare` succeeds. Used by SerialExecutor and CqRunLoop, the two JobRunners.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "core/status.h"

namespace glet {

Result<std::thread> StartPreparedThread(const std::string& name,
                                        const std::function<Status()>& prepare,
                                        std::function<void()> body);

}  // namespace glet
