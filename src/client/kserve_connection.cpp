#include "client/kserve_connection.h"

#include <chrono>

#include "core/strings.h"
#include "serve/grpc_status.h"

namespace glet::client {

namespace {

std::chrono::system_clock::time_point WallDeadline(Duration timeout) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout);
}

}  // namespace

std::optional<double> ParseSloMs(std::string_view value) {
  auto v = ParseDouble(value, "slo_ms");
  if (!v.ok() || !(*v > 0)) {
    return std::nullopt;
  }
  return *v;
}

KServeConnection::KServeConnection(Key, std::string target, std::shared_ptr<grpc::Channel> channel)
    : target_(std::move(target)),
      channel_(std::move(channel)),
      stub_(inference::GRPCInferenceService::NewStub(channel_)) {}

Result<std::unique_ptr<KServeConnection>> KServeConnection::Create(
    const std::string& target, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  const size_t colon = target.rfind(':');
  if (target.empty() || colon == std::string::npos || colon + 1 == target.size()) {
    return InvalidArgumentError("--target: expected HOST:PORT (got '" + target + "')");
  }
  auto port = ParseInt(target.substr(colon + 1), "--target: port");
  if (!port.ok() || *port < 1 || *port > 65535) {
    return InvalidArgumentError("--target: port must be 1..65535 (got '" +
                                target.substr(colon + 1) + "')");
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  auto channel = grpc::CreateCustomChannel(
      target, credentials != nullptr ? std::move(credentials) : grpc::InsecureChannelCredentials(),
      args);
  return std::make_unique<KServeConnection>(Key(), target, std::move(channel));
}

Status KServeConnection::WaitReady(Duration timeout, Duration poll_interval, Clock& clock) {
  const TimePoint give_up = clock.Now() + timeout;
  std::string last = "no answer";
  while (true) {
    const Duration left = give_up - clock.Now();
    if (left <= Duration::zero()) {
      break;
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(WallDeadline(left));
    ctx.set_wait_for_ready(true);  // ride out "connection refused" while the server starts
    inference::ServerReadyRequest req;
    inference::ServerReadyResponse resp;
    grpc::Status s = stub_->ServerReady(&ctx, req, &resp);
    if (s.ok() && resp.ready()) {
      return Status::Ok();
    }
    last = s.ok() ? std::string("answered not ready") : serve::FromGrpcStatus(s).ToString();
    const TimePoint next = std::min(give_up, clock.Now() + poll_interval);
    clock.SleepUntil(next);
  }
  return UnavailableError(target_ + ": server not ready after " +
                          FormatDouble(ToMillis(timeout) / 1000.0, 1) + " s (last: " + last + ")");
}

Result<ModelMetadata> KServeConnection::Metadata(const std::string& model, Duration timeout) {
  grpc::ClientContext ctx;
  ctx.set_deadline(WallDeadline(timeout));
  inference::ModelMetadataRequest req;
  req.set_name(model);
  inference::ModelMetadataResponse resp;
  grpc::Status s = stub_->ModelMetadata(&ctx, req, &resp);
  if (!s.ok()) {
    return serve::FromGrpcStatus(s).WithContext(target_ + ": model " + model + ": metadata");
  }
  if (resp.name().empty()) {
    resp.set_name(model);
  }
  ModelMetadata out;
  out.response = std::move(resp);
  const auto& trailers = ctx.GetServerTrailingMetadata();
  auto it = trailers.find(grpc::string_ref(kSloMetadataKey.data(), kSloMetadataKey.size()));
  if (it != trailers.end()) {
    out.slo_ms = ParseSloMs(std::string_view(it->second.data(), it->second.size()));
  }
  return out;
}

}  // namespace glet::client
