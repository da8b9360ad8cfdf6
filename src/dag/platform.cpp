#include "dag/platform.h"

#include <cmath>
#include <set>

#include "core/strings.h"

namespace glet::dag {

Result<Platform> Platform::Create(std::vector<std::string> names, std::vector<double> bandwidth,
                                  std::vector<double> startup, const std::string& origin) {
  const size_t n = names.size();
  if (n == 0) {
    return InvalidArgumentError(origin + ": no processors");
  }
  std::set<std::string> unique(names.begin(), names.end());
  if (unique.size() != n) {
    return InvalidArgumentError(origin + ": processor names must be unique");
  }
  if (bandwidth.size() != n * n) {
    return InvalidArgumentError(origin + ": bandwidth matrix must be " + std::to_string(n) + "x" +
                                std::to_string(n) + " (one row and column per processor)");
  }
  if (startup.empty()) {
    startup.assign(n, 0.0);
  }
  if (startup.size() != n) {
    return InvalidArgumentError(origin + ": startup: expected " + std::to_string(n) +
                                " values (one per processor), got " +
                                std::to_string(startup.size()));
  }
  for (size_t p = 0; p < n; ++p) {
    for (size_t q = 0; q < n; ++q) {
      double b = bandwidth[p * n + q];
      if (p != q && (std::isnan(b) || b <= 0)) {
        return InvalidArgumentError(origin + ": bandwidth from " + names[p] + " to " + names[q] +
                                    " must be > 0 (got " + FormatDouble(b, 3) + ")");
      }
    }
    if (std::isnan(startup[p]) || startup[p] < 0 || std::isinf(startup[p])) {
      return InvalidArgumentError(origin + ": startup of " + names[p] +
                                  " must be a finite number >= 0 (got " +
                                  FormatDouble(startup[p], 3) + ")");
    }
  }
  Platform platform;
  platform.names_ = std::move(names);
  platform.bandwidth_ = std::move(bandwidth);
  platform.startup_ = std::move(startup);
  platform.ComputeMeans();
  return platform;
}

Platform Platform::Uniform(int num) {
  Platform platform;
  for (int p = 0; p < num; ++p) {
    platform.names_.push_back("P_" + std::to_string(p));
  }
  platform.bandwidth_.assign(static_cast<size_t>(num) * num, 1.0);
  platform.startup_.assign(num, 0.0);
  platform.ComputeMeans();
  return platform;
}

void Platform::ComputeMeans() {
  const size_t n = names_.size();
  double startup_sum = 0;
  for (double s : startup_) {
    startup_sum += s;
  }
  mean_startup_ = startup_sum / static_cast<double>(n);
  double bw_sum = 0;
  size_t pairs = 0;
  for (size_t p = 0; p < n; ++p) {
    for (size_t q = 0; q < n; ++q) {
      if (p != q) {
        bw_sum += bandwidth_[p * n + q];
        ++pairs;
      }
    }
  }
  inv_mean_bandwidth_ = pairs == 0 ? 0.0 : static_cast<double>(pairs) / bw_sum;
}

int Platform::Find(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

bool Platform::SameAs(const Platform& other) const {
  if (names_ != other.names_ || startup_ != other.startup_) {
    return false;
  }
  const size_t n = names_.size();
  for (size_t p = 0; p < n; ++p) {
    for (size_t q = 0; q < n; ++q) {
      if (p != q && bandwidth_[p * n + q] != other.bandwidth_[p * n + q]) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace glet::dag
