// glet serve: the embedded default — frontend (in this process), one backend process and its
// proxy processes on this machine, from one serve config. With --client-seconds it also runs
// `glet client` against itself with the config's rates, prints the client's report and stops.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/frontend_runner.h"
#include "cli/shutdown_signals.h"
#include "core/logging.h"
#include "core/strings.h"
#include "model/model_spec.h"
#include "serve/child_process.h"
#include "serve/control_auth.h"

namespace glet::cli {

void AddFrontendRunFlags(CLI::App* cmd, FrontendRunOptions& run);  // frontend.cpp

namespace {

struct ServeOptions {
  FrontendRunOptions run;
  double client_seconds = 0;
  double rate_scale = 1;
  std::string client_log;
  double start_timeout_s = 120;
  bool json = false;
};

std::string SelfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : "glet";
}

// Runs `argv` with this process's stdout/stderr and waits; returns its exit code.
int RunToCompletion(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    // This process blocks the shutdown signals (ShutdownSignals); the client must not inherit
    // that, or Ctrl-C would not reach it.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (const std::string& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

Status RunServe(const ServeOptions& o) {
  if (o.client_seconds > 0 && o.run.kserve_tls.enabled()) {
    return InvalidArgumentError(
        "--client-seconds: the built-in client does not speak TLS to --kserve-tls-* ports; run "
        "`glet client --tls-ca CA` against them instead");
  }
  // The processes of `glet serve` share a control token: the user's, or a fresh random one. It
  // reaches the backend (and its proxies) in the environment, before any thread starts.
  GLET_ASSIGN_OR_RETURN(std::string token, serve::ControlAuth::LoadToken(o.run.control_token_file));
  if (token.empty()) {
    GLET_ASSIGN_OR_RETURN(token, serve::ControlAuth::RandomToken());
  }
  setenv(serve::kControlTokenEnv, token.c_str(), 1);
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<ShutdownSignals> signals, ShutdownSignals::Block());
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<FrontendRunner> runner, FrontendRunner::Start(o.run));
  const serve::ServeConfig& config = runner->config();
  if (config.node_path.empty()) {
    return InvalidArgumentError(o.run.config_path +
                                ": /node: `glet serve` needs the node "
                                "config of its backend");
  }
  std::vector<std::string> backend_argv = {
      SelfExe(),  "backend",     "--frontend", runner->control_address(),
      "--listen", "127.0.0.1:0", "--node",     config.node_path};
  if (!o.run.manifest.empty()) {
    backend_argv.insert(backend_argv.end(), {"--manifest", o.run.manifest});
  }
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<serve::ChildProcess> backend,
                        serve::ChildProcess::Spawn({backend_argv, {}}));
  std::cerr << "glet serve: http=" << runner->http_address() << " grpc=" << runner->grpc_address()
            << " control=" << runner->control_address() << std::endl;
  Status started = runner->StartControllerUnlessSignalled(
      SystemClock::Get().Now() + FromMillis(o.start_timeout_s * 1000), *signals);
  if (!started.ok()) {
    runner->Shutdown();
    backend->Stop(std::chrono::seconds(5));
    if (started.code() == StatusCode::kCancelled) {  // a shutdown signal: a clean stop
      GLET_LOG_INFO("serve: {}; shut down", started.message());
      return Status::Ok();
    }
    return started;
  }
  std::cerr << "glet serve: ready" << std::endl;
  int client_rc = 0;
  if (o.client_seconds > 0) {
    std::vector<std::string> argv = {SelfExe(),    "client",
                                     "--target",   runner->grpc_address(),
                                     "--duration", FormatDouble(o.client_seconds, 3)};
    for (const auto& [name, rate] : config.model_rates) {
      argv.insert(argv.end(), {"--model", name + ":" + FormatDouble(rate * o.rate_scale, 3)});
    }
    for (const serve::ServedApp& app : config.apps) {
      argv.insert(argv.end(),
                  {"--model", app.spec.name + ":" + FormatDouble(app.rate_rps * o.rate_scale, 3)});
    }
    if (!o.client_log.empty()) {
      argv.insert(argv.end(), {"--log", o.client_log});
    }
    if (o.json) {
      argv.push_back("--json");
    }
    client_rc = RunToCompletion(argv);
  } else {
    std::string why = signals->Wait(/*watch_stdin=*/false);
    GLET_LOG_INFO("serve: {}: draining and shutting down", why);
  }
  runner->Shutdown();
  backend->Stop(std::chrono::seconds(10));
  if (client_rc != 0) {
    return InternalError("the client exited with code " + std::to_string(client_rc));
  }
  return Status::Ok();
}

}  // namespace

void AddServeCommand(CLI::App& root, RunSlot& slot) {
  auto opts = std::make_shared<ServeOptions>();
  opts->run.config_path = model::ResourceDir() + "/serve/local-cpu.json";
  CLI::App* cmd = root.add_subcommand(
      "serve",
      "The embedded default: frontend, one backend and its proxies on this machine. With no "
      "flags it serves real CPU models (resource/serve/local-cpu.json) on 127.0.0.1:8000 (HTTP) "
      "and :8001 (gRPC) until Ctrl-C, which drains and stops cleanly. --client-seconds S runs "
      "`glet client` at the config's rates for S seconds, prints its report and stops.");
  AddFrontendRunFlags(cmd, opts->run);
  cmd->get_option("--config")->required(false)->capture_default_str();
  cmd->add_option("--client-seconds", opts->client_seconds,
                  "run the load generator for this long, report, then stop (0: serve until "
                  "interrupted)")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--rate-scale", opts->rate_scale, "multiply the config's rates for the client")
      ->check(NumberAtLeast(0))
      ->capture_default_str();
  cmd->add_option("--client-log", opts->client_log, "per-request CSV of the client run");
  cmd->add_option("--start-timeout-s", opts->start_timeout_s,
                  "how long to wait for the backend and first plan")
      ->check(NumberAtLeast(1))
      ->capture_default_str();
  cmd->add_flag("--json", opts->json, "client report as JSON");
  cmd->callback([opts, &slot] { slot.run = [opts] { return RunServe(*opts); }; });
}

}  // namespace glet::cli
