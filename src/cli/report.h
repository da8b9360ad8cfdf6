// Report: the results a subcommand prints. For people, one `name: value` line per headline
// figure; with --json, one JSON object with the same names. Insertion order is kept.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace glet::cli {

class Report {
 public:
  void Add(const std::string& name, const std::string& value);
  void Add(const std::string& name, const char* value) { Add(name, std::string(value)); }
  void Add(const std::string& name, int64_t value);
  void Add(const std::string& name, int value) { Add(name, static_cast<int64_t>(value)); }
  void Add(const std::string& name, double value, int decimals = 3);

  std::string ToText() const;
  nlohmann::ordered_json ToJson() const;
  // Writes ToText() or ToJson() to stdout.
  void Print(bool json) const;

 private:
  std::vector<std::pair<std::string, std::string>> text_;
  nlohmann::ordered_json json_ = nlohmann::ordered_json::object();
};

}  // namespace glet::cli
