// MayFitGlet (the bound FitGlet rejects merges with before its cycle search) must never reject a
// merge that some cycle serves: checked on random members of random profiles whose latencies do
// not always grow with the batch, under every margin kind.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "sched/glet_fit.h"
#include "sched/model_table.h"
#include "sched/sched_test_util.h"

namespace glet::sched {
namespace {

constexpr int kMaxBatch = 16;
const std::vector<int> kPartitions = {20, 50, 100};

// Models m0..m{n-1}: E(b, p) = (c + k b) 100 / p ms, each entry jittered by up to +-25%.
perf::DeviceProfile JitteredProfile(int n, std::mt19937& rng) {
  perf::DeviceProfile p;
  p.type = "synth";
  std::uniform_real_distribution<double> c_dist(0.2, 6);
  std::uniform_real_distribution<double> k_dist(0.05, 2);
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  std::vector<perf::LatencyRow> rows;
  for (int m = 0; m < n; ++m) {
    const std::string name = "m" + std::to_string(m);
    const double c = c_dist(rng);
    const double k = k_dist(rng);
    for (int part : kPartitions) {
      for (int b = 1; b <= kMaxBatch; ++b) {
        rows.push_back({name, part, b, (c + k * b) * 100.0 / part * jitter(rng)});
      }
    }
    p.model_mem_mib[name] = 100;
  }
  p.latency = perf::LatencyProfile::FromRows(rows, "synth.csv").value();
  return p;
}

bool SameShape(const std::optional<GletShape>& a, const std::optional<GletShape>& b) {
  if (!a || !b) {
    return !a && !b;
  }
  return a->duty_ms == b->duty_ms && a->occupancy == b->occupancy && a->batches == b->batches &&
         a->exec_ms == b->exec_ms;
}

TEST(ModelTableTest, MinEffRowIsTheSuffixMinimum) {
  std::mt19937 rng(3);
  perf::DeviceProfile p = JitteredProfile(1, rng);
  ModelTable t =
      ModelTable::Build(ModelDemand{"m0", 10, 1000, kMaxBatch}, p, kPartitions, {}, false).value();
  for (size_t pi = 0; pi < kPartitions.size(); ++pi) {
    const double* row = t.EffRow(static_cast<int>(pi));
    const double* min_row = t.MinEffRow(static_cast<int>(pi));
    for (int b = 1; b <= kMaxBatch; ++b) {
      double expect = row[b - 1];
      for (int c = b; c <= kMaxBatch; ++c) {
        expect = std::min(expect, row[c - 1]);
      }
      EXPECT_EQ(min_row[b - 1], expect) << "partition " << kPartitions[pi] << " batch " << b;
    }
  }
}

TEST(MayFitGletTest, NeverRejectsAMergeThatSomeCycleServes) {
  std::mt19937 rng(20261122);
  SafetyMargins quantile = testing::MeanRate();
  quantile.poisson_quantile = 0.99;
  const std::vector<SafetyMargins> margins = {SafetyMargins{}, testing::MeanRate(), quantile};
  int rejected = 0;
  int fitted = 0;
  int cases = 0;
  for (int profile_seed = 0; profile_seed < 6; ++profile_seed) {
    perf::DeviceProfile profile = JitteredProfile(6, rng);
    for (const SafetyMargins& m : margins) {
      LambdaTable lambda(kMaxBatch, m);
      for (int c = 0; c < 300; ++c) {
        const int n = std::uniform_int_distribution<int>(1, 4)(rng);
        const int partition = kPartitions[std::uniform_int_distribution<int>(0, 2)(rng)];
        const double alpha = std::uniform_real_distribution<double>(1, 1.5)(rng);
        std::vector<ModelTable> tables;
        for (int i = 0; i < n; ++i) {
          const std::string name =
              "m" + std::to_string(std::uniform_int_distribution<int>(0, 5)(rng));
          // SLOs from just above the fastest latency to generous; Build rejects the unreachable.
          const double fastest = profile.LatencyMs(name, 100, 1).value();
          const double slo = fastest * std::exp(std::uniform_real_distribution<double>(
                                           std::log(2.5), std::log(60))(rng));
          Result<ModelTable> t = ModelTable::Build(ModelDemand{name, 1, slo, kMaxBatch}, profile,
                                                   kPartitions, m, false);
          ASSERT_TRUE(t.ok()) << t.status().ToString();
          tables.push_back(std::move(t).value());
        }
        std::vector<FitMember> members;
        for (const ModelTable& t : tables) {
          // Rates from a trickle to about a whole device's worth.
          const double max_rps = 1000.0 * t.BatchesPerMs(partition) / alpha;
          members.push_back(FitMember{&t, max_rps * std::exp(std::uniform_real_distribution<double>(
                                                        std::log(1e-3), 0)(rng))});
        }
        ++cases;
        const bool may = MayFitGlet(members, partition, alpha, lambda);
        const std::optional<GletShape> pruned = FitGlet(members, partition, alpha, lambda);
        const std::optional<GletShape> unpruned =
            FitGlet(members, partition, alpha, lambda, /*prune=*/false);
        ASSERT_TRUE(SameShape(pruned, unpruned)) << "case " << cases;
        fitted += unpruned ? 1 : 0;
        if (may) {
          continue;
        }
        ++rejected;
        ASSERT_FALSE(unpruned.has_value()) << "case " << cases << ": the bound rejects a fit";
        // No cycle at all serves it, not only none of FitGlet's candidates.
        double min_slo = 1e300;
        for (const ModelTable& t : tables) {
          min_slo = std::min(min_slo, t.slo_ms());
        }
        for (int i = 0; i <= 400; ++i) {
          const double duty = min_slo * std::pow(1e-4, 1 - i / 400.0);
          ASSERT_FALSE(EvaluateCycle(members, partition, alpha, lambda, duty).has_value())
              << "case " << cases << ": cycle " << duty << " ms serves a rejected merge";
        }
      }
    }
  }
  // Not vacuous: the bound rejects many merges and many others fit.
  EXPECT_GT(rejected, cases / 10);
  EXPECT_GT(fitted, cases / 10);
}

}  // namespace
}  // namespace glet::sched
