#include "testing/prometheus_text.h"

#include <sstream>

#include "core/strings.h"

namespace glet::testing {

double MetricSum(const std::string& text, const std::string& name,
                 const std::vector<std::string>& labels) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) {
      continue;
    }
    const std::string key = line.substr(0, space);
    if (key != name && key.rfind(name + "{", 0) != 0) {
      continue;
    }
    bool match = true;
    for (const std::string& l : labels) {
      match = match && key.find(l) != std::string::npos;
    }
    Result<double> value = ParseDouble(line.substr(space + 1), "value");
    if (match && value.ok()) {
      sum += *value;
    }
  }
  return sum;
}

}  // namespace glet::testing
