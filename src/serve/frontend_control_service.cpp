#include "serve/frontend_control_service.h"

#include "serve/backend_proto.h"
#include "serve/control_auth.h"
#include "serve/grpc_status.h"
#include "serve/proxy_metrics.h"

namespace glet::serve {

namespace {

grpc::Status CheckVersion(uint32_t version) {
  if (version != control::PROTOCOL_VERSION_CURRENT) {
    return ToGrpcStatus(FailedPreconditionError(
        "control protocol version " + std::to_string(version) + " not supported (this is " +
        std::to_string(control::PROTOCOL_VERSION_CURRENT) + ")"));
  }
  return grpc::Status::OK;
}

std::vector<DeviceInfo> Devices(const google::protobuf::RepeatedPtrField<control::DeviceInfo>& in) {
  std::vector<DeviceInfo> out;
  for (const control::DeviceInfo& d : in) {
    out.push_back(DeviceInfoFromProto(d));
  }
  return out;
}

}  // namespace

FrontendControlService::FrontendControlService(BackendRegistry& registry, MetricsRegistry& metrics,
                                               double heartbeat_interval_ms)
    : registry_(registry), metrics_(metrics), heartbeat_interval_ms_(heartbeat_interval_ms) {
  DeclareProxyMetrics(metrics_);
}

grpc::Status FrontendControlService::RegisterBackend(grpc::ServerContext* ctx,
                                                     const control::RegisterBackendRequest* request,
                                                     control::RegisterBackendResponse* response) {
  if (grpc::Status auth = ControlAuth::Check(ctx); !auth.ok()) {
    return auth;
  }
  if (grpc::Status v = CheckVersion(request->protocol_version()); !v.ok()) {
    return v;
  }
  Result<Registration> reg = registry_.Register(request->address(), Devices(request->devices()),
                                                request->applied_plan_epoch());
  if (!reg.ok()) {
    return ToGrpcStatus(reg.status());
  }
  response->set_backend_id(reg->backend_id);
  response->set_session(reg->session);
  response->set_heartbeat_interval_ms(heartbeat_interval_ms_);
  return grpc::Status::OK;
}

grpc::Status FrontendControlService::Heartbeat(grpc::ServerContext* ctx,
                                               const control::HeartbeatRequest* request,
                                               control::HeartbeatResponse*) {
  if (grpc::Status auth = ControlAuth::Check(ctx); !auth.ok()) {
    return auth;
  }
  if (grpc::Status v = CheckVersion(request->protocol_version()); !v.ok()) {
    return v;
  }
  std::vector<GletInfo> glets;
  for (const control::GletInfo& g : request->glets()) {
    glets.push_back(GletInfoFromProto(g));
  }
  return ToGrpcStatus(registry_.Heartbeat(request->backend_id(), request->session(),
                                          Devices(request->devices()), std::move(glets)));
}

grpc::Status FrontendControlService::Report(grpc::ServerContext* ctx,
                                            const control::ReportRequest* request,
                                            control::ReportResponse*) {
  if (grpc::Status auth = ControlAuth::Check(ctx); !auth.ok()) {
    return auth;
  }
  if (grpc::Status v = CheckVersion(request->protocol_version()); !v.ok()) {
    return v;
  }
  std::vector<GletCounters> counters;
  for (const control::GletCounters& c : request->counters()) {
    counters.push_back(GletCountersFromProto(c));
  }
  if (Status s = registry_.Report(request->backend_id(), request->session(), counters); !s.ok()) {
    return ToGrpcStatus(s);
  }
  ExportProxyCounters(metrics_, request->backend_id(), counters);
  return grpc::Status::OK;
}

}  // namespace glet::serve
