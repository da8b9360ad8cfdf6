// ProxyChannel: GletChannel over gRPC to a `glet proxy` process (glet.control.Proxy/RunBatch).
// Transport failures (connection refused, proxy died mid-call) are kUnavailable, so the frontend
// marks the glet down and re-routes; a batch past its deadline (plus `grace`) is
// kDeadlineExceeded; an error the proxy reports for the batch passes through with its code.
#pragma once

#include <memory>
#include <string>

#include "glet_control.grpc.pb.h"
#include "serve/glet_channel.h"

namespace glet::serve {

class ProxyChannel final : public GletChannel {
 public:
  // Connects lazily (the first RunBatch). `clock` converts deadlines; not owned, outlives this.
  ProxyChannel(std::string address, Clock& clock, Duration grace = std::chrono::seconds(2));

  // GletChannel
  Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                               const std::vector<BatchItemInfo>& items,
                               TimePoint deadline) override;
  std::string address() const override { return address_; }

 private:
  const std::string address_;
  Clock& clock_;  // not owned
  const Duration grace_;
  std::unique_ptr<control::Proxy::Stub> stub_;
};

}  // namespace glet::serve
