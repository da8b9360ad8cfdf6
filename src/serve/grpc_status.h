// The one place where glet::Status and grpc::Status meet. glet's codes are the canonical gRPC
// codes with the same numbers, so the conversion keeps code and message unchanged; gRPC's two
// codes glet does not use map to the nearest glet code (DATA_LOSS -> kInternal,
// UNAUTHENTICATED -> kPermissionDenied), with the gRPC code name prefixed to the message.
//
// Thread safety: pure functions.
#pragma once

#include <grpcpp/support/status.h>

#include "core/status.h"

namespace glet::serve {

grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const grpc::Status& status);

}  // namespace glet::serve
