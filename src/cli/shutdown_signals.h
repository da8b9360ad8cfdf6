// ShutdownSignals: how the long-running subcommands (`glet proxy`, `glet backend`, `glet
// frontend`) wait for the end. Block() must be called before the process starts any thread: it
// blocks SIGTERM, SIGINT and SIGHUP in the calling thread (threads started later inherit the
// mask) and opens a signalfd, so no thread is ever interrupted by them and Wait() receives them
// synchronously; no async handler runs.
//
// Thread safety: one thread calls Wait().
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/status.h"

namespace glet::cli {

class ShutdownSignals {
 public:
  // kInternal if the mask or the signalfd cannot be set up.
  static Result<std::unique_ptr<ShutdownSignals>> Block();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Blocks until SIGTERM, SIGINT or SIGHUP arrives, or, with `watch_stdin`, until stdin reaches
  // end of file (the parent process closed its end or died). Returns what happened: "SIGTERM",
  // "SIGINT", "SIGHUP", "stdin closed".
  std::string Wait(bool watch_stdin);
  // As Wait(), for at most `timeout_ms` milliseconds: nullopt if nothing happened by then.
  std::optional<std::string> WaitFor(bool watch_stdin, int timeout_ms);

 private:
  explicit ShutdownSignals(int fd) : fd_(fd) {}
  const int fd_;
};

}  // namespace glet::cli
