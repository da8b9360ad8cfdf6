#include "client/kserve_test_server.h"

#include <gtest/gtest.h>

namespace glet::client::testing {

namespace {

bool HasPrefix(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool Known(const std::string& model) {
  for (const char* p : {"ok", "drop", "fail", "hang", "alt"}) {
    if (HasPrefix(model, p)) {
      return true;
    }
  }
  return false;
}

}  // namespace

KServeTestServer::KServeTestServer(int ready_after) : ready_after_(ready_after) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(this);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    ADD_FAILURE() << "test server did not start";
  }
}

KServeTestServer::~KServeTestServer() { Stop(); }

void KServeTestServer::Stop() {
  std::vector<grpc::ServerUnaryReactor*> hanging;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
    hanging.swap(hanging_);
  }
  for (grpc::ServerUnaryReactor* r : hanging) {
    r->Finish(grpc::Status::CANCELLED);
  }
  if (server_ != nullptr) {
    server_->Shutdown();
    server_->Wait();
  }
}

std::map<std::string, int> KServeTestServer::received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

inference::ModelInferRequest KServeTestServer::last_request(const std::string& model) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = last_.find(model);
  return it == last_.end() ? inference::ModelInferRequest() : it->second;
}

grpc::ServerUnaryReactor* KServeTestServer::ModelInfer(grpc::CallbackServerContext* ctx,
                                                       const inference::ModelInferRequest* req,
                                                       inference::ModelInferResponse* resp) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const std::string& model = req->model_name();
  bool alt_served = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++received_[model];
    last_[model] = *req;
    if (HasPrefix(model, "hang")) {
      if (stopped_) {
        reactor->Finish(grpc::Status::CANCELLED);
      } else {
        hanging_.push_back(reactor);
      }
      return reactor;
    }
    if (HasPrefix(model, "alt")) {
      alt_served = (alt_count_++ % 2) == 0;
    }
  }
  if (HasPrefix(model, "ok") || alt_served) {
    resp->set_model_name(model);
    auto* out = resp->add_outputs();
    out->set_name("y");
    out->set_datatype("FP32");
    out->add_shape(1);
    float v = 1.0f;
    resp->add_raw_output_contents(std::string(reinterpret_cast<const char*>(&v), sizeof(v)));
    reactor->Finish(grpc::Status::OK);
  } else if (HasPrefix(model, "drop") || HasPrefix(model, "alt")) {
    const char* reason = HasPrefix(model, "drop") ? "queue_full" : "slo_unreachable";
    ctx->AddTrailingMetadata("glet-outcome", "dropped");
    ctx->AddTrailingMetadata("glet-drop-reason", reason);
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "model " + model + ": dropped"));
  } else {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "model " + model + ": no"));
  }
  return reactor;
}

grpc::ServerUnaryReactor* KServeTestServer::ModelMetadata(
    grpc::CallbackServerContext* ctx, const inference::ModelMetadataRequest* req,
    inference::ModelMetadataResponse* resp) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (!Known(req->name())) {
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown model " + req->name()));
    return reactor;
  }
  resp->set_name(req->name());
  auto* in = resp->add_inputs();
  in->set_name("x");
  in->set_datatype("FP32");
  for (int64_t d : {-1, 2, 3}) {
    in->add_shape(d);
  }
  if (HasPrefix(req->name(), "ok")) {
    ctx->AddTrailingMetadata("glet-slo-ms", "250");
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* KServeTestServer::ServerReady(grpc::CallbackServerContext* ctx,
                                                        const inference::ServerReadyRequest*,
                                                        inference::ServerReadyResponse* resp) {
  resp->set_ready(++ready_calls_ >= ready_after_);
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace glet::client::testing
