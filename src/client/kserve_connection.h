// KServeConnection: the client side of one KServe v2 gRPC server (`inference.
// GRPCInferenceService`): a channel plus the blocking control calls `glet client` makes before a
// run (readiness, model metadata). The inference calls themselves go through LoadGenerator.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "kserve.grpc.pb.h"

namespace glet::client {

class KServeConnection {
 public:
  // `target` is host:port. kInvalidArgument naming --target when it is empty or has no port.
  // Connecting is lazy: a server that is not there shows up in the first call.
  static Result<std::unique_ptr<KServeConnection>> Create(const std::string& target);

  const std::string& target() const { return target_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  inference::GRPCInferenceService::Stub& stub() { return *stub_; }

  // Asks ServerReady until it answers ready, for at most `timeout` (each try bounded by the time
  // left; tries `poll_interval` apart). kUnavailable "<target>: server not ready after S s
  // (last: ...)" when it never is.
  Status WaitReady(Duration timeout, Duration poll_interval, Clock& clock);

  // ModelMetadata for one model or app. The error keeps the server's gRPC code (kNotFound for a
  // model the server does not know, kUnavailable when it cannot be reached) and names the model.
  Result<inference::ModelMetadataResponse> Metadata(const std::string& model, Duration timeout);

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
