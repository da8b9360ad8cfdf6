#include "serve/kserve_service.h"

#include "serve/grpc_status.h"
#include "serve/tensor_proto.h"

namespace glet::serve {

namespace {

constexpr char kServerName[] = "glet";
constexpr char kServerVersion[] = "0.1.0";

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

}  // namespace

void FillInferResponse(const inference::ModelInferRequest& request, InferResult& result,
                       inference::ModelInferResponse* out) {
  out->set_model_name(request.model_name());
  out->set_model_version(request.model_version().empty() ? "1" : request.model_version());
  out->set_id(request.id());
  for (NamedTensor& t : result.outputs) {
    AppendKServeOutput(t.tensor, t.name, out);
  }
}

grpc::ServerUnaryReactor* KServeGrpcService::ServerLive(grpc::CallbackServerContext* ctx,
                                                        const inference::ServerLiveRequest*,
                                                        inference::ServerLiveResponse* response) {
  response->set_live(true);
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* KServeGrpcService::ServerReady(grpc::CallbackServerContext* ctx,
                                                         const inference::ServerReadyRequest*,
                                                         inference::ServerReadyResponse* response) {
  response->set_ready(frontend_.IsServerReady());
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* KServeGrpcService::ModelReady(grpc::CallbackServerContext* ctx,
                                                        const inference::ModelReadyRequest* request,
                                                        inference::ModelReadyResponse* response) {
  if (!frontend_.Describe(request->name()).ok()) {
    return Done(ctx, ToGrpcStatus(NotFoundError("unknown model '" + request->name() + "'")));
  }
  response->set_ready(frontend_.IsReady(request->name()));
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* KServeGrpcService::ServerMetadata(
    grpc::CallbackServerContext* ctx, const inference::ServerMetadataRequest*,
    inference::ServerMetadataResponse* response) {
  response->set_name(kServerName);
  response->set_version(kServerVersion);
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* KServeGrpcService::ModelMetadata(
    grpc::CallbackServerContext* ctx, const inference::ModelMetadataRequest* request,
    inference::ModelMetadataResponse* response) {
  Result<ServedInfo> info = frontend_.Describe(request->name());
  if (!info.ok()) {
    return Done(ctx, ToGrpcStatus(info.status()));
  }
  response->set_name(request->name());
  response->add_versions("1");
  response->set_platform(info->is_app ? "glet-app" : "glet");
  auto fill = [](const model::TensorSpec& spec,
                 inference::ModelMetadataResponse::TensorMetadata* out) {
    out->set_name(spec.name);
    out->set_datatype(std::string(model::DTypeName(spec.dtype)));
    out->add_shape(-1);  // the batch dimension
    for (int64_t d : spec.shape) {
      out->add_shape(d);
    }
  };
  for (const model::TensorSpec& s : info->inputs) {
    fill(s, response->add_inputs());
  }
  for (const model::TensorSpec& s : info->outputs) {
    fill(s, response->add_outputs());
  }
  ctx->AddTrailingMetadata("glet-slo-ms", std::to_string(info->slo_ms));
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* KServeGrpcService::ModelInfer(grpc::CallbackServerContext* ctx,
                                                        const inference::ModelInferRequest* request,
                                                        inference::ModelInferResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  std::vector<NamedTensor> inputs;
  for (int i = 0; i < request->inputs_size(); ++i) {
    Result<model::Tensor> t = TensorFromKServeInput(*request, i);
    if (!t.ok()) {
      ctx->AddTrailingMetadata("glet-outcome", "failed");
      reactor->Finish(
          ToGrpcStatus(t.status().WithContext("model '" + request->model_name() + "'")));
      return reactor;
    }
    inputs.push_back({request->inputs(i).name(), std::move(*t)});
  }
  frontend_.Infer(request->model_name(), std::move(inputs),
                  [ctx, reactor, request, response](InferResult result) {
                    if (result.outcome == RequestOutcome::kServed) {
                      // OK means served: no trailer, as a plain KServe server answers.
                      FillInferResponse(*request, result, response);
                      reactor->Finish(grpc::Status::OK);
                      return;
                    }
                    ctx->AddTrailingMetadata("glet-outcome",
                                             std::string(RequestOutcomeName(result.outcome)));
                    if (result.drop_reason) {
                      ctx->AddTrailingMetadata("glet-drop-reason",
                                               std::string(DropReasonName(*result.drop_reason)));
                    }
                    reactor->Finish(ToGrpcStatus(result.status));
                  });
  return reactor;
}

}  // namespace glet::serve
