#include "serve/grpc_status.h"

#include <gtest/gtest.h>

namespace glet::serve {
namespace {

TEST(GrpcStatusTest, OkCrossesBothWays) {
  EXPECT_TRUE(ToGrpcStatus(Status::Ok()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, EveryGletCodeRoundTripsWithSameNumberAndMessage) {
  for (int code = 1; code <= static_cast<int>(StatusCode::kUnavailable); ++code) {
    const Status status(static_cast<StatusCode>(code), "model m: something");
    const grpc::Status wire = ToGrpcStatus(status);
    EXPECT_EQ(static_cast<int>(wire.error_code()), code);
    EXPECT_EQ(wire.error_message(), "model m: something");
    EXPECT_EQ(FromGrpcStatus(wire), status) << code;
  }
}

TEST(GrpcStatusTest, GrpcOnlyCodesMapToNearestGletCode) {
  const Status data_loss = FromGrpcStatus(grpc::Status(grpc::StatusCode::DATA_LOSS, "torn"));
  EXPECT_EQ(data_loss.code(), StatusCode::kInternal);
  EXPECT_EQ(data_loss.message(), "DATA_LOSS: torn");
  const Status unauth = FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "who"));
  EXPECT_EQ(unauth.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(unauth.message(), "UNAUTHENTICATED: who");
}

}  // namespace
}  // namespace glet::serve
