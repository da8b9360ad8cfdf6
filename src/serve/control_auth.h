// ControlAuth: the shared secret that guards glet's internal gRPC ports: the frontend's control
// port (backends register and heartbeat), each backend's BackendControl port (the frontend
// applies plans) and each proxy's port (the frontend runs batches, the backend loads models and
// reads counters). Without it anyone who can reach those ports (on loopback: any local user) can
// forge heartbeats, move glets to an impostor proxy or register a fake node.
//
// The token is read from a file (--control-token-file; the file's first line, surrounding
// whitespace trimmed) or the environment (GLET_CONTROL_TOKEN), never from a flag's value, which
// `ps` would show. Once installed, every call a glet process makes on those ports carries
// "authorization: Bearer <token>" (Attach), and every handler refuses a call without the exact
// token with UNAUTHENTICATED (Check, a constant-time comparison). No token installed: the ports
// are open, as the loopback-only default has always been. `glet serve` makes a random token for
// its own processes. A backend passes its token to its proxies in their environment.
//
// KServe ports (clients) are not guarded by it (their TLS and client certificates: kserve_tls.h).
//
// Thread safety: Install() once at start-up, before any server or client runs; the rest from
// any thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "core/status.h"

namespace glet::serve {

inline constexpr char kControlTokenEnv[] = "GLET_CONTROL_TOKEN";

class ControlAuth {
 public:
  // The token from `file` when not empty, else from $GLET_CONTROL_TOKEN, else "" (none).
  // kInvalidArgument naming the file when it cannot be read or holds no token, or naming the
  // variable when it is set but empty.
  static Result<std::string> LoadToken(const std::string& file);
  // A fresh random token (32 bytes from /dev/urandom, hex).
  static Result<std::string> RandomToken();

  // Makes `token` this process's (empty: none).
  static void Install(std::string token);
  static bool enabled();
  static const std::string& token();

  // Adds the token to an outgoing call (nothing when none is installed).
  static void Attach(grpc::ClientContext& context);
  // OK when no token is installed or the call carries it; else UNAUTHENTICATED (also for a null
  // context: handlers called directly, in tests).
  static grpc::Status Check(const grpc::ServerContextBase* context);
};

}  // namespace glet::serve
