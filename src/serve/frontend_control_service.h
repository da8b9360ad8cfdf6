// FrontendControlService: glet.control.FrontendControl (RegisterBackend, Heartbeat, Report) over
// a BackendRegistry. Thin: protos in, registry calls, protos out. A Report's counters are kept
// as the backend's latest (BackendRegistry::Report) and exported on /metrics (proxy_metrics.h).
// Requests of another protocol version are refused with FAILED_PRECONDITION; calls naming an
// unknown backend with NOT_FOUND (the backend registers again).
#pragma once

#include "core/metrics.h"
#include "glet_control.grpc.pb.h"
#include "serve/backend_registry.h"

namespace glet::serve {

class FrontendControlService final : public control::FrontendControl::Service {
 public:
  // Declares the proxy metric families in `metrics`.
  FrontendControlService(BackendRegistry& registry, MetricsRegistry& metrics,
                         double heartbeat_interval_ms);

  grpc::Status RegisterBackend(grpc::ServerContext* ctx,
                               const control::RegisterBackendRequest* request,
                               control::RegisterBackendResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* ctx, const control::HeartbeatRequest* request,
                         control::HeartbeatResponse* response) override;
  grpc::Status Report(grpc::ServerContext* ctx, const control::ReportRequest* request,
                      control::ReportResponse* response) override;

 private:
  BackendRegistry& registry_;  // not owned; outlives the grpc::Server
  MetricsRegistry& metrics_;   // not owned; outlives the grpc::Server
  const double heartbeat_interval_ms_;
};

}  // namespace glet::serve
