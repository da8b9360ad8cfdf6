#include "serve/backend_agent.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>

#include "core/logging.h"
#include "serve/backend_proto.h"
#include "serve/control_auth.h"
#include "serve/control_tls.h"
#include "serve/grpc_status.h"

namespace glet::serve {

BackendAgent::BackendAgent(Backend& backend, BackendAgentOptions options)
    : backend_(backend),
      options_(std::move(options)),
      stub_(
          control::FrontendControl::NewStub(ControlTls::CreateChannel(options_.frontend_address))),
      interval_(options_.heartbeat_interval) {
  thread_ = std::thread([this] { Run(); });
}

BackendAgent::~BackendAgent() { Stop(); }

void BackendAgent::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::string BackendAgent::backend_id() const {
  MutexLock lock(mu_);
  return backend_id_;
}

std::string BackendAgent::session() const {
  MutexLock lock(mu_);
  return session_;
}

int BackendAgent::registrations() const {
  MutexLock lock(mu_);
  return registrations_;
}

uint64_t BackendAgent::frontend_plan_epoch() const {
  MutexLock lock(mu_);
  return plan_epoch_;
}

bool BackendAgent::WaitUntil(TimePoint until) {
  UniqueMutexLock lock(mu_);
  cv_.wait_until(lock, until, [this]() GLET_REQUIRES(mu_) { return stopping_; });
  return !stopping_;
}

Status BackendAgent::Register() {
  control::RegisterBackendRequest request;
  request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  request.set_address(options_.backend_address);
  request.set_applied_plan_epoch(backend_.applied_epoch());
  for (const DeviceInfo& d : backend_.Devices()) {
    DeviceInfoToProto(d, request.add_devices());
  }
  control::RegisterBackendResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
  ControlAuth::Attach(context);
  GLET_RETURN_IF_ERROR(FromGrpcStatus(stub_->RegisterBackend(&context, request, &response)));
  MutexLock lock(mu_);
  backend_id_ = response.backend_id();
  session_ = response.session();
  ++registrations_;
  if (response.heartbeat_interval_ms() > 0) {
    interval_ = FromMillis(response.heartbeat_interval_ms());
  }
  return Status::Ok();
}

Status BackendAgent::Beat() {
  control::HeartbeatRequest request;
  request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  request.set_backend_id(backend_id());
  request.set_session(session());
  for (const DeviceInfo& d : backend_.Devices()) {
    DeviceInfoToProto(d, request.add_devices());
  }
  for (const GletInfo& g : backend_.ListGlets()) {
    GletInfoToProto(g, request.add_glets());
  }
  control::HeartbeatResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
  ControlAuth::Attach(context);
  GLET_RETURN_IF_ERROR(FromGrpcStatus(stub_->Heartbeat(&context, request, &response)));
  MutexLock lock(mu_);
  plan_epoch_ = response.plan_epoch();
  return Status::Ok();
}

Status BackendAgent::SendReport() {
  control::ReportRequest request;
  request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  request.set_backend_id(backend_id());
  request.set_session(session());
  for (const GletCounters& c : backend_.PollCounters(options_.stats_timeout)) {
    GletCountersToProto(c, request.add_counters());
  }
  const TimePoint now = SystemClock::Get().Now();
  {
    MutexLock lock(mu_);
    request.set_window_ms(last_report_.has_value() ? ToMillis(now - *last_report_) : 0);
  }
  control::ReportResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
  ControlAuth::Attach(context);
  GLET_RETURN_IF_ERROR(FromGrpcStatus(stub_->Report(&context, request, &response)));
  MutexLock lock(mu_);
  last_report_ = now;
  return Status::Ok();
}

void BackendAgent::Run() {
  Clock& clock = SystemClock::Get();
  bool registered = false;
  Duration backoff = options_.retry_backoff;
  bool warned = false;
  while (true) {
    if (!registered) {
      Status s = Register();
      if (s.ok()) {
        registered = true;
        backoff = options_.retry_backoff;
        warned = false;
        GLET_LOG_INFO("registered with frontend {} as {}", options_.frontend_address, backend_id());
        continue;  // first heartbeat right away
      }
      if (!warned) {
        GLET_LOG_WARN("frontend {}: register: {} (retrying)", options_.frontend_address,
                      s.ToString());
        warned = true;
      }
      if (!WaitUntil(clock.Now() + backoff)) {
        return;
      }
      backoff = std::min(backoff * 2, options_.max_retry_backoff);
      continue;
    }
    Status s = Beat();
    if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kPermissionDenied) {
      GLET_LOG_WARN("frontend {} does not know backend {} ({}); registering again",
                    options_.frontend_address, backend_id(), s.ToString());
      registered = false;
      continue;
    }
    if (s.ok()) {
      s = SendReport();
    }
    if (!s.ok() && !warned) {
      GLET_LOG_WARN("frontend {}: heartbeat/report: {}", options_.frontend_address, s.ToString());
      warned = true;
    } else if (s.ok()) {
      warned = false;
    }
    Duration interval;
    {
      MutexLock lock(mu_);
      interval = interval_;
    }
    if (!WaitUntil(clock.Now() + interval)) {
      return;
    }
  }
}

}  // namespace glet::serve
