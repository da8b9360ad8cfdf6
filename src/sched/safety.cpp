#include "sched/safety.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "core/mutex.h"
#include "core/strings.h"

namespace glet::sched {

namespace {

// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
double NormalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double plow = 0.02425;
  if (p < plow) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - plow) {
    double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double q = p - 0.5;
  double r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

}  // namespace

Status SafetyMargins::Validate() const {
  if (!(latency_ratio >= 1.0) || !std::isfinite(latency_ratio)) {
    return InvalidArgumentError("latency_ratio: must be >= 1 (got " +
                                FormatDouble(latency_ratio, 3) + ")");
  }
  if (!(poisson_quantile >= 0 && poisson_quantile < 1)) {
    return InvalidArgumentError("poisson_quantile: must be 0 (off) or in (0,1) (got " +
                                FormatDouble(poisson_quantile, 4) + ")");
  }
  if (!(burst_miss >= 0 && burst_miss < 1)) {
    return InvalidArgumentError("burst_miss: must be 0 (off) or in (0,1) (got " +
                                FormatDouble(burst_miss, 4) + ")");
  }
  return Status::Ok();
}

int PoissonQuantile(double mean, double q) {
  if (mean <= 0) {
    return 0;
  }
  if (mean > 700) {
    return static_cast<int>(std::ceil(mean + NormalQuantile(q) * std::sqrt(mean) - 0.5));
  }
  double log_pmf = -mean;  // log P[X = 0]
  double cdf = std::exp(log_pmf);
  int k = 0;
  while (cdf < q && k < 100000) {
    ++k;
    log_pmf += std::log(mean) - std::log(static_cast<double>(k));
    cdf += std::exp(log_pmf);
  }
  return k;
}

double BurstMissBound(double mean, int batch, int slack) {
  if (mean <= 0) {
    return 0;
  }
  const double b = batch;
  if (mean >= b) {
    return 1;
  }
  // theta > 0 with g(theta) = mean (e^theta - 1) - b theta = 0; g is convex, g(0) = 0 and
  // g'(0) = mean - b < 0, so the positive root is unique: bracket it, then bisect.
  auto g = [&](double t) { return mean * std::expm1(t) - b * t; };
  double lo = 0;
  double hi = 1;
  while (g(hi) < 0 && hi < 700) {
    lo = hi;
    hi *= 2;
  }
  for (int i = 0; i < 100 && hi - lo > 1e-12 * hi; ++i) {
    double mid = 0.5 * (lo + hi);
    (g(mid) < 0 ? lo : hi) = mid;
  }
  const double theta = lo;  // the lower end: a smaller theta only loosens the bound
  // sum over i of P[A > i] * min(1, exp(-theta ((K + 1) b - i))), i up to where P[A > i] is
  // negligible. P[A > i] is tracked as 1 - cdf, switching to the summed tail when it is small.
  const double reach = (slack + 1) * b;
  const int last = static_cast<int>(mean + 40 * std::sqrt(mean) + 60);
  double log_pmf = -mean;
  double cdf = std::exp(log_pmf);
  double sum = 0;
  for (int i = 0; i <= last; ++i) {
    double tail = std::max(0.0, 1 - cdf);  // P[A > i]
    if (tail < 1e-300) {
      break;
    }
    double x = reach - i;
    sum += tail * (x <= 0 ? 1.0 : std::exp(-theta * x));
    log_pmf += std::log(mean) - std::log(static_cast<double>(i + 1));
    cdf += std::exp(log_pmf);
  }
  return std::min(1.0, sum / mean);
}

namespace {

double ComputeMaxMean(const SafetyMargins& margins, int batch, int slack) {
  double best = batch;
  if (margins.poisson_quantile > 0) {
    // Largest mean with PoissonQuantile(mean) <= b; the quantile is non-decreasing in mean.
    double lo = 0;
    double hi = batch;
    for (int i = 0; i < 60; ++i) {
      double mid = 0.5 * (lo + hi);
      (PoissonQuantile(mid, margins.poisson_quantile) <= batch ? lo : hi) = mid;
    }
    best = std::min(best, lo);
  }
  if (margins.burst_miss > 0) {
    // The bound grows with the mean (a larger mean raises both P[A > i] and the backlog).
    double lo = 0;
    double hi = batch;
    for (int i = 0; i < 40; ++i) {
      double mid = 0.5 * (lo + hi);
      (BurstMissBound(mid, batch, slack) <= margins.burst_miss ? lo : hi) = mid;
    }
    best = std::min(best, lo);
  }
  return best;
}

}  // namespace

double MaxMeanArrivals(const SafetyMargins& margins, int batch, int slack) {
  slack = std::min(slack, kMaxSlackCycles);
  if (margins.burst_miss <= 0) {
    slack = 0;  // the other margins do not depend on it
  }
  using Key = std::tuple<double, double, int, int>;
  static Mutex mu;
  static std::map<Key, double>* cache = new std::map<Key, double>();
  Key key{margins.poisson_quantile, margins.burst_miss, batch, slack};
  {
    MutexLock lock(mu);
    auto it = cache->find(key);
    if (it != cache->end()) {
      return it->second;
    }
  }
  double v = ComputeMaxMean(margins, batch, slack);
  MutexLock lock(mu);
  cache->emplace(key, v);
  return v;
}

LambdaTable::LambdaTable(int max_batch, const SafetyMargins& margins)
    : max_batch_(std::max(0, max_batch)), max_slack_(margins.burst_miss > 0 ? kMaxSlackCycles : 0) {
  max_mean_.resize(static_cast<size_t>(max_batch_) * (kMaxSlackCycles + 1));
  for (int b = 1; b <= max_batch_; ++b) {
    for (int k = 0; k <= kMaxSlackCycles; ++k) {
      max_mean_[(b - 1) * (kMaxSlackCycles + 1) + k] = MaxMeanArrivals(margins, b, k);
    }
  }
}

int LambdaTable::BatchFor(double mean, int slack) const {
  // MaxMean is non-decreasing in b: binary search.
  int lo = 1;
  int hi = max_batch_;
  if (hi < 1 || MaxMean(hi, slack) < mean - 1e-12) {
    return 0;
  }
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (MaxMean(mid, slack) >= mean - 1e-12) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

}  // namespace glet::sched
