#include "serve/grpc_status.h"

#include <string>

namespace glet::serve {
namespace {

// The cast in ToGrpcStatus relies on equal numbers.
constexpr bool SameNumber(StatusCode a, grpc::StatusCode b) {
  return static_cast<int>(a) == static_cast<int>(b);
}
static_assert(SameNumber(StatusCode::kCancelled, grpc::StatusCode::CANCELLED));
static_assert(SameNumber(StatusCode::kUnknown, grpc::StatusCode::UNKNOWN));
static_assert(SameNumber(StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT));
static_assert(SameNumber(StatusCode::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED));
static_assert(SameNumber(StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND));
static_assert(SameNumber(StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS));
static_assert(SameNumber(StatusCode::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED));
static_assert(SameNumber(StatusCode::kResourceExhausted, grpc::StatusCode::RESOURCE_EXHAUSTED));
static_assert(SameNumber(StatusCode::kFailedPrecondition, grpc::StatusCode::FAILED_PRECONDITION));
static_assert(SameNumber(StatusCode::kAborted, grpc::StatusCode::ABORTED));
static_assert(SameNumber(StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE));
static_assert(SameNumber(StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED));
static_assert(SameNumber(StatusCode::kInternal, grpc::StatusCode::INTERNAL));
static_assert(SameNumber(StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE));

}  // namespace

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  return grpc::Status(static_cast<grpc::StatusCode>(static_cast<int>(status.code())),
                      status.message());
}

Status FromGrpcStatus(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return Status::Ok();
    case grpc::StatusCode::DATA_LOSS:
      return Status(StatusCode::kInternal, "DATA_LOSS: " + status.error_message());
    case grpc::StatusCode::UNAUTHENTICATED:
      return Status(StatusCode::kPermissionDenied, "UNAUTHENTICATED: " + status.error_message());
    default:
      break;
  }
  const int code = static_cast<int>(status.error_code());
  if (code < 0 || code > static_cast<int>(StatusCode::kUnavailable)) {
    return Status(StatusCode::kUnknown,
                  "gRPC code " + std::to_string(code) + ": " + status.error_message());
  }
  return Status(static_cast<StatusCode>(code), status.error_message());
}

}  // namespace glet::serve
