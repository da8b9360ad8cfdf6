#include "serve/backend.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "core/logging.h"
#include "core/mutex.h"
#include "glet_control.grpc.pb.h"
#include "perf/emulation.h"
#include "serve/backend_proto.h"
#include "serve/backend_slices.h"
#include "serve/control_auth.h"
#include "serve/control_tls.h"
#include "serve/grpc_status.h"

namespace glet::serve {
namespace {

Clock& Wall() { return SystemClock::Get(); }

int64_t Ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

std::string SelfExe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) {
    return "";
  }
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

Result<std::unique_ptr<Backend>> Backend::Create(model::NodeSpec node,
                                                 model::ModelManifest manifest,
                                                 BackendOptions options) {
  if (options.proxy_binary.empty()) {
    options.proxy_binary = SelfExe();
  }
  if (options.proxy_binary.empty() || access(options.proxy_binary.c_str(), X_OK) != 0) {
    return InvalidArgumentError("proxy binary '" + options.proxy_binary + "': not executable");
  }
  if (options.max_restarts < 0) {
    return InvalidArgumentError("max_restarts must be >= 0");
  }
  return std::unique_ptr<Backend>(
      new Backend(std::move(node), std::move(manifest), std::move(options)));
}

Backend::Backend(model::NodeSpec node, model::ModelManifest manifest, BackendOptions options)
    : node_(std::move(node)), manifest_(std::move(manifest)), options_(std::move(options)) {
  supervisor_ = std::thread([this] { SupervisorLoop(); });
}

Backend::~Backend() { StopAll(); }

std::vector<DeviceInfo> Backend::Devices() const { return DescribeDevices(node_); }

uint64_t Backend::applied_epoch() const { return applied_epoch_.load(); }

GletInfo Backend::InfoOfLocked(const Glet& glet) const {
  GletInfo info;
  info.spec = glet.spec;
  info.state = glet.state;
  info.proxy_address = glet.address;
  info.error = glet.error;
  info.proxy_pid = glet.child && !glet.child->exited() ? glet.child->pid() : 0;
  info.restarts = glet.restarts;
  info.slice = glet.slice.ToString();
  return info;
}

std::vector<GletInfo> Backend::ListGlets() const {
  MutexLock lock(mu_);
  std::vector<GletInfo> out;
  for (const auto& [id, glet] : glets_) {
    out.push_back(InfoOfLocked(glet));
  }
  return out;
}

std::shared_ptr<grpc::Channel> Backend::ProxyChannelFor(const std::string& address) {
  MutexLock lock(mu_);
  auto it = stats_channels_.find(address);
  if (it == stats_channels_.end()) {
    if (stats_channels_.size() > 256) {
      stats_channels_.clear();  // proxies come and go: addresses of old ones are not kept
    }
    it = stats_channels_.emplace(address, ControlTls::CreateChannel(address)).first;
  }
  return it->second;
}

std::vector<GletCounters> Backend::PollCounters(Duration timeout) {
  struct Target {
    std::string glet_id;
    std::string address;
    uint64_t incarnation = 0;
  };
  std::vector<Target> targets;
  {
    MutexLock lock(mu_);
    for (const auto& [id, glet] : glets_) {
      if (glet.state == GletState::kReady && !glet.address.empty()) {
        targets.push_back({id, glet.address, glet.incarnation});
      }
    }
  }
  // Every proxy at once, with one deadline: polled one after another (a new connection each),
  // 17 busy proxies took seconds, and the heartbeat that follows the report came too late (the
  // frontend declared the backend lost under load).
  struct Poll {
    std::unique_ptr<control::Proxy::Stub> stub;
    control::GetStatsRequest request;
    control::GetStatsResponse response;
    grpc::ClientContext context;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Poll>> polls;
  Mutex done_mu;
  CondVar done_cv;
  size_t pending = targets.size();  // guarded by done_mu (a local: not annotatable)
  const auto deadline = std::chrono::system_clock::now() + timeout;
  for (const Target& t : targets) {
    auto poll = std::make_unique<Poll>();
    poll->stub = control::Proxy::NewStub(ProxyChannelFor(t.address));
    poll->request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    poll->context.set_deadline(deadline);
    ControlAuth::Attach(poll->context);
    Poll* p = poll.get();
    polls.push_back(std::move(poll));
    p->stub->async()->GetStats(&p->context, &p->request, &p->response,
                               [p, &done_mu, &done_cv, &pending](grpc::Status s) {
                                 MutexLock lock(done_mu);
                                 p->status = std::move(s);
                                 if (--pending == 0) {
                                   done_cv.notify_all();
                                 }
                               });
  }
  {
    // Each call ends by its deadline at the latest (gRPC runs every callback).
    UniqueMutexLock lock(done_mu);
    done_cv.wait(lock, [&pending] { return pending == 0; });
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    if (!polls[i]->status.ok()) {
      continue;  // dying or busy: its last counters stand
    }
    MutexLock lock(mu_);
    auto it = glets_.find(targets[i].glet_id);
    if (it != glets_.end() && it->second.incarnation == targets[i].incarnation) {
      it->second.current = ProxyStatsFromProto(polls[i]->response.stats());
    }
  }
  MutexLock lock(mu_);
  std::vector<GletCounters> out;
  for (const auto& [id, glet] : glets_) {
    GletCounters c;
    c.glet_id = id;
    c.totals = glet.earlier;
    c.totals += glet.current;
    c.restarts = glet.restarts;
    out.push_back(std::move(c));
  }
  return out;
}

bool Backend::WaitFor(const std::function<bool(const std::vector<GletInfo>&)>& done,
                      Duration timeout) const {
  UniqueMutexLock lock(mu_);
  return changed_.wait_for(lock, timeout, [&]() GLET_REQUIRES(mu_) {
    std::vector<GletInfo> infos;
    for (const auto& [id, glet] : glets_) {
      infos.push_back(InfoOfLocked(glet));
    }
    return done(infos);
  });
}

std::map<std::string, device::SliceSpec> Backend::SlicesLocked() const {
  std::map<std::string, device::SliceSpec> out;
  for (const auto& [id, glet] : glets_) {
    out.emplace(id, glet.slice);
  }
  return out;
}

Duration Backend::BackoffFor(int attempt) const {
  Duration d = options_.restart_backoff;
  for (int i = 1; i < attempt && d < options_.max_restart_backoff; ++i) {
    d *= 2;
  }
  return std::min(d, options_.max_restart_backoff);
}

// ---------------------------------------------------------------------------------------------
// Bringing a proxy up

Result<std::string> Backend::SpawnAndLoad(const std::string& id, const GletSpec& spec,
                                          const device::SliceSpec& slice, uint64_t incarnation) {
  const std::string prefix = "glet '" + id + "': ";
  const TimePoint deadline = Wall().Now() + options_.start_timeout;
  Result<std::unique_ptr<device::Slice>> made = perf::MakeSlice(slice);
  if (!made.ok()) {
    return made.status().WithContext(prefix + "slice " + slice.ToString());
  }
  ChildSpec child_spec;
  child_spec.argv.push_back(options_.proxy_binary);
  child_spec.argv.insert(child_spec.argv.end(), options_.proxy_global_args.begin(),
                         options_.proxy_global_args.end());
  for (const char* arg : {"proxy", "--stop-on-stdin-eof", "--slice"}) {
    child_spec.argv.push_back(arg);
  }
  child_spec.argv.push_back(slice.ToString());
  child_spec.argv.push_back("--listen");
  child_spec.argv.push_back(options_.proxy_host + ":0");
  child_spec.argv.push_back("--glet-id");
  child_spec.argv.push_back(id);
  if (!options_.manifest_path.empty()) {
    child_spec.argv.push_back("--manifest");
    child_spec.argv.push_back(options_.manifest_path);
  }
  if (!options_.model_dir.empty()) {
    child_spec.argv.push_back("--model-dir");
    child_spec.argv.push_back(options_.model_dir);
  }
  child_spec.env = (*made)->ProcessEnv();
  if (ControlAuth::enabled()) {
    // The proxy requires the backend's token on its port (in its environment, not its argv).
    child_spec.env.emplace_back(kControlTokenEnv, ControlAuth::token());
  }
  if (ControlTls::enabled()) {
    // The proxy serves and is called with the backend's certificate (the files' paths).
    const TlsFiles& tls = ControlTls::files();
    child_spec.env.emplace_back(kTlsCertEnv, tls.cert);
    child_spec.env.emplace_back(kTlsKeyEnv, tls.key);
    child_spec.env.emplace_back(kTlsCaEnv, tls.ca);
    child_spec.env.emplace_back(kTlsServerNameEnv, tls.server_name);
  }
  Result<std::unique_ptr<ChildProcess>> spawned = ChildProcess::Spawn(
      child_spec, [this, id, incarnation](int status) { OnChildExit(id, incarnation, status); });
  if (!spawned.ok()) {
    return spawned.status().WithContext(prefix + "proxy");
  }
  std::shared_ptr<ChildProcess> child = std::move(spawned).value();
  {
    MutexLock lock(mu_);
    Glet& glet = glets_.at(id);
    glet.child = child;
    if (glet.stopping || shutting_down_) {
      return UnavailableError(prefix + "stopped while starting");
    }
  }
  Result<std::string> address = child->AwaitLine("listening: ", deadline - Wall().Now());
  if (!address.ok()) {
    return address.status().WithContext(prefix + "proxy");
  }
  auto stub = control::Proxy::NewStub(ControlTls::CreateChannel(*address));
  for (const GletModelSpec& m : spec.models) {
    control::LoadModelRequest request;
    request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    request.set_model(m.model);
    request.set_max_batch_size(m.batch_size);
    control::LoadModelResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::max(Duration::zero(), deadline - Wall().Now()));
    ControlAuth::Attach(context);
    Status s = FromGrpcStatus(stub->LoadModel(&context, request, &response));
    if (!s.ok()) {
      return s.WithContext(prefix + "proxy at " + *address + ": LoadModel '" + m.model + "'");
    }
  }
  return address;
}

Status Backend::Launch(const std::string& id) {
  GletSpec spec;
  device::SliceSpec slice;
  uint64_t incarnation = 0;
  {
    MutexLock lock(mu_);
    const Glet& glet = glets_.at(id);
    spec = glet.spec;
    slice = glet.slice;
    incarnation = glet.incarnation;
  }
  Result<std::string> address = SpawnAndLoad(id, spec, slice, incarnation);
  std::shared_ptr<ChildProcess> doomed;  // released after mu_
  Status result;
  {
    MutexLock lock(mu_);
    Glet& glet = glets_.at(id);  // launching records are never erased by others
    glet.launching = false;
    if (address.ok() && (glet.stopping || shutting_down_)) {
      address = UnavailableError("glet '" + id + "': stopped while starting");
    }
    if (address.ok() && glet.child != nullptr && glet.child->exited()) {
      address = UnavailableError("glet '" + id + "': proxy " +
                                 ChildProcess::DescribeWaitStatus(*glet.child->wait_status()) +
                                 " right after starting");
    }
    if (address.ok()) {
      glet.state = GletState::kReady;
      glet.address = *address;
      glet.error.clear();
      glet.ready_since = Wall().Now();
    } else {
      result = address.status();
      doomed = std::move(glet.child);
      glet.address.clear();
      glet.error = result.message();
    }
    changed_.notify_all();
  }
  if (doomed != nullptr) {
    doomed->Stop(Duration::zero());
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Watching and restarting

void Backend::OnChildExit(const std::string& id, uint64_t incarnation, int wait_status) {
  MutexLock lock(mu_);
  events_.push_back({id, incarnation, wait_status});
  changed_.notify_all();
}

void Backend::HandleExitLocked(const ExitEvent& event,
                               std::vector<std::shared_ptr<ChildProcess>>* dead) {
  auto it = glets_.find(event.glet_id);
  if (it == glets_.end()) {
    return;
  }
  Glet& glet = it->second;
  if (glet.incarnation != event.incarnation || glet.launching || glet.stopping ||
      glet.state != GletState::kReady) {
    return;  // an old proxy, or one whose exit someone else handles
  }
  const TimePoint now = Wall().Now();
  if (now - glet.ready_since >= options_.restart_reset_after) {
    glet.failures_in_row = 0;
  }
  dead->push_back(std::move(glet.child));
  glet.address.clear();
  const std::string how = "proxy " + ChildProcess::DescribeWaitStatus(event.wait_status);
  ++glet.failures_in_row;
  if (glet.failures_in_row > options_.max_restarts) {
    glet.state = GletState::kFailed;
    glet.error = how + "; gave up after " + std::to_string(options_.max_restarts) + " restarts";
    GLET_LOG_ERROR("glet {}: {}", event.glet_id, glet.error);
  } else {
    const Duration backoff = BackoffFor(glet.failures_in_row);
    glet.state = GletState::kStarting;
    ++glet.restarts;
    glet.restart_at = now + backoff;
    glet.error = how + "; restarting in " + std::to_string(Ms(backoff)) + " ms (attempt " +
                 std::to_string(glet.failures_in_row) + " of " +
                 std::to_string(options_.max_restarts) + ")";
    GLET_LOG_WARN("glet {}: {}", event.glet_id, glet.error);
  }
  changed_.notify_all();
}

void Backend::SupervisorLoop() {
  std::vector<std::shared_ptr<ChildProcess>> dead;
  UniqueMutexLock lock(mu_);
  while (!shutting_down_) {
    std::vector<ExitEvent> events;
    events.swap(events_);
    for (const ExitEvent& event : events) {
      HandleExitLocked(event, &dead);
    }
    if (!dead.empty()) {
      lock.unlock();
      dead.clear();  // reaped already; joins their watcher threads
      lock.lock();
      continue;
    }
    const TimePoint now = Wall().Now();
    std::optional<TimePoint> next;
    std::string due;
    for (auto& [id, glet] : glets_) {
      if (!glet.restart_at.has_value() || glet.stopping || glet.launching) {
        continue;
      }
      if (*glet.restart_at <= now) {
        due = id;
        break;
      }
      next = next.has_value() ? std::min(*next, *glet.restart_at) : *glet.restart_at;
    }
    if (!due.empty()) {
      Glet& glet = glets_.at(due);
      glet.restart_at.reset();
      glet.launching = true;
      glet.incarnation = next_incarnation_++;
      glet.earlier += glet.current;  // the dead proxy's last polled counters
      glet.current = ProxyStats{};
      lock.unlock();
      Status s = Launch(due);
      lock.lock();
      auto it = glets_.find(due);
      if (!s.ok() && it != glets_.end() && !it->second.stopping && !shutting_down_) {
        Glet& g = it->second;
        ++g.failures_in_row;
        if (g.failures_in_row > options_.max_restarts) {
          g.state = GletState::kFailed;
          g.error = "gave up after " + std::to_string(options_.max_restarts) +
                    " restarts; last: " + s.message();
          GLET_LOG_ERROR("glet {}: {}", due, g.error);
        } else {
          const Duration backoff = BackoffFor(g.failures_in_row);
          ++g.restarts;
          g.restart_at = Wall().Now() + backoff;
          g.error = "restart failed: " + s.message() + "; retrying in " +
                    std::to_string(Ms(backoff)) + " ms";
          GLET_LOG_WARN("glet {}: {}", due, g.error);
        }
        changed_.notify_all();
      }
      continue;
    }
    if (!events_.empty()) {
      continue;
    }
    if (next.has_value()) {
      changed_.wait_until(lock, *next);
    } else {
      changed_.wait(lock);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Starting and stopping

Result<GletInfo> Backend::StartLocked(const GletSpec& spec, const device::SliceSpec& slice) {
  {
    MutexLock lock(mu_);
    if (shutting_down_) {
      return UnavailableError("backend is shutting down");
    }
    Glet glet;
    glet.spec = spec;
    glet.slice = slice;
    glet.launching = true;
    glet.incarnation = next_incarnation_++;
    glets_.emplace(spec.glet_id, std::move(glet));
    changed_.notify_all();
  }
  Status s = Launch(spec.glet_id);
  std::shared_ptr<ChildProcess> doomed;  // released after mu_
  MutexLock lock(mu_);
  auto it = glets_.find(spec.glet_id);
  if (!s.ok()) {
    if (!it->second.stopping) {
      doomed = std::move(it->second.child);
      glets_.erase(it);
      changed_.notify_all();
    }
    return s;
  }
  return InfoOfLocked(it->second);
}

Result<GletInfo> Backend::StartGlet(const GletSpec& spec) {
  MutexLock ops(ops_mu_);
  if (stopped_) {
    return UnavailableError("backend is shutting down");
  }
  std::vector<GletSpec> all;
  std::map<std::string, device::SliceSpec> fixed;
  {
    MutexLock lock(mu_);
    if (glets_.count(spec.glet_id) > 0) {
      return AlreadyExistsError("glet '" + spec.glet_id + "' already runs on this backend");
    }
    for (const auto& [id, glet] : glets_) {
      all.push_back(glet.spec);
    }
    fixed = SlicesLocked();
  }
  all.push_back(spec);
  GLET_ASSIGN_OR_RETURN(std::vector<device::SliceSpec> slices,
                        AssignSlices(node_, manifest_, all, fixed));
  return StartLocked(spec, slices.back());
}

Status Backend::StopLocked(const std::string& glet_id, bool drain) {
  std::shared_ptr<ChildProcess> child;
  {
    MutexLock lock(mu_);
    auto it = glets_.find(glet_id);
    if (it == glets_.end()) {
      return NotFoundError("glet '" + glet_id + "' is not on this backend");
    }
    Glet& glet = it->second;
    glet.stopping = true;
    glet.state = GletState::kDraining;
    glet.restart_at.reset();
    child = glet.child;
    changed_.notify_all();
  }
  if (child != nullptr) {
    child->Stop(drain ? options_.stop_grace : Duration::zero());
  }
  std::shared_ptr<ChildProcess> last;  // released after mu_
  UniqueMutexLock lock(mu_);
  // A launch in flight fails fast once its proxy is gone; bounded by start_timeout anyway.
  changed_.wait_for(lock, options_.start_timeout + options_.stop_grace,
                    [&]() GLET_REQUIRES(mu_) { return !glets_.at(glet_id).launching; });
  Glet& glet = glets_.at(glet_id);
  if (glet.launching) {
    return DeadlineExceededError("glet '" + glet_id + "': its start did not end");
  }
  last = std::move(glet.child);
  glets_.erase(glet_id);
  changed_.notify_all();
  lock.unlock();
  if (last != nullptr) {
    last->Stop(Duration::zero());  // a proxy spawned while we stopped the previous one
  }
  return Status::Ok();
}

Status Backend::StopGlet(const std::string& glet_id, bool drain) {
  MutexLock ops(ops_mu_);
  return StopLocked(glet_id, drain);
}

Result<std::vector<GletInfo>> Backend::ApplyPlan(uint64_t epoch,
                                                 const std::vector<GletSpec>& glets) {
  MutexLock ops(ops_mu_);
  if (stopped_) {
    return UnavailableError("backend is shutting down");
  }
  if (epoch < applied_epoch_.load()) {
    return FailedPreconditionError("plan epoch " + std::to_string(epoch) +
                                   " is older than the applied epoch " +
                                   std::to_string(applied_epoch_.load()));
  }
  std::map<std::string, GletSpec> current;
  std::map<std::string, device::SliceSpec> fixed;
  {
    MutexLock lock(mu_);
    for (const auto& [id, glet] : glets_) {
      current.emplace(id, glet.spec);
    }
    for (const GletSpec& g : glets) {
      auto it = glets_.find(g.glet_id);
      if (it != glets_.end() && it->second.spec == g && it->second.state != GletState::kFailed) {
        fixed.emplace(g.glet_id, it->second.slice);
      }
    }
  }
  const std::string context = "plan epoch " + std::to_string(epoch);
  Result<std::vector<device::SliceSpec>> slices = AssignSlices(node_, manifest_, glets, fixed);
  if (!slices.ok()) {
    return slices.status().WithContext(context);
  }
  // Glets whose spec changed (or that failed) go first: their ids are reused.
  for (const GletSpec& g : glets) {
    if (current.count(g.glet_id) > 0 && fixed.count(g.glet_id) == 0) {
      StopLocked(g.glet_id, /*drain=*/true).IgnoreError();  // NotFound only if it just vanished
    }
  }
  std::vector<std::string> started;
  for (size_t i = 0; i < glets.size(); ++i) {
    if (fixed.count(glets[i].glet_id) > 0) {
      continue;
    }
    Result<GletInfo> info = StartLocked(glets[i], (*slices)[i]);
    if (!info.ok()) {
      for (const std::string& id : started) {
        StopLocked(id, /*drain=*/false).IgnoreError();
      }
      return info.status().WithContext(context);
    }
    started.push_back(glets[i].glet_id);
  }
  std::set<std::string> planned;
  for (const GletSpec& g : glets) {
    planned.insert(g.glet_id);
  }
  for (const auto& [id, spec] : current) {
    if (planned.count(id) == 0) {
      StopLocked(id, /*drain=*/true).IgnoreError();
    }
  }
  applied_epoch_.store(epoch);
  return ListGlets();
}

void Backend::StopAll() {
  {
    MutexLock lock(mu_);
    shutting_down_ = true;
    for (auto& [id, glet] : glets_) {
      if (glet.launching && glet.child != nullptr) {
        glet.child->Signal(SIGKILL);  // ends a start in flight at once
      }
    }
    changed_.notify_all();
  }
  {
    MutexLock ops(ops_mu_);
    if (!stopped_) {
      stopped_ = true;
      std::vector<std::shared_ptr<ChildProcess>> children;
      std::vector<std::string> ids;
      {
        MutexLock lock(mu_);
        for (auto& [id, glet] : glets_) {
          glet.stopping = true;
          glet.state = GletState::kDraining;
          glet.restart_at.reset();
          ids.push_back(id);
          if (glet.child != nullptr) {
            children.push_back(glet.child);
          }
        }
        changed_.notify_all();
      }
      // SIGTERM all first so they drain in parallel, then wait with one deadline.
      for (const auto& child : children) {
        child->Signal(SIGTERM);
      }
      const TimePoint deadline = Wall().Now() + options_.stop_grace;
      for (const auto& child : children) {
        child->WaitForExit(std::max(Duration::zero(), deadline - Wall().Now()));
        child->Stop(Duration::zero());
      }
      for (const std::string& id : ids) {
        StopLocked(id, /*drain=*/false).IgnoreError();
      }
    }
  }
  if (supervisor_.joinable()) {
    supervisor_.join();
  }
}

}  // namespace glet::serve
