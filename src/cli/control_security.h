// Setting up the control token (serve/control_auth.h) of a glet process from its flags, and
// refusing to expose an unguarded control-plane port: the frontend's --control, a backend's
// --listen (its BackendControl port, and the host its proxies listen on).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/status.h"
#include "serve/control_tls.h"

namespace glet::cli {

// Loads the token (`token_file`, else $GLET_CONTROL_TOKEN) and installs it for this process.
// kInvalidArgument naming the file or variable at fault.
Status SetUpControlAuth(const std::string& token_file);

// Adds --tls-cert, --tls-key, --tls-ca and --tls-server-name (serve/control_tls.h) to `cmd`.
void AddTlsFlags(CLI::App* cmd, serve::TlsFiles* files);
// Installs TLS on the internal ports from those flags or $GLET_TLS_* (serve/control_tls.h):
// kInvalidArgument naming the flag or file at fault.
Status SetUpControlTls(const serve::TlsFiles& files);

// A control-plane address on a host other than loopback (127.0.0.0/8, ::1, localhost) with no
// token installed is refused (kInvalidArgument naming `flag` and how to proceed) unless
// `insecure`, which logs a warning instead.
Status CheckControlExposure(const std::string& flag, const std::string& host, bool insecure);

}  // namespace glet::cli
