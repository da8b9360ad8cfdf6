#include "client/run_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace glet::client {
namespace {

using serve::RequestOutcome;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

RequestRecord Rec(int64_t id, const std::string& model, double sent, double done,
                  RequestOutcome outcome, const std::string& reason = "") {
  RequestRecord r;
  r.id = id;
  r.model = model;
  r.scheduled_ms = sent;
  r.sent_ms = sent;
  r.done_ms = done;
  r.outcome = outcome;
  r.reason = reason;
  return r;
}

TEST(RunReportTest, CountsAttainmentPercentilesAndGoodput) {
  std::vector<RequestRecord> recs;
  // model a (SLO 10 ms): latencies 1..10 served (all within), one at 20 (late), 2 dropped,
  // 1 failed.
  for (int i = 1; i <= 10; ++i) {
    recs.push_back(Rec(i, "a", 100.0 * i, 100.0 * i + i, RequestOutcome::kServed));
  }
  recs.push_back(Rec(11, "a", 0, 20, RequestOutcome::kServed));
  recs.push_back(Rec(12, "a", 0, 1, RequestOutcome::kDropped, "queue_full"));
  recs.push_back(Rec(13, "a", 0, 1, RequestOutcome::kDropped, "slo_unreachable"));
  recs.push_back(Rec(14, "a", 0, 1, RequestOutcome::kFailed, "deadline_exceeded"));
  // model b (SLO 5 ms): one served at exactly the SLO, one client overload.
  recs.push_back(Rec(15, "b", 0, 5, RequestOutcome::kServed));
  recs.push_back(Rec(16, "b", 0, 0, RequestOutcome::kFailed, "client_overload"));

  auto r = ComputeRunReport(recs, {{"a", 10}, {"b", 5}}, 2.0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const OutcomeCounts& a = r->per_model.at("a");
  EXPECT_EQ(a.sent, 14);
  EXPECT_EQ(a.served, 11);
  EXPECT_EQ(a.dropped, 2);
  EXPECT_EQ(a.failed, 1);
  EXPECT_EQ(a.served_in_slo, 10);
  EXPECT_DOUBLE_EQ(a.slo_attainment, 10.0 / 14.0);
  EXPECT_DOUBLE_EQ(a.goodput_rps, 5.0);
  EXPECT_DOUBLE_EQ(a.slo_ms, 10);
  // Served latencies 1..10, 20 -> nearest rank: p50 = 6th = 6, p95 = 11th = 20, p99 = 20.
  EXPECT_DOUBLE_EQ(a.p50_ms, 6);
  EXPECT_DOUBLE_EQ(a.p95_ms, 20);
  EXPECT_DOUBLE_EQ(a.p99_ms, 20);
  EXPECT_DOUBLE_EQ(a.max_ms, 20);
  EXPECT_DOUBLE_EQ(a.mean_ms, 75.0 / 11.0);
  EXPECT_THAT(a.dropped_by_reason,
              UnorderedElementsAre(Pair("queue_full", 1), Pair("slo_unreachable", 1)));
  EXPECT_THAT(a.failed_by_reason, UnorderedElementsAre(Pair("deadline_exceeded", 1)));

  const OutcomeCounts& b = r->per_model.at("b");
  EXPECT_EQ(b.sent, 2);
  EXPECT_EQ(b.served_in_slo, 1);  // latency == SLO counts as within
  EXPECT_DOUBLE_EQ(b.slo_attainment, 0.5);

  const OutcomeCounts& t = r->total;
  EXPECT_EQ(t.sent, 16);
  EXPECT_EQ(t.served, 12);
  EXPECT_EQ(t.dropped, 2);
  EXPECT_EQ(t.failed, 2);
  EXPECT_EQ(t.sent, t.served + t.dropped + t.failed);
  EXPECT_EQ(t.served_in_slo, 11);
  EXPECT_DOUBLE_EQ(t.slo_attainment, 11.0 / 16.0);
  EXPECT_DOUBLE_EQ(t.goodput_rps, 5.5);
  EXPECT_DOUBLE_EQ(r->window_s, 2.0);
}

TEST(RunReportTest, WindowDefaultsToFirstSendToLastReply) {
  std::vector<RequestRecord> recs = {Rec(0, "a", 1000, 1002, RequestOutcome::kServed),
                                     Rec(1, "a", 2000, 3000, RequestOutcome::kServed)};
  auto r = ComputeRunReport(recs, {{"a", 5}}, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->window_s, 2.0);
  EXPECT_DOUBLE_EQ(r->total.goodput_rps, 0.5);
}

TEST(RunReportTest, SendLagIsTheLargestDelay) {
  RequestRecord late = Rec(0, "a", 10, 12, RequestOutcome::kServed);
  late.scheduled_ms = 7;
  auto r = ComputeRunReport({late, Rec(1, "a", 20, 21, RequestOutcome::kServed)}, {{"a", 5}}, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->max_send_lag_ms, 3);
}

TEST(RunReportTest, EmptyRunIsAllZeroWithFullAttainment) {
  auto r = ComputeRunReport({}, {}, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total.sent, 0);
  EXPECT_DOUBLE_EQ(r->total.slo_attainment, 1);
  EXPECT_DOUBLE_EQ(r->total.goodput_rps, 0);
  EXPECT_TRUE(r->per_model.empty());
}

TEST(RunReportTest, ModelWithoutSloIsAnError) {
  auto r = ComputeRunReport({Rec(7, "x", 0, 1, RequestOutcome::kServed)}, {{"a", 5}}, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("request 7: model 'x' has no SLO"));
}

}  // namespace
}  // namespace glet::client
