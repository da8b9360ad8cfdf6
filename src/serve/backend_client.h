// BackendClient: how the controller asks a backend node to run a set of glets
// (BackendControl/ApplyPlan), behind an interface so that the controller's decisions can be
// tested without processes.
//
// ApplyPlan(address, epoch, glets) makes the node at `address` run exactly `glets` (those it
// already runs with an identical spec keep running; the others start or stop) and answers with
// each glet's state once the new ones are READY or FAILED. It may take long (a proxy loads its
// model); Cancel() makes every call in flight, and every later one until Resume(), end soon with
// kCancelled, so that a controller being stopped does not wait for a node.
//
// GrpcBackendClient is the real one: the gRPC call with the control token and the deployment's
// TLS (serve/control_auth.h, serve/control_tls.h), with a per-call deadline.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "serve/backend_types.h"

namespace glet::serve {

class BackendClient {
 public:
  virtual ~BackendClient() = default;
  // Errors name the address; kCancelled after Cancel().
  virtual Result<std::vector<GletInfo>> ApplyPlan(const std::string& address, uint64_t epoch,
                                                  const std::vector<GletSpec>& glets) = 0;
  virtual void Cancel() = 0;
  virtual void Resume() = 0;
};

class GrpcBackendClient : public BackendClient {
 public:
  // `timeout`: how long one ApplyPlan may take (> 0).
  explicit GrpcBackendClient(Duration timeout = std::chrono::seconds(120)) : timeout_(timeout) {}

  Result<std::vector<GletInfo>> ApplyPlan(const std::string& address, uint64_t epoch,
                                          const std::vector<GletSpec>& glets) override;
  void Cancel() override;
  void Resume() override;

 private:
  const Duration timeout_;
  Mutex mu_;
  bool cancelled_ GLET_GUARDED_BY(mu_) = false;
  std::set<grpc::ClientContext*> in_flight_ GLET_GUARDED_BY(mu_);
};

}  // namespace glet::serve
