// ProxyChannel: GletChannel over gRPC to a `glet proxy` process (glet.control.Proxy/RunBatch).
// Transport failures (connection refused, proxy died mid-call) are kUnavailable, so the frontend
// marks the glet down and re-routes; a batch past its deadline (plus `grace`) is
// kDeadlineExceeded; an error the proxy reports for the batch passes through with its code.
// Given a completion queue (a CqRunLoop's, cq_run_loop.h), the channel is non-blocking:
// RunBatchAsync() starts an asynchronous call whose answer is handled, and `done` called, on the
// thread that drives that queue (the frontend's KServe loop, so a batch's requests are answered
// on the thread that reads and writes their connection). Without one, RunBatchAsync() blocks.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "glet_control.grpc.pb.h"
#include "serve/glet_channel.h"

namespace glet::serve {

class ProxyChannel final : public GletChannel {
 public:
  // Connects lazily (the first RunBatch). `clock` converts deadlines; not owned, outlives this.
  // `cq` (may be null; not owned) must be driven by a CqRunLoop until every call sent through
  // it has completed.
  ProxyChannel(std::string address, Clock& clock, Duration grace = std::chrono::seconds(2),
               grpc::CompletionQueue* cq = nullptr);

  // GletChannel
  Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                               const std::vector<BatchItemInfo>& items,
                               TimePoint deadline) override;
  void RunBatchAsync(const std::string& model, const model::Tensor& input,
                     const std::vector<BatchItemInfo>& items, TimePoint deadline,
                     std::function<void(Result<BatchResult>)> done) override;
  bool blocking() const override { return cq_ == nullptr; }
  std::string address() const override { return address_; }

 private:
  class AsyncCall;
  // The request for a batch, and its gRPC deadline.
  control::RunBatchRequest MakeRequest(const std::string& model, const model::Tensor& input,
                                       const std::vector<BatchItemInfo>& items, TimePoint deadline,
                                       std::chrono::system_clock::time_point* rpc_deadline) const;
  // The result of a finished call to the proxy at `address`.
  static Result<BatchResult> FromResponse(const std::string& address, const grpc::Status& rpc,
                                          const control::RunBatchResponse& response);

  const std::string address_;
  Clock& clock_;  // not owned
  const Duration grace_;
  grpc::CompletionQueue* const cq_;  // not owned; null: blocking
  std::unique_ptr<control::Proxy::Stub> stub_;
};

}  // namespace glet::serve
