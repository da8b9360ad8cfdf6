#include "cli/command.h"

namespace glet::cli {

int ExitCodeFor(const Status& status) {
  if (status.ok()) {
    return 0;
  }
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace glet::cli
