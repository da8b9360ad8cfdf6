// BackendAgent: a backend's side of FrontendControl. A thread that registers the backend with the
// frontend (RegisterBackend, retried with backoff until the frontend answers), then sends a
// Heartbeat with the node's devices and glet states every interval (the frontend's
// heartbeat_interval_ms, else options.heartbeat_interval), each followed by a Report of every
// glet's proxy counters (Backend::PollCounters). Each heartbeat and report carries the session
// secret the registration returned (and the control token, serve/control_auth.h). A heartbeat
// answered NOT_FOUND (the frontend restarted or forgot us) or PERMISSION_DENIED (our
// registration was replaced) registers again; other failures are retried at the next beat.
// All waits are deadline waits on a condition variable, so Stop() returns at once.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/mutex.h"
#include "glet_control.grpc.pb.h"
#include "serve/backend.h"

namespace glet::serve {

struct BackendAgentOptions {
  std::string frontend_address;  // host:port of FrontendControl
  std::string backend_address;   // host:port of this backend's BackendControl, as registered
  Duration heartbeat_interval = std::chrono::seconds(1);
  Duration retry_backoff = std::chrono::milliseconds(100);
  Duration max_retry_backoff = std::chrono::seconds(5);
  Duration rpc_timeout = std::chrono::seconds(5);
  Duration stats_timeout = std::chrono::milliseconds(250);  // per proxy, polling its counters
};

class BackendAgent {
 public:
  // Starts the thread. `backend` is not owned and must outlive this agent.
  BackendAgent(Backend& backend, BackendAgentOptions options);
  // Stop().
  ~BackendAgent();
  BackendAgent(const BackendAgent&) = delete;
  BackendAgent& operator=(const BackendAgent&) = delete;

  // Ends the thread (a call in flight ends by its rpc_timeout). Idempotent.
  void Stop();

  // The id the frontend gave at the last registration ("" before the first).
  std::string backend_id() const;
  // The secret of the current registration ("" before the first).
  std::string session() const;
  // Successful registrations so far.
  int registrations() const;
  // The plan epoch the frontend reported in its last heartbeat answer.
  uint64_t frontend_plan_epoch() const;

 private:
  void Run();
  // Waits until `until` or Stop(); false when stopping.
  bool WaitUntil(TimePoint until);
  Status Register();
  Status Beat();
  Status SendReport();

  Backend& backend_;  // not owned; outlives this
  const BackendAgentOptions options_;
  std::unique_ptr<control::FrontendControl::Stub> stub_;

  mutable Mutex mu_;
  CondVar cv_;
  bool stopping_ GLET_GUARDED_BY(mu_) = false;
  std::string backend_id_ GLET_GUARDED_BY(mu_);
  std::string session_ GLET_GUARDED_BY(mu_);
  int registrations_ GLET_GUARDED_BY(mu_) = 0;
  uint64_t plan_epoch_ GLET_GUARDED_BY(mu_) = 0;
  std::optional<TimePoint> last_report_ GLET_GUARDED_BY(mu_);
  Duration interval_ GLET_GUARDED_BY(mu_);

  std::thread thread_;  // last: starts after the fields above are set
};

}  // namespace glet::serve
