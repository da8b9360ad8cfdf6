#include "sched/plan.h"

#include <gtest/gtest.h>

#include "sched/device_budget.h"
#include "sched/workload.h"

namespace glet::sched {
namespace {

Plan Sample() {
  Plan plan;
  plan.policy = "glet";
  plan.epoch = 3;
  plan.margins.poisson_quantile = 0.99;
  plan.workload = {ModelDemand{"a", 800, 20, 8}};
  PlannedDevice d{0, "synth", 11264, {}};
  d.glets.push_back(PlannedGlet{50, 10, 1, {PlannedModel{"a", 8, 400, 10, 1, 20, 800}}});
  d.glets.push_back(PlannedGlet{50, 10, 1, {PlannedModel{"a", 8, 400, 10, 1, 20, 800}}});
  plan.devices.push_back(d);
  return plan;
}

TEST(PlanTest, JsonRoundTrip) {
  Plan plan = Sample();
  auto back = Plan::FromJson(plan.ToJson(), "plan.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), plan.ToJson());
  EXPECT_EQ(back->epoch, 3);
  EXPECT_DOUBLE_EQ(back->PlacedRate("a"), 800);
}

TEST(PlanTest, ModelListTellsEqualPartitionsApart) {
  EXPECT_EQ(Sample().ToModelList(), "0,50,0,a,8,10.000\n0,50,1,a,8,10.000\n");
}

TEST(PlanTest, FromJsonNamesTheFieldAtFault) {
  Json j = Sample().ToJson();
  j["devices"][0]["glets"][1]["partition"] = 150;
  auto r = Plan::FromJson(j, "plan.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("plan.json: /devices/0/glets/1/partition"), std::string::npos)
      << r.status().message();
  j = Sample().ToJson();
  j["devices"][0]["glets"][0]["bogus"] = 1;
  EXPECT_NE(Plan::FromJson(j, "plan.json").status().message().find("bogus"), std::string::npos);
  j = Sample().ToJson();
  j["version"] = 7;
  EXPECT_NE(Plan::FromJson(j, "p").status().message().find("unsupported plan version 7"),
            std::string::npos);
}

TEST(WorkloadTest, ParsesRatesCsvAndTaskFile) {
  auto w = ParseRatesCsv("model,rate_rps,slo_ms\nresnet50,200,108\nvgg16,50.5,142\n", "r.csv");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->models.size(), 2u);
  EXPECT_EQ(w->models[1], (ModelDemand{"vgg16", 50.5, 142, 32}));
  auto t = ParseTaskFile("2\n0,200,108,\n1,50,142,\n", "t.txt", {"resnet50", "vgg16"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->models[0], (ModelDemand{"resnet50", 200, 108, 32}));
}

TEST(WorkloadTest, RejectsBadRowsNamingLineAndColumn) {
  auto neg = ParseRatesCsv("model,rate_rps,slo_ms\nresnet50,-1,108\n", "r.csv");
  EXPECT_EQ(neg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(neg.status().message(), "r.csv:2: column 'rate_rps': must be > 0 (got -1.000)");
  auto slo = ParseRatesCsv("model,rate_rps,slo_ms\nresnet50,1,0\n", "r.csv");
  EXPECT_NE(slo.status().message().find("r.csv:2: column 'slo_ms'"), std::string::npos);
  auto text = ParseRatesCsv("model,rate_rps,slo_ms\nresnet50,x,108\n", "r.csv");
  EXPECT_NE(text.status().message().find("r.csv:2: column 'rate_rps'"), std::string::npos);
  auto dup = ParseRatesCsv("model,rate_rps,slo_ms\na,1,2\na,1,2\n", "r.csv");
  EXPECT_NE(dup.status().message().find("duplicate model 'a'"), std::string::npos);
  auto header = ParseRatesCsv("name,rate\na,1\n", "r.csv");
  EXPECT_NE(header.status().message().find("expected header"), std::string::npos);
  auto empty = ParseRatesCsv("model,rate_rps,slo_ms\n", "r.csv");
  EXPECT_NE(empty.status().message().find("no models"), std::string::npos);
  auto id = ParseTaskFile("1\n5,1,2,\n", "t.txt", {"a"});
  EXPECT_NE(id.status().message().find("t.txt:2: column 'id': 5 names no model"),
            std::string::npos);
  auto count = ParseTaskFile("3\n0,1,2,\n", "t.txt", {"a"});
  EXPECT_NE(count.status().message().find("task count says 3"), std::string::npos);
}

TEST(DeviceBudgetTest, ParsesAndRejects) {
  auto b = DeviceBudget::Parse("ref-gpu:4,cpu:1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->Total(), 5);
  EXPECT_EQ(b->ToString(), "ref-gpu:4,cpu:1");
  EXPECT_NE(DeviceBudget::Parse("").status().message().find("empty device budget"),
            std::string::npos);
  EXPECT_NE(DeviceBudget::Parse("ref-gpu").status().message().find("expected TYPE:COUNT"),
            std::string::npos);
  EXPECT_NE(DeviceBudget::Parse("ref-gpu:0").status().message().find("count must be"),
            std::string::npos);
  EXPECT_NE(DeviceBudget::Parse("a:1,a:2").status().message().find("given twice"),
            std::string::npos);
}

}  // namespace
}  // namespace glet::sched
