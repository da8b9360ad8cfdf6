#include "sched/safety.h"

#include <algorithm>
#include <cmath>

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

LambdaTable::LambdaTable(int max_batch, double poisson_quantile) {
  max_mean_.resize(std::max(0, max_batch));
  for (int b = 1; b <= max_batch; ++b) {
    if (poisson_quantile <= 0) {
      max_mean_[b - 1] = b;
      continue;
    }
    // Largest mean with PoissonQuantile(mean) <= b; the quantile is non-decreasing in mean.
    double lo = 0;
    double hi = b;
    for (int i = 0; i < 60; ++i) {
      double mid = 0.5 * (lo + hi);
      if (PoissonQuantile(mid, poisson_quantile) <= b) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    max_mean_[b - 1] = lo;
  }
}

int LambdaTable::BatchFor(double mean) const {
  auto it = std::lower_bound(max_mean_.begin(), max_mean_.end(), mean - 1e-12);
  if (it == max_mean_.end()) {
    return 0;
  }
  return static_cast<int>(it - max_mean_.begin()) + 1;
}

}  // namespace glet::sched
