#include "serve/proxy_channel.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <utility>

#include "serve/control_auth.h"
#include "serve/control_tls.h"
#include "serve/cq_run_loop.h"
#include "serve/grpc_status.h"
#include "serve/tensor_proto.h"

namespace glet::serve {

// One asynchronous RunBatch call: owns what gRPC writes into until the call completes on the
// loop thread, then hands the result to `done` and deletes itself.
class ProxyChannel::AsyncCall final : public CqTag {
 public:
  AsyncCall(std::string address, std::function<void(Result<BatchResult>)> done)
      : address_(std::move(address)), done_(std::move(done)) {}

  void Start(control::Proxy::Stub& stub, const control::RunBatchRequest& request,
             std::chrono::system_clock::time_point deadline, grpc::CompletionQueue* cq) {
    ctx_.set_deadline(deadline);
    ControlAuth::Attach(ctx_);
    reader_ = stub.PrepareAsyncRunBatch(&ctx_, request, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, AsTag(this));
  }

  void Proceed(bool /*ok: always true for a unary call's Finish*/) override {
    done_(FromResponse(address_, status_, response_));
    delete this;
  }

 private:
  const std::string address_;  // the call may outlive its channel (replaced by a new plan)
  std::function<void(Result<BatchResult>)> done_;
  grpc::ClientContext ctx_;
  control::RunBatchResponse response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<control::RunBatchResponse>> reader_;
};

ProxyChannel::ProxyChannel(std::string address, Clock& clock, Duration grace,
                           grpc::CompletionQueue* cq)
    : address_(std::move(address)), clock_(clock), grace_(grace), cq_(cq) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  // The frontend re-routes a failed batch itself (to another glet, after marking this one down);
  // gRPC's own retry layer would hold every batch for a retry that never comes.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  std::shared_ptr<grpc::Channel> channel = ControlTls::CreateChannel(address_, args);
  // Connect (and with TLS, shake hands) now, not on the first batch, which has a deadline.
  channel->GetState(/*try_to_connect=*/true);
  stub_ = control::Proxy::NewStub(std::move(channel));
}

control::RunBatchRequest ProxyChannel::MakeRequest(
    const std::string& model, const model::Tensor& input, const std::vector<BatchItemInfo>& items,
    TimePoint deadline, std::chrono::system_clock::time_point* rpc_deadline) const {
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
  *rpc_deadline = std::chrono::system_clock::now() +
                  std::chrono::duration_cast<std::chrono::system_clock::duration>(
                      std::max(deadline - now, Duration::zero()) + grace_);
  return request;
}

Result<BatchResult> ProxyChannel::FromResponse(const std::string& address, const grpc::Status& rpc,
                                               const control::RunBatchResponse& response) {
  if (!rpc.ok()) {
    Status s = FromGrpcStatus(rpc);
    return Status(s.code(), "proxy " + address + ": " + s.message());
  }
  for (const control::ItemResult& r : response.results()) {
    if (r.code() != 0) {
      return Status(static_cast<StatusCode>(r.code()), "proxy " + address + ": " + r.message());
    }
  }
  GLET_ASSIGN_OR_RETURN(model::Tensor output, TensorFromProto(response.output(), "proxy output"));
  BatchResult result;
  result.output = std::move(output);
  result.queue_ms = response.queue_ms();
  result.compute_ms = response.compute_ms();
  return result;
}

Result<BatchResult> ProxyChannel::RunBatch(const std::string& model, const model::Tensor& input,
                                           const std::vector<BatchItemInfo>& items,
                                           TimePoint deadline) {
  std::chrono::system_clock::time_point rpc_deadline;
  const control::RunBatchRequest request =
      MakeRequest(model, input, items, deadline, &rpc_deadline);
  grpc::ClientContext ctx;
  ctx.set_deadline(rpc_deadline);
  ControlAuth::Attach(ctx);
  control::RunBatchResponse response;
  grpc::Status rpc = stub_->RunBatch(&ctx, request, &response);
  return FromResponse(address_, rpc, response);
}

void ProxyChannel::RunBatchAsync(const std::string& model, const model::Tensor& input,
                                 const std::vector<BatchItemInfo>& items, TimePoint deadline,
                                 std::function<void(Result<BatchResult>)> done) {
  if (cq_ == nullptr) {
    GletChannel::RunBatchAsync(model, input, items, deadline, std::move(done));  // blocks
    return;
  }
  std::chrono::system_clock::time_point rpc_deadline;
  const control::RunBatchRequest request =
      MakeRequest(model, input, items, deadline, &rpc_deadline);
  auto* call = new AsyncCall(address_, std::move(done));
  call->Start(*stub_, request, rpc_deadline, cq_);  // the call deletes itself when answered
}

}  // namespace glet::serve
