// KServeConnection: the client side of one KServe v2 gRPC server (`inference.
// GRPCInferenceService`): a channel plus the blocking control calls `glet client` makes before a
// run (readiness, model metadata). The inference calls themselves go through LoadGenerator.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "kserve.grpc.pb.h"

namespace glet::client {

// Trailing metadata key with which glet's frontend reports a model's or app's SLO on
// ModelMetadata (KServe's metadata message has no parameters map).
inline constexpr std::string_view kSloMetadataKey = "glet-slo-ms";

// A number > 0 (the trailer's value), else nullopt.
std::optional<double> ParseSloMs(std::string_view value);

struct ModelMetadata {
  inference::ModelMetadataResponse response;
  std::optional<double> slo_ms;  // from the glet-slo-ms trailer, when the server sent one
};

class KServeConnection {
 public:
  // `target` is host:port. kInvalidArgument naming --target when it is empty or has no port.
  // Connecting is lazy: a server that is not there shows up in the first call.
  // `credentials`: plaintext when null (serve::KServeChannelCredentials for TLS).
  static Result<std::unique_ptr<KServeConnection>> Create(
      const std::string& target, std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr);

  const std::string& target() const { return target_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  inference::GRPCInferenceService::Stub& stub() { return *stub_; }

  // Asks ServerReady until it answers ready, for at most `timeout` (each try bounded by the time
  // left; tries `poll_interval` apart). kUnavailable "<target>: server not ready after S s
  // (last: ...)" when it never is.
  Status WaitReady(Duration timeout, Duration poll_interval, Clock& clock);

  // ModelMetadata for one model or app, with the SLO the server reported (if any). The error
  // keeps the server's gRPC code (kNotFound for a model the server does not know, kUnavailable
  // when it cannot be reached) and names the model.
  Result<ModelMetadata> Metadata(const std::string& model, Duration timeout);

 private:
  struct Key {  // lets Create() use make_unique with a constructor no one else can call
    explicit Key() = default;
  };

 public:
  KServeConnection(Key, std::string target, std::shared_ptr<grpc::Channel> channel);

 private:
  const std::string target_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
};

}  // namespace glet::client
