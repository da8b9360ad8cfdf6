#include "cli/frontend_runner.h"

#include <grpcpp/grpcpp.h>

#include <future>
#include <optional>
#include <string>
#include <thread>

#include "cli/control_security.h"
#include "cli/listen_address.h"
#include "cli/model_lookup.h"
#include "core/logging.h"
#include "core/metrics.h"
#include "core/process_metrics.h"
#include "serve/backend_registry.h"
#include "serve/control_tls.h"
#include "serve/controller.h"
#include "serve/frontend.h"
#include "serve/frontend_control_service.h"
#include "serve/grpc_listen.h"
#include "serve/http_service.h"
#include "serve/kserve_service.h"

namespace glet::cli {

struct FrontendRunner::Impl {
  FrontendRunOptions options;
  model::ModelManifest manifest;
  serve::ServeConfig config;
  MetricsRegistry metrics;
  std::unique_ptr<serve::Frontend> frontend;
  std::unique_ptr<serve::BackendRegistry> registry;
  std::unique_ptr<serve::FrontendControlService> control;
  std::unique_ptr<serve::KServeGrpcServer> kserve;
  std::unique_ptr<grpc::Server> control_server;
  std::unique_ptr<serve::HttpService> http;
  std::unique_ptr<serve::Controller> controller;
  std::string grpc_address;
  std::string control_address;
  std::string http_host;
  bool shut_down = false;
};

FrontendRunner::FrontendRunner() : impl_(std::make_unique<Impl>()) {}

FrontendRunner::~FrontendRunner() { Shutdown(); }

namespace {

Result<std::unique_ptr<grpc::Server>> StartGrpc(grpc::Service* service, const std::string& flag,
                                                const std::string& address, std::string* bound) {
  GLET_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(address, flag));
  grpc::ServerBuilder builder;
  int port = 0;
  serve::AddExclusiveListeningPort(builder, address, &port,
                                   flag == "--control" ? serve::ControlTls::ServerCredentials()
                                                       : grpc::InsecureServerCredentials());
  builder.SetMaxReceiveMessageSize(256 << 20);
  builder.SetMaxSendMessageSize(256 << 20);
  builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return InvalidArgumentError(flag + ": cannot listen on " + address);
  }
  *bound = hp.host + ":" + std::to_string(port);
  return server;
}

}  // namespace

Result<std::unique_ptr<FrontendRunner>> FrontendRunner::Start(const FrontendRunOptions& options) {
  std::unique_ptr<FrontendRunner> runner(new FrontendRunner());
  Impl& impl = *runner->impl_;
  impl.options = options;
  GLET_ASSIGN_OR_RETURN(impl.manifest, LoadManifestForCli(options.manifest));
  if (options.config_path.empty()) {
    return InvalidArgumentError("--config: required");
  }
  GLET_ASSIGN_OR_RETURN(impl.config, serve::ServeConfig::Load(options.config_path, impl.manifest));
  if (!options.policy.empty()) {
    impl.config.policy = options.policy;
  }
  for (const auto& [name, slo_ms] : impl.config.model_slo_ms) {
    GLET_RETURN_IF_ERROR(impl.manifest.SetSlo(name, slo_ms));
  }
  for (const auto& [name, max_batch] : impl.config.model_max_batch) {
    GLET_RETURN_IF_ERROR(impl.manifest.CapMaxBatch(name, max_batch));
  }
  GLET_ASSIGN_OR_RETURN(HostPort http, ParseHostPort(options.http, "--http"));
  GLET_ASSIGN_OR_RETURN(HostPort control, ParseHostPort(options.control, "--control"));
  GLET_RETURN_IF_ERROR(SetUpControlAuth(options.control_token_file));
  GLET_RETURN_IF_ERROR(SetUpControlTls(options.tls));
  GLET_RETURN_IF_ERROR(CheckControlExposure("--control", control.host, options.insecure_control));
  std::vector<model::AppSpec> apps;
  for (const serve::ServedApp& a : impl.config.apps) {
    apps.push_back(a.spec);
  }
  RegisterProcessMetrics(impl.metrics);  // process_* families, read at each scrape
  serve::FrontendOptions fo;
  fo.metrics = &impl.metrics;
  fo.rates.SetEpoch(FromMillis(impl.config.epoch_s * 1000));
  fo.rates.min_rate_rps = impl.config.min_rate_rps;
  fo.rates.floor_rps.insert(impl.config.model_floor_rps.begin(), impl.config.model_floor_rps.end());
  fo.work_conserving = impl.config.work_conserving;
  fo.shed = impl.config.shed;
  GLET_ASSIGN_OR_RETURN(impl.frontend, serve::Frontend::Create(impl.manifest, apps, fo));
  impl.registry = std::make_unique<serve::BackendRegistry>(SystemClock::Get());
  impl.control = std::make_unique<serve::FrontendControlService>(*impl.registry, impl.metrics, 500);
  GLET_ASSIGN_OR_RETURN(HostPort grpc_hp, ParseHostPort(options.grpc, "--grpc"));
  GLET_ASSIGN_OR_RETURN(serve::KServeTlsPem kserve_pem, serve::LoadKServeTls(options.kserve_tls));
  GLET_ASSIGN_OR_RETURN(
      impl.kserve,
      serve::KServeGrpcServer::Start(
          *impl.frontend, impl.metrics, options.grpc, "--grpc", options.grpc_threads,
          "--grpc-threads",
          options.kserve_tls.enabled() ? serve::KServeServerCredentials(kserve_pem) : nullptr));
  impl.grpc_address = grpc_hp.host + ":" + std::to_string(impl.kserve->port());
  GLET_ASSIGN_OR_RETURN(impl.control_server, StartGrpc(impl.control.get(), "--control",
                                                       options.control, &impl.control_address));
  serve::HttpOptions http_options;
  http_options.max_body_bytes = static_cast<size_t>(options.http_max_body_mib * 1024 * 1024);
  http_options.max_connections = options.http_max_connections;
  http_options.tls = options.kserve_tls;
  GLET_ASSIGN_OR_RETURN(impl.http, serve::HttpService::Start(*impl.frontend, impl.metrics,
                                                             http.host, http.port, http_options));
  impl.http_host = http.host;
  serve::ControllerOptions co;
  co.policy = impl.config.policy;
  co.profiles_dir =
      options.profiles_dir.empty() ? model::ResourceDir() + "/profiles" : options.profiles_dir;
  co.partitions = impl.config.partitions;
  co.margins = impl.config.margins;
  co.host_overhead_ms = impl.config.host_overhead_ms;
  co.model_rates = impl.config.model_rates;
  co.apps = impl.config.apps;
  co.min_rate_rps = impl.config.min_rate_rps;
  co.model_floor_rps = impl.config.model_floor_rps;
  co.epoch = FromMillis(impl.config.epoch_s * 1000);
  co.drain_timeout = FromMillis(options.drain_s * 1000);
  co.batch_queues = impl.kserve->completion_queues();
  impl.controller = std::make_unique<serve::Controller>(*impl.frontend, *impl.registry,
                                                        impl.manifest, impl.metrics, co);
  impl.http->SetPlanView([controller = impl.controller.get()] { return controller->PlanView(); });
  return runner;
}

const serve::ServeConfig& FrontendRunner::config() const { return impl_->config; }
std::string FrontendRunner::http_address() const {
  return impl_->http_host + ":" + std::to_string(impl_->http->port());
}
std::string FrontendRunner::grpc_address() const { return impl_->grpc_address; }
std::string FrontendRunner::control_address() const { return impl_->control_address; }

Status FrontendRunner::StartController(TimePoint deadline) {
  GLET_RETURN_IF_ERROR(impl_->controller->Start(impl_->config.min_devices, deadline));
  impl_->kserve->SetReady(true);  // gRPC health: the inference service is SERVING
  return Status::Ok();
}

Status FrontendRunner::StartControllerUnlessSignalled(TimePoint deadline,
                                                      ShutdownSignals& signals) {
  std::promise<Status> done;
  std::future<Status> started = done.get_future();
  std::thread starter([&] { done.set_value(StartController(deadline)); });
  std::optional<std::string> why;
  while (!why && started.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    why = signals.WaitFor(/*watch_stdin=*/false, /*timeout_ms=*/50);
  }
  if (why) {
    impl_->controller->Cancel();
  }
  starter.join();
  Status s = started.get();
  if (why) {
    return CancelledError(*why + " before the first plan");
  }
  return s;
}

void FrontendRunner::Shutdown() {
  Impl& impl = *impl_;
  if (impl.shut_down) {
    return;
  }
  impl.shut_down = true;
  if (impl.kserve) {
    impl.kserve->SetReady(false);
  }
  if (impl.controller) {
    impl.controller->Stop();
  }
  if (impl.frontend) {
    impl.frontend->Shutdown(SystemClock::Get().Now() + FromMillis(impl.options.drain_s * 1000));
  }
  if (impl.controller) {
    impl.controller->StopGlets();
  }
  if (impl.http) {
    impl.http->Stop();
  }
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
  if (impl.kserve) {
    impl.kserve->Shutdown(deadline);
  }
  if (impl.control_server) {
    impl.control_server->Shutdown(deadline);
  }
}

}  // namespace glet::cli
