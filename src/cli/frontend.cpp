// glet frontend: the entry point for clients (KServe v2 over gRPC and HTTP/JSON, /metrics), the
// control service backends register with, and the planner loop.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/control_security.h"
#include "cli/frontend_runner.h"
#include "cli/shutdown_signals.h"
#include "core/logging.h"

namespace glet::cli {

namespace {

struct FrontendCliOptions {
  FrontendRunOptions run;
  double start_timeout_s = 120;
};

Status RunFrontend(const FrontendCliOptions& o) {
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<ShutdownSignals> signals, ShutdownSignals::Block());
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<FrontendRunner> runner, FrontendRunner::Start(o.run));
  std::cout << "listening: http=" << runner->http_address() << " grpc=" << runner->grpc_address()
            << " control=" << runner->control_address() << std::endl;
  Status started = runner->StartControllerUnlessSignalled(
      SystemClock::Get().Now() + FromMillis(o.start_timeout_s * 1000), *signals);
  if (!started.ok()) {
    runner->Shutdown();
    if (started.code() == StatusCode::kCancelled) {  // a shutdown signal: a clean stop
      GLET_LOG_INFO("frontend: {}; shut down", started.message());
      return Status::Ok();
    }
    return started;
  }
  std::cout << "ready" << std::endl;
  std::string why = signals->Wait(/*watch_stdin=*/false);
  GLET_LOG_INFO("frontend: {}: draining and shutting down", why);
  runner->Shutdown();
  return Status::Ok();
}

}  // namespace

void AddFrontendRunFlags(CLI::App* cmd, FrontendRunOptions& run) {
  cmd->add_option("--config", run.config_path,
                  "serve config: models/apps, rates, policy (resource/serve/*.json)")
      ->required();
  cmd->add_option("--http", run.http, "HOST:PORT for KServe HTTP/JSON and /metrics")
      ->capture_default_str();
  cmd->add_option("--grpc", run.grpc, "HOST:PORT for KServe gRPC")->capture_default_str();
  cmd->add_option("--grpc-threads", run.grpc_threads,
                  "threads serving KServe gRPC, each reading, batching and answering its calls "
                  "(one serves about a core's worth of requests; raise on many-core hosts)")
      ->capture_default_str();
  cmd->add_option("--http-max-body-mib", run.http_max_body_mib,
                  "largest HTTP request body accepted (MiB; larger: 413 before it is read; a body "
                  "without a Content-Length: 411)")
      ->check(NumberAtLeast(0.001))
      ->capture_default_str();
  cmd->add_option("--http-max-connections", run.http_max_connections,
                  "HTTP connections served at once, a thread each (beyond: they wait to be "
                  "accepted); a client silent for 5 s is disconnected")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  cmd->add_option("--control", run.control, "HOST:PORT of the control service backends join")
      ->capture_default_str();
  cmd->add_option("--control-token-file", run.control_token_file,
                  "file holding the shared secret every control-plane call (backends, proxies) "
                  "must carry (default: $GLET_CONTROL_TOKEN; neither: the control ports are open)");
  cmd->add_flag("--insecure-control", run.insecure_control,
                "allow --control on a non-loopback address without a token (logs a warning)");
  AddTlsFlags(cmd, &run.tls);
  cmd->add_option("--kserve-tls-cert", run.kserve_tls.cert,
                  "PEM certificate chain for TLS on the KServe HTTP and gRPC ports (with "
                  "--kserve-tls-key; none: plaintext, as behind a gateway)");
  cmd->add_option("--kserve-tls-key", run.kserve_tls.key, "PEM private key of that certificate");
  cmd->add_option("--kserve-tls-client-ca", run.kserve_tls.client_ca,
                  "PEM CA whose certificates KServe clients must present (mutual TLS; none: any "
                  "client may connect)");
  cmd->add_option("--policy", run.policy, "planner policy (overrides the config's)");
  cmd->add_option("--manifest", run.manifest, "model manifest (default: resource/models.json)");
  cmd->add_option("--profiles", run.profiles_dir,
                  "folder of device profiles (default: resource/profiles)");
  cmd->add_option("--drain-s", run.drain_s, "seconds to finish queued work at shutdown")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
}

void AddFrontendCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<FrontendCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "frontend",
      "Serve clients (KServe v2 gRPC + HTTP/JSON, /metrics), accept backends on the control port, "
      "plan glets for the configured demand and re-plan as rates move. Prints one line "
      "'listening: http=... grpc=... control=...', then 'ready' once the first plan is in "
      "force. SIGINT/SIGTERM drain and stop.");
  AddFrontendRunFlags(cmd, opts->run);
  cmd->add_option("--start-timeout-s", opts->start_timeout_s,
                  "how long to wait for backends before giving up")
      ->check(NumberAtLeast(1))
      ->capture_default_str();
  cmd->callback([opts, &slot] { slot.run = [opts] { return RunFrontend(*opts); }; });
}

}  // namespace glet::cli
