#include "testing/child_process_set.h"

#include <signal.h>

#include <algorithm>
#include <utility>

namespace glet::testing {

Result<serve::ChildProcess*> ChildProcessSet::Spawn(const serve::ChildSpec& spec) {
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<serve::ChildProcess> child,
                        serve::ChildProcess::Spawn(spec));
  MutexLock lock(mu_);
  children_.push_back(std::move(child));
  return children_.back().get();
}

void ChildProcessSet::Stop(serve::ChildProcess* child, Duration grace) {
  std::unique_ptr<serve::ChildProcess> owned;
  {
    MutexLock lock(mu_);
    auto it = std::find_if(children_.begin(), children_.end(),
                           [child](const auto& c) { return c.get() == child; });
    if (it == children_.end()) {
      return;
    }
    owned = std::move(*it);
    children_.erase(it);
  }
  owned->Stop(grace);
}

void ChildProcessSet::StopAll(Duration grace) {
  MutexLock lock(mu_);
  for (auto& c : children_) {
    c->Signal(SIGTERM);
  }
  for (auto& c : children_) {
    c->Stop(grace);
  }
  children_.clear();
}

}  // namespace glet::testing
