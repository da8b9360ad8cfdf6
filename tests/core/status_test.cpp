#include "core/status.h"

#include <gtest/gtest.h>

namespace glet {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) {
    return InvalidArgumentError("odd: " + std::to_string(x));
  }
  return x / 2;
}

Result<int> Quarter(int x) {
  GLET_ASSIGN_OR_RETURN(int h, Half(x));
  GLET_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, CodesMatchGrpcNumbers) {
  EXPECT_EQ(static_cast<int>(StatusCode::kInvalidArgument), 3);
  EXPECT_EQ(static_cast<int>(StatusCode::kNotFound), 5);
  EXPECT_EQ(static_cast<int>(StatusCode::kResourceExhausted), 8);
  EXPECT_EQ(static_cast<int>(StatusCode::kUnavailable), 14);
}

TEST(StatusTest, WithContextPrefixesOutermostFirst) {
  Status s = InvalidArgumentError("must be > 0").WithContext("/slo_ms").WithContext("m.json");
  EXPECT_EQ(s.message(), "m.json: /slo_ms: must be > 0");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(StatusDeathTest, ValueOfErrorAborts) {
  Result<int> r = InternalError("boom");
  EXPECT_DEATH((void)r.value(), "boom");
}

}  // namespace
}  // namespace glet
