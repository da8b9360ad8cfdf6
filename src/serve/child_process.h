// ChildProcess: one child process started with posix_spawn and watched by a thread blocked in
// waitpid() (no polling). Used by the backend for its `glet proxy` children.
//
// The child gets: argv[0] as the program, the parent's environment plus `env` overrides, a pipe
// as stdin (closing it, which happens when this object or the whole parent process dies, tells
// a child started with `--stop-on-stdin-eof` to shut down, so children never outlive their
// parent), a pipe as stdout (read with AwaitLine), the parent's stderr, default signal handling
// and an empty signal mask, and its own process group (a terminal's Ctrl-C reaches only the
// parent, which stops its children in order).
//
// Thread safety: all methods may be called from any thread. `on_exit` runs once, on the watcher
// thread, when the child has exited and been reaped; it must not destroy this object.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"

namespace glet::serve {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0]: path of the program; at least one entry
  std::vector<std::pair<std::string, std::string>> env;  // added to / replacing the parent's
};

class ChildProcess {
 public:
  using ExitFn = std::function<void(int wait_status)>;

  // Starts the child. kInvalidArgument naming the program when it cannot be executed (missing,
  // not executable); kInternal for pipe/spawn failures.
  static Result<std::unique_ptr<ChildProcess>> Spawn(const ChildSpec& spec, ExitFn on_exit = {});
  // Kills the child (SIGKILL) if it still runs, reaps it and joins the watcher thread.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Reads the child's stdout until a line starting with `prefix` and returns the rest of that
  // line (other lines are skipped). kDeadlineExceeded after `timeout`; kUnavailable when the
  // child closes stdout (exits) first, with its exit described when known.
  Result<std::string> AwaitLine(std::string_view prefix, Duration timeout);

  // Waits up to `timeout` for the child to exit; true once it has.
  bool WaitForExit(Duration timeout);
  bool exited() const;
  // The waitpid() status once exited.
  std::optional<int> wait_status() const;
  // Sends `sig` unless the child has already been reaped (no risk of hitting a reused pid).
  void Signal(int sig);
  // SIGTERM, waits up to `grace` (0: none), then SIGKILL; returns once the child is reaped, with
  // its exit described.
  std::string Stop(Duration grace);
  // Closes the child's stdin (a `--stop-on-stdin-eof` child then shuts down gracefully).
  void CloseStdin();

  // "exited with code 2", "killed by signal 9 (Killed)".
  static std::string DescribeWaitStatus(int wait_status);

 private:
  ChildProcess(pid_t pid, int stdin_fd, int stdout_fd, ExitFn on_exit);
  void Watch();

  const pid_t pid_;
  const ExitFn on_exit_;

  Mutex io_mu_;  // serializes stdout reads and the stdin close
  int stdin_fd_ GLET_GUARDED_BY(io_mu_);
  int stdout_fd_ GLET_GUARDED_BY(io_mu_);
  std::string stdout_buffer_ GLET_GUARDED_BY(io_mu_);

  mutable Mutex mu_;
  CondVar exited_cv_;
  std::optional<int> wait_status_ GLET_GUARDED_BY(mu_);

  std::thread watcher_;  // last: starts after the fields above are set
};

}  // namespace glet::serve
