#include "serve/control_tls.h"

#include <cstdlib>

#include "core/file_util.h"

namespace glet::serve {

namespace {

struct Installed {
  TlsFiles files;
  std::string cert_pem;
  std::string key_pem;
  std::string ca_pem;
};

Installed& State() {
  static Installed* state = new Installed();  // never destroyed: read until exit
  return *state;
}

void FromEnv(std::string& field, const char* env) {
  if (field.empty()) {
    if (const char* v = std::getenv(env); v != nullptr) {
      field = v;
    }
  }
}

}  // namespace

Result<std::string> ReadPem(const std::string& flag, const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return InvalidArgumentError(flag + ": " + text.status().message());
  }
  if (text->find("-----BEGIN ") == std::string::npos) {
    return InvalidArgumentError(flag + " " + path + ": holds no PEM block");
  }
  return text;
}

Status ControlTls::Install(TlsFiles flags) {
  FromEnv(flags.cert, kTlsCertEnv);
  FromEnv(flags.key, kTlsKeyEnv);
  FromEnv(flags.ca, kTlsCaEnv);
  FromEnv(flags.server_name, kTlsServerNameEnv);
  Installed next;
  if (!flags.empty()) {
    const std::pair<const char*, const std::string*> parts[] = {
        {"--tls-cert", &flags.cert}, {"--tls-key", &flags.key}, {"--tls-ca", &flags.ca}};
    for (const auto& [flag, path] : parts) {
      if (path->empty()) {
        return InvalidArgumentError(std::string(flag) +
                                    ": missing (TLS needs --tls-cert, --tls-key and --tls-ca "
                                    "together, or the GLET_TLS_* variables)");
      }
    }
    GLET_ASSIGN_OR_RETURN(next.cert_pem, ReadPem("--tls-cert", flags.cert));
    GLET_ASSIGN_OR_RETURN(next.key_pem, ReadPem("--tls-key", flags.key));
    GLET_ASSIGN_OR_RETURN(next.ca_pem, ReadPem("--tls-ca", flags.ca));
    next.files = std::move(flags);
  }
  State() = std::move(next);
  return Status::Ok();
}

bool ControlTls::enabled() { return !State().files.empty(); }

const TlsFiles& ControlTls::files() { return State().files; }

std::shared_ptr<grpc::ServerCredentials> ControlTls::ServerCredentials() {
  const Installed& s = State();
  if (s.files.empty()) {
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = s.ca_pem;
  options.pem_key_cert_pairs.push_back({s.key_pem, s.cert_pem});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ControlTls::ChannelCredentials() {
  const Installed& s = State();
  if (s.files.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = s.ca_pem;
  options.pem_private_key = s.key_pem;
  options.pem_cert_chain = s.cert_pem;
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::Channel> ControlTls::CreateChannel(const std::string& address,
                                                         grpc::ChannelArguments args) {
  const Installed& s = State();
  if (!s.files.empty() && !s.files.server_name.empty()) {
    args.SetSslTargetNameOverride(s.files.server_name);
  }
  return grpc::CreateCustomChannel(address, ChannelCredentials(), args);
}

}  // namespace glet::serve
