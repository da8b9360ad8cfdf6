#include "client/request_record.h"

#include <gtest/gtest.h>

namespace glet::client {
namespace {

using serve::RequestOutcome;

TEST(ClassifyOutcomeTest, OkIsServed) {
  EXPECT_EQ(ClassifyOutcome(0, "", "", ""), (Outcome{RequestOutcome::kServed, ""}));
}

TEST(ClassifyOutcomeTest, DropMetadataMeansDropped) {
  EXPECT_EQ(ClassifyOutcome(14, "whatever", "dropped", "queue_full"),
            (Outcome{RequestOutcome::kDropped, "queue_full"}));
  // The drop metadata wins over the code: a server-side deadline drop is not a client timeout.
  EXPECT_EQ(ClassifyOutcome(4, "", "dropped", "deadline_expired"),
            (Outcome{RequestOutcome::kDropped, "deadline_expired"}));
  EXPECT_EQ(ClassifyOutcome(14, "", "dropped", ""),
            (Outcome{RequestOutcome::kDropped, "unspecified"}));
}

TEST(ClassifyOutcomeTest, DropMessageWithoutMetadataIsDropped) {
  EXPECT_EQ(ClassifyOutcome(8, "model lenet: request 3: dropped (queue_full)", "", ""),
            (Outcome{RequestOutcome::kDropped, "queue_full"}));
  // Unknown reason names in the message do not count.
  EXPECT_EQ(ClassifyOutcome(14, "dropped (cosmic_rays)", "", ""),
            (Outcome{RequestOutcome::kFailed, "unavailable"}));
}

TEST(ClassifyOutcomeTest, EverythingElseFailsWithTheCodeName) {
  EXPECT_EQ(ClassifyOutcome(4, "Deadline Exceeded", "", ""),
            (Outcome{RequestOutcome::kFailed, "deadline_exceeded"}));
  EXPECT_EQ(ClassifyOutcome(14, "failed to connect", "", ""),
            (Outcome{RequestOutcome::kFailed, "unavailable"}));
  EXPECT_EQ(ClassifyOutcome(3, "bad shape", "served", ""),
            (Outcome{RequestOutcome::kFailed, "invalid_argument"}));
  EXPECT_EQ(GrpcCodeReason(16), "unauthenticated");
  EXPECT_EQ(GrpcCodeReason(15), "data_loss");
  EXPECT_EQ(GrpcCodeReason(99), "code_99");
}

TEST(RequestLogTest, FormatsRows) {
  RequestRecord a{0, "lenet", 0, 1.5, 4.25, RequestOutcome::kServed, ""};
  RequestRecord b{1, "vgg", 2, 2, 2, RequestOutcome::kFailed, "client_overload"};
  RequestRecord c{2, "vgg", 3, 3, 7, RequestOutcome::kDropped, "a,b"};
  EXPECT_EQ(FormatRequestLog({a, b, c}),
            "id,model,sent_ms,done_ms,status,reason,latency_ms\n"
            "0,lenet,1.500,4.250,served,,2.750\n"
            "1,vgg,2.000,2.000,failed,client_overload,0.000\n"
            "2,vgg,3.000,7.000,dropped,a;b,4.000\n");
}

}  // namespace
}  // namespace glet::client
