// glet backend: one per node. Serves BackendControl (ApplyPlan, StartGlet, StopGlet, ListGlets),
// runs each glet of its node as a `glet proxy` child on the glet's slice, restarts proxies that
// die, and registers with the frontend and heartbeats. Prints `listening: HOST:PORT` once bound.
// SIGTERM/SIGINT: stops every proxy (draining), exits 0.
#include "serve/backend.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/control_security.h"
#include "cli/listen_address.h"
#include "cli/model_lookup.h"
#include "cli/shutdown_signals.h"
#include "core/logging.h"
#include "model/device_spec.h"
#include "serve/backend_agent.h"
#include "serve/backend_service.h"
#include "serve/control_tls.h"
#include "serve/grpc_listen.h"

namespace glet::cli {
namespace {

struct BackendCliOptions {
  std::string frontend = "127.0.0.1:8100";
  std::string listen = "127.0.0.1:8101";
  std::string node;
  std::string manifest;
  std::string model_dir;
  std::string proxy_bin;
  double heartbeat_ms = 1000;
  int max_restarts = 5;
  double restart_backoff_ms = 200;
  double start_timeout_ms = 60000;
  double stop_grace_ms = 10000;
  std::string control_token_file;
  bool insecure_control = false;
  serve::TlsFiles tls;
};

Status RunBackend(const BackendCliOptions& o) {
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<ShutdownSignals> signals, ShutdownSignals::Block());
  GLET_ASSIGN_OR_RETURN(HostPort listen, ParseHostPort(o.listen, "--listen"));
  GLET_RETURN_IF_ERROR(ParseHostPort(o.frontend, "--frontend", false).status());
  GLET_RETURN_IF_ERROR(SetUpControlAuth(o.control_token_file));
  GLET_RETURN_IF_ERROR(SetUpControlTls(o.tls));
  GLET_RETURN_IF_ERROR(CheckControlExposure("--listen", listen.host, o.insecure_control));
  Result<model::NodeSpec> node = model::LoadNodeSpec(o.node);
  if (!node.ok()) {
    return node.status().WithContext("--node");
  }
  GLET_ASSIGN_OR_RETURN(model::ModelManifest manifest, LoadManifestForCli(o.manifest));
  serve::BackendOptions options;
  options.proxy_binary = o.proxy_bin;
  options.manifest_path = o.manifest;
  options.model_dir = o.model_dir;
  options.proxy_host = listen.host;
  options.max_restarts = o.max_restarts;
  options.restart_backoff = FromMillis(o.restart_backoff_ms);
  options.start_timeout = FromMillis(o.start_timeout_ms);
  options.stop_grace = FromMillis(o.stop_grace_ms);
  Result<std::unique_ptr<serve::Backend>> backend =
      serve::Backend::Create(*node, std::move(manifest), options);
  if (!backend.ok()) {
    return backend.status().WithContext("--proxy-bin");
  }
  serve::BackendGrpcService service(**backend);
  grpc::ServerBuilder builder;
  int port = 0;
  serve::AddExclusiveListeningPort(builder, o.listen, &port,
                                   serve::ControlTls::ServerCredentials());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return InvalidArgumentError("--listen " + o.listen +
                                ": cannot bind (in use, or not a local address)");
  }
  const std::string address = listen.host + ":" + std::to_string(port);
  std::cout << "listening: " << address << std::endl;
  GLET_LOG_INFO("glet backend: node {} ({} devices), listening on {}, frontend {}", node->node,
                node->devices.size(), address, o.frontend);
  serve::BackendAgentOptions agent_options;
  agent_options.frontend_address = o.frontend;
  agent_options.backend_address = address;
  agent_options.heartbeat_interval = FromMillis(o.heartbeat_ms);
  serve::BackendAgent agent(**backend, agent_options);
  const std::string why = signals->Wait(/*watch_stdin=*/false);
  GLET_LOG_INFO("glet backend: {}; stopping proxies", why);
  agent.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  (*backend)->StopAll();
  return Status::Ok();
}

}  // namespace

void AddBackendCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<BackendCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "backend",
      "Run the glets of one node. Serves BackendControl for the frontend (apply a plan, "
      "start/stop/list glets), starts one `glet proxy` child per glet on its slice of a device "
      "from --node (cpu: a share of the cores; cuda-mps: an MPS percentage; emulated: timed by a "
      "profile), restarts a proxy that dies (bounded, with backoff), and registers with the "
      "frontend and heartbeats its devices and glet states. Prints `listening: HOST:PORT` once "
      "bound. SIGTERM or SIGINT: stop all proxies and exit 0.");
  cmd->add_option("--frontend", opts->frontend, "HOST:PORT of the frontend's control service")
      ->capture_default_str();
  cmd->add_option("--control-token-file", opts->control_token_file,
                  "file holding the frontend's control token (default: $GLET_CONTROL_TOKEN); "
                  "the backend's port and its proxies require it too");
  cmd->add_flag("--insecure-control", opts->insecure_control,
                "allow --listen on a non-loopback address without a token (logs a warning)");
  AddTlsFlags(cmd, &opts->tls);
  cmd->add_option("--listen", opts->listen,
                  "HOST:PORT to serve BackendControl on (port 0: any free port); proxies listen "
                  "on the same host")
      ->capture_default_str();
  cmd->add_option("--node", opts->node,
                  "node config JSON listing this node's devices (e.g. "
                  "resource/devices/local-cpu.json)")
      ->required();
  cmd->add_option("--manifest", opts->manifest, "model manifest (default: resource/models.json)");
  cmd->add_option("--model-dir", opts->model_dir,
                  "folder of TorchScript files (default: $GLET_HOME/models)");
  cmd->add_option("--proxy-bin", opts->proxy_bin,
                  "glet binary to run proxies with (default: this binary)");
  cmd->add_option("--heartbeat-ms", opts->heartbeat_ms,
                  "heartbeat interval until the frontend sets one")
      ->check(NumberAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--max-restarts", opts->max_restarts,
                  "restart attempts in a row for a glet whose proxy dies, then FAILED")
      ->check(IntAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--restart-backoff-ms", opts->restart_backoff_ms,
                  "wait before the first restart; doubles per attempt, up to 10 s")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--start-timeout-ms", opts->start_timeout_ms,
                  "time a proxy has to come up and load its models")
      ->check(NumberAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--stop-grace-ms", opts->stop_grace_ms,
                  "time a stopping proxy has to finish its batch before SIGKILL")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
  cmd->callback([opts, &slot] { slot.run = [opts] { return RunBackend(*opts); }; });
}

}  // namespace glet::cli
