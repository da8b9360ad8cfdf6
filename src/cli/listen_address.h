// Checking HOST:PORT flags of the serving subcommands (--listen, --frontend) before use, so a
// malformed address is a clear usage error (exit 2) instead of a bind failure.
#pragma once

#include <string>

#include "core/status.h"

namespace glet::cli {

struct HostPort {
  std::string host;
  int port = 0;
};

// Splits "HOST:PORT" at the last ':' (a bracketed IPv6 host keeps its brackets). kInvalidArgument
// "<flag>: expected HOST:PORT with PORT 0..65535 (got 'x')"; `allow_port_zero` false refuses 0.
Result<HostPort> ParseHostPort(const std::string& text, const std::string& flag,
                               bool allow_port_zero = true);

}  // namespace glet::cli
