// ProxyServer: glet.control.Proxy over gRPC, thin over serve::Proxy (proxy.h). Each call checks
// protocol_version, converts the proto to core types (tensor_proto.h), calls one Proxy method and
// converts back; errors travel as the call's gRPC status (grpc_status.h).
//
// Threads: the server uses gRPC's asynchronous API on one completion queue, driven by the
// proxy's own runner thread (a CqRunLoop, cq_run_loop.h): a RunBatch call is received, run
// (Proxy::RunBatchHere) and answered on that thread, one at a time in arrival order, with no
// hand-off between threads. LoadModel, which reads a file and runs a warm-up batch on the runner,
// is handed to a control thread; UnloadModel and GetStats are answered on the runner between
// batches (a stats poll waits for the running batch).
//
// Use:
//   ProxyServer server("127.0.0.1:0");
//   auto proxy = Proxy::Create(..., server.runner_factory());   // the runner drives the queue
//   ... load models ...
//   Result<int> port = server.Start(*proxy);                      // binds, serves
//   ... server.Shutdown(deadline); proxy->Shutdown();             // in this order
//
// Thread safety: Start() and Shutdown() from one thread; the rest is internal.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/serial_executor.h"
#include "core/status.h"
#include "glet_control.grpc.pb.h"
#include "serve/proxy.h"

namespace glet::serve {

class ProxyServer {
 public:
  // Nothing is bound or started until Start().
  explicit ProxyServer(std::string listen_address);
  ~ProxyServer();  // Shutdown() with no grace if still serving
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // For Proxy::Create: starts the proxy's runner as a CqRunLoop on this server's queue. Call at
  // most once, before Start(); the runner must be stopped (Proxy::Shutdown) after Shutdown().
  Proxy::RunnerFactory runner_factory();

  // Registers the service over `proxy` (not owned; it outlives this server and its runner
  // comes from runner_factory()), binds and starts serving. Returns the bound port;
  // kUnavailable if the address cannot be bound.
  Result<int> Start(Proxy& proxy);

  // Stops taking calls, lets running ones finish until `deadline` (then cancels them) and
  // waits for a LoadModel in progress. Idempotent.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  const std::string listen_address_;
  grpc::ServerBuilder builder_;
  control::Proxy::AsyncService service_;
  std::unique_ptr<grpc::ServerCompletionQueue> cq_;
  std::unique_ptr<SerialExecutor> control_;  // runs LoadModel calls
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;  // set by BuildAndStart
  bool runner_made_ = false;
  bool shut_down_ = false;
};

}  // namespace glet::serve
