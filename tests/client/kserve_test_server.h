// KServeTestServer: a real KServe v2 gRPC server on 127.0.0.1:0 for the client tests — the
// client's peer, answering by a fixed rule on the model name:
//   "ok*"    served (echoes one FP32 output)
//   "drop*"  dropped: UNAVAILABLE + trailing metadata glet-outcome: dropped,
//            glet-drop-reason: queue_full
//   "fail*"  INVALID_ARGUMENT, no metadata
//   "hang*"  never answers (the call ends when the client's deadline passes)
//   "alt*"   alternates served / dropped (slo_unreachable), starting with served
// ModelMetadata knows every model with one of those prefixes (input "x", FP32, [-1, 2, 3];
// "ok*" models also get the trailer glet-slo-ms: 250) and answers NOT_FOUND for others; ServerReady
// answers ready from the `ready_after`-th call on.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kserve.grpc.pb.h"

namespace glet::client::testing {

class KServeTestServer final : public inference::GRPCInferenceService::CallbackService {
 public:
  explicit KServeTestServer(int ready_after = 1);
  ~KServeTestServer() override;

  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  // Infer calls received per model.
  std::map<std::string, int> received() const;
  // The last request received for `model` (empty message if none).
  inference::ModelInferRequest last_request(const std::string& model) const;
  // Stops the server (idempotent); hanging calls end CANCELLED.
  void Stop();

  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* ctx,
                                       const inference::ModelInferRequest* req,
                                       inference::ModelInferResponse* resp) override;
  grpc::ServerUnaryReactor* ModelMetadata(grpc::CallbackServerContext* ctx,
                                          const inference::ModelMetadataRequest* req,
                                          inference::ModelMetadataResponse* resp) override;
  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* ctx,
                                        const inference::ServerReadyRequest* req,
                                        inference::ServerReadyResponse* resp) override;

 private:
  const int ready_after_;
  std::atomic<int> ready_calls_{0};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  mutable std::mutex mu_;
  std::map<std::string, int> received_;
  std::map<std::string, inference::ModelInferRequest> last_;
  int alt_count_ = 0;
  std::vector<grpc::ServerUnaryReactor*> hanging_;  // finished by Stop()
  bool stopped_ = false;
};

}  // namespace glet::client::testing
