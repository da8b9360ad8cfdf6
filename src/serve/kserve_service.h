// KServeGrpcServer: the KServe v2 / Triton `inference.GRPCInferenceService` over a Frontend.
// Thin: converts protos to frontend calls and back (STYLE 6.8). ModelInfer answers
//   served   -> OK with outputs in raw_output_contents;
//   dropped  -> the drop status (UNAVAILABLE, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED) with
//               trailing metadata `glet-outcome: dropped` and `glet-drop-reason: <reason>`;
//   failed   -> its status (INVALID_ARGUMENT / NOT_FOUND naming the field, ...) with
//               `glet-outcome: failed`.
// ModelStreamInfer answers each request of its stream with one response as it ends: a served one
// as ModelInfer's, any other with error_message set (the stream goes on); the call ends OK when
// the client has closed its side and every response is written.
// ModelMetadata carries the model's SLO as trailing metadata `glet-slo-ms`; platform is "glet",
// and apps report platform "glet-app".
//
// Threads: gRPC's asynchronous API on `threads` completion queues, each driven by one thread (a
// CqRunLoop, "glet-kserve-N"; async_unary_call.h): a loop reads the calls gRPC gives its queue,
// answers the metadata calls and hands ModelInfer to the frontend, which queues it and answers
// later from the thread that completes its batch (a glet channel completing on one of these
// queues: that loop). No other thread polls the server, so a request costs no hand-off between
// gRPC's own threads (the callback API's polling threads handed each call to another). One loop
// serves up to one core's worth of requests; a frontend on a many-core host may run more.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "kserve.grpc.pb.h"
#include "serve/cq_run_loop.h"
#include "serve/frontend.h"

namespace glet::serve {

// Fills `out` (a KServe response) from a served result.
void FillInferResponse(const inference::ModelInferRequest& request, InferResult& result,
                       inference::ModelInferResponse* out);

// Whether the server's completion queues still take operations (kserve_service.cpp).
struct StreamGate;

class KServeGrpcServer {
 public:
  // Binds `address` (HOST:PORT, port 0: any free port) and serves `frontend` with `threads`
  // loops; ModelStatistics reads `metrics` (the frontend's). Neither is owned; both outlive the
  // server. kInvalidArgument naming `flag` when the address cannot be bound, or naming
  // `threads_flag` when threads < 1. `credentials`: plaintext when null (KServeServerCredentials
  // for TLS).
  static Result<std::unique_ptr<KServeGrpcServer>> Start(
      Frontend& frontend, const MetricsRegistry& metrics, const std::string& address,
      const std::string& flag, int threads = 1, const std::string& threads_flag = "threads",
      std::shared_ptr<grpc::ServerCredentials> credentials = nullptr);
  ~KServeGrpcServer();  // Shutdown() with no grace if still serving
  KServeGrpcServer(const KServeGrpcServer&) = delete;
  KServeGrpcServer& operator=(const KServeGrpcServer&) = delete;

  int port() const { return port_; }
  // The grpc.health.v1.Health status of "inference.GRPCInferenceService": SERVING once ready
  // (the first plan applied), NOT_SERVING before and while shutting down. The server's overall
  // status ("") is SERVING while it runs.
  void SetReady(bool ready);
  // The loops' completion queues: glet channels may complete their batches there, so requests
  // are answered on a loop thread (ProxyChannel). Valid until Shutdown(), which waits for what
  // is pending on them.
  std::vector<grpc::CompletionQueue*> completion_queues() const;
  // Stops taking calls, lets unanswered ones be answered until `deadline` (then cancels them),
  // then stops the loop thread. Idempotent.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  KServeGrpcServer() = default;

  inference::GRPCInferenceService::AsyncService service_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> cqs_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::unique_ptr<CqRunLoop>> loops_;  // loops_[i] drives cqs_[i]
  int port_ = 0;
  bool shut_down_ = false;
  std::shared_ptr<StreamGate> stream_gate_;  // shared with the ModelStreamInfer calls
};

}  // namespace glet::serve
