// Model versions as KServe clients name them. glet serves one version of each model, "1" (what
// model metadata lists). A request may name it or leave the version empty; any other version is
// kNotFound, as a KServe server answers for a version it does not have. (Several versions per
// model arrive with the model store, issue 15.)
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace glet::serve {

inline constexpr char kServedModelVersion[] = "1";

// OK for "" or "1"; else kNotFound naming the model and the version asked for.
inline Status CheckModelVersion(std::string_view model, std::string_view version) {
  if (version.empty() || version == kServedModelVersion) {
    return Status::Ok();
  }
  return NotFoundError("model '" + std::string(model) + "' has no version '" +
                       std::string(version) + "' (it serves version " + kServedModelVersion + ")");
}

}  // namespace glet::serve
