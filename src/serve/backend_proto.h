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
ProxyStats ProxyStatsFromProto(const control::ProxyStats& proto);
void ProxyStatsToProto(const ProxyStats& stats, control::ProxyStats* out);
GletCounters GletCountersFromProto(const control::GletCounters& proto);
void GletCountersToProto(const GletCounters& counters, control::GletCounters* out);

}  // namespace glet::serve
