// Logging: glet's only door to spdlog. Log a failure once, where it is handled. Request-level
// lines start with the model and request id. No per-request INFO logs.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "core/status.h"

namespace glet {

// Sets the global level from "trace|debug|info|warn|error|off"; kInvalidArgument otherwise.
// Logs go to stderr.
Status SetLogLevel(std::string_view level);

}  // namespace glet

#define GLET_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define GLET_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define GLET_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define GLET_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
