// KServeTls: TLS on the KServe ports that inference clients use (the frontend's HTTP and gRPC),
// the way Triton offers it (--grpc-use-ssl, --grpc-server-cert/-key, --grpc-root-cert with
// --grpc-use-ssl-mutual): a server certificate chain and key, and optionally a CA whose
// certificates clients must present (mutual TLS). Unlike the internal ports (ControlTls), the
// clients are outside the deployment, so a client certificate is asked for only when a client
// CA is given.
//
// Flags on `glet frontend` and `glet serve`: --kserve-tls-cert, --kserve-tls-key,
// --kserve-tls-client-ca. `glet client` verifies the server with --tls-ca and presents
// --tls-cert/--tls-key when the server asks.
//
// Thread safety: value types and pure functions.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "core/status.h"

namespace glet::serve {

struct KServeTlsFiles {
  std::string cert;       // PEM certificate chain of the server
  std::string key;        // PEM private key
  std::string client_ca;  // optional: PEM CA the clients' certificates must chain to
  bool enabled() const { return !cert.empty() || !key.empty() || !client_ca.empty(); }
};

// The PEM texts of `files`. Both cert and key, or none of the three: kInvalidArgument naming the
// missing flag, or the file that cannot be read or holds no PEM block.
struct KServeTlsPem {
  std::string cert, key, client_ca;
};
Result<KServeTlsPem> LoadKServeTls(const KServeTlsFiles& files);

// gRPC server credentials for `pem` (client certificates required and verified iff client_ca).
std::shared_ptr<grpc::ServerCredentials> KServeServerCredentials(const KServeTlsPem& pem);

// What a client of a TLS KServe port gives: the CA that signed the server's certificate (empty:
// the system's roots), and a certificate and key to present (both or neither).
struct KServeClientTls {
  std::string ca;
  std::string cert;
  std::string key;
  bool enabled() const { return !ca.empty() || !cert.empty() || !key.empty(); }
};
// Channel credentials for `tls` (insecure when not enabled). kInvalidArgument naming the flag
// (--tls-ca, --tls-cert, --tls-key) at fault.
Result<std::shared_ptr<grpc::ChannelCredentials>> KServeChannelCredentials(
    const KServeClientTls& tls);

}  // namespace glet::serve
