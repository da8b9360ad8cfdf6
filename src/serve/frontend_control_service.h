// FrontendControlService: glet.control.FrontendControl (RegisterBackend, Heartbeat, Report) over
// a BackendRegistry. Thin: protos in, registry calls, protos out. Requests of another protocol
// version are refused with FAILED_PRECONDITION.
#pragma once

#include "glet_control.grpc.pb.h"
#include "serve/backend_registry.h"

namespace glet::serve {

class FrontendControlService final : public control::FrontendControl::Service {
 public:
  FrontendControlService(BackendRegistry& registry, double heartbeat_interval_ms)
      : registry_(registry), heartbeat_interval_ms_(heartbeat_interval_ms) {}

  grpc::Status RegisterBackend(grpc::ServerContext* ctx,
                               const control::RegisterBackendRequest* request,
                               control::RegisterBackendResponse* response) override;
  grpc::Status Heartbeat(grpc::ServerContext* ctx, const control::HeartbeatRequest* request,
                         control::HeartbeatResponse* response) override;
  grpc::Status Report(grpc::ServerContext* ctx, const control::ReportRequest* request,
                      control::ReportResponse* response) override;

 private:
  BackendRegistry& registry_;  // not owned; outlives the grpc::Server
  const double heartbeat_interval_ms_;
};

}  // namespace glet::serve
