#include "serve/request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

TEST(RequestTest, OutcomeAndDropReasonNamesAreStableLabels) {
  EXPECT_EQ(RequestOutcomeName(RequestOutcome::kServed), "served");
  EXPECT_EQ(RequestOutcomeName(RequestOutcome::kDropped), "dropped");
  EXPECT_EQ(RequestOutcomeName(RequestOutcome::kFailed), "failed");
  EXPECT_EQ(DropReasonName(DropReason::kSloUnreachable), "slo_unreachable");
  EXPECT_EQ(DropReasonName(DropReason::kQueueFull), "queue_full");
  EXPECT_EQ(DropReasonName(DropReason::kModelUnloaded), "model_unloaded");
  EXPECT_EQ(DropReasonName(DropReason::kShutdown), "shutdown");
  EXPECT_EQ(DropReasonName(DropReason::kDeadlineExpired), "deadline_expired");
  EXPECT_EQ(DropReasonName(DropReason::kNoGlet), "no_glet");
  EXPECT_EQ(DropReasonName(DropReason::kOverloaded), "overloaded");
}

TEST(RequestTest, ParseDropReasonInvertsEveryName) {
  std::set<std::string> names;
  for (DropReason reason : kAllDropReasons) {
    names.insert(std::string(DropReasonName(reason)));
    Result<DropReason> parsed = ParseDropReason(DropReasonName(reason));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, reason);
  }
  EXPECT_EQ(names.size(), kAllDropReasons.size());
}

TEST(RequestTest, ParseDropReasonRejectsUnknownNameNamingIt) {
  Result<DropReason> parsed = ParseDropReason("too_slow");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("'too_slow'"));
}

TEST(RequestTest, DropStatusCodeDependsOnReasonAndMessageNamesRequest) {
  PendingRequest r;
  r.id = 17;
  r.model = "resnet50";
  EXPECT_EQ(DropStatus(r, DropReason::kQueueFull).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(DropStatus(r, DropReason::kDeadlineExpired).code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(DropStatus(r, DropReason::kSloUnreachable).code(), StatusCode::kUnavailable);
  EXPECT_EQ(DropStatus(r, DropReason::kModelUnloaded).code(), StatusCode::kUnavailable);
  EXPECT_EQ(DropStatus(r, DropReason::kShutdown).code(), StatusCode::kUnavailable);
  EXPECT_EQ(DropStatus(r, DropReason::kNoGlet).code(), StatusCode::kUnavailable);
  EXPECT_EQ(DropStatus(r, DropReason::kOverloaded).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(DropStatus(r, DropReason::kQueueFull).message(),
            "model resnet50: request 17: dropped (queue_full)");
}

}  // namespace
}  // namespace glet::serve
