#include "serve/backend_service.h"

#include <vector>

#include "serve/backend_proto.h"
#include "serve/control_auth.h"
#include "serve/grpc_status.h"
#include "serve/protocol_version.h"

namespace glet::serve {

grpc::Status BackendGrpcService::ApplyPlan(grpc::ServerContext* context,
                                           const control::ApplyPlanRequest* request,
                                           control::ApplyPlanResponse* response) {
  if (grpc::Status auth = ControlAuth::Check(context); !auth.ok()) {
    return auth;
  }
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  std::vector<GletSpec> glets;
  for (const control::GletSpec& g : request->glets()) {
    glets.push_back(GletSpecFromProto(g));
  }
  Result<std::vector<GletInfo>> infos = backend_.ApplyPlan(request->plan_epoch(), glets);
  if (!infos.ok()) {
    return ToGrpcStatus(infos.status());
  }
  for (const GletInfo& info : *infos) {
    GletInfoToProto(info, response->add_glets());
  }
  return grpc::Status::OK;
}

grpc::Status BackendGrpcService::StartGlet(grpc::ServerContext* context,
                                           const control::StartGletRequest* request,
                                           control::StartGletResponse* response) {
  if (grpc::Status auth = ControlAuth::Check(context); !auth.ok()) {
    return auth;
  }
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  Result<GletInfo> info = backend_.StartGlet(GletSpecFromProto(request->spec()));
  if (!info.ok()) {
    return ToGrpcStatus(info.status());
  }
  GletInfoToProto(*info, response->mutable_glet());
  return grpc::Status::OK;
}

grpc::Status BackendGrpcService::StopGlet(grpc::ServerContext* context,
                                          const control::StopGletRequest* request,
                                          control::StopGletResponse* /*response*/) {
  if (grpc::Status auth = ControlAuth::Check(context); !auth.ok()) {
    return auth;
  }
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return ToGrpcStatus(backend_.StopGlet(request->glet_id(), request->drain()));
}

grpc::Status BackendGrpcService::ListGlets(grpc::ServerContext* context,
                                           const control::ListGletsRequest* request,
                                           control::ListGletsResponse* response) {
  if (grpc::Status auth = ControlAuth::Check(context); !auth.ok()) {
    return auth;
  }
  if (Status s = CheckProtocolVersion(request->protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  for (const GletInfo& info : backend_.ListGlets()) {
    GletInfoToProto(info, response->add_glets());
  }
  return grpc::Status::OK;
}

}  // namespace glet::serve
