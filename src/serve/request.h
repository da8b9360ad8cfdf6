// PendingRequest and request fate: what the serving policies (Batcher, Router, RateMonitor) know
// about one client request, and the closed sets of outcomes and drop reasons that every request
// ends with. The names are the `outcome` / `reason` labels of glet_requests_total and
// glet_requests_dropped_total, so they are stable API for dashboards.
//
// A PendingRequest does not hold the request's tensors: `payload` is an opaque handle (an index
// or id into a table owned by the frontend), so policies copy requests cheaply and never touch
// client data.
//
// Thread safety: values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace glet::serve {

using RequestId = uint64_t;

struct PendingRequest {
  RequestId id = 0;
  std::string model;
  TimePoint arrival{};   // when the frontend received it
  TimePoint deadline{};  // arrival + the model's SLO (or a tighter client deadline)
  int n = 1;             // items (rows of the leading batch dimension), >= 1
  uint64_t payload = 0;  // opaque handle owned by the caller; policies never interpret it
};

// How a request ended. Every request ends in exactly one of these.
enum class RequestOutcome { kServed, kDropped, kFailed };

// Why a request was dropped (outcome kDropped).
enum class DropReason {
  kSloUnreachable,   // cannot finish by its deadline even if run right now
  kQueueFull,        // the model's bounded queue was full on arrival
  kModelUnloaded,    // the model stopped being served while the request waited
  kShutdown,         // the server is shutting down
  kDeadlineExpired,  // its deadline passed before it could run
  kNoGlet,           // every glet of its model stayed down until it could no longer make it
  kOverloaded,       // shed: it could run alone in time, but not behind the work queued ahead
};

inline constexpr std::array<DropReason, 7> kAllDropReasons = {
    DropReason::kSloUnreachable, DropReason::kQueueFull,       DropReason::kModelUnloaded,
    DropReason::kShutdown,       DropReason::kDeadlineExpired, DropReason::kNoGlet,
    DropReason::kOverloaded};

// "served", "dropped", "failed".
std::string_view RequestOutcomeName(RequestOutcome outcome);
// "slo_unreachable", "queue_full", "model_unloaded", "shutdown", "deadline_expired", "no_glet",
// "overloaded".
std::string_view DropReasonName(DropReason reason);
// Inverse of DropReasonName; kInvalidArgument naming `name` for anything else.
Result<DropReason> ParseDropReason(std::string_view name);

// The status a client gets for a dropped request: kResourceExhausted for kQueueFull and
// kOverloaded (the server is at capacity: retry later),
// kDeadlineExceeded for kDeadlineExpired, kUnavailable (retry may succeed) otherwise. The message
// names model, request id and reason: "model resnet50: request 17: dropped (queue_full)".
Status DropStatus(const PendingRequest& request, DropReason reason);

// A request a policy refused or gave up on, with the reason. The policy no longer holds it; the
// caller finishes it (tells the client DropStatus(), counts the drop).
struct DroppedRequest {
  PendingRequest request;
  DropReason reason = DropReason::kSloUnreachable;
};

}  // namespace glet::serve
