#include "serve/process_setup.h"

#include <absl/synchronization/mutex.h>

#include <csignal>
#include <cstdlib>

namespace glet::serve {

void IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }

void TurnOffMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

void PreferPollEngine() {
  setenv("GRPC_POLL_STRATEGY", "poll", /*overwrite=*/0);  // read when gRPC initialises
}

void TuneProcessForServing() {
  IgnoreSigpipe();
  TurnOffMutexDeadlockDetection();
  PreferPollEngine();
}

}  // namespace glet::serve
