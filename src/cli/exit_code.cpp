#include "cli/command.h"
#include "core/strings.h"

namespace glet::cli {

CLI::Validator IntAtLeast(int64_t min) {
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        auto v = ParseInt(value, "value");
        if (!v.ok() || *v < min) {
          return "must be an integer >= " + std::to_string(min) + " (got '" + value + "')";
        }
        return "";
      },
      "INT>=" + std::to_string(min));
}

CLI::Validator NumberAtLeast(double min) {
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        auto v = ParseDouble(value, "value");
        if (!v.ok() || *v < min) {
          return "must be a number >= " + FormatDouble(min, 1) + " (got '" + value + "')";
        }
        return "";
      },
      "NUM>=" + FormatDouble(min, 1));
}

int ExitCodeFor(const Status& status) {
  if (status.ok()) {
    return 0;
  }
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace glet::cli
