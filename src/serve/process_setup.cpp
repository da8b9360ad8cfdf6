#include "serve/process_setup.h"

#include <absl/synchronization/mutex.h>

namespace glet::serve {

void TuneProcessForServing() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace glet::serve
