#include "serve/backend_client.h"

#include "glet_control.grpc.pb.h"
#include "serve/backend_proto.h"
#include "serve/control_auth.h"
#include "serve/control_tls.h"
#include "serve/grpc_status.h"

namespace glet::serve {

Result<std::vector<GletInfo>> GrpcBackendClient::ApplyPlan(const std::string& address,
                                                           uint64_t epoch,
                                                           const std::vector<GletSpec>& glets) {
  auto stub = control::BackendControl::NewStub(ControlTls::CreateChannel(address));
  control::ApplyPlanRequest request;
  request.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  request.set_plan_epoch(epoch);
  for (const GletSpec& g : glets) {
    GletSpecToProto(g, request.add_glets());
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(timeout_));
  ControlAuth::Attach(ctx);
  {
    MutexLock lock(mu_);
    if (cancelled_) {
      return CancelledError("backend " + address + ": apply plan: the controller is stopping");
    }
    in_flight_.insert(&ctx);
  }
  control::ApplyPlanResponse response;
  grpc::Status s = stub->ApplyPlan(&ctx, request, &response);
  {
    MutexLock lock(mu_);
    in_flight_.erase(&ctx);
  }
  if (!s.ok()) {
    return FromGrpcStatus(s).WithContext("backend " + address + ": apply plan");
  }
  std::vector<GletInfo> out;
  for (const control::GletInfo& g : response.glets()) {
    out.push_back(GletInfoFromProto(g));
  }
  return out;
}

void GrpcBackendClient::Cancel() {
  MutexLock lock(mu_);
  cancelled_ = true;
  for (grpc::ClientContext* ctx : in_flight_) {
    ctx->TryCancel();
  }
}

void GrpcBackendClient::Resume() {
  MutexLock lock(mu_);
  cancelled_ = false;
}

}  // namespace glet::serve
