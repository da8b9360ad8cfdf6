#include "client/request_record.h"

#include <algorithm>
#include <cctype>

#include "core/status.h"
#include "core/strings.h"

namespace glet::client {

namespace {

// Finds "dropped (<name>)" with a known drop reason; returns the name or "".
std::string DropReasonFromMessage(std::string_view message) {
  constexpr std::string_view kMarker = "dropped (";
  const size_t at = message.rfind(kMarker);
  if (at == std::string_view::npos) {
    return "";
  }
  const size_t start = at + kMarker.size();
  const size_t close = message.find(')', start);
  if (close == std::string_view::npos) {
    return "";
  }
  const std::string_view name = message.substr(start, close - start);
  if (!serve::ParseDropReason(name).ok()) {
    return "";
  }
  return std::string(name);
}

}  // namespace

std::string GrpcCodeReason(int grpc_code) {
  if (grpc_code == 15) {
    return "data_loss";
  }
  if (grpc_code == 16) {
    return "unauthenticated";
  }
  if (grpc_code < 0 || grpc_code > 16) {
    return "code_" + std::to_string(grpc_code);
  }
  std::string name(StatusCodeName(static_cast<StatusCode>(grpc_code)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

Outcome ClassifyOutcome(int grpc_code, std::string_view message, std::string_view outcome_md,
                        std::string_view reason_md) {
  if (grpc_code == 0) {
    return {serve::RequestOutcome::kServed, ""};
  }
  if (outcome_md == "dropped") {
    return {serve::RequestOutcome::kDropped,
            reason_md.empty() ? std::string("unspecified") : std::string(reason_md)};
  }
  if (std::string reason = DropReasonFromMessage(message); !reason.empty()) {
    return {serve::RequestOutcome::kDropped, reason};
  }
  return {serve::RequestOutcome::kFailed, GrpcCodeReason(grpc_code)};
}

std::string FormatRequestLog(const std::vector<RequestRecord>& records) {
  std::string out = "id,model,sent_ms,done_ms,status,reason,latency_ms\n";
  out.reserve(out.size() + records.size() * 64);
  for (const RequestRecord& r : records) {
    std::string reason = r.reason;
    std::replace(reason.begin(), reason.end(), ',', ';');
    out += std::to_string(r.id);
    out += ',';
    out += r.model;
    out += ',';
    out += FormatDouble(r.sent_ms, 3);
    out += ',';
    out += FormatDouble(r.done_ms, 3);
    out += ',';
    out += serve::RequestOutcomeName(r.outcome);
    out += ',';
    out += reason;
    out += ',';
    out += FormatDouble(r.latency_ms(), 3);
    out += '\n';
  }
  return out;
}

}  // namespace glet::client
