#include "serve/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>

extern char** environ;

namespace glet::serve {
namespace {

std::string Errno(int err) { return std::string(strerror(err)); }

std::vector<std::string> MergedEnv(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::map<std::string, std::string> vars;
  std::vector<std::string> order;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    std::string key = entry.substr(0, eq);
    if (vars.emplace(key, entry.substr(eq + 1)).second) {
      order.push_back(key);
    }
  }
  for (const auto& [key, value] : extra) {
    if (vars.count(key) == 0) {
      order.push_back(key);
    }
    vars[key] = value;
  }
  std::vector<std::string> out;
  out.reserve(order.size());
  for (const std::string& key : order) {
    out.push_back(key + "=" + vars[key]);
  }
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string ChildProcess::DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
  }
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* name = strsignal(sig);
    return "killed by signal " + std::to_string(sig) + (name ? " (" + std::string(name) + ")" : "");
  }
  return "ended with wait status " + std::to_string(wait_status);
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(const ChildSpec& spec, ExitFn on_exit) {
  GLET_CHECK(!spec.argv.empty()) << "ChildSpec without argv";
  if (access(spec.argv[0].c_str(), X_OK) != 0) {
    return InvalidArgumentError(spec.argv[0] + ": cannot execute (" + Errno(errno) + ")");
  }
  int in_pipe[2];
  int out_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) {
    return InternalError("pipe: " + Errno(errno));
  }
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    const int err = errno;
    close(in_pipe[0]);
    close(in_pipe[1]);
    return InternalError("pipe: " + Errno(err));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGHUP);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::vector<std::string> argv_strings = spec.argv;
  std::vector<std::string> env_strings = MergedEnv(spec.env);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(in_pipe[0]);
  close(out_pipe[1]);
  if (rc != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    return InvalidArgumentError(spec.argv[0] + ": cannot execute (" + Errno(rc) + ")");
  }
  return std::unique_ptr<ChildProcess>(
      new ChildProcess(pid, in_pipe[1], out_pipe[0], std::move(on_exit)));
}

ChildProcess::ChildProcess(pid_t pid, int stdin_fd, int stdout_fd, ExitFn on_exit)
    : pid_(pid), on_exit_(std::move(on_exit)), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd) {
  watcher_ = std::thread([this] { Watch(); });
}

ChildProcess::~ChildProcess() {
  Signal(SIGKILL);
  watcher_.join();
  MutexLock lock(io_mu_);
  if (stdin_fd_ >= 0) {
    close(stdin_fd_);
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
  }
}

void ChildProcess::Watch() {
  // Wait without reaping, then reap under mu_: Signal() holds mu_, so it never signals a pid
  // that was reaped (and possibly reused) in between.
  siginfo_t info;
  while (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  int status = 0;
  {
    MutexLock lock(mu_);
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    wait_status_ = status;
  }
  exited_cv_.notify_all();
  if (on_exit_) {
    on_exit_(status);
  }
}

bool ChildProcess::exited() const {
  MutexLock lock(mu_);
  return wait_status_.has_value();
}

std::optional<int> ChildProcess::wait_status() const {
  MutexLock lock(mu_);
  return wait_status_;
}

bool ChildProcess::WaitForExit(Duration timeout) {
  UniqueMutexLock lock(mu_);
  return exited_cv_.wait_for(lock, timeout,
                             [this]() GLET_REQUIRES(mu_) { return wait_status_.has_value(); });
}

void ChildProcess::Signal(int sig) {
  // Holding mu_ keeps the watcher from reaping (and the pid from being reused) in between.
  MutexLock lock(mu_);
  if (!wait_status_.has_value()) {
    kill(pid_, sig);
  }
}

void ChildProcess::CloseStdin() {
  MutexLock lock(io_mu_);
  if (stdin_fd_ >= 0) {
    close(stdin_fd_);
    stdin_fd_ = -1;
  }
}

std::string ChildProcess::Stop(Duration grace) {
  if (grace > Duration::zero()) {
    Signal(SIGTERM);
    WaitForExit(grace);
  }
  Signal(SIGKILL);
  while (!WaitForExit(std::chrono::seconds(60))) {
    Signal(SIGKILL);  // cannot outlive SIGKILL for long; keep the wait bounded per round
  }
  return DescribeWaitStatus(*wait_status());
}

Result<std::string> ChildProcess::AwaitLine(std::string_view prefix, Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(io_mu_);
  while (true) {
    size_t eol;
    while ((eol = stdout_buffer_.find('\n')) != std::string::npos) {
      std::string line = stdout_buffer_.substr(0, eol);
      stdout_buffer_.erase(0, eol + 1);
      if (line.compare(0, prefix.size(), prefix) == 0) {
        return line.substr(prefix.size());
      }
    }
    if (stdout_fd_ < 0) {
      return UnavailableError("pid " + std::to_string(pid_) + ": stdout already closed");
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return DeadlineExceededError(
          "pid " + std::to_string(pid_) + ": no '" + std::string(prefix) + "' line within " +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
          " ms");
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      return InternalError("poll: " + Errno(errno));
    }
    if (ready == 0) {
      continue;  // the deadline check above reports it
    }
    char buf[4096];
    const ssize_t n = read(stdout_fd_, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) {
        continue;
      }
      return InternalError("read: " + Errno(errno));
    }
    if (n == 0) {
      close(stdout_fd_);
      stdout_fd_ = -1;
      std::string how = "closed its stdout";
      if (WaitForExit(std::chrono::seconds(2))) {
        how = DescribeWaitStatus(*wait_status());
      }
      return UnavailableError("pid " + std::to_string(pid_) + " " + how + " before printing '" +
                              std::string(prefix) + "'");
    }
    stdout_buffer_.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace glet::serve
