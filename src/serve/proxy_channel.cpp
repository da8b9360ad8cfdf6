#include "serve/proxy_channel.h"

#include <grpcpp/grpcpp.h>

#include <atomic>

#include "serve/grpc_status.h"
#include "serve/tensor_proto.h"

namespace glet::serve {

ProxyChannel::ProxyChannel(std::string address, Clock& clock, Duration grace)
    : address_(std::move(address)), clock_(clock), grace_(grace) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // The frontend re-routes a failed batch itself (to another glet, after marking this one down);
  // gRPC's own retry layer would hold every batch for a retry that never comes.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  stub_ = control::Proxy::NewStub(
      grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args));
}

Result<BatchResult> ProxyChannel::RunBatch(const std::string& model, const model::Tensor& input,
                                           const std::vector<BatchItemInfo>& items,
                                           TimePoint deadline) {
  static std::atomic<uint64_t> next_batch{1};
  control::RunBatchRequest request;
  request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  request.set_model(model);
  request.set_batch_id(next_batch.fetch_add(1));
  TensorToProto(input, request.mutable_input());
  const TimePoint now = clock_.Now();
  // The wire stamp is in the real steady clock's domain (the proxy compares it with its own).
  request.set_sent_steady_ns(SystemClock::Get().Now().time_since_epoch().count());
  request.set_clock_host(SystemClock::HostId());
  for (const BatchItemInfo& item : items) {
    control::BatchItem* out = request.add_items();
    out->set_request_id(item.request_id);
    out->set_n(item.n);
    out->set_deadline_in_ms(ToMillis(deadline - now));
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                       std::max(deadline - now, Duration::zero()) + grace_));
  control::RunBatchResponse response;
  grpc::Status rpc = stub_->RunBatch(&ctx, request, &response);
  if (!rpc.ok()) {
    Status s = FromGrpcStatus(rpc);
    return Status(s.code(), "proxy " + address_ + ": " + s.message());
  }
  for (const control::ItemResult& r : response.results()) {
    if (r.code() != 0) {
      return Status(static_cast<StatusCode>(r.code()), "proxy " + address_ + ": " + r.message());
    }
  }
  GLET_ASSIGN_OR_RETURN(model::Tensor output, TensorFromProto(response.output(), "proxy output"));
  BatchResult result;
  result.output = std::move(output);
  result.queue_ms = response.queue_ms();
  result.compute_ms = response.compute_ms();
  return result;
}

}  // namespace glet::serve
