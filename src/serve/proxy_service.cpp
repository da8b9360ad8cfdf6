#include "serve/proxy_service.h"

#include <string>
#include <vector>

#include "serve/backend_proto.h"
#include "serve/grpc_status.h"
#include "serve/protocol_version.h"
#include "serve/tensor_proto.h"

namespace glet::serve {

grpc::Status ProxyGrpcService::LoadModel(grpc::ServerContext* /*context*/,
                                         const control::LoadModelRequest* request,
                                         control::LoadModelResponse* response) {
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  Result<double> load_ms = proxy_.LoadModel(request->model(), request->max_batch_size());
  if (!load_ms.ok()) {
    return ToGrpcStatus(load_ms.status());
  }
  response->set_load_ms(*load_ms);
  return grpc::Status::OK;
}

grpc::Status ProxyGrpcService::UnloadModel(grpc::ServerContext* /*context*/,
                                           const control::UnloadModelRequest* request,
                                           control::UnloadModelResponse* /*response*/) {
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return ToGrpcStatus(proxy_.UnloadModel(request->model()));
}

grpc::Status ProxyGrpcService::RunBatch(grpc::ServerContext* /*context*/,
                                        const control::RunBatchRequest* request,
                                        control::RunBatchResponse* response) {
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  Result<model::Tensor> input =
      TensorFromProto(request->input(), "model '" + request->model() + "': input");
  if (!input.ok()) {
    return ToGrpcStatus(input.status());
  }
  std::vector<ProxyBatchItem> items;
  items.reserve(request->items_size());
  for (const control::BatchItem& item : request->items()) {
    items.push_back({item.request_id(), item.n(), item.deadline_in_ms()});
  }
  Result<ProxyBatchResult> result = proxy_.RunBatch(request->model(), *input, items);
  if (!result.ok()) {
    return ToGrpcStatus(result.status());
  }
  response->set_batch_id(request->batch_id());
  TensorToProto(result->output, response->mutable_output());
  response->set_queue_ms(result->queue_ms);
  response->set_compute_ms(result->compute_ms);
  for (const ProxyItemResult& r : result->items) {
    control::ItemResult* out = response->add_results();
    out->set_request_id(r.request_id);
    out->set_code(static_cast<int32_t>(r.status.code()));
    out->set_message(r.status.message());
    if (r.drop_reason.has_value()) {
      out->set_drop_reason(std::string(DropReasonName(*r.drop_reason)));
    }
  }
  return grpc::Status::OK;
}

grpc::Status ProxyGrpcService::GetStats(grpc::ServerContext* /*context*/,
                                        const control::GetStatsRequest* request,
                                        control::GetStatsResponse* response) {
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  ProxyStatsToProto(proxy_.stats(), response->mutable_stats());
  return grpc::Status::OK;
}

}  // namespace glet::serve
