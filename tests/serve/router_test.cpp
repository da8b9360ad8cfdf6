#include "serve/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

// Picks `n` times; checks after every pick that each glet's count is within 1 of its exact
// share of the picks so far. Returns the final counts.
std::map<std::string, int> PickAndCheck(Router& router, const std::map<std::string, double>& rates,
                                        int n) {
  double total = 0;
  for (const auto& [id, rate] : rates) {
    total += rate;
  }
  std::map<std::string, int> counts;
  for (int t = 1; t <= n; ++t) {
    Result<std::string> pick = router.Pick();
    EXPECT_TRUE(pick.ok()) << pick.status().ToString();
    if (!pick.ok()) {
      break;
    }
    EXPECT_TRUE(rates.count(*pick)) << "picked " << *pick;
    ++counts[*pick];
    for (const auto& [id, rate] : rates) {
      const double exact = t * rate / total;
      EXPECT_LT(std::abs(counts[id] - exact), 1.0) << id << " after " << t << " picks";
    }
  }
  return counts;
}

TEST(RouterTest, PicksInProportionToPlannedRateOver1000Picks) {
  const std::map<std::string, double> rates = {
      {"g0", 100}, {"g1", 50}, {"g2", 30.5}, {"g3", 7.25}, {"g4", 212}};
  Router router("resnet50");
  for (const auto& [id, rate] : rates) {
    ASSERT_TRUE(router.AddGlet(id, rate).ok());
  }
  const std::map<std::string, int> counts = PickAndCheck(router, rates, 1000);
  double total = 0;
  for (const auto& [id, rate] : rates) {
    total += rate;
  }
  for (const auto& [id, rate] : rates) {
    EXPECT_NEAR(counts.at(id), 1000 * rate / total, 1.0) << id;
  }
}

TEST(RouterTest, EqualRatesAlternateAndAreDeterministic) {
  Router a("m");
  Router b("m");
  for (Router* r : {&a, &b}) {
    ASSERT_TRUE(r->AddGlet("x", 10).ok());
    ASSERT_TRUE(r->AddGlet("y", 10).ok());
  }
  std::vector<std::string> seq_a;
  std::vector<std::string> seq_b;
  for (int i = 0; i < 6; ++i) {
    seq_a.push_back(*a.Pick());
    seq_b.push_back(*b.Pick());
  }
  EXPECT_EQ(seq_a, (std::vector<std::string>{"x", "y", "x", "y", "x", "y"}));
  EXPECT_EQ(seq_a, seq_b);
}

TEST(RouterTest, SpreadsPicksOfHeavyGletInsteadOfBunching) {
  Router router("m");
  ASSERT_TRUE(router.AddGlet("big", 3).ok());
  ASSERT_TRUE(router.AddGlet("small", 1).ok());
  std::vector<std::string> seq;
  for (int i = 0; i < 8; ++i) {
    seq.push_back(*router.Pick());
  }
  // "small" once in every 4 picks.
  int small = 0;
  for (int i = 0; i < 8; ++i) {
    small += seq[i] == "small" ? 1 : 0;
    if (i % 4 == 3) {
      EXPECT_EQ(small, (i + 1) / 4) << i;
    }
  }
}

TEST(RouterTest, GletMarkedDownIsSkippedAndProportionsHoldForTheRest) {
  Router router("resnet50");
  ASSERT_TRUE(router.AddGlet("a", 60).ok());
  ASSERT_TRUE(router.AddGlet("b", 30).ok());
  ASSERT_TRUE(router.AddGlet("c", 10).ok());
  PickAndCheck(router, {{"a", 60}, {"b", 30}, {"c", 10}}, 7);  // mid-rotation
  ASSERT_TRUE(router.MarkDown("b").ok());
  EXPECT_EQ(router.up_count(), 2u);
  EXPECT_FALSE(*router.IsUp("b"));
  const std::map<std::string, int> counts = PickAndCheck(router, {{"a", 60}, {"c", 10}}, 1000);
  EXPECT_EQ(counts.count("b"), 0u);
  EXPECT_NEAR(counts.at("a"), 1000 * 60.0 / 70.0, 1.0);

  ASSERT_TRUE(router.MarkUp("b").ok());
  PickAndCheck(router, {{"a", 60}, {"b", 30}, {"c", 10}}, 1000);
}

TEST(RouterTest, RemovedGletIsNeverPickedAgain) {
  Router router("m");
  ASSERT_TRUE(router.AddGlet("a", 1).ok());
  ASSERT_TRUE(router.AddGlet("b", 2).ok());
  ASSERT_TRUE(router.RemoveGlet("b").ok());
  EXPECT_EQ(router.glet_count(), 1u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(*router.Pick(), "a");
  }
}

TEST(RouterTest, SetRateChangesProportions) {
  Router router("m");
  ASSERT_TRUE(router.AddGlet("a", 1).ok());
  ASSERT_TRUE(router.AddGlet("b", 1).ok());
  ASSERT_TRUE(router.SetRate("b", 3).ok());
  PickAndCheck(router, {{"a", 1}, {"b", 3}}, 1000);
}

TEST(RouterTest, NoGletIsAnExplicitUnavailableError) {
  Router router("resnet50");
  Result<std::string> pick = router.Pick();
  ASSERT_FALSE(pick.ok());
  EXPECT_EQ(pick.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(pick.status().message(), "model resnet50: no glet serves it");
}

TEST(RouterTest, AllGletsDownIsUnavailableSayingHowMany) {
  Router router("resnet50");
  ASSERT_TRUE(router.AddGlet("a", 1).ok());
  ASSERT_TRUE(router.AddGlet("b", 1).ok());
  ASSERT_TRUE(router.MarkDown("a").ok());
  ASSERT_TRUE(router.MarkDown("b").ok());
  ASSERT_TRUE(router.MarkDown("b").ok());  // idempotent
  Result<std::string> pick = router.Pick();
  ASSERT_FALSE(pick.ok());
  EXPECT_EQ(pick.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(pick.status().message(), HasSubstr("model resnet50: all 2 glets"));
}

TEST(RouterTest, RejectsBadRateDuplicateAndUnknownGlet) {
  Router router("resnet50");
  for (double bad : {0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    const Status s = router.AddGlet("g", bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("glet 'g': rate_rps"));
  }
  ASSERT_TRUE(router.AddGlet("g", 5).ok());
  EXPECT_EQ(router.AddGlet("g", 5).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(router.SetRate("g", 0).code(), StatusCode::kInvalidArgument);
  for (const Status& s : {router.RemoveGlet("h"), router.MarkDown("h"), router.MarkUp("h"),
                          router.SetRate("h", 1), router.IsUp("h").status()}) {
    EXPECT_EQ(s.code(), StatusCode::kNotFound);
    EXPECT_THAT(s.message(), HasSubstr("model resnet50: no glet 'h'"));
  }
}

}  // namespace
}  // namespace glet::serve
