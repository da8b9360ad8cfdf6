// The receiver's side of glet.control's protocol versioning (proto/glet_control.proto): a
// request whose protocol_version this build does not speak, or 0 (unset), is refused with
// kFailedPrecondition naming both versions.
//
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "glet_control.pb.h"

namespace glet::serve {

inline Status CheckProtocolVersion(uint32_t version) {
  if (version == static_cast<uint32_t>(control::PROTOCOL_VERSION_CURRENT)) {
    return Status::Ok();
  }
  return FailedPreconditionError("protocol_version " + std::to_string(version) +
                                 " is not spoken here (this build speaks " +
                                 std::to_string(control::PROTOCOL_VERSION_CURRENT) + ")");
}

}  // namespace glet::serve
