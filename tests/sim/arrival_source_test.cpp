#include "sim/arrival_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/arrival_schedule.h"
#include "testing/test_util.h"

namespace glet::sim {
namespace {

using ::testing::HasSubstr;

std::vector<client::Arrival> Drain(ArrivalSource& src) {
  std::vector<client::Arrival> out;
  client::Arrival a;
  while (src.Next(&a)) {
    out.push_back(a);
  }
  return out;
}

TEST(ArrivalSourceTest, SameSequenceAsTheClientSchedule) {
  client::ClientWorkload w;
  w.streams.push_back(client::ParseModelRate("a:150", client::ArrivalDist::kPoisson).value());
  w.streams.push_back(
      client::ParseModelRate("b:40:uniform", client::ArrivalDist::kPoisson).value());
  client::Stream traced;
  traced.model = "c";
  traced.has_trace = true;
  traced.trace = client::RateTrace::Parse("0,10\n1,0\n2,300\n", "t.csv").value();
  w.streams.push_back(traced);
  for (uint64_t seed : {1u, 7u, 12345u}) {
    client::ScheduleLimits limits;
    limits.duration_s = 3.5;
    std::vector<client::Arrival> expected = client::MakeArrivalSchedule(w, seed, limits).value();
    ArrivalSource src = ArrivalSource::FromWorkload(w, seed, 3.5);
    std::vector<client::Arrival> got = Drain(src);
    ASSERT_EQ(got.size(), expected.size()) << "seed " << seed;
    EXPECT_TRUE(got == expected) << "seed " << seed;
  }
}

TEST(ArrivalSourceTest, ReplaysAClientLogInSendOrder) {
  testing::TempDir dir;
  const std::string path = dir.WriteFile("log.csv",
                                         "id,model,sent_ms,done_ms,status,reason,latency_ms\n"
                                         "1,a,20.0,30.0,served,,10.0\n"
                                         "0,b,5.5,9.0,dropped,queue_full,3.5\n"
                                         "2,a,2500,2600,served,,100\n");
  std::vector<std::string> models;
  Result<ArrivalSource> src = ArrivalSource::FromRequestLog(path, 2.0, &models);
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ(models, (std::vector<std::string>{"a", "b"}));
  std::vector<client::Arrival> got = Drain(*src);
  ASSERT_EQ(got.size(), 2u);  // the row at 2.5 s is past the duration
  EXPECT_EQ(got[0], (client::Arrival{0.0055, 1}));
  EXPECT_EQ(got[1], (client::Arrival{0.020, 0}));
}

TEST(ArrivalSourceTest, BadLogNamesFileLineAndColumn) {
  testing::TempDir dir;
  const std::string path = dir.WriteFile(
      "log.csv", "id,model,sent_ms,done_ms,status,reason,latency_ms\n1,a,soon,30,served,,10\n");
  std::vector<std::string> models;
  Result<ArrivalSource> src = ArrivalSource::FromRequestLog(path, 2.0, &models);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(src.status().message(), HasSubstr("log.csv:2"));
  EXPECT_THAT(src.status().message(), HasSubstr("sent_ms"));

  const std::string neg = dir.WriteFile(
      "neg.csv", "id,model,sent_ms,done_ms,status,reason,latency_ms\n1,a,-4,30,served,,10\n");
  src = ArrivalSource::FromRequestLog(neg, 2.0, &models);
  ASSERT_FALSE(src.ok());
  EXPECT_THAT(src.status().message(), HasSubstr("neg.csv:2: column 'sent_ms'"));

  const std::string nocol = dir.WriteFile("nocol.csv", "id,name\n1,a\n");
  src = ArrivalSource::FromRequestLog(nocol, 2.0, &models);
  ASSERT_FALSE(src.ok());
  EXPECT_THAT(src.status().message(), HasSubstr("model"));
}

}  // namespace
}  // namespace glet::sim
