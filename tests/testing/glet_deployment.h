// GletDeployment: a real serving plane for whole-process tests and benchmarks: one `glet
// frontend` and any number of `glet backend`s (which start their own `glet proxy` children), run
// from the built glet binary on 127.0.0.1 with ports the kernel picks, read back from each
// process's `listening:` line. Nothing is mocked.
//
// Typical use: StartFrontend(config), StartBackend(node) per node, AwaitReady(), then talk to
// grpc() / http(); the destructor stops everything (frontend first: it stops its glets).
//
// Thread safety: one thread drives a deployment. The processes live in a ChildProcessSet, this
// object's own or one the caller passes in (a benchmark whose signal thread must be able to stop
// every process it started).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "serve/child_process.h"
#include "testing/child_process_set.h"

namespace glet::testing {

class GletDeployment {
 public:
  using Env = std::vector<std::pair<std::string, std::string>>;
  struct Options {
    std::string glet_binary;  // path of the glet program
    Env env;                  // added to (or replacing) the environment of every process
    // Where the processes are kept; null: a set owned by this deployment. Not owned; must
    // outlive this deployment.
    ChildProcessSet* processes = nullptr;
  };

  explicit GletDeployment(Options options);
  // Stop(), then forgets its processes (removes them from the set).
  ~GletDeployment();
  GletDeployment(const GletDeployment&) = delete;
  GletDeployment& operator=(const GletDeployment&) = delete;

  // Starts `glet --log-level warn frontend --config <config> <extra_args> --http 127.0.0.1:0
  // --grpc 127.0.0.1:0 --control 127.0.0.1:0 --drain-s 1 --start-timeout-s <start_timeout_s>`
  // and reads its three addresses from its `listening:` line (waited for up to 60 s).
  // Errors: the spawn's; AwaitLine()'s (kDeadlineExceeded, kUnavailable when it exited) prefixed
  // with "frontend: "; kInternal when the line lacks one of the addresses.
  // REQUIRES: no frontend started yet.
  Status StartFrontend(const std::string& config, const std::vector<std::string>& extra_args = {},
                       int start_timeout_s = 60);

  // Starts a frontend again on the addresses the first one listened on (after it was killed or
  // stopped), with the same kinds of arguments as StartFrontend, and waits for its `listening:`
  // line. Errors as StartFrontend(). REQUIRES: StartFrontend() succeeded and that frontend has
  // exited.
  Status RestartFrontend(const std::string& config, const std::vector<std::string>& extra_args = {},
                         int start_timeout_s = 60);

  // Starts `glet --log-level warn backend --frontend <control> --listen 127.0.0.1:0 --node <node>
  // <extra_args>` and waits up to 60 s for its `listening:` line (errors prefixed "backend: ").
  // REQUIRES: StartFrontend() succeeded.
  Status StartBackend(const std::string& node, const std::vector<std::string>& extra_args = {});

  // Waits up to `timeout` for the frontend's `ready` line (backends joined, first plan applied).
  // Errors prefixed "frontend never ready: ".
  Status AwaitReady(Duration timeout);

  // Stops the frontend (SIGTERM, SIGKILL after `grace`) and returns how it ended ("" when none
  // was started). The process object stays readable (frontend().exited()).
  std::string StopFrontend(Duration grace = std::chrono::seconds(15));
  // The frontend (15 s grace), then each backend (10 s grace). Safe to call twice.
  void Stop();

  // REQUIRES: the process was started. Valid while this deployment lives.
  serve::ChildProcess& frontend() { return *frontend_; }
  serve::ChildProcess& backend(size_t i) { return *backends_.at(i); }
  // HOST:PORT of backend i's BackendControl service (its `listening:` line).
  const std::string& backend_address(size_t i) const { return backend_addresses_.at(i); }
  bool has_frontend() const { return frontend_ != nullptr; }
  size_t backend_count() const { return backends_.size(); }

  // Addresses ("127.0.0.1:PORT") from the frontend's listening line; empty before.
  const std::string& http() const { return http_; }
  const std::string& grpc() const { return grpc_; }
  const std::string& control() const { return control_; }
  const Env& env() const { return options_.env; }

 private:
  Result<serve::ChildProcess*> Spawn(const std::vector<std::string>& args);
  // Spawns a frontend listening on the three addresses given and reads back where it listens.
  Status LaunchFrontend(const std::string& config, const std::vector<std::string>& extra_args,
                        int start_timeout_s, const std::string& http, const std::string& grpc,
                        const std::string& control);

  const Options options_;
  std::unique_ptr<ChildProcessSet> own_processes_;  // null when options_.processes is set
  ChildProcessSet& processes_;                      // not owned unless own_processes_ is it
  serve::ChildProcess* frontend_ = nullptr;         // owned by processes_
  std::vector<serve::ChildProcess*> backends_;      // owned by processes_
  std::vector<std::string> backend_addresses_;      // parallel to backends_
  std::string http_;
  std::string grpc_;
  std::string control_;
};

}  // namespace glet::testing
