// FrontendRunner: everything `glet frontend` runs, shared with `glet serve`: the Frontend core,
// the KServe gRPC service and the FrontendControl service (two gRPC servers, so the control
// plane has its own port), the HTTP/JSON + /metrics service and the Controller.
#pragma once

#include <memory>
#include <string>

#include "cli/shutdown_signals.h"
#include "core/clock.h"
#include "core/status.h"
#include "serve/control_tls.h"
#include "serve/kserve_tls.h"
#include "serve/serve_config.h"

namespace glet::cli {

struct FrontendRunOptions {
  std::string config_path;
  std::string manifest;      // empty: the default manifest
  std::string profiles_dir;  // empty: <resource dir>/profiles
  std::string http = "127.0.0.1:8000";
  std::string grpc = "127.0.0.1:8001";
  int grpc_threads = 1;            // KServe gRPC loop threads (serve/kserve_service.h)
  double http_max_body_mib = 64;   // HTTP request bodies beyond this are refused (413)
  int http_max_connections = 256;  // HTTP connections served at once (a thread each)
  std::string control = "127.0.0.1:8100";
  std::string control_token_file;    // empty: $GLET_CONTROL_TOKEN, if set
  serve::TlsFiles tls;               // internal ports (empty fields: $GLET_TLS_*)
  serve::KServeTlsFiles kserve_tls;  // the KServe HTTP and gRPC ports (none: plaintext)
  bool insecure_control = false;     // allow --control off loopback without a token
  std::string policy;                // overrides the config's when set
  double drain_s = 5;
};

class FrontendRunner {
 public:
  // Loads the config and manifest and binds every port (kInvalidArgument naming the flag or
  // file at fault). Serves liveness at once; readiness once StartController() has applied a plan.
  static Result<std::unique_ptr<FrontendRunner>> Start(const FrontendRunOptions& options);
  ~FrontendRunner();

  const serve::ServeConfig& config() const;
  std::string http_address() const;
  std::string grpc_address() const;
  std::string control_address() const;

  // Waits for the config's min_devices and applies the first plan.
  Status StartController(TimePoint deadline);
  // StartController(), ended early by a shutdown signal: then kCancelled naming it ("SIGTERM
  // before the first plan"). For the processes that block signals (ShutdownSignals).
  Status StartControllerUnlessSignalled(TimePoint deadline, ShutdownSignals& signals);
  // Drains (up to drain_s), stops the controller and the glets, closes the servers. Idempotent.
  void Shutdown();

 private:
  struct Impl;
  FrontendRunner();
  std::unique_ptr<Impl> impl_;
};

}  // namespace glet::cli
