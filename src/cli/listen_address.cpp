#include "cli/listen_address.h"

#include "core/strings.h"

namespace glet::cli {

Result<HostPort> ParseHostPort(const std::string& text, const std::string& flag,
                               bool allow_port_zero) {
  const Status bad =
      InvalidArgumentError(flag + ": expected HOST:PORT with PORT " +
                           (allow_port_zero ? "0" : "1") + "..65535 (got '" + text + "')");
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return bad;
  }
  Result<int64_t> port = ParseInt(text.substr(colon + 1), "port");
  if (!port.ok() || *port < (allow_port_zero ? 0 : 1) || *port > 65535) {
    return bad;
  }
  return HostPort{text.substr(0, colon), static_cast<int>(*port)};
}

}  // namespace glet::cli
