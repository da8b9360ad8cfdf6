#include "serve/proxy_service.h"

#include <climits>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "serve/async_unary_call.h"
#include "serve/backend_proto.h"
#include "serve/control_auth.h"
#include "serve/control_tls.h"
#include "serve/cq_run_loop.h"
#include "serve/grpc_listen.h"
#include "serve/grpc_status.h"
#include "serve/protocol_version.h"
#include "serve/tensor_proto.h"

namespace glet::serve {
namespace {

grpc::Status LoadModel(Proxy& proxy, const control::LoadModelRequest& request,
                       control::LoadModelResponse* response) {
  if (Status s = CheckProtocolVersion(request.protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  Result<double> load_ms = proxy.LoadModel(request.model(), request.max_batch_size());
  if (!load_ms.ok()) {
    return ToGrpcStatus(load_ms.status());
  }
  response->set_load_ms(*load_ms);
  return grpc::Status::OK;
}

grpc::Status UnloadModel(Proxy& proxy, const control::UnloadModelRequest& request,
                         control::UnloadModelResponse* /*response*/) {
  if (Status s = CheckProtocolVersion(request.protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return ToGrpcStatus(proxy.UnloadModel(request.model()));
}

grpc::Status GetStats(Proxy& proxy, const control::GetStatsRequest& request,
                      control::GetStatsResponse* response) {
  if (Status s = CheckProtocolVersion(request.protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  ProxyStatsToProto(proxy.stats(), response->mutable_stats());
  return grpc::Status::OK;
}

// REQUIRES: on the proxy's runner thread.
grpc::Status RunBatch(Proxy& proxy, const control::RunBatchRequest& request,
                      control::RunBatchResponse* response) {
  if (Status s = CheckProtocolVersion(request.protocol_version()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  Result<model::Tensor> input =
      TensorFromProto(request.input(), "model '" + request.model() + "': input");
  if (!input.ok()) {
    return ToGrpcStatus(input.status());
  }
  std::vector<ProxyBatchItem> items;
  items.reserve(request.items_size());
  for (const control::BatchItem& item : request.items()) {
    items.push_back({item.request_id(), item.n(), item.deadline_in_ms()});
  }
  // Sent from this host: the batch has queued since it was sent (the stamp is on the real
  // steady clock, whatever clock the proxy core runs on).
  Duration waited{};
  if (!request.clock_host().empty() && request.clock_host() == SystemClock::HostId()) {
    waited = SystemClock::Get().Now().time_since_epoch() - Duration(request.sent_steady_ns());
  }
  Result<ProxyBatchResult> result = proxy.RunBatchHere(request.model(), *input, items, waited);
  if (!result.ok()) {
    return ToGrpcStatus(result.status());
  }
  response->set_batch_id(request.batch_id());
  TensorToProto(result->output, response->mutable_output());
  response->set_queue_ms(result->queue_ms);
  response->set_compute_ms(result->compute_ms);
  for (const ProxyItemResult& r : result->items) {
    control::ItemResult* out = response->add_results();
    out->set_request_id(r.request_id);
    out->set_code(static_cast<int32_t>(r.status.code()));
    out->set_message(r.status.message());
    if (r.drop_reason.has_value()) {
      out->set_drop_reason(std::string(DropReasonName(*r.drop_reason)));
    }
  }
  return grpc::Status::OK;
}

}  // namespace

ProxyServer::ProxyServer(std::string listen_address) : listen_address_(std::move(listen_address)) {
  AddExclusiveListeningPort(builder_, listen_address_, &port_, ControlTls::ServerCredentials());
  builder_.SetMaxReceiveMessageSize(INT_MAX);  // batches of big inputs exceed gRPC's 4 MiB
  builder_.SetMaxSendMessageSize(INT_MAX);
  builder_.RegisterService(&service_);
  cq_ = builder_.AddCompletionQueue();
}

ProxyServer::~ProxyServer() {
  Shutdown(std::chrono::system_clock::now());
  if (!runner_made_) {  // nobody drains the queue: do it here (nothing was ever asked of it)
    ShutdownAndDrain(*cq_);
  }
}

Proxy::RunnerFactory ProxyServer::runner_factory() {
  GLET_CHECK(!runner_made_);
  runner_made_ = true;
  return [cq = cq_.get()](std::function<Status()> prepare) -> Result<std::unique_ptr<JobRunner>> {
    GLET_ASSIGN_OR_RETURN(std::unique_ptr<CqRunLoop> loop,
                          CqRunLoop::Start("glet-runner", std::move(prepare), cq));
    return std::unique_ptr<JobRunner>(std::move(loop));
  };
}

Result<int> ProxyServer::Start(Proxy& proxy) {
  if (!runner_made_) {
    return FailedPreconditionError("proxy server " + listen_address_ +
                                   ": the proxy's runner must come from runner_factory()");
  }
  GLET_ASSIGN_OR_RETURN(control_, SerialExecutor::Start("glet-control", nullptr));
  server_ = builder_.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return InvalidArgumentError("--listen " + listen_address_ +
                                ": cannot bind (in use, or not a local address)");
  }
  using Svc = control::Proxy::AsyncService;
  grpc::ServerCompletionQueue* cq = cq_.get();
  // Every call must carry the control token (when one is installed) before its handler runs.
  auto guarded = [](auto handler) {
    return [handler = std::move(handler)](auto* call) {
      if (grpc::Status auth = ControlAuth::Check(&call->context()); !auth.ok()) {
        call->Finish(auth);
        return;
      }
      handler(call);
    };
  };
  using LoadCall = AsyncUnaryCall<control::LoadModelRequest, control::LoadModelResponse>;
  LoadCall::AwaitMethod(
      service_, &Svc::RequestLoadModel, cq, guarded([this, &proxy](LoadCall* call) {
        // Reads a file and runs a warm-up batch on the runner (this thread): not here.
        Status posted = control_->Post(
            [call, &proxy] { call->Finish(LoadModel(proxy, call->request(), call->response())); });
        if (!posted.ok()) {
          call->Finish(ToGrpcStatus(UnavailableError("glet proxy is shutting down")));
        }
      }));
  using UnloadCall = AsyncUnaryCall<control::UnloadModelRequest, control::UnloadModelResponse>;
  UnloadCall::AwaitMethod(service_, &Svc::RequestUnloadModel, cq,
                          guarded([&proxy](UnloadCall* call) {
                            call->Finish(UnloadModel(proxy, call->request(), call->response()));
                          }));
  using StatsCall = AsyncUnaryCall<control::GetStatsRequest, control::GetStatsResponse>;
  StatsCall::AwaitMethod(service_, &Svc::RequestGetStats, cq, guarded([&proxy](StatsCall* call) {
                           call->Finish(GetStats(proxy, call->request(), call->response()));
                         }));
  // Two RunBatch waiters: a lane's next batch finds one ready while the previous one runs.
  using BatchCall = AsyncUnaryCall<control::RunBatchRequest, control::RunBatchResponse>;
  BatchCall::AwaitMethod(service_, &Svc::RequestRunBatch, cq, guarded([&proxy](BatchCall* call) {
                           call->Finish(RunBatch(proxy, call->request(), call->response()));
                         }),
                         /*waiters=*/2);
  return port_;
}

void ProxyServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  if (server_ == nullptr || shut_down_) {
    return;
  }
  shut_down_ = true;
  server_->Shutdown(deadline);
  control_->Stop();  // a LoadModel in progress answers first
}

}  // namespace glet::serve
