// Backend: the core of `glet backend`, one per node. It runs each glet of the node as a child
// `glet proxy` process on the glet's slice (backend_slices.h), loads the glet's models into it
// over the Proxy protocol, watches the children and restarts a proxy that dies. No gRPC server
// here: backend_service.h is the thin BackendControl service over it, backend_agent.h registers
// with the frontend and heartbeats.
//
// Life of a glet: StartGlet/ApplyPlan spawn the proxy (`<proxy_binary> proxy --slice S --listen
// HOST:0 --stop-on-stdin-eof ...` with the slice's ProcessEnv()), read its `listening: HOST:PORT`
// line (within start_timeout), call LoadModel for each model (batch_size as max_batch_size) and
// report it READY. If its proxy then exits on its own, the glet goes STARTING with the exit in
// `error` and is restarted after a backoff (restart_backoff doubling up to max_restart_backoff);
// after max_restarts failed attempts in a row it stays FAILED. A glet that stayed READY for
// restart_reset_after starts counting afresh. StopGlet sends SIGTERM (the proxy finishes its
// running batch), and SIGKILL after stop_grace.
//
// Children never outlive the backend: each proxy watches its stdin pipe and shuts down when the
// backend process ends, even by SIGKILL.
//
// Counters: PollCounters() asks every READY proxy for its counters (Proxy.GetStats) and returns
// per glet the totals since the glet started, summed over its proxy's restarts (what a proxy
// counted after the last poll is lost when it dies). The agent reports them to the frontend.
//
// Thread safety: all methods may be called from any thread. Mutating calls (StartGlet, StopGlet,
// ApplyPlan, StopAll) run one at a time; restarts run on the backend's own supervisor thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "device/slice_spec.h"
#include "model/device_spec.h"
#include "model/model_spec.h"
#include "serve/backend_types.h"
#include "serve/child_process.h"

namespace glet::serve {

struct BackendOptions {
  std::string proxy_binary;   // the `glet` binary to run proxies with; "" = /proc/self/exe
  std::string manifest_path;  // passed to proxies as --manifest when set
  std::string model_dir;      // passed to proxies as --model-dir when set
  std::string proxy_host = "127.0.0.1";        // proxies listen on proxy_host:0
  std::vector<std::string> proxy_global_args;  // before "proxy", e.g. {"--log-level", "warn"}
  Duration start_timeout = std::chrono::seconds(60);  // spawn to READY
  Duration stop_grace = std::chrono::seconds(10);     // SIGTERM to SIGKILL
  int max_restarts = 5;
  Duration restart_backoff = std::chrono::milliseconds(200);
  Duration max_restart_backoff = std::chrono::seconds(10);
  Duration restart_reset_after = std::chrono::seconds(60);
};

class Backend {
 public:
  // `manifest` validates glet models (the proxies load theirs from options.manifest_path or the
  // default). kInvalidArgument when the proxy binary is not executable.
  static Result<std::unique_ptr<Backend>> Create(model::NodeSpec node,
                                                 model::ModelManifest manifest,
                                                 BackendOptions options);
  // StopAll().
  ~Backend();
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  const model::NodeSpec& node() const { return node_; }
  std::vector<DeviceInfo> Devices() const;

  // Starts one glet and returns it READY. kAlreadyExists for a glet_id in use; kNotFound for a
  // device not on the node; kInvalidArgument for a bad spec (backend_slices.h);
  // kResourceExhausted when it does not fit next to the running glets; a proxy that does not
  // come up passes its error on (kDeadlineExceeded past start_timeout, kUnavailable when it exited
  // first, the proxy's LoadModel code) and leaves no trace of the glet. kUnavailable after
  // StopAll().
  Result<GletInfo> StartGlet(const GletSpec& spec);
  // Stops one glet: with `drain` SIGTERM and up to stop_grace for the running batch, else
  // SIGKILL at once; the glet is gone when this returns. kNotFound for an unknown glet_id.
  Status StopGlet(const std::string& glet_id, bool drain);
  // Makes the node run exactly `glets`: validates the whole set first (as AssignSlices; nothing
  // changes on error), leaves glets with an identical spec running, restarts glets whose spec
  // changed, starts new ones, then stops (draining) those not listed. kFailedPrecondition for an
  // epoch older than the applied one. If a start fails, the glets this call started are stopped
  // again and the error returned; the node keeps the glets it had. Returns every glet after.
  Result<std::vector<GletInfo>> ApplyPlan(uint64_t epoch, const std::vector<GletSpec>& glets);
  uint64_t applied_epoch() const;

  // Every glet, sorted by glet_id.
  std::vector<GletInfo> ListGlets() const;
  // Every glet's counters (see "Counters" above), sorted by glet_id. Each READY proxy has up to
  // `timeout` to answer; one that does not keeps the counters of its last answer.
  std::vector<GletCounters> PollCounters(Duration timeout);
  // Waits until `done(ListGlets())` holds or `timeout` passes; returns whether it held. For
  // tests and callers that must see a state change (glet states change on other threads).
  bool WaitFor(const std::function<bool(const std::vector<GletInfo>&)>& done,
               Duration timeout) const;

  // Stops every glet (SIGTERM, then SIGKILL after stop_grace) and the supervisor. Idempotent.
  void StopAll();

 private:
  struct Glet {
    GletSpec spec;
    device::SliceSpec slice;
    GletState state = GletState::kStarting;
    std::string error;
    std::string address;
    int restarts = 0;         // over the glet's life
    int failures_in_row = 0;  // restart attempts since it was last stably READY
    std::shared_ptr<ChildProcess> child;
    uint64_t incarnation = 0;  // which spawn `child` is; exit events of older ones are ignored
    bool launching = false;    // a thread is bringing the proxy up (outside mu_)
    bool stopping = false;     // StopGlet/StopAll owns it now
    TimePoint ready_since{};
    std::optional<TimePoint> restart_at;
    ProxyStats earlier;  // summed over the glet's dead proxies, as last polled
    ProxyStats current;  // the proxy of `incarnation`, as last polled
  };
  struct ExitEvent {
    std::string glet_id;
    uint64_t incarnation = 0;
    int wait_status = 0;
  };

  Backend(model::NodeSpec node, model::ModelManifest manifest, BackendOptions options);

  // Brings up the proxy of glet `id` (whose record has launching=true, incarnation set) and
  // finishes the record: READY, or the error. Runs without mu_.
  Status Launch(const std::string& id) GLET_EXCLUDES(mu_);
  // A channel to the proxy at `address` for polling its counters, kept across polls.
  std::shared_ptr<grpc::Channel> ProxyChannelFor(const std::string& address) GLET_EXCLUDES(mu_);
  // Spawns and connects; the caller finishes the record.
  Result<std::string> SpawnAndLoad(const std::string& id, const GletSpec& spec,
                                   const device::SliceSpec& slice, uint64_t incarnation)
      GLET_EXCLUDES(mu_);
  void OnChildExit(const std::string& id, uint64_t incarnation, int wait_status) GLET_EXCLUDES(mu_);
  void SupervisorLoop() GLET_EXCLUDES(mu_);
  void HandleExitLocked(const ExitEvent& event, std::vector<std::shared_ptr<ChildProcess>>* dead)
      GLET_REQUIRES(mu_);
  Duration BackoffFor(int attempt) const;
  Result<GletInfo> StartLocked(const GletSpec& spec, const device::SliceSpec& slice)
      GLET_REQUIRES(ops_mu_);
  Status StopLocked(const std::string& glet_id, bool drain) GLET_REQUIRES(ops_mu_);
  GletInfo InfoOfLocked(const Glet& glet) const GLET_REQUIRES(mu_);
  std::map<std::string, device::SliceSpec> SlicesLocked() const GLET_REQUIRES(mu_);

  const model::NodeSpec node_;
  const model::ModelManifest manifest_;
  const BackendOptions options_;

  Mutex ops_mu_;                            // one mutating call at a time
  std::atomic<uint64_t> applied_epoch_{0};  // written under ops_mu_
  bool stopped_ GLET_GUARDED_BY(ops_mu_) = false;

  mutable Mutex mu_;
  mutable CondVar changed_;  // any glet record, event or shutdown flag changed
  std::map<std::string, Glet> glets_ GLET_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<grpc::Channel>> stats_channels_ GLET_GUARDED_BY(mu_);
  std::vector<ExitEvent> events_ GLET_GUARDED_BY(mu_);
  uint64_t next_incarnation_ GLET_GUARDED_BY(mu_) = 1;
  bool shutting_down_ GLET_GUARDED_BY(mu_) = false;

  std::thread supervisor_;  // last: starts after the fields above are set
};

}  // namespace glet::serve
