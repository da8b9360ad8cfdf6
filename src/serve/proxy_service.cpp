#include "serve/proxy_service.h"

#include <climits>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "serve/backend_proto.h"
#include "serve/cq_run_loop.h"
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

// One unary call of the Proxy service, from the request for it to its answer. Created waiting
// for a call; when one arrives (Proceed(true) on the runner) it first puts a new waiter in its
// place, then answers, on the runner itself or, for `on_control_thread` methods, on the
// control thread; the answer's completion (or any failed step) deletes it.
template <typename Request, typename Response>
class ProxyServer::UnaryCall final : public CqTag {
 public:
  using Writer = grpc::ServerAsyncResponseWriter<Response>;
  // Asks gRPC for the next call of this method, completing on `tag`.
  using RequestFn = std::function<void(grpc::ServerContext*, Request*, Writer*, void* tag)>;
  using Handler = std::function<grpc::Status(const Request&, Response*)>;

  static void Await(ProxyServer& server, RequestFn request_fn, Handler handler,
                    bool on_control_thread) {
    auto* call =
        new UnaryCall(server, std::move(request_fn), std::move(handler), on_control_thread);
    call->request_fn_(&call->ctx_, &call->request_, &call->writer_, AsTag(call));
  }

  void Proceed(bool ok) override {
    if (!ok || answering_) {
      delete this;  // the server is shutting down, or the answer is on its way
      return;
    }
    answering_ = true;
    Await(server_, request_fn_, handler_, on_control_thread_);
    if (!on_control_thread_) {
      Answer();
      return;
    }
    Status posted = server_.control_->Post([this] { Answer(); });
    if (!posted.ok()) {
      writer_.Finish(response_, ToGrpcStatus(UnavailableError("glet proxy is shutting down")),
                     AsTag(this));
    }
  }

 private:
  UnaryCall(ProxyServer& server, RequestFn request_fn, Handler handler, bool on_control_thread)
      : server_(server),
        request_fn_(std::move(request_fn)),
        handler_(std::move(handler)),
        on_control_thread_(on_control_thread),
        writer_(&ctx_) {}

  void Answer() { writer_.Finish(response_, handler_(request_, &response_), AsTag(this)); }

  ProxyServer& server_;
  const RequestFn request_fn_;
  const Handler handler_;
  const bool on_control_thread_;
  grpc::ServerContext ctx_;
  Request request_;
  Response response_;
  Writer writer_;
  bool answering_ = false;
};

ProxyServer::ProxyServer(std::string listen_address) : listen_address_(std::move(listen_address)) {
  builder_.AddListeningPort(listen_address_, grpc::InsecureServerCredentials(), &port_);
  builder_.SetMaxReceiveMessageSize(INT_MAX);  // batches of big inputs exceed gRPC's 4 MiB
  builder_.SetMaxSendMessageSize(INT_MAX);
  builder_.RegisterService(&service_);
  cq_ = builder_.AddCompletionQueue();
}

ProxyServer::~ProxyServer() {
  Shutdown(std::chrono::system_clock::now());
  if (!runner_made_) {  // nobody drains the queue: do it here (nothing was ever asked of it)
    cq_->Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_->Next(&tag, &ok)) {
    }
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
    return UnavailableError("--listen " + listen_address_ + ": cannot bind");
  }
  grpc::ServerCompletionQueue* cq = cq_.get();
  UnaryCall<control::LoadModelRequest, control::LoadModelResponse>::Await(
      *this,
      [this, cq](grpc::ServerContext* ctx, control::LoadModelRequest* req,
                 grpc::ServerAsyncResponseWriter<control::LoadModelResponse>* w,
                 void* tag) { service_.RequestLoadModel(ctx, req, w, cq, cq, tag); },
      [&proxy](const control::LoadModelRequest& req, control::LoadModelResponse* resp) {
        return LoadModel(proxy, req, resp);
      },
      /*on_control_thread=*/true);
  UnaryCall<control::UnloadModelRequest, control::UnloadModelResponse>::Await(
      *this,
      [this, cq](grpc::ServerContext* ctx, control::UnloadModelRequest* req,
                 grpc::ServerAsyncResponseWriter<control::UnloadModelResponse>* w,
                 void* tag) { service_.RequestUnloadModel(ctx, req, w, cq, cq, tag); },
      [&proxy](const control::UnloadModelRequest& req, control::UnloadModelResponse* resp) {
        return UnloadModel(proxy, req, resp);
      },
      /*on_control_thread=*/false);
  UnaryCall<control::GetStatsRequest, control::GetStatsResponse>::Await(
      *this,
      [this, cq](grpc::ServerContext* ctx, control::GetStatsRequest* req,
                 grpc::ServerAsyncResponseWriter<control::GetStatsResponse>* w,
                 void* tag) { service_.RequestGetStats(ctx, req, w, cq, cq, tag); },
      [&proxy](const control::GetStatsRequest& req, control::GetStatsResponse* resp) {
        return GetStats(proxy, req, resp);
      },
      /*on_control_thread=*/false);
  // Two RunBatch waiters: a lane's next batch finds one ready while the previous one runs.
  for (int i = 0; i < 2; ++i) {
    UnaryCall<control::RunBatchRequest, control::RunBatchResponse>::Await(
        *this,
        [this, cq](grpc::ServerContext* ctx, control::RunBatchRequest* req,
                   grpc::ServerAsyncResponseWriter<control::RunBatchResponse>* w,
                   void* tag) { service_.RequestRunBatch(ctx, req, w, cq, cq, tag); },
        [&proxy](const control::RunBatchRequest& req, control::RunBatchResponse* resp) {
          return RunBatch(proxy, req, resp);
        },
        /*on_control_thread=*/false);
  }
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
