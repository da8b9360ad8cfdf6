#include "serve/request.h"

#include <string>

namespace glet::serve {

std::string_view RequestOutcomeName(RequestOutcome outcome) {
  switch (outcome) {
    case RequestOutcome::kServed:
      return "served";
    case RequestOutcome::kDropped:
      return "dropped";
    case RequestOutcome::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kSloUnreachable:
      return "slo_unreachable";
    case DropReason::kQueueFull:
      return "queue_full";
    case DropReason::kModelUnloaded:
      return "model_unloaded";
    case DropReason::kShutdown:
      return "shutdown";
    case DropReason::kDeadlineExpired:
      return "deadline_expired";
    case DropReason::kNoGlet:
      return "no_glet";
    case DropReason::kOverloaded:
      return "overloaded";
  }
  return "unknown";
}

Result<DropReason> ParseDropReason(std::string_view name) {
  for (DropReason reason : kAllDropReasons) {
    if (DropReasonName(reason) == name) {
      return reason;
    }
  }
  return InvalidArgumentError("unknown drop reason '" + std::string(name) + "'");
}

Status DropStatus(const PendingRequest& request, DropReason reason) {
  std::string message = "model " + request.model + ": request " + std::to_string(request.id) +
                        ": dropped (" + std::string(DropReasonName(reason)) + ")";
  switch (reason) {
    case DropReason::kQueueFull:
    case DropReason::kOverloaded:
      return ResourceExhaustedError(std::move(message));
    case DropReason::kDeadlineExpired:
      return DeadlineExceededError(std::move(message));
    case DropReason::kSloUnreachable:
    case DropReason::kModelUnloaded:
    case DropReason::kShutdown:
    case DropReason::kNoGlet:
      break;
  }
  return UnavailableError(std::move(message));
}

}  // namespace glet::serve
