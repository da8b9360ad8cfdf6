// glet proxy: one glet as a process. Activates its slice, loads its models, serves the Proxy
// protocol (glet.control.Proxy: LoadModel, UnloadModel, RunBatch) and, once bound, prints exactly
// one line `listening: HOST:PORT` to stdout so a parent (glet backend) learns the port.
// SIGTERM/SIGINT: finishes the running batch, exits 0.
#include "serve/proxy.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/control_security.h"
#include "cli/listen_address.h"
#include "cli/model_lookup.h"
#include "cli/shutdown_signals.h"
#include "core/clock.h"
#include "core/logging.h"
#include "core/strings.h"
#include "device/slice_spec.h"
#include "perf/emulation.h"
#include "serve/proxy_service.h"

namespace glet::cli {
namespace {

struct ProxyCliOptions {
  std::string slice;
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> models;
  std::string manifest;
  std::string model_dir;
  std::string glet_id;
  bool stop_on_stdin_eof = false;
  std::string control_token_file;
  serve::TlsFiles tls;
};

Status RunProxy(const ProxyCliOptions& o) {
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<ShutdownSignals> signals, ShutdownSignals::Block());
  Result<device::SliceSpec> slice_spec = device::SliceSpec::Parse(o.slice);
  if (!slice_spec.ok()) {
    return slice_spec.status().WithContext("--slice");
  }
  GLET_ASSIGN_OR_RETURN(HostPort listen, ParseHostPort(o.listen, "--listen"));
  GLET_RETURN_IF_ERROR(SetUpControlAuth(o.control_token_file));
  GLET_RETURN_IF_ERROR(SetUpControlTls(o.tls));
  GLET_ASSIGN_OR_RETURN(model::ModelManifest manifest, LoadManifestForCli(o.manifest));
  for (const std::string& name : o.models) {
    GLET_RETURN_IF_ERROR(FindModelForCli(manifest, name, "--models").status());
  }
  Clock& clock = SystemClock::Get();
  Result<std::unique_ptr<device::Slice>> slice = perf::MakeSlice(*slice_spec, &clock);
  if (!slice.ok()) {
    return slice.status().WithContext("--slice");
  }
  // The server's queue is driven by the proxy's runner thread (serve/proxy_service.h).
  serve::ProxyServer server(o.listen);
  Result<std::unique_ptr<serve::Proxy>> proxy =
      serve::Proxy::Create(std::move(slice).value(), std::move(manifest),
                           ModelDirOrDefault(o.model_dir), clock, server.runner_factory());
  if (!proxy.ok()) {
    return proxy.status().WithContext("--slice");
  }
  for (const std::string& name : o.models) {
    Result<double> load_ms = (*proxy)->LoadModel(name);
    if (!load_ms.ok()) {
      return load_ms.status().WithContext("--models");
    }
  }
  GLET_ASSIGN_OR_RETURN(const int port, server.Start(**proxy));
  std::cout << "listening: " << listen.host << ":" << port << std::endl;
  const std::string who = o.glet_id.empty() ? "" : " " + o.glet_id;
  GLET_LOG_INFO("glet proxy{}: slice {} ({}%), models [{}], listening on {}:{}", who,
                slice_spec->ToString(), (*proxy)->slice().partition(),
                Join((*proxy)->LoadedModels(), ", "), listen.host, port);
  const std::string why = signals->Wait(o.stop_on_stdin_eof);
  GLET_LOG_INFO("glet proxy{}: {}; finishing the running batch", who, why);
  server.Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(30));
  (*proxy)->Shutdown();
  return Status::Ok();
}

}  // namespace

void AddProxyCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<ProxyCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "proxy",
      "Run one glet: a slice of one device serving one or more models, one batch at a time.\n"
      "Serves glet's internal Proxy protocol (LoadModel, UnloadModel, RunBatch; see "
      "docs/serving.md); `glet backend` starts one per glet, but it also runs alone. Once bound "
      "it prints one line `listening: HOST:PORT` to stdout (port 0 picks a free port). "
      "SIGTERM or SIGINT: finish the running batch and exit 0.");
  cmd->add_option("--slice", opts->slice,
                  "cpu:CORES (e.g. cpu:0-1) | cuda:GPU:PERCENT (MPS share) | "
                  "emulated:PROFILE:PERCENT (e.g. emulated:ref-gpu:50)")
      ->required();
  cmd->add_option("--listen", opts->listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--control-token-file", opts->control_token_file,
                  "file holding the control token every call must carry (default: "
                  "$GLET_CONTROL_TOKEN, which a backend sets for its proxies)");
  AddTlsFlags(cmd, &opts->tls);
  cmd->add_option("--models", opts->models, "models to load before serving, comma-separated")
      ->delimiter(',');
  cmd->add_option("--manifest", opts->manifest, "model manifest (default: resource/models.json)");
  cmd->add_option("--model-dir", opts->model_dir,
                  "folder of TorchScript files (default: $GLET_HOME/models)");
  cmd->add_option("--glet-id", opts->glet_id, "name of this glet, for logs");
  cmd->add_flag("--stop-on-stdin-eof", opts->stop_on_stdin_eof,
                "also shut down when stdin closes (set by glet backend, so a proxy never "
                "outlives its backend)");
  cmd->callback([opts, &slot] { slot.run = [opts] { return RunProxy(*opts); }; });
}

}  // namespace glet::cli
