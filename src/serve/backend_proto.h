// Conversions between the backend's core types (backend_types.h) and glet.control messages.
// FromProto functions do not validate meaning (backend_slices.h does); they only copy fields.
//
// Thread safety: pure functions.
#pragma once

#include "glet_control.pb.h"
#include "serve/backend_types.h"

namespace glet::serve {

GletSpec GletSpecFromProto(const control::GletSpec& proto);
void GletSpecToProto(const GletSpec& spec, control::GletSpec* out);
GletInfo GletInfoFromProto(const control::GletInfo& proto);
void GletInfoToProto(const GletInfo& info, control::GletInfo* out);
DeviceInfo DeviceInfoFromProto(const control::DeviceInfo& proto);
void DeviceInfoToProto(const DeviceInfo& info, control::DeviceInfo* out);

}  // namespace glet::serve
