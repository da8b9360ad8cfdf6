// ProxyGrpcService: glet.control.Proxy over gRPC, thin over serve::Proxy (proxy.h): each call
// checks protocol_version, converts the proto to core types (tensor_proto.h), calls one Proxy
// method and converts back. Errors travel as the call's gRPC status (grpc_status.h).
//
// Thread safety: as Proxy; gRPC calls it from its own threads.
#pragma once

#include <grpcpp/grpcpp.h>

#include "glet_control.grpc.pb.h"
#include "serve/proxy.h"

namespace glet::serve {

class ProxyGrpcService final : public control::Proxy::Service {
 public:
  explicit ProxyGrpcService(Proxy& proxy) : proxy_(proxy) {}

  grpc::Status LoadModel(grpc::ServerContext* context, const control::LoadModelRequest* request,
                         control::LoadModelResponse* response) override;
  grpc::Status UnloadModel(grpc::ServerContext* context, const control::UnloadModelRequest* request,
                           control::UnloadModelResponse* response) override;
  grpc::Status RunBatch(grpc::ServerContext* context, const control::RunBatchRequest* request,
                        control::RunBatchResponse* response) override;
  grpc::Status GetStats(grpc::ServerContext* context, const control::GetStatsRequest* request,
                        control::GetStatsResponse* response) override;

 private:
  Proxy& proxy_;  // not owned; outlives the grpc::Server
};

}  // namespace glet::serve
