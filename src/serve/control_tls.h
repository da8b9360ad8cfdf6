// ControlTls: TLS with client certificates (mutual TLS) on glet's internal gRPC ports: the
// frontend's control port, each backend's BackendControl port and each proxy's port, and every
// call a glet process makes to them. The control token (serve/control_auth.h) says a caller may
// act; TLS keeps the traffic (tensors, plans, the token itself) from being read or altered on
// the network, and the certificates prove both ends are the deployment's.
//
// Three PEM files make it: this process's certificate chain and private key, and the CA that
// signed every glet process's certificate. A server accepts only clients whose certificate the
// CA signed (GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY); a client accepts only
// a server whose certificate the CA signed and whose names cover the address it dials (a
// certificate's subjectAltName must list the hosts or IPs the processes reach each other at),
// or the name given as `server_name` (one certificate for the whole deployment, checked against
// that name instead: GRPC_SSL_TARGET_NAME_OVERRIDE_ARG).
//
// They come from flags (--tls-cert, --tls-key, --tls-ca, --tls-server-name) or the environment
// (GLET_TLS_CERT, GLET_TLS_KEY, GLET_TLS_CA, GLET_TLS_SERVER_NAME); a backend passes its files to
// its proxies in their environment. None given: plaintext, as before (the loopback default).
// KServe ports (clients) are covered by their own flags (serve/kserve_tls.h).
//
// Thread safety: Install() once at start-up, before any server or client runs; the rest from
// any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace glet::serve {

inline constexpr char kTlsCertEnv[] = "GLET_TLS_CERT";
inline constexpr char kTlsKeyEnv[] = "GLET_TLS_KEY";
inline constexpr char kTlsCaEnv[] = "GLET_TLS_CA";
inline constexpr char kTlsServerNameEnv[] = "GLET_TLS_SERVER_NAME";

struct TlsFiles {
  std::string cert;         // PEM certificate chain of this process
  std::string key;          // PEM private key
  std::string ca;           // PEM CA certificate(s) the peers' certificates must chain to
  std::string server_name;  // optional: the name servers' certificates are checked against
  bool empty() const { return cert.empty() && key.empty() && ca.empty(); }
};

// The text of the PEM file at `path`; kInvalidArgument naming `flag` when it cannot be read or
// holds no PEM block.
Result<std::string> ReadPem(const std::string& flag, const std::string& path);

class ControlTls {
 public:
  // `flags` with each empty field taken from its environment variable. Then all three files or
  // none: kInvalidArgument naming the flag that is missing, or the file that cannot be read or
  // holds no PEM block.
  static Status Install(TlsFiles flags);
  static bool enabled();
  // The paths installed (empty when none), for a child's environment.
  static const TlsFiles& files();

  // Credentials for an internal port / for a call to one (insecure when none is installed).
  static std::shared_ptr<grpc::ServerCredentials> ServerCredentials();
  static std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials();
  // A channel to an internal port: ChannelCredentials(), and with TLS the server name override.
  static std::shared_ptr<grpc::Channel> CreateChannel(const std::string& address,
                                                      grpc::ChannelArguments args = {});
};

}  // namespace glet::serve
