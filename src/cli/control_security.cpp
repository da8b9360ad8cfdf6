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

void AddTlsFlags(CLI::App* cmd, serve::TlsFiles* files) {
  cmd->add_option("--tls-cert", files->cert,
                  "PEM certificate of this process for the internal ports (mutual TLS, with "
                  "--tls-key and --tls-ca; default: $GLET_TLS_CERT; none: plaintext)");
  cmd->add_option("--tls-key", files->key, "PEM private key (default: $GLET_TLS_KEY)");
  cmd->add_option("--tls-ca", files->ca,
                  "PEM CA that signed every glet process's certificate (default: $GLET_TLS_CA)");
  cmd->add_option("--tls-server-name", files->server_name,
                  "check servers' certificates against this name instead of the address dialled "
                  "(default: $GLET_TLS_SERVER_NAME)");
}

Status SetUpControlTls(const serve::TlsFiles& files) {
  GLET_RETURN_IF_ERROR(serve::ControlTls::Install(files));
  if (serve::ControlTls::enabled()) {
    GLET_LOG_INFO("internal ports: mutual TLS (CA {})", serve::ControlTls::files().ca);
  }
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
