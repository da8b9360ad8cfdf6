#include "serve/kserve_service.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "core/strings.h"
#include "core/version.h"
#include "serve/async_unary_call.h"
#include "serve/grpc_listen.h"
#include "serve/grpc_status.h"
#include "serve/model_report.h"
#include "serve/model_version.h"
#include "serve/tensor_proto.h"

namespace glet::serve {

struct StreamGate {
  Mutex mu;
  bool open GLET_GUARDED_BY(mu) = true;  // false once the server has stopped
};

namespace {

constexpr char kServerName[] = "glet";
constexpr const char* kServerVersion = kGletVersion;
constexpr char kServiceName[] = "inference.GRPCInferenceService";

}  // namespace

void FillInferResponse(const inference::ModelInferRequest& request, InferResult& result,
                       inference::ModelInferResponse* out) {
  out->set_model_name(request.model_name());
  out->set_model_version(kServedModelVersion);
  out->set_id(request.id());
  for (NamedTensor& t : result.outputs) {
    AppendKServeOutput(t.tensor, t.name, out);
  }
}

namespace {

grpc::Status ServerLive(Frontend& /*frontend*/, grpc::ServerContext& /*ctx*/,
                        const inference::ServerLiveRequest& /*request*/,
                        inference::ServerLiveResponse* response) {
  response->set_live(true);
  return grpc::Status::OK;
}

grpc::Status ServerReady(Frontend& frontend, grpc::ServerContext& /*ctx*/,
                         const inference::ServerReadyRequest& /*request*/,
                         inference::ServerReadyResponse* response) {
  response->set_ready(frontend.IsServerReady());
  return grpc::Status::OK;
}

grpc::Status ModelReady(Frontend& frontend, grpc::ServerContext& /*ctx*/,
                        const inference::ModelReadyRequest& request,
                        inference::ModelReadyResponse* response) {
  if (!frontend.Describe(request.name()).ok()) {
    return ToGrpcStatus(NotFoundError("unknown model '" + request.name() + "'"));
  }
  if (Status v = CheckModelVersion(request.name(), request.version()); !v.ok()) {
    return ToGrpcStatus(v);
  }
  response->set_ready(frontend.IsReady(request.name()));
  return grpc::Status::OK;
}

grpc::Status ServerMetadata(Frontend& /*frontend*/, grpc::ServerContext& /*ctx*/,
                            const inference::ServerMetadataRequest& /*request*/,
                            inference::ServerMetadataResponse* response) {
  response->set_name(kServerName);
  response->set_version(kServerVersion);
  response->add_extensions("model_configuration");
  response->add_extensions("statistics");
  return grpc::Status::OK;
}

grpc::Status ModelMetadata(Frontend& frontend, grpc::ServerContext& ctx,
                           const inference::ModelMetadataRequest& request,
                           inference::ModelMetadataResponse* response) {
  Result<ServedInfo> info = frontend.Describe(request.name());
  if (!info.ok()) {
    return ToGrpcStatus(info.status());
  }
  if (Status v = CheckModelVersion(request.name(), request.version()); !v.ok()) {
    return ToGrpcStatus(v);
  }
  response->set_name(request.name());
  response->add_versions(kServedModelVersion);
  response->set_platform(info->is_app ? "glet-app" : "glet");
  auto fill = [](const model::TensorSpec& spec,
                 inference::ModelMetadataResponse::TensorMetadata* out) {
    out->set_name(spec.name);
    out->set_datatype(std::string(model::DTypeName(spec.dtype)));
    out->add_shape(-1);  // the batch dimension
    for (int64_t d : spec.shape) {
      out->add_shape(d);
    }
  };
  for (const model::TensorSpec& s : info->inputs) {
    fill(s, response->add_inputs());
  }
  for (const model::TensorSpec& s : info->outputs) {
    fill(s, response->add_outputs());
  }
  ctx.AddTrailingMetadata("glet-slo-ms", std::to_string(info->slo_ms));
  return grpc::Status::OK;
}

inference::DataType TritonDataType(model::DType dtype) {
  inference::DataType type = inference::TYPE_INVALID;
  inference::DataType_Parse(TritonTypeName(dtype), &type);
  return type;
}

// Triton's configuration extension (serve/model_report.h).
grpc::Status ModelConfig(Frontend& frontend, grpc::ServerContext& /*ctx*/,
                         const inference::ModelConfigRequest& request,
                         inference::ModelConfigResponse* response) {
  Result<ServedInfo> info = frontend.Describe(request.name());
  if (!info.ok()) {
    return ToGrpcStatus(info.status());
  }
  if (Status v = CheckModelVersion(request.name(), request.version()); !v.ok()) {
    return ToGrpcStatus(v);
  }
  inference::ModelConfig* config = response->mutable_config();
  config->set_name(request.name());
  config->set_platform(TritonPlatform(*info));
  config->set_backend("glet");
  config->set_max_batch_size(info->max_batch);
  for (const model::TensorSpec& s : info->inputs) {
    inference::ModelInput* in = config->add_input();
    in->set_name(s.name);
    in->set_data_type(TritonDataType(s.dtype));
    in->mutable_dims()->Add(s.shape.begin(), s.shape.end());
  }
  for (const model::TensorSpec& s : info->outputs) {
    inference::ModelOutput* out = config->add_output();
    out->set_name(s.name);
    out->set_data_type(TritonDataType(s.dtype));
    out->mutable_dims()->Add(s.shape.begin(), s.shape.end());
  }
  (*config->mutable_parameters())["slo_ms"].set_string_value(FormatDouble(info->slo_ms, 3));
  return grpc::Status::OK;
}

// Triton's statistics extension: one model, or every model and app for an empty name.
grpc::Status ModelStatistics(Frontend& frontend, const MetricsRegistry& metrics,
                             const inference::ModelStatisticsRequest& request,
                             inference::ModelStatisticsResponse* response) {
  std::vector<std::string> names;
  if (request.name().empty()) {
    names = frontend.ModelNames();
  } else {
    if (Result<ServedInfo> info = frontend.Describe(request.name()); !info.ok()) {
      return ToGrpcStatus(info.status());
    }
    if (Status v = CheckModelVersion(request.name(), request.version()); !v.ok()) {
      return ToGrpcStatus(v);
    }
    names.push_back(request.name());
  }
  auto fill = [](const DurationStat& d, inference::StatisticDuration* out) {
    out->set_count(static_cast<uint64_t>(d.count));
    out->set_ns(static_cast<uint64_t>(d.ns));
  };
  for (const std::string& name : names) {
    const ModelStatsReport r = ReportModelStats(name, metrics);
    inference::ModelStatistics* s = response->add_model_stats();
    s->set_name(r.name);
    s->set_version(r.version);
    s->set_inference_count(static_cast<uint64_t>(r.inference_count));
    s->set_execution_count(static_cast<uint64_t>(r.execution_count));
    inference::InferStatistics* st = s->mutable_inference_stats();
    fill(r.success, st->mutable_success());
    fill(r.fail, st->mutable_fail());
    fill(r.queue, st->mutable_queue());
    fill(r.compute_input, st->mutable_compute_input());
    fill(r.compute_infer, st->mutable_compute_infer());
    fill(r.compute_output, st->mutable_compute_output());
  }
  return grpc::Status::OK;
}

using InferCall = AsyncUnaryCall<inference::ModelInferRequest, inference::ModelInferResponse>;
using StatsCall =
    AsyncUnaryCall<inference::ModelStatisticsRequest, inference::ModelStatisticsResponse>;

// The inputs and options of a ModelInfer request; an error (kInvalidArgument, kNotFound) names
// the model and what is wrong.
Status PrepareInfer(const inference::ModelInferRequest& request, std::vector<NamedTensor>* inputs,
                    InferOptions* options) {
  GLET_RETURN_IF_ERROR(CheckModelVersion(request.model_name(), request.model_version()));
  if (auto timeout = request.parameters().find("timeout"); timeout != request.parameters().end()) {
    const inference::InferParameter& p = timeout->second;
    if (p.has_int64_param() && p.int64_param() >= 0) {
      options->timeout = TimeoutFromMicros(static_cast<uint64_t>(p.int64_param()));
    } else if (p.has_uint64_param()) {
      options->timeout = TimeoutFromMicros(p.uint64_param());
    } else {
      return InvalidArgumentError(
          "model '" + request.model_name() +
          "': parameters.timeout: expected microseconds >= 0 as int64_param or uint64_param");
    }
  }
  for (int i = 0; i < request.inputs_size(); ++i) {
    Result<model::Tensor> t = TensorFromKServeInput(request, i);
    if (!t.ok()) {
      return t.status().WithContext("model '" + request.model_name() + "'");
    }
    inputs->push_back({request.inputs(i).name(), std::move(*t)});
  }
  return Status::Ok();
}

// Hands the request to the frontend; the call is finished by whoever ends the request.
void ModelInfer(Frontend& frontend, InferCall* call) {
  const inference::ModelInferRequest& request = call->request();
  InferOptions options;
  std::vector<NamedTensor> inputs;
  if (Status s = PrepareInfer(request, &inputs, &options); !s.ok()) {
    call->context().AddTrailingMetadata("glet-outcome", "failed");
    call->Finish(ToGrpcStatus(s));
    return;
  }
  frontend.Infer(
      request.model_name(), std::move(inputs),
      [call](InferResult result) {
        if (result.outcome == RequestOutcome::kServed) {
          // OK means served: no trailer, as a plain KServe server answers.
          FillInferResponse(call->request(), result, call->response());
          call->Finish(grpc::Status::OK);
          return;
        }
        call->context().AddTrailingMetadata("glet-outcome",
                                            std::string(RequestOutcomeName(result.outcome)));
        if (result.drop_reason) {
          call->context().AddTrailingMetadata("glet-drop-reason",
                                              std::string(DropReasonName(*result.drop_reason)));
        }
        call->Finish(ToGrpcStatus(result.status));
      },
      options);
}

// One ModelStreamInfer call: reads requests while the client sends them, hands each to the
// frontend, and writes each answer as it comes (one write at a time, in the order the answers
// come). A request that does not end served is answered with error_message (and the stream goes
// on). After the client closes its side and every answer is written, the call finishes OK; when
// a write fails (the client went away) the answers still to come are discarded and the call
// finishes CANCELLED as soon as none is outstanding. Once the server has stopped (StreamGate
// closed: its queues take no more operations) nothing more is started, and the call ends when
// nothing is outstanding. The object deletes itself once no gRPC operation and no frontend
// answer is outstanding.
//
// Threads: the gRPC completions run on the loop thread; the frontend's answers on any thread.
// Every field below `mu_` is guarded by it; operations are started under it and under the
// gate's lock (their completions come later, on the loop thread). Lock order: mu_ -> gate.
class StreamInferCall {
 public:
  using Stream = grpc::ServerAsyncReaderWriter<inference::ModelStreamInferResponse,
                                               inference::ModelInferRequest>;

  // Puts a waiter for the next stream on `cq`, unless the server has stopped.
  static void Await(inference::GRPCInferenceService::AsyncService& service,
                    grpc::ServerCompletionQueue* cq, Frontend& frontend,
                    std::shared_ptr<StreamGate> gate) {
    auto* call = new StreamInferCall(service, cq, frontend, gate);
    MutexLock lock(gate->mu);
    if (!gate->open) {
      delete call;
      return;
    }
    service.RequestModelStreamInfer(&call->ctx_, &call->stream_, cq, cq, AsTag(&call->accepted_));
  }

 private:
  enum class Op { kAccepted, kRead, kWritten, kFinished };
  struct OpTag final : CqTag {
    StreamInferCall* call;
    Op op;
    OpTag(StreamInferCall* c, Op o) : call(c), op(o) {}
    void Proceed(bool ok) override { call->OnDone(op, ok); }
  };

  StreamInferCall(inference::GRPCInferenceService::AsyncService& service,
                  grpc::ServerCompletionQueue* cq, Frontend& frontend,
                  std::shared_ptr<StreamGate> gate)
      : service_(service), cq_(cq), frontend_(frontend), gate_(std::move(gate)), stream_(&ctx_) {}

  void OnDone(Op op, bool ok) {
    bool over = false;
    switch (op) {
      case Op::kAccepted: {
        if (!ok) {
          delete this;  // shutdown before a call came
          return;
        }
        Await(service_, cq_, frontend_, gate_);
        MutexLock lock(mu_);
        over = ReadLocked();
        break;
      }
      case Op::kRead:
        OnRead(ok);
        return;
      case Op::kWritten: {
        MutexLock lock(mu_);
        --ops_;
        writing_ = false;
        answers_.pop_front();
        if (!ok) {
          broken_ = true;  // the client is gone: what is left will not be written
        }
        over = NextLocked();
        break;
      }
      case Op::kFinished: {
        MutexLock lock(mu_);
        --ops_;
        over = ops_ == 0 && infers_ == 0;
        break;
      }
    }
    if (over) {
      delete this;
    }
  }

  // Starts the next read; true when the call is over (the server stopped and nothing is
  // outstanding).
  bool ReadLocked() GLET_REQUIRES(mu_) {
    {
      MutexLock gate(gate_->mu);
      if (gate_->open) {
        ++ops_;
        stream_.Read(&request_, AsTag(&read_));
        return false;
      }
    }
    reading_ = false;
    return NextLocked();
  }

  void OnRead(bool ok) {
    if (!ok) {  // the client closed its side, or the call was cancelled
      bool over = false;
      {
        MutexLock lock(mu_);
        --ops_;
        reading_ = false;
        over = NextLocked();
      }
      if (over) {
        delete this;
      }
      return;
    }
    auto request = std::make_shared<inference::ModelInferRequest>(std::move(request_));
    request_.Clear();
    {
      MutexLock lock(mu_);
      --ops_;
      ++infers_;  // keeps the call alive until answered
      ReadLocked();
    }
    InferOptions options;
    std::vector<NamedTensor> inputs;
    if (Status s = PrepareInfer(*request, &inputs, &options); !s.ok()) {
      Answer(*request, nullptr, s);
      return;
    }
    frontend_.Infer(
        request->model_name(), std::move(inputs),
        [this, request](InferResult result) {
          if (result.outcome == RequestOutcome::kServed) {
            Answer(*request, &result, Status::Ok());
          } else {
            Answer(*request, nullptr, result.status);
          }
        },
        options);
  }

  // One request ended: served (`result`), or not (`status`).
  void Answer(const inference::ModelInferRequest& request, InferResult* result,
              const Status& status) {
    inference::ModelStreamInferResponse response;
    if (result != nullptr) {
      FillInferResponse(request, *result, response.mutable_infer_response());
    } else {
      response.set_error_message(status.message());
      response.mutable_infer_response()->set_model_name(request.model_name());
      response.mutable_infer_response()->set_id(request.id());
    }
    bool over = false;
    {
      MutexLock lock(mu_);
      --infers_;
      if (!broken_) {
        answers_.push_back(std::move(response));
      }
      over = NextLocked();
    }
    if (over) {
      delete this;
    }
  }

  // Starts the next write, or the finish once nothing is left to read, answer or write. True
  // when the call is over: the server stopped and nothing is outstanding.
  bool NextLocked() GLET_REQUIRES(mu_) {
    if (writing_ || finishing_) {
      return false;  // its completion comes back here
    }
    {
      MutexLock gate(gate_->mu);
      if (gate_->open) {
        if (!answers_.empty() && !broken_) {
          writing_ = true;
          ++ops_;
          stream_.Write(answers_.front(), AsTag(&written_));
        } else if (!reading_ && infers_ == 0) {
          finishing_ = true;
          ++ops_;
          stream_.Finish(broken_ ? grpc::Status::CANCELLED : grpc::Status::OK, AsTag(&finished_));
        }
        return false;
      }
    }
    broken_ = true;  // the server stopped: nothing more is written
    answers_.clear();
    return ops_ == 0 && infers_ == 0;
  }

  inference::GRPCInferenceService::AsyncService& service_;
  grpc::ServerCompletionQueue* const cq_;
  Frontend& frontend_;
  const std::shared_ptr<StreamGate> gate_;
  grpc::ServerContext ctx_;
  Stream stream_;
  inference::ModelInferRequest request_;  // the read in flight writes here (loop thread only)
  OpTag accepted_{this, Op::kAccepted};
  OpTag read_{this, Op::kRead};
  OpTag written_{this, Op::kWritten};
  OpTag finished_{this, Op::kFinished};

  Mutex mu_;
  int ops_ GLET_GUARDED_BY(mu_) = 0;     // reads, writes and the finish in flight
  int infers_ GLET_GUARDED_BY(mu_) = 0;  // requests the frontend has not answered yet
  bool reading_ GLET_GUARDED_BY(mu_) = true;
  bool writing_ GLET_GUARDED_BY(mu_) = false;
  bool finishing_ GLET_GUARDED_BY(mu_) = false;
  bool broken_ GLET_GUARDED_BY(mu_) = false;  // a write failed, or the server stopped
  std::deque<inference::ModelStreamInferResponse> answers_ GLET_GUARDED_BY(mu_);  // front: writing
};

// Waits on `cq` for calls of the generated method `request`, each answered at once by
// `fn(frontend, ctx, request, response)`.
template <typename Request, typename Response, typename Owner>
void AwaitSimple(inference::GRPCInferenceService::AsyncService& service,
                 void (Owner::*request)(grpc::ServerContext*, Request*,
                                        grpc::ServerAsyncResponseWriter<Response>*,
                                        grpc::CompletionQueue*, grpc::ServerCompletionQueue*,
                                        void*),
                 grpc::ServerCompletionQueue* cq, Frontend& frontend,
                 grpc::Status (*fn)(Frontend&, grpc::ServerContext&, const Request&, Response*)) {
  using Call = AsyncUnaryCall<Request, Response>;
  Call::AwaitMethod(service, request, cq, [&frontend, fn](Call* call) {
    call->Finish(fn(frontend, call->context(), call->request(), call->response()));
  });
}

}  // namespace

Result<std::unique_ptr<KServeGrpcServer>> KServeGrpcServer::Start(
    Frontend& frontend, const MetricsRegistry& metrics, const std::string& address,
    const std::string& flag, int threads, const std::string& threads_flag,
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  if (threads < 1) {
    return InvalidArgumentError(threads_flag + ": must be >= 1 (got " + std::to_string(threads) +
                                ")");
  }
  std::unique_ptr<KServeGrpcServer> server(new KServeGrpcServer());
  server->stream_gate_ = std::make_shared<StreamGate>();
  // grpc.health.v1.Health (Kubernetes' native gRPC probes): "" is SERVING while the server runs;
  // inference.GRPCInferenceService follows SetReady().
  grpc::EnableDefaultHealthCheckService(true);
  // Server reflection (grpc.reflection.v1alpha): grpcurl and similar tools list and describe the
  // KServe API without its proto file. (A process-wide plugin: every gRPC server this process
  // builds from now on reflects; the internal ones still answer only callers with the token.)
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  AddExclusiveListeningPort(
      builder, address, &server->port_,
      credentials != nullptr ? std::move(credentials) : grpc::InsecureServerCredentials());
  builder.SetMaxReceiveMessageSize(256 << 20);
  builder.SetMaxSendMessageSize(256 << 20);
  builder.RegisterService(&server->service_);
  for (int i = 0; i < threads; ++i) {
    server->cqs_.push_back(builder.AddCompletionQueue());
  }
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->server_.reset();
    server->shut_down_ = true;
    for (auto& cq : server->cqs_) {
      ShutdownAndDrain(*cq);
    }
    return InvalidArgumentError(flag + ": cannot listen on " + address);
  }
  if (grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService()) {
    health->SetServingStatus(kServiceName, false);
  }
  using Svc = inference::GRPCInferenceService::AsyncService;
  Svc& svc = server->service_;
  for (int i = 0; i < threads; ++i) {
    grpc::ServerCompletionQueue* cq = server->cqs_[i].get();
    Result<std::unique_ptr<CqRunLoop>> loop =
        CqRunLoop::Start("glet-kserve-" + std::to_string(i), nullptr, cq);
    if (!loop.ok()) {
      return loop.status();  // the destructor shuts down what started
    }
    server->loops_.push_back(std::move(loop).value());
    AwaitSimple(svc, &Svc::RequestServerLive, cq, frontend, &ServerLive);
    AwaitSimple(svc, &Svc::RequestServerReady, cq, frontend, &ServerReady);
    AwaitSimple(svc, &Svc::RequestModelReady, cq, frontend, &ModelReady);
    AwaitSimple(svc, &Svc::RequestServerMetadata, cq, frontend, &ServerMetadata);
    AwaitSimple(svc, &Svc::RequestModelMetadata, cq, frontend, &ModelMetadata);
    AwaitSimple(svc, &Svc::RequestModelConfig, cq, frontend, &ModelConfig);
    StatsCall::AwaitMethod(
        svc, &Svc::RequestModelStatistics, cq, [&frontend, &metrics](StatsCall* call) {
          call->Finish(ModelStatistics(frontend, metrics, call->request(), call->response()));
        });
    // Several ModelInfer waiters: a burst of arrivals finds one ready per call, not one per
    // round trip through the queue.
    InferCall::AwaitMethod(
        svc, &Svc::RequestModelInfer, cq,
        [&frontend](InferCall* call) { ModelInfer(frontend, call); },
        /*waiters=*/8);
    StreamInferCall::Await(svc, cq, frontend, server->stream_gate_);
  }
  return server;
}

std::vector<grpc::CompletionQueue*> KServeGrpcServer::completion_queues() const {
  std::vector<grpc::CompletionQueue*> out;
  for (const auto& cq : cqs_) {
    out.push_back(cq.get());
  }
  return out;
}

KServeGrpcServer::~KServeGrpcServer() { Shutdown(std::chrono::system_clock::now()); }

void KServeGrpcServer::SetReady(bool ready) {
  if (server_ != nullptr) {
    if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
      health->SetServingStatus(kServiceName, ready);
    }
  }
}

void KServeGrpcServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  server_->Shutdown(deadline);
  {
    // Every call is over or cancelled: the streams start nothing more on the queues, which are
    // shut down next (a stream still waiting for the frontend's answers ends without them).
    MutexLock lock(stream_gate_->mu);
    stream_gate_->open = false;
  }
  for (auto& loop : loops_) {
    loop->Stop();  // shuts its queue down and drains it
  }
  for (size_t i = loops_.size(); i < cqs_.size(); ++i) {  // queues no loop got to drive
    ShutdownAndDrain(*cqs_[i]);
  }
}

}  // namespace glet::serve
