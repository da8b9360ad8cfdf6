#include "client/workload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace glet::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(WorkloadTest, ParsesModelRate) {
  auto s = ParseModelRate("resnet50:100", ArrivalDist::kPoisson);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->model, "resnet50");
  EXPECT_DOUBLE_EQ(s->rate_rps, 100);
  EXPECT_EQ(s->dist, ArrivalDist::kPoisson);
  EXPECT_FALSE(s->has_trace);
  auto u = ParseModelRate("lenet:2.5:uniform", ArrivalDist::kPoisson);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->dist, ArrivalDist::kUniform);
  EXPECT_DOUBLE_EQ(u->rate_rps, 2.5);
  auto d = ParseModelRate("lenet:3", ArrivalDist::kUniform);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->dist, ArrivalDist::kUniform);
}

TEST(WorkloadTest, ModelRateErrorsNameTheFlag) {
  for (const char* bad : {"resnet50", "resnet50:", ":5", "a:-1", "a:x", "a:1:gamma", "a:1:2:3"}) {
    auto s = ParseModelRate(bad, ArrivalDist::kPoisson);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr(std::string("--model ") + bad)) << bad;
  }
}

TEST(WorkloadTest, ParsesWorkloadCsv) {
  auto s = ParseWorkloadCsv("model,rate_rps,dist\nlenet,50\nresnet50,10,uniform\n# c\n", "w.csv",
                            ArrivalDist::kPoisson);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].model, "lenet");
  EXPECT_EQ((*s)[0].dist, ArrivalDist::kPoisson);
  EXPECT_EQ((*s)[1].dist, ArrivalDist::kUniform);
  EXPECT_DOUBLE_EQ((*s)[1].rate_rps, 10);
  auto no_header = ParseWorkloadCsv("lenet,5\n", "w.csv", ArrivalDist::kPoisson);
  ASSERT_TRUE(no_header.ok());
  EXPECT_EQ(no_header->size(), 1u);
}

TEST(WorkloadTest, WorkloadCsvErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c :
       {Case{"lenet,5\nvgg,-2\n", "w.csv:2: rate_rps: must be"},
        Case{"lenet\n", "w.csv:1: expected 'model,rate_rps[,dist]'"},
        Case{"lenet,5,gamma\n", "w.csv:1: dist: unknown distribution 'gamma'"},
        Case{"model,rps\nlenet,5\n", "w.csv:1: expected the header"}, Case{"", "w.csv: no rows"}}) {
    auto s = ParseWorkloadCsv(c.text, "w.csv", ArrivalDist::kPoisson);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr(c.message));
  }
}

TEST(WorkloadTest, ParsesTraceArg) {
  testing::TempDir dir;
  const std::string path = dir.WriteFile("t.csv", "second,rps\n0,5\n1,7\n");
  auto s = ParseTraceArg("lenet=" + path, ArrivalDist::kPoisson);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->model, "lenet");
  EXPECT_TRUE(s->has_trace);
  EXPECT_DOUBLE_EQ(s->trace.Total(), 12);
  auto u = ParseTraceArg("lenet=" + path + ":uniform", ArrivalDist::kPoisson);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->dist, ArrivalDist::kUniform);

  const std::string bad = dir.WriteFile("bad.csv", "0,5\n0,7\n");
  auto b = ParseTraceArg("lenet=" + bad, ArrivalDist::kPoisson);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(b.status().message(), HasSubstr("--trace: " + bad + ":2"));
  auto no_eq = ParseTraceArg("lenet", ArrivalDist::kPoisson);
  ASSERT_FALSE(no_eq.ok());
  EXPECT_THAT(no_eq.status().message(), HasSubstr("expected NAME=FILE"));
}

TEST(WorkloadTest, ModelsInFirstAppearanceOrder) {
  ClientWorkload w;
  for (const char* arg : {"b:1", "a:1", "b:2"}) {
    w.streams.push_back(*ParseModelRate(arg, ArrivalDist::kPoisson));
  }
  EXPECT_THAT(w.Models(), ElementsAre("b", "a"));
  EXPECT_TRUE(w.HasConstantRateStream());
}

}  // namespace
}  // namespace glet::client
