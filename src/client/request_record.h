// RequestRecord: how one request of a `glet client` run went, and the two pure functions that
// produce and print records: ClassifyOutcome() turns a gRPC reply into served / dropped / failed
// with a reason, and FormatRequestLog() writes the per-request CSV.
//
// Outcome rules (the frontend's contract, docs/serving.md "Request fate"):
//   - gRPC OK                                  -> served, reason "".
//   - trailing metadata `glet-outcome: dropped` -> dropped, reason = `glet-drop-reason`
//     ("unspecified" when absent); the server gave up on the request on purpose.
//   - otherwise, a message of the form "...: dropped (<reason>)" with a known DropReason name
//     (serve/request.h DropStatus()) -> dropped with that reason (servers that forget the
//     metadata still count right).
//   - anything else -> failed, reason = the gRPC code in lower case ("unavailable",
//     "deadline_exceeded" for a client-side deadline, ...). The client's own refusals use
//     kClientOverloadReason.
//
// Thread safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "serve/request.h"

namespace glet::client {

inline constexpr std::string_view kOutcomeMetadataKey = "glet-outcome";
inline constexpr std::string_view kDropReasonMetadataKey = "glet-drop-reason";
// Reason of a request the client refused to send because --max-inflight was reached.
inline constexpr std::string_view kClientOverloadReason = "client_overload";

struct RequestRecord {
  int64_t id = 0;
  std::string model;
  double scheduled_ms = 0;  // when the schedule said to send it (from the run start)
  double sent_ms = 0;       // when it was actually sent
  double done_ms = 0;       // when its reply (or error) arrived
  serve::RequestOutcome outcome = serve::RequestOutcome::kFailed;
  std::string reason;  // drop reason or failure reason; "" when served
  double latency_ms() const { return done_ms - sent_ms; }
};

struct Outcome {
  serve::RequestOutcome outcome = serve::RequestOutcome::kFailed;
  std::string reason;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// `grpc_code` is the numeric gRPC status code (0 = OK). `outcome_md` / `reason_md` are the
// values of the two trailing-metadata keys ("" when absent).
Outcome ClassifyOutcome(int grpc_code, std::string_view message, std::string_view outcome_md,
                        std::string_view reason_md);

// Lower-case gRPC code name: 4 -> "deadline_exceeded"; unknown numbers -> "code_<n>".
std::string GrpcCodeReason(int grpc_code);

// The per-request CSV: header `id,model,sent_ms,done_ms,status,reason,latency_ms`, one row per
// record in the given order, times with 3 decimals. Commas in reasons are replaced by ';'.
std::string FormatRequestLog(const std::vector<RequestRecord>& records);

}  // namespace glet::client
