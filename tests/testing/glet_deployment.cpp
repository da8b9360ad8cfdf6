#include "testing/glet_deployment.h"

#include "core/strings.h"

namespace glet::testing {

using std::chrono::seconds;

GletDeployment::GletDeployment(Options options)
    : options_(std::move(options)),
      own_processes_(options_.processes == nullptr ? std::make_unique<ChildProcessSet>() : nullptr),
      processes_(options_.processes != nullptr ? *options_.processes : *own_processes_) {}

GletDeployment::~GletDeployment() {
  Stop();
  processes_.Stop(frontend_, Duration::zero());
  for (serve::ChildProcess* b : backends_) {
    processes_.Stop(b, Duration::zero());
  }
}

Result<serve::ChildProcess*> GletDeployment::Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {options_.glet_binary, "--log-level", "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  return processes_.Spawn({argv, options_.env});
}

Status GletDeployment::StartFrontend(const std::string& config,
                                     const std::vector<std::string>& extra_args,
                                     int start_timeout_s) {
  return LaunchFrontend(config, extra_args, start_timeout_s, "127.0.0.1:0", "127.0.0.1:0",
                        "127.0.0.1:0");
}

Status GletDeployment::RestartFrontend(const std::string& config,
                                       const std::vector<std::string>& extra_args,
                                       int start_timeout_s) {
  if (frontend_ == nullptr || !frontend_->exited()) {
    return FailedPreconditionError("frontend: restart needs a frontend that has exited");
  }
  processes_.Stop(frontend_, Duration::zero());
  frontend_ = nullptr;
  return LaunchFrontend(config, extra_args, start_timeout_s, http_, grpc_, control_);
}

Status GletDeployment::LaunchFrontend(const std::string& config,
                                      const std::vector<std::string>& extra_args,
                                      int start_timeout_s, const std::string& http,
                                      const std::string& grpc, const std::string& control) {
  std::vector<std::string> args = {"frontend", "--config", config};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  for (const std::string& arg :
       {std::string("--http"), http, std::string("--grpc"), grpc, std::string("--control"), control,
        std::string("--drain-s"), std::string("1"), std::string("--start-timeout-s")}) {
    args.push_back(arg);
  }
  args.push_back(std::to_string(start_timeout_s));
  GLET_ASSIGN_OR_RETURN(frontend_, Spawn(args));
  Result<std::string> line = frontend_->AwaitLine("listening: ", seconds(60));
  if (!line.ok()) {
    return line.status().WithContext("frontend");
  }
  http_.clear();
  grpc_.clear();
  control_.clear();
  for (const std::string& part : Split(*line, ' ')) {
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    const std::string key = part.substr(0, eq);
    (key == "http" ? http_ : key == "grpc" ? grpc_ : control_) = part.substr(eq + 1);
  }
  if (http_.empty() || grpc_.empty() || control_.empty()) {
    return InternalError("frontend: bad listening line: " + *line);
  }
  return Status::Ok();
}

Status GletDeployment::StartBackend(const std::string& node,
                                    const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"backend",     "--frontend", control_, "--listen",
                                   "127.0.0.1:0", "--node",     node};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  GLET_ASSIGN_OR_RETURN(serve::ChildProcess * backend, Spawn(args));
  backends_.push_back(backend);
  Result<std::string> line = backend->AwaitLine("listening: ", seconds(60));
  if (!line.ok()) {
    return line.status().WithContext("backend");
  }
  backend_addresses_.push_back(*line);  // the rest of the line: HOST:PORT
  return Status::Ok();
}

Status GletDeployment::AwaitReady(Duration timeout) {
  Result<std::string> line = frontend_->AwaitLine("ready", timeout);
  if (!line.ok()) {
    return line.status().WithContext("frontend never ready");
  }
  return Status::Ok();
}

std::string GletDeployment::StopFrontend(Duration grace) {
  return frontend_ == nullptr ? "" : frontend_->Stop(grace);
}

void GletDeployment::Stop() {
  StopFrontend(seconds(15));
  for (serve::ChildProcess* b : backends_) {
    b->Stop(seconds(10));
  }
}

}  // namespace glet::testing
