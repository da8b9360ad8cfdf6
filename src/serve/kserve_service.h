// KServeGrpcService: the KServe v2 / Triton `inference.GRPCInferenceService` over a Frontend.
// Thin: converts protos to frontend calls and back (STYLE 6.8). ModelInfer answers
//   served   -> OK with outputs in raw_output_contents;
//   dropped  -> the drop status (UNAVAILABLE, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED) with
//               trailing metadata `glet-outcome: dropped` and `glet-drop-reason: <reason>`;
//   failed   -> its status (INVALID_ARGUMENT / NOT_FOUND naming the field, ...) with
//               `glet-outcome: failed`.
// ModelMetadata carries the model's SLO as `slo_ms` in the response's platform-neutral fields:
// platform is "glet", and apps report platform "glet-app".
#pragma once

#include "kserve.grpc.pb.h"
#include "serve/frontend.h"

namespace glet::serve {

// Fills `out` (a KServe response) from a served result.
void FillInferResponse(const inference::ModelInferRequest& request, InferResult& result,
                       inference::ModelInferResponse* out);

class KServeGrpcService final : public inference::GRPCInferenceService::CallbackService {
 public:
  explicit KServeGrpcService(Frontend& frontend) : frontend_(frontend) {}

  grpc::ServerUnaryReactor* ServerLive(grpc::CallbackServerContext* ctx,
                                       const inference::ServerLiveRequest* request,
                                       inference::ServerLiveResponse* response) override;
  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* ctx,
                                        const inference::ServerReadyRequest* request,
                                        inference::ServerReadyResponse* response) override;
  grpc::ServerUnaryReactor* ModelReady(grpc::CallbackServerContext* ctx,
                                       const inference::ModelReadyRequest* request,
                                       inference::ModelReadyResponse* response) override;
  grpc::ServerUnaryReactor* ServerMetadata(grpc::CallbackServerContext* ctx,
                                           const inference::ServerMetadataRequest* request,
                                           inference::ServerMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelMetadata(grpc::CallbackServerContext* ctx,
                                          const inference::ModelMetadataRequest* request,
                                          inference::ModelMetadataResponse* response) override;
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* ctx,
                                       const inference::ModelInferRequest* request,
                                       inference::ModelInferResponse* response) override;

 private:
  Frontend& frontend_;  // not owned; outlives the grpc::Server
};

}  // namespace glet::serve
