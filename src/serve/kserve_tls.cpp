#include "serve/kserve_tls.h"

#include "serve/control_tls.h"

namespace glet::serve {

Result<KServeTlsPem> LoadKServeTls(const KServeTlsFiles& files) {
  KServeTlsPem pem;
  if (!files.enabled()) {
    return pem;
  }
  if (files.cert.empty() || files.key.empty()) {
    return InvalidArgumentError(
        std::string(files.cert.empty() ? "--kserve-tls-cert" : "--kserve-tls-key") +
        ": missing (TLS on the KServe ports needs --kserve-tls-cert and "
        "--kserve-tls-key together)");
  }
  GLET_ASSIGN_OR_RETURN(pem.cert, ReadPem("--kserve-tls-cert", files.cert));
  GLET_ASSIGN_OR_RETURN(pem.key, ReadPem("--kserve-tls-key", files.key));
  if (!files.client_ca.empty()) {
    GLET_ASSIGN_OR_RETURN(pem.client_ca, ReadPem("--kserve-tls-client-ca", files.client_ca));
  }
  return pem;
}

std::shared_ptr<grpc::ServerCredentials> KServeServerCredentials(const KServeTlsPem& pem) {
  grpc::SslServerCredentialsOptions options(
      pem.client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = pem.client_ca;
  options.pem_key_cert_pairs.push_back({pem.key, pem.cert});
  return grpc::SslServerCredentials(options);
}

Result<std::shared_ptr<grpc::ChannelCredentials>> KServeChannelCredentials(
    const KServeClientTls& tls) {
  if (!tls.enabled()) {
    return grpc::InsecureChannelCredentials();
  }
  if (tls.cert.empty() != tls.key.empty()) {
    return InvalidArgumentError(std::string(tls.cert.empty() ? "--tls-cert" : "--tls-key") +
                                ": missing (a client certificate needs --tls-cert and --tls-key "
                                "together)");
  }
  grpc::SslCredentialsOptions options;
  if (!tls.ca.empty()) {
    GLET_ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem("--tls-ca", tls.ca));
  }
  if (!tls.cert.empty()) {
    GLET_ASSIGN_OR_RETURN(options.pem_cert_chain, ReadPem("--tls-cert", tls.cert));
    GLET_ASSIGN_OR_RETURN(options.pem_private_key, ReadPem("--tls-key", tls.key));
  }
  return grpc::SslCredentials(options);
}

}  // namespace glet::serve
