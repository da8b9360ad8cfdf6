// AddExclusiveListeningPort: how every glet gRPC server listens. gRPC sets SO_REUSEPORT on its
// listening sockets by default, so a second process could bind the same host:port and take a
// share of the new connections (an impostor on the KServe port, or a second frontend started by
// mistake, each printing "listening:"). Here the port is bound exclusively: a port already in
// use makes BuildAndStart() fail (the caller reports the address and exits 2).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>

namespace glet::serve {

// `credentials`: plaintext unless given (internal ports pass ControlTls::ServerCredentials()).
inline void AddExclusiveListeningPort(
    grpc::ServerBuilder& builder, const std::string& address, int* selected_port,
    std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials()) {
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(address, std::move(credentials), selected_port);
}

}  // namespace glet::serve
