#include "serve/control_auth.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>

#include "core/file_util.h"

namespace glet::serve {

namespace {

constexpr std::string_view kBearer = "Bearer ";

std::string& Installed() {
  static std::string* token = new std::string();  // never destroyed: read until exit
  return *token;
}

std::string Trim(std::string s) {
  const size_t newline = s.find_first_of("\r\n");
  if (newline != std::string::npos) {
    s.resize(newline);
  }
  const size_t begin = s.find_first_not_of(" \t");
  const size_t end = s.find_last_not_of(" \t");
  return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

// Compares in time independent of where the strings first differ.
bool SameSecret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

Result<std::string> ControlAuth::LoadToken(const std::string& file) {
  if (!file.empty()) {
    Result<std::string> text = ReadFileToString(file);
    if (!text.ok()) {
      return InvalidArgumentError("--control-token-file: " + text.status().message());
    }
    std::string token = Trim(*text);
    if (token.empty()) {
      return InvalidArgumentError("--control-token-file " + file + ": holds no token");
    }
    return token;
  }
  const char* env = std::getenv(kControlTokenEnv);
  if (env == nullptr) {
    return std::string();
  }
  std::string token = Trim(env);
  if (token.empty()) {
    return InvalidArgumentError(std::string(kControlTokenEnv) + ": set but empty");
  }
  return token;
}

Result<std::string> ControlAuth::RandomToken() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char bytes[32];
  if (!urandom.read(reinterpret_cast<char*>(bytes), sizeof(bytes))) {
    return InternalError("control token: cannot read /dev/urandom");
  }
  std::string hex;
  char buf[3];
  for (unsigned char b : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", b);
    hex += buf;
  }
  return hex;
}

void ControlAuth::Install(std::string token) { Installed() = std::move(token); }

bool ControlAuth::enabled() { return !Installed().empty(); }

const std::string& ControlAuth::token() { return Installed(); }

void ControlAuth::Attach(grpc::ClientContext& context) {
  if (enabled()) {
    context.AddMetadata("authorization", std::string(kBearer) + Installed());
  }
}

grpc::Status ControlAuth::Check(const grpc::ServerContextBase* context) {
  if (!enabled()) {
    return grpc::Status::OK;
  }
  if (context != nullptr) {
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    if (it != metadata.end()) {
      const std::string_view value(it->second.data(), it->second.size());
      if (value.substr(0, kBearer.size()) == kBearer &&
          SameSecret(value.substr(kBearer.size()), Installed())) {
        return grpc::Status::OK;
      }
    }
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "glet control: missing or wrong control token");
}

}  // namespace glet::serve
