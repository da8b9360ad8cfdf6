// Setting up the control token (serve/control_auth.h) of a glet process from its flags, and
// refusing to expose an unguarded control-plane port: the frontend's --control, a backend's
// --listen (its BackendControl port, and the host its proxies listen on).
#pragma once

#include <string>

#include "core/status.h"

namespace glet::cli {

// Loads the token (`token_file`, else $GLET_CONTROL_TOKEN) and installs it for this process.
// kInvalidArgument naming the file or variable at fault.
Status SetUpControlAuth(const std::string& token_file);

// A control-plane address on a host other than loopback (127.0.0.0/8, ::1, localhost) with no
// token installed is refused (kInvalidArgument naming `flag` and how to proceed) unless
// `insecure`, which logs a warning instead.
Status CheckControlExposure(const std::string& flag, const std::string& host, bool insecure);

}  // namespace glet::cli
