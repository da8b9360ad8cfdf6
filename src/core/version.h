// glet's version, as `glet --version`, KServe server metadata (HTTP GET /v2, gRPC
// ServerMetadata) and the build report it.
#pragma once

namespace glet {

inline constexpr char kGletVersion[] = "0.1.0";

}  // namespace glet
