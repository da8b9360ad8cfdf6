// ChildProcessSet: owns the child processes a test or benchmark starts, so that one call can stop
// them all from any thread. serve::ChildProcess puts every child in its own process group, so a
// terminal's Ctrl-C reaches only the parent; a benchmark's signal thread calls StopAll() to pass
// it on (a frontend or backend left behind would keep serving).
//
// Thread safety: every method may be called from any thread. A pointer returned by Spawn() stays
// valid until Stop() on it, StopAll() or the set's destruction, whichever comes first.
#pragma once

#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "core/status.h"
#include "serve/child_process.h"

namespace glet::testing {

class ChildProcessSet {
 public:
  ChildProcessSet() = default;
  // Kills (SIGKILL) and reaps every child still here.
  ~ChildProcessSet() = default;
  ChildProcessSet(const ChildProcessSet&) = delete;
  ChildProcessSet& operator=(const ChildProcessSet&) = delete;

  // Starts a child kept here. Errors as serve::ChildProcess::Spawn().
  Result<serve::ChildProcess*> Spawn(const serve::ChildSpec& spec);

  // SIGTERM, SIGKILL after `grace`; the child is reaped and forgotten. A child not here (null,
  // or already stopped) is ignored.
  void Stop(serve::ChildProcess* child, Duration grace);

  // SIGTERM to every child here at once, then stops each within `grace`.
  void StopAll(Duration grace);

 private:
  Mutex mu_;
  std::vector<std::unique_ptr<serve::ChildProcess>> children_ GLET_GUARDED_BY(mu_);
};

}  // namespace glet::testing
