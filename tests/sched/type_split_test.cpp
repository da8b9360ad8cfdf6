#include "sched/type_split.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace glet::sched {
namespace {

// A fake planner per pool: model m takes rates[m] / capacity[p][m] of a device; the load fits
// when that sums to at most devices[p].
struct CapacityFleet {
  std::vector<std::vector<double>> capacity;  // [pool][model] rps per device; 0: cannot run
  std::vector<int> devices;
  std::vector<double> cost;

  std::vector<std::vector<double>> Value() const {
    std::vector<std::vector<double>> v = capacity;
    for (size_t p = 0; p < v.size(); ++p) {
      for (double& x : v[p]) {
        x /= cost[p];
      }
    }
    return v;
  }
  PoolFits Fits() const {
    return [this](size_t p, const std::vector<double>& rates) {
      double used = 0;
      for (size_t m = 0; m < rates.size(); ++m) {
        if (rates[m] > 0) {
          if (capacity[p][m] <= 0) {
            return false;
          }
          used += rates[m] / capacity[p][m];
        }
      }
      return used <= devices[p] * (1 + 1e-12);
    };
  }
  // Whole devices: the load rounded up, times the cost per device.
  PoolCost Cost() const {
    return [this](size_t p, const std::vector<double>& rates) {
      double used = 0;
      for (size_t m = 0; m < rates.size(); ++m) {
        used += rates[m] > 0 ? rates[m] / capacity[p][m] : 0;
      }
      return std::ceil(used - 1e-9) * cost[p];
    };
  }
  TypeSplit Split(const std::vector<double>& rates) const {
    return SplitAcrossTypes(rates, Value(), Fits());
  }
  TypeSplit Cheapest(const std::vector<double>& rates) const {
    return SplitAcrossTypes(rates, Value(), Fits(), Cost());
  }
};

TEST(TypeSplitTest, CheapestTypeFirstThenTheOverflow) {
  // Pool 0: 800 rps per device at cost 1 (800 per unit of cost); pool 1: 300 at cost 0.25
  // (1200): pool 1 is preferred but its two devices hold 600 rps; the rest goes to pool 0.
  CapacityFleet f{{{800}, {300}}, {1, 2}, {1, 0.25}};
  TypeSplit s = f.Split({1000});
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.preferred, std::vector<int>{1});
  // The largest point of the grid (1000 / 1024 rps) at which pool 1 still fits: 614 steps.
  EXPECT_DOUBLE_EQ(s.rates[1][0], 1000.0 * 614 / 1024);
  EXPECT_DOUBLE_EQ(s.rates[0][0], 1000 - 1000.0 * 614 / 1024);
  // Within its budget everything goes to the cheaper pool.
  TypeSplit all = f.Split({500});
  ASSERT_TRUE(all.ok);
  EXPECT_DOUBLE_EQ(all.rates[1][0], 500);
  EXPECT_DOUBLE_EQ(all.rates[0][0], 0);
}

TEST(TypeSplitTest, WholeDevicesMakeAnotherSplitCheaper) {
  // Pool 1 is cheaper per rps (250 / 0.2 = 1250 against 1000) but holds 1000 rps on its four
  // devices. Nearest the preferred split: 1000 on pool 1 (4 devices) and 100 on pool 0 (1):
  // cost 1.8. Cheapest: one pool-0 device (up to 1000) and one pool-1 device (up to 250): 1.2.
  CapacityFleet f{{{1000}, {250}}, {4, 4}, {1, 0.2}};
  TypeSplit nearest = f.Split({1100});
  ASSERT_TRUE(nearest.ok);
  EXPECT_NEAR(nearest.rates[1][0], 1000, 1100.0 / 1024);
  EXPECT_FALSE(nearest.moved_for_cost);
  TypeSplit cheapest = f.Cheapest({1100});
  ASSERT_TRUE(cheapest.ok);
  // Points tried: the nearest (cost 1.8), 0 (2 x pool 0: 2.0), 1/6 of the way to the nearest:
  // 155 of 1024 grid steps, 166.5 rps on pool 1 (1 + 0.2), ...: the first of least cost.
  EXPECT_DOUBLE_EQ(cheapest.rates[1][0], 1100.0 * 155 / 1024);
  EXPECT_DOUBLE_EQ(cheapest.rates[0][0], 1100 - 1100.0 * 155 / 1024);
  EXPECT_DOUBLE_EQ(cheapest.cost, 1.2);
  EXPECT_TRUE(cheapest.moved_for_cost);
  // Where the preferred split is the cheapest, it stays.
  TypeSplit all = f.Cheapest({900});
  ASSERT_TRUE(all.ok);
  EXPECT_DOUBLE_EQ(all.rates[1][0], 900);
  EXPECT_DOUBLE_EQ(all.cost, 0.8);
  EXPECT_FALSE(all.moved_for_cost);
}

TEST(TypeSplitTest, MovesTheModelTheOtherTypeServesBestFirst) {
  // Both models cost the same on pool 0; pool 1 is half as good for m0 and a tenth for m1.
  // Pool 0 holds 100 rps of load: 40 rps must move, and they move as m0.
  CapacityFleet f{{{100, 100}, {50, 10}}, {1, 1}, {1, 1}};
  TypeSplit s = f.Split({80, 60});
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.preferred, (std::vector<int>{0, 0}));
  const double moved = 140.0 * 293 / 1024;  // the first grid point >= 40
  EXPECT_DOUBLE_EQ(s.rates[1][0], moved);
  EXPECT_DOUBLE_EQ(s.rates[1][1], 0);
  EXPECT_DOUBLE_EQ(s.rates[0][0], 80 - moved);
  EXPECT_DOUBLE_EQ(s.rates[0][1], 60);
}

TEST(TypeSplitTest, AModelOnlyOneTypeRunsGoesThere) {
  CapacityFleet f{{{100, 0}, {50, 50}}, {1, 1}, {1, 1}};
  TypeSplit s = f.Split({50, 40});
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(s.preferred, (std::vector<int>{0, 1}));
  EXPECT_DOUBLE_EQ(s.rates[0][0], 50);
  EXPECT_DOUBLE_EQ(s.rates[1][1], 40);
  EXPECT_DOUBLE_EQ(s.rates[0][1], 0);
  // m1 alone overfills pool 1 whatever happens to m0.
  EXPECT_FALSE(f.Split({1, 60}).ok);
}

TEST(TypeSplitTest, FailsWhenNoDivisionFits) {
  CapacityFleet f{{{100}, {100}}, {1, 1}, {1, 1}};
  EXPECT_TRUE(f.Split({199}).ok);
  TypeSplit s = f.Split({250});
  EXPECT_FALSE(s.ok);
  ASSERT_EQ(s.rates.size(), 2u);
  EXPECT_DOUBLE_EQ(s.rates[0][0] + s.rates[1][0], 250);  // a split, for the diagnostics
}

TEST(TypeSplitTest, ThreeTypes) {
  CapacityFleet f{{{100, 0}, {100, 100}, {0, 100}}, {1, 1, 1}, {1, 1, 1}};
  TypeSplit s = f.Split({150, 140});
  ASSERT_TRUE(s.ok);
  double m0 = 0;
  double m1 = 0;
  for (size_t p = 0; p < 3; ++p) {
    m0 += s.rates[p][0];
    m1 += s.rates[p][1];
    EXPECT_TRUE(f.Fits()(p, s.rates[p])) << p;
  }
  EXPECT_NEAR(m0, 150, 1e-9);
  EXPECT_NEAR(m1, 140, 1e-9);
  EXPECT_FALSE(f.Split({150, 160}).ok);
}

// With a monotone planner, one more device of any type never turns a fit into a failure
// (exact for two types, checked over random cases).
TEST(TypeSplitTest, MoreDevicesOfAnyTypeNeverHurt) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> cap(0, 200);
  std::uniform_real_distribution<double> rate(1, 300);
  std::uniform_real_distribution<double> cost(0.2, 2);
  std::uniform_int_distribution<int> count(1, 3);
  int fits = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const size_t models = 1 + trial % 4;
    CapacityFleet f;
    f.capacity.assign(2, std::vector<double>(models));
    for (size_t m = 0; m < models; ++m) {
      for (size_t p = 0; p < 2; ++p) {
        f.capacity[p][m] = cap(rng) < 40 ? 0 : cap(rng) + 10;
      }
      if (f.capacity[0][m] == 0 && f.capacity[1][m] == 0) {
        f.capacity[0][m] = 50;
      }
    }
    f.devices = {count(rng), count(rng)};
    f.cost = {cost(rng), cost(rng)};
    std::vector<double> rates(models);
    for (double& r : rates) {
      r = rate(rng);
    }
    const bool ok = f.Split(rates).ok;
    EXPECT_EQ(f.Cheapest(rates).ok, ok) << "trial " << trial;
    if (!ok) {
      continue;
    }
    ++fits;
    for (size_t p = 0; p < 2; ++p) {
      CapacityFleet more = f;
      ++more.devices[p];
      EXPECT_TRUE(more.Split(rates).ok) << "trial " << trial << " pool " << p;
    }
    std::vector<double> less = rates;
    for (double& r : less) {
      r *= 0.7;
    }
    EXPECT_TRUE(f.Split(less).ok) << "trial " << trial;
  }
  EXPECT_GT(fits, 50);
}

}  // namespace
}  // namespace glet::sched
