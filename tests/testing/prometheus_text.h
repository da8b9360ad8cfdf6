// MetricSum: reads a Prometheus text exposition (the frontend's /metrics) the way a test asks
// about it: the sum of the samples of metric `name` whose label set contains every entry of
// `labels`, each written as in the exposition (`model="lenet1"`). Comment lines, other metrics
// and unparsable values are skipped; no matching sample sums to 0.
#pragma once

#include <string>
#include <vector>

namespace glet::testing {

double MetricSum(const std::string& text, const std::string& name,
                 const std::vector<std::string>& labels = {});

}  // namespace glet::testing
