// BackendGrpcService: glet.control.BackendControl over gRPC, thin over serve::Backend
// (backend.h): each call checks protocol_version, converts the proto (backend_proto.h), calls one
// Backend method and converts back; errors travel as the call's gRPC status.
//
// Thread safety: as Backend; gRPC calls it from its own threads.
#pragma once

#include <grpcpp/grpcpp.h>

#include "glet_control.grpc.pb.h"
#include "serve/backend.h"

namespace glet::serve {

class BackendGrpcService final : public control::BackendControl::Service {
 public:
  explicit BackendGrpcService(Backend& backend) : backend_(backend) {}

  grpc::Status ApplyPlan(grpc::ServerContext* context, const control::ApplyPlanRequest* request,
                         control::ApplyPlanResponse* response) override;
  grpc::Status StartGlet(grpc::ServerContext* context, const control::StartGletRequest* request,
                         control::StartGletResponse* response) override;
  grpc::Status StopGlet(grpc::ServerContext* context, const control::StopGletRequest* request,
                        control::StopGletResponse* response) override;
  grpc::Status ListGlets(grpc::ServerContext* context, const control::ListGletsRequest* request,
                         control::ListGletsResponse* response) override;

 private:
  Backend& backend_;  // not owned; outlives the grpc::Server
};

}  // namespace glet::serve
