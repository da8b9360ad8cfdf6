#include "serve/serve_config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "testing/test_util.h"

namespace glet::serve {
namespace {

class ServeConfigTest : public ::testing::Test {
 protected:
  ServeConfigTest()
      : manifest_(model::ModelManifest::Load(testing::SourcePath("resource/models.json")).value()) {
  }

  Result<ServeConfig> Load(const std::string& json) {
    return ServeConfig::Load(dir_.WriteFile("serve.json", json), manifest_);
  }

  model::ModelManifest manifest_;
  testing::TempDir dir_;
};

TEST_F(ServeConfigTest, ReadsRatesSloAndBatchCapPerModel) {
  auto c = Load(R"({"models": [{"name": "lenet1", "rate_rps": 50, "slo_ms": 7, "max_batch": 1},
                               {"name": "resnet50", "rate_rps": 2}], "epoch_s": 3})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_DOUBLE_EQ(c->model_rates.at("lenet1"), 50);
  EXPECT_DOUBLE_EQ(c->model_slo_ms.at("lenet1"), 7);
  EXPECT_EQ(c->model_max_batch.at("lenet1"), 1);
  EXPECT_EQ(c->model_max_batch.count("resnet50"), 0u);
  EXPECT_DOUBLE_EQ(c->epoch_s, 3);

  ASSERT_TRUE(manifest_.CapMaxBatch("lenet1", 1).ok());
  EXPECT_EQ((*manifest_.Find("lenet1"))->max_batch, 1);
}

TEST_F(ServeConfigTest, BadModelEntriesNameTheFileAndField) {
  struct Case {
    std::string json;
    std::string expected;
  };
  const int lenet_max = (*manifest_.Find("lenet1"))->max_batch;
  for (const Case& c : std::vector<Case>{
           {R"({"models": [{"name": "nosuch", "rate_rps": 1}]})", "unknown model 'nosuch'"},
           {R"({"models": [{"name": "lenet1", "rate_rps": -1}]})", "rate_rps"},
           {R"({"models": [{"name": "lenet1", "rate_rps": 1, "max_batch": 0}]})",
            "/models/0/max_batch: must be in 1.." + std::to_string(lenet_max)},
           {R"({"models": [{"name": "lenet1", "rate_rps": 1, "max_batch": 100000}]})",
            "max_batch: must be in 1.."},
           {R"({"models": [{"name": "lenet1", "rate_rps": 1, "batch": 2}]})", "batch"},
           {R"({"models": [{"name": "lenet1", "rate_rps": 1}, {"name": "lenet1", "rate_rps": 2}]})",
            "listed twice"},
       }) {
    auto r = Load(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << c.json << " -> " << r.status().message();
    EXPECT_NE(r.status().message().find("serve.json"), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(manifest_.CapMaxBatch("lenet1", 0).ok());
  EXPECT_FALSE(manifest_.CapMaxBatch("nosuch", 1).ok());
}

TEST_F(ServeConfigTest, MarginsDefaultToThePlannersAndMayBeSet) {
  auto plain = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}]})");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->margins, sched::SafetyMargins{});

  auto set = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}],
                      "margins": {"burst_miss": 0.01, "latency_ratio": 1.1}})");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_DOUBLE_EQ(set->margins.burst_miss, 0.01);
  EXPECT_DOUBLE_EQ(set->margins.latency_ratio, 1.1);
  EXPECT_FALSE(set->margins.batch_cost);               // not named: the default
  EXPECT_DOUBLE_EQ(set->margins.poisson_quantile, 0);  // not named: the default

  auto off =
      Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}], "margins": {"burst_miss": 0}})");
  ASSERT_TRUE(off.ok());
  EXPECT_DOUBLE_EQ(off->margins.burst_miss, 0);

  for (const auto& [json, expected] : std::vector<std::pair<std::string, std::string>>{
           {R"({"models": [{"name": "lenet1", "rate_rps": 5}], "margins": {"burst_miss": 1.5}})",
            "/margins: burst_miss: must be 0 (off) or in (0,1)"},
           {R"({"models": [{"name": "lenet1", "rate_rps": 5}], "margins": {"latency_ratio": 0.5}})",
            "/margins: latency_ratio: must be >= 1"},
           {R"({"models": [{"name": "lenet1", "rate_rps": 5}], "margins": {"burst": 0.1}})",
            "burst"},
           {R"({"models": [{"name": "lenet1", "rate_rps": 5}], "margins": [0.1]})", "/margins"},
       }) {
    auto r = Load(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_NE(r.status().message().find(expected), std::string::npos)
        << json << " -> " << r.status().message();
    EXPECT_NE(r.status().message().find("serve.json"), std::string::npos) << r.status().message();
  }
}

TEST_F(ServeConfigTest, HostOverheadIsKeptAndMustLeaveSomeOfEverySlo) {
  auto plain = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}]})");
  ASSERT_TRUE(plain.ok());
  EXPECT_DOUBLE_EQ(plain->host_overhead_ms, 0);
  auto set = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5, "slo_ms": 25}],
                      "host_overhead_ms": 5})");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_DOUBLE_EQ(set->host_overhead_ms, 5);
  auto negative =
      Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}], "host_overhead_ms": -1})");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("host_overhead_ms"), std::string::npos)
      << negative.status().message();
  auto too_big = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5, "slo_ms": 25}],
                          "host_overhead_ms": 25})");
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_big.status().message().find(
                "serve.json: /host_overhead_ms: 25.00 ms leaves nothing of the SLO of model "
                "'lenet1' (25.00 ms)"),
            std::string::npos)
      << too_big.status().message();
}

TEST_F(ServeConfigTest, BatchingEdgesDefaultOnAndCanBeTurnedOff) {
  auto plain = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}]})");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->work_conserving);
  EXPECT_TRUE(plain->shed);
  auto planned = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}],
                          "batching": {"work_conserving": false}})");
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_FALSE(planned->work_conserving);
  EXPECT_TRUE(planned->shed);
  auto no_shed = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}],
                          "batching": {"shed": false}})");
  ASSERT_TRUE(no_shed.ok()) << no_shed.status().ToString();
  EXPECT_TRUE(no_shed->work_conserving);
  EXPECT_FALSE(no_shed->shed);
  for (const std::string bad : {R"("batching": {"eager": true})", R"("batching": {"shed": "yes"})",
                                R"("batching": true)"}) {
    auto r = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5}], )" + bad + "}");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("batching"), std::string::npos)
        << bad << " -> " << r.status().message();
  }
}

TEST_F(ServeConfigTest, PerModelFloorIsKeptAndMustNotBeNegative) {
  auto set = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5, "min_rate_rps": 3}]})");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->model_floor_rps, (std::map<std::string, double>{{"lenet1", 3}}));
  auto negative = Load(R"({"models": [{"name": "lenet1", "rate_rps": 5, "min_rate_rps": -1}]})");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("/models/0/min_rate_rps"), std::string::npos)
      << negative.status().message();
}

}  // namespace
}  // namespace glet::serve
