// AsyncUnaryCall: one unary call of a gRPC asynchronous service whose completion queue is
// driven by a CqRunLoop (cq_run_loop.h), from the wait for the call to its answer.
//
//   AsyncUnaryCall<Req, Resp>::Await(method) puts a waiter on the queue (method.request asks
//   gRPC for the next call of that method). When a call arrives, the loop thread first puts a
//   new waiter in its place, then calls method.handle(call). The handler answers with
//   call->Finish(status) exactly once, at once or later and from any thread (an answer that
//   waits for a batch is finished by whoever completes the batch); until then call's
//   context, request and response stay valid. The answer's completion deletes the call. A
//   waiter that gRPC cancels (server shutdown) deletes itself without calling the handler.
//
// Thread safety: Finish() from any thread, once; the rest runs on the loop thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>

#include "serve/cq_run_loop.h"

namespace glet::serve {

template <typename Request, typename Response>
class AsyncUnaryCall final : public CqTag {
 public:
  using Writer = grpc::ServerAsyncResponseWriter<Response>;
  struct Method {
    // Asks gRPC for the next call of the method, completing with `tag` on the loop's queue,
    // e.g. service.RequestFoo(ctx, request, writer, cq, cq, tag).
    std::function<void(grpc::ServerContext* ctx, Request* request, Writer* writer, void* tag)>
        request;
    std::function<void(AsyncUnaryCall* call)> handle;
  };

  static void Await(std::shared_ptr<const Method> method) {
    auto* call = new AsyncUnaryCall(std::move(method));
    call->method_->request(&call->ctx_, &call->request_, &call->writer_, AsTag(call));
  }

  // Await() for the generated method `request` of `service` (e.g. &Svc::RequestFoo) on `cq`,
  // with `waiters` calls waiting at once (more let a burst of calls find one ready each).
  template <typename Service, typename Owner>
  static void AwaitMethod(Service& service,
                          void (Owner::*request)(grpc::ServerContext*, Request*, Writer*,
                                                 grpc::CompletionQueue*,
                                                 grpc::ServerCompletionQueue*, void*),
                          grpc::ServerCompletionQueue* cq,
                          std::function<void(AsyncUnaryCall* call)> handle, int waiters = 1) {
    auto method = std::make_shared<const Method>(Method{
        [&service, request, cq](grpc::ServerContext* ctx, Request* req, Writer* writer, void* tag) {
          (service.*request)(ctx, req, writer, cq, cq, tag);
        },
        std::move(handle)});
    for (int i = 0; i < waiters; ++i) {
      Await(method);
    }
  }

  grpc::ServerContext& context() { return ctx_; }
  const Request& request() const { return request_; }
  Response* response() { return &response_; }

  // Sends the response (meaningful when `status` is OK) with `status`.
  void Finish(const grpc::Status& status) { writer_.Finish(response_, status, AsTag(this)); }

  void Proceed(bool ok) override {
    if (!ok || answered_) {
      delete this;  // cancelled by shutdown, or the answer was sent
      return;
    }
    answered_ = true;
    Await(method_);
    method_->handle(this);
  }

 private:
  explicit AsyncUnaryCall(std::shared_ptr<const Method> method)
      : method_(std::move(method)), writer_(&ctx_) {}

  const std::shared_ptr<const Method> method_;
  grpc::ServerContext ctx_;
  Request request_;
  Response response_;
  Writer writer_;
  bool answered_ = false;  // the call arrived; the next completion is its answer's
};

}  // namespace glet::serve
