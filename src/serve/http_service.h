// HttpService: the KServe v2 HTTP/JSON protocol and Prometheus /metrics over a Frontend.
//   GET  /v2/health/live, /v2/health/ready     200 when live/ready, else 503
//   GET  /v2                                   server metadata
//   GET  /v2/models/{name}                     model metadata (404 if unknown)
//   GET  /v2/models/{name}/ready               200 when ready, else 503
//   GET  /v2/models/{name}/config              Triton model configuration (max_batch_size, TYPE_*)
//   GET  /v2/models/{name}/stats               Triton model statistics (counts, ns) from /metrics
//   POST /v2/models/{name}/infer               {"inputs": [{"name", "shape", "datatype", "data"}]}
//   (each model route also as /v2/models/{name}/versions/{v}/...: version 1 is served, any other
//   is 404; infer takes the binary tensor data extension, and only the outputs asked for)
//   GET  /metrics                              Prometheus text
//   GET  /v2/glet/plan                         the plan in force and where each glet runs (JSON
//                                              from SetPlanView's source; 503 before the first
//                                              plan)
// Infer errors answer {"error": "...", "outcome": "dropped"|"failed", "drop_reason": "..."} with
// 400 (bad input), 404 (unknown model), 429 (queue full), 503 (other drops, unavailable), 504
// (deadline), 413 (body over the limit), 500 (other). Bad bodies are 400 naming what is wrong:
// JSON syntax, a number too large, a datatype other than KServe's FP32/INT64/INT32/UINT8, a value
// out of its type's range, data ragged or nested deeper than its shape, a non-string id, invalid
// UTF-8, JSON beyond HttpOptions::json (checked before parsing). No exception reaches a client:
// one handler answers 500 with a JSON error and logs it. Thin: JSON <-> frontend calls only.
//
// Thread safety: Start() and Stop() from one thread; requests are served on an
// HttpConnectionPool (a thread per connection, up to HttpOptions::max_connections).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/json_reader.h"
#include "core/metrics.h"
#include "core/status.h"
#include "serve/frontend.h"
#include "serve/json_infer_request.h"
#include "serve/kserve_tls.h"

namespace glet::serve {

struct HttpOptions {
  // A request body larger than this is refused with 413 before it is read.
  size_t max_body_bytes = size_t{64} << 20;
  // Bounds on an infer body's JSON, checked before it is parsed (400 beyond them): nesting (a
  // tensor of rank r sits at depth r + 3) and values (the largest batch of the largest input).
  JsonLimits json{.max_depth = 32, .max_values = size_t{1} << 24};
  // Connections served at once, each on its own thread (threads are started as connections
  // arrive and kept for reuse). Beyond it, new connections wait to be accepted.
  int max_connections = 256;
  // A connection that sends nothing for this long (between bytes of a request, or between
  // keep-alive requests) is closed.
  Duration read_timeout = std::chrono::seconds(5);
  // HTTPS when set (serve/kserve_tls.h): the server's certificate and key, and optionally the CA
  // whose certificates clients must present.
  KServeTlsFiles tls;
};

// The response body for a served result: the outputs `request` asks for (all when it names
// none), each as JSON "data" or, when asked for as binary, as bytes after the JSON (then
// `header_length` is the JSON's length, for the Inference-Header-Content-Length header).
struct InferResponseBody {
  std::string body;
  std::optional<size_t> header_length;
};
InferResponseBody JsonInferResponse(const std::string& model, const JsonInferRequest& request,
                                    const InferResult& result);

class HttpService {
 public:
  // Binds host:port (0 = any free port) and starts serving on a background thread, within
  // `options`' limits. kInvalidArgument naming the address if it cannot bind.
  static Result<std::unique_ptr<HttpService>> Start(Frontend& frontend, MetricsRegistry& metrics,
                                                    const std::string& host, int port,
                                                    HttpOptions options = {});
  ~HttpService();
  int port() const { return port_; }
  void Stop();
  // Where GET /v2/glet/plan reads the plan from (e.g. Controller::PlanView); it answers null
  // while there is none. Callable at any time; thread-safe.
  void SetPlanView(std::function<Json()> source);

 private:
  struct Impl;
  HttpService() = default;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace glet::serve
