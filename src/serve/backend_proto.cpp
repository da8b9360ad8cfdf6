#include "serve/backend_proto.h"

namespace glet::serve {
namespace {

control::GletInfo::State StateToProto(GletState state) {
  switch (state) {
    case GletState::kStarting:
      return control::GletInfo::STARTING;
    case GletState::kReady:
      return control::GletInfo::READY;
    case GletState::kDraining:
      return control::GletInfo::DRAINING;
    case GletState::kFailed:
      return control::GletInfo::FAILED;
  }
  return control::GletInfo::STATE_UNSPECIFIED;
}

GletState StateFromProto(control::GletInfo::State state) {
  switch (state) {
    case control::GletInfo::READY:
      return GletState::kReady;
    case control::GletInfo::DRAINING:
      return GletState::kDraining;
    case control::GletInfo::FAILED:
      return GletState::kFailed;
    default:
      return GletState::kStarting;
  }
}

}  // namespace

std::string_view GletStateName(GletState state) {
  switch (state) {
    case GletState::kStarting:
      return "STARTING";
    case GletState::kReady:
      return "READY";
    case GletState::kDraining:
      return "DRAINING";
    case GletState::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

GletSpec GletSpecFromProto(const control::GletSpec& proto) {
  GletSpec spec;
  spec.glet_id = proto.glet_id();
  spec.device_id = proto.device_id();
  spec.partition_percent = proto.partition_percent();
  spec.duty_cycle_ms = proto.duty_cycle_ms();
  for (const control::GletModel& m : proto.models()) {
    spec.models.push_back({m.model(), m.batch_size(), m.rate_rps()});
  }
  return spec;
}

void GletSpecToProto(const GletSpec& spec, control::GletSpec* out) {
  out->Clear();
  out->set_glet_id(spec.glet_id);
  out->set_device_id(spec.device_id);
  out->set_partition_percent(spec.partition_percent);
  out->set_duty_cycle_ms(spec.duty_cycle_ms);
  for (const GletModelSpec& m : spec.models) {
    control::GletModel* pm = out->add_models();
    pm->set_model(m.model);
    pm->set_batch_size(m.batch_size);
    pm->set_rate_rps(m.rate_rps);
  }
}

GletInfo GletInfoFromProto(const control::GletInfo& proto) {
  GletInfo info;
  info.spec = GletSpecFromProto(proto.spec());
  info.state = StateFromProto(proto.state());
  info.proxy_address = proto.proxy_address();
  info.error = proto.error();
  info.proxy_pid = proto.proxy_pid();
  info.restarts = proto.restarts();
  info.slice = proto.slice();
  return info;
}

void GletInfoToProto(const GletInfo& info, control::GletInfo* out) {
  out->Clear();
  GletSpecToProto(info.spec, out->mutable_spec());
  out->set_state(StateToProto(info.state));
  out->set_proxy_address(info.proxy_address);
  out->set_error(info.error);
  out->set_proxy_pid(info.proxy_pid);
  out->set_restarts(info.restarts);
  out->set_slice(info.slice);
}

DeviceInfo DeviceInfoFromProto(const control::DeviceInfo& proto) {
  return {proto.device_id(), proto.kind(),  proto.name(),   proto.memory_mib(),
          proto.healthy(),   proto.error(), proto.profile()};
}

void DeviceInfoToProto(const DeviceInfo& info, control::DeviceInfo* out) {
  out->Clear();
  out->set_device_id(info.device_id);
  out->set_kind(info.kind);
  out->set_name(info.name);
  out->set_memory_mib(info.memory_mib);
  out->set_healthy(info.healthy);
  out->set_error(info.error);
  out->set_profile(info.profile);
}

ProxyStats ProxyStatsFromProto(const control::ProxyStats& proto) {
  ProxyStats s;
  s.batches = proto.batches();
  s.items = proto.items();
  s.requests_served = proto.requests_served();
  s.requests_dropped = proto.requests_dropped();
  s.requests_failed = proto.requests_failed();
  s.queue_ms_sum = proto.queue_ms_sum();
  s.compute_ms_sum = proto.compute_ms_sum();
  return s;
}

void ProxyStatsToProto(const ProxyStats& stats, control::ProxyStats* out) {
  out->set_batches(stats.batches);
  out->set_items(stats.items);
  out->set_requests_served(stats.requests_served);
  out->set_requests_dropped(stats.requests_dropped);
  out->set_requests_failed(stats.requests_failed);
  out->set_queue_ms_sum(stats.queue_ms_sum);
  out->set_compute_ms_sum(stats.compute_ms_sum);
}

GletCounters GletCountersFromProto(const control::GletCounters& proto) {
  GletCounters c;
  c.glet_id = proto.glet_id();
  c.totals = ProxyStatsFromProto(proto.totals());
  c.restarts = proto.restarts();
  return c;
}

void GletCountersToProto(const GletCounters& counters, control::GletCounters* out) {
  out->set_glet_id(counters.glet_id);
  ProxyStatsToProto(counters.totals, out->mutable_totals());
  out->set_restarts(counters.restarts);
}

}  // namespace glet::serve
