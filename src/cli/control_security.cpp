#include "cli/control_security.h"

#include "core/logging.h"
#include "serve/control_auth.h"

namespace glet::cli {

namespace {

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

}  // namespace

Status SetUpControlAuth(const std::string& token_file) {
  GLET_ASSIGN_OR_RETURN(std::string token, serve::ControlAuth::LoadToken(token_file));
  serve::ControlAuth::Install(std::move(token));
  return Status::Ok();
}

Status CheckControlExposure(const std::string& flag, const std::string& host, bool insecure) {
  if (IsLoopback(host) || serve::ControlAuth::enabled()) {
    return Status::Ok();
  }
  if (!insecure) {
    return InvalidArgumentError(flag + " " + host +
                                ": not a loopback address, and no control token guards it (give "
                                "--control-token-file or $GLET_CONTROL_TOKEN, or accept the risk "
                                "with --insecure-control)");
  }
  GLET_LOG_WARN(
      "{} {}: control plane exposed without a token (--insecure-control): anyone who "
      "reaches it can forge heartbeats, plans and batches",
      flag, host);
  return Status::Ok();
}

}  // namespace glet::cli
