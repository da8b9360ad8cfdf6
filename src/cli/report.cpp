#include "cli/report.h"

#include <cmath>
#include <iostream>

#include "core/strings.h"

namespace glet::cli {

void Report::Add(const std::string& name, const std::string& value) {
  text_.emplace_back(name, value);
  json_[name] = value;
}

void Report::Add(const std::string& name, int64_t value) {
  text_.emplace_back(name, std::to_string(value));
  json_[name] = value;
}

void Report::Add(const std::string& name, double value, int decimals) {
  text_.emplace_back(name, FormatDouble(value, decimals));
  double scale = std::pow(10.0, decimals);
  json_[name] = std::round(value * scale) / scale;
}

std::string Report::ToText() const {
  std::string out;
  for (const auto& [name, value] : text_) {
    out += name + ": " + value + "\n";
  }
  return out;
}

nlohmann::ordered_json Report::ToJson() const { return json_; }

void Report::Print(bool json) const {
  if (json) {
    std::cout << json_.dump(2) << std::endl;
  } else {
    std::cout << ToText() << std::flush;
  }
}

}  // namespace glet::cli
