#include "core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace glet {

Status SetLogLevel(std::string_view level) {
  static const bool init = [] {
    auto logger = spdlog::stderr_color_mt("glet");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%P] %v");
    return true;
  }();
  (void)init;
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return InvalidArgumentError("--log-level: unknown level '" + std::string(level) +
                                "' (trace, debug, info, warn, error, off)");
  }
  spdlog::set_level(lvl);
  return Status::Ok();
}

}  // namespace glet
