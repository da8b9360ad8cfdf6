#include "serve/control_auth.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>

#include "core/file_util.h"
#include "core/strings.h"

namespace glet::serve {

namespace {

constexpr std::string_view kBearer = "Bearer ";

std::string& Installed() {
  static std::string* token = new std::string();  // never destroyed: read until exit
  return *token;
}

// The first line of `s`, without surrounding spaces and tabs.
std::string FirstLine(std::string_view s) {
  return std::string(Trim(s.substr(0, s.find_first_of("\r\n"))));
}

}  // namespace

Result<std::string> ControlAuth::LoadToken(const std::string& file) {
  if (!file.empty()) {
    Result<std::string> text = ReadFileToString(file);
    if (!text.ok()) {
      return InvalidArgumentError("--control-token-file: " + text.status().message());
    }
    std::string token = FirstLine(*text);
    if (token.empty()) {
      return InvalidArgumentError("--control-token-file " + file + ": holds no token");
    }
    return token;
  }
  const char* env = std::getenv(kControlTokenEnv);
  if (env == nullptr) {
    return std::string();
  }
  std::string token = FirstLine(env);
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
          ConstantTimeEquals(value.substr(kBearer.size()), Installed())) {
        return grpc::Status::OK;
      }
    }
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "glet control: missing or wrong control token");
}

}  // namespace glet::serve
