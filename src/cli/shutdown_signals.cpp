#include "cli/shutdown_signals.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace glet::cli {

Result<std::unique_ptr<ShutdownSignals>> ShutdownSignals::Block() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0) {
    return InternalError(std::string("pthread_sigmask: ") + strerror(rc));
  }
  const int fd = signalfd(-1, &set, SFD_CLOEXEC);
  if (fd < 0) {
    return InternalError(std::string("signalfd: ") + strerror(errno));
  }
  return std::unique_ptr<ShutdownSignals>(new ShutdownSignals(fd));
}

ShutdownSignals::~ShutdownSignals() { close(fd_); }

std::string ShutdownSignals::Wait(bool watch_stdin) { return *WaitFor(watch_stdin, -1); }

std::optional<std::string> ShutdownSignals::WaitFor(bool watch_stdin, int timeout_ms) {
  while (true) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    const int n = poll(fds, watch_stdin ? 2 : 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return std::string("poll failed: ") + strerror(errno);
    }
    if (n == 0) {
      return std::nullopt;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info;
      if (read(fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
        switch (info.ssi_signo) {
          case SIGTERM:
            return "SIGTERM";
          case SIGINT:
            return "SIGINT";
          default:
            return "SIGHUP";
        }
      }
    }
    if (watch_stdin && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[256];
      const ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
        return "stdin closed";
      }
    }
  }
}

}  // namespace glet::cli
