#include "serve/http_service.h"

#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <future>
#include <limits>

#include "core/json_reader.h"
#include "core/logging.h"
#include "core/mutex.h"
#include "core/strings.h"
#include "core/version.h"
#include "serve/http_connection_pool.h"
#include "serve/model_report.h"
#include "serve/model_version.h"

namespace glet::serve {

namespace {

// The binary tensor data extension's header: the length of the JSON at the start of the body.
constexpr char kHeaderLength[] = "Inference-Header-Content-Length";

Json TensorJson(const std::string& name, const model::Tensor& t) {
  Json out;
  out["name"] = name;
  out["datatype"] = std::string(model::DTypeName(t.dtype()));
  out["shape"] = t.shape();
  Json data = Json::array();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    switch (t.dtype()) {
      case model::DType::kFloat32:
        data.push_back(t.data_as<float>()[i]);
        break;
      case model::DType::kInt64:
        data.push_back(t.data_as<int64_t>()[i]);
        break;
      case model::DType::kInt32:
        data.push_back(t.data_as<int32_t>()[i]);
        break;
      case model::DType::kUint8:
        data.push_back(t.data_as<uint8_t>()[i]);
        break;
    }
  }
  out["data"] = std::move(data);
  return out;
}

int HttpCodeFor(const InferResult& r) {
  switch (r.status.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

void SetJson(httplib::Response& res, int code, const Json& body) {
  res.status = code;
  // A name echoed from the URL may be invalid UTF-8: replaced, not thrown.
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

Json MetadataJson(const std::string& name, const ServedInfo& info) {
  Json out;
  out["name"] = name;
  out["versions"] = {kServedModelVersion};
  out["platform"] = info.is_app ? "glet-app" : "glet";
  auto tensors = [](const std::vector<model::TensorSpec>& specs) {
    Json arr = Json::array();
    for (const model::TensorSpec& s : specs) {
      std::vector<int64_t> shape = {-1};
      shape.insert(shape.end(), s.shape.begin(), s.shape.end());
      arr.push_back({{"name", s.name},
                     {"datatype", std::string(model::DTypeName(s.dtype))},
                     {"shape", shape}});
    }
    return arr;
  };
  out["inputs"] = tensors(info.inputs);
  out["outputs"] = tensors(info.outputs);
  out["parameters"] = {{"slo_ms", info.slo_ms}};
  return out;
}

// Triton's model configuration and statistics (serve/model_report.h) as JSON.
Json ModelConfigJson(const std::string& name, const ServedInfo& info) {
  auto tensors = [](const std::vector<model::TensorSpec>& specs) {
    Json arr = Json::array();
    for (const model::TensorSpec& s : specs) {
      arr.push_back({{"name", s.name}, {"data_type", TritonTypeName(s.dtype)}, {"dims", s.shape}});
    }
    return arr;
  };
  return {{"name", name},
          {"platform", TritonPlatform(info)},
          {"backend", "glet"},
          {"max_batch_size", info.max_batch},
          {"input", tensors(info.inputs)},
          {"output", tensors(info.outputs)},
          {"parameters", {{"slo_ms", {{"string_value", FormatDouble(info.slo_ms, 3)}}}}}};
}

Json ModelStatsJson(const std::string& name, const MetricsRegistry& m) {
  const ModelStatsReport r = ReportModelStats(name, m);
  auto duration = [](const DurationStat& d) { return Json{{"count", d.count}, {"ns", d.ns}}; };
  Json stats = {{"name", r.name},
                {"version", r.version},
                {"inference_count", r.inference_count},
                {"execution_count", r.execution_count},
                {"inference_stats",
                 {{"success", duration(r.success)},
                  {"fail", duration(r.fail)},
                  {"queue", duration(r.queue)},
                  {"compute_input", duration(r.compute_input)},
                  {"compute_infer", duration(r.compute_infer)},
                  {"compute_output", duration(r.compute_output)}}},
                {"batch_stats", Json::array()}};
  return {{"model_stats", Json::array({stats})}};
}

}  // namespace

InferResponseBody JsonInferResponse(const std::string& model, const JsonInferRequest& request,
                                    const InferResult& result) {
  Json out;
  out["model_name"] = model;
  out["model_version"] = kServedModelVersion;
  if (!request.id.empty()) {
    out["id"] = request.id;
  }
  Json outputs = Json::array();
  std::string binary;
  auto add = [&](const NamedTensor& t, bool as_binary) {
    if (!as_binary) {
      outputs.push_back(TensorJson(t.name, t.tensor));
      return;
    }
    outputs.push_back({{"name", t.name},
                       {"datatype", std::string(model::DTypeName(t.tensor.dtype()))},
                       {"shape", t.tensor.shape()},
                       {"parameters", {{"binary_data_size", t.tensor.byte_size()}}}});
    binary.append(reinterpret_cast<const char*>(t.tensor.data()), t.tensor.byte_size());
  };
  if (request.outputs.empty()) {
    for (const NamedTensor& t : result.outputs) {
      add(t, request.binary_outputs);
    }
  } else {
    for (const RequestedOutput& r : request.outputs) {
      for (const NamedTensor& t : result.outputs) {
        if (t.name == r.name) {
          add(t, r.binary);
        }
      }
    }
  }
  out["outputs"] = std::move(outputs);
  InferResponseBody body;
  body.body = out.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (!binary.empty()) {
    body.header_length = body.body.size();
    body.body += binary;
  }
  return body;
}

struct HttpService::Impl {
  std::unique_ptr<httplib::Server> server;  // an SSLServer with TLS
  std::thread thread;
  Mutex plan_mu;
  std::function<Json()> plan_view GLET_GUARDED_BY(plan_mu);
};

void HttpService::SetPlanView(std::function<Json()> source) {
  MutexLock lock(impl_->plan_mu);
  impl_->plan_view = std::move(source);
}

Result<std::unique_ptr<HttpService>> HttpService::Start(Frontend& frontend,
                                                        MetricsRegistry& metrics,
                                                        const std::string& host, int port,
                                                        HttpOptions options) {
  if (options.max_connections < 1) {
    return InvalidArgumentError("HTTP: max_connections: must be >= 1 (got " +
                                std::to_string(options.max_connections) + ")");
  }
  std::unique_ptr<HttpService> svc(new HttpService());
  svc->impl_ = std::make_unique<Impl>();
  if (options.tls.enabled()) {
    GLET_RETURN_IF_ERROR(LoadKServeTls(options.tls).status());  // names the flag at fault
    auto tls = std::make_unique<httplib::SSLServer>(
        options.tls.cert.c_str(), options.tls.key.c_str(),
        options.tls.client_ca.empty() ? nullptr : options.tls.client_ca.c_str());
    if (!tls->is_valid()) {
      return InvalidArgumentError("--kserve-tls-cert " + options.tls.cert +
                                  ": the certificate, key or client CA was refused by OpenSSL "
                                  "(a key that does not match the certificate?)");
    }
    svc->impl_->server = std::move(tls);
  } else {
    svc->impl_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *svc->impl_->server;
  s.new_task_queue = [max = options.max_connections] { return new HttpConnectionPool(max); };
  s.set_payload_max_length(options.max_body_bytes);
  const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(options.read_timeout);
  s.set_read_timeout(timeout.count() / 1000000, timeout.count() % 1000000);
  s.set_write_timeout(10, 0);
  s.set_keep_alive_timeout(std::max<time_t>(1, timeout.count() / 1000000));
  // One wrapper for every handler: nothing a handler throws reaches the client as an exception
  // text (httplib's default puts it in an EXCEPTION_WHAT header) or ends the process.
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        GLET_LOG_ERROR("HTTP {} {}: {}", req.method, req.path, what);
        SetJson(res, 500, {{"error", "internal error (logged by the server)"}});
      });
  // The body limit binds only a declared length: httplib reads a chunked body, or a POST with no
  // length until the client closes, without one. Such requests are refused before any of the
  // body is read (and the connection closed: the unread body cannot be skipped).
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    const bool has_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                          req.method == "DELETE" || req.method == "PRI";
    if (has_body && (req.has_header("Transfer-Encoding") || !req.has_header("Content-Length"))) {
      SetJson(res, 411,
              {{"error",
                "request body: a Content-Length is required (chunked or unbounded "
                "bodies are not accepted)"}});
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  Frontend* f = &frontend;
  MetricsRegistry* m = &metrics;
  s.Get("/v2/health/live", [](const httplib::Request&, httplib::Response& res) {
    SetJson(res, 200, {{"live", true}});
  });
  s.Get("/v2/health/ready", [f](const httplib::Request&, httplib::Response& res) {
    bool ready = f->IsServerReady();
    SetJson(res, ready ? 200 : 503, {{"ready", ready}});
  });
  s.Get("/v2", [](const httplib::Request&, httplib::Response& res) {
    SetJson(res, 200,
            {{"name", "glet"},
             {"version", kGletVersion},
             {"extensions", {"binary_tensor_data", "model_configuration", "statistics"}}});
  });
  // Each model route also answers under /versions/{v}; glet serves version 1 (model_version.h).
  // The version, when given, is matches[2].
  auto version_ok = [](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    const std::string version = req.matches.size() > 2 ? std::string(req.matches[2]) : "";
    if (Status v = CheckModelVersion(name, version); !v.ok()) {
      SetJson(res, 404, {{"error", v.message()}});
      return false;
    }
    return true;
  };
  // A GET of a known model (404 naming it otherwise) and version, answered with to_json(name,
  // its ServedInfo): metadata, configuration, statistics.
  auto described = [f, version_ok](auto to_json) {
    return [f, version_ok, to_json](const httplib::Request& req, httplib::Response& res) {
      const std::string name = req.matches[1];
      Result<ServedInfo> info = f->Describe(name);
      if (!info.ok()) {
        SetJson(res, 404, {{"error", info.status().message()}});
        return;
      }
      if (version_ok(req, res)) {
        SetJson(res, 200, to_json(name, *info));
      }
    };
  };
  auto metadata = described(&MetadataJson);
  auto ready = [f, version_ok](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!f->Describe(name).ok()) {
      SetJson(res, 404, {{"error", "unknown model '" + name + "'"}});
      return;
    }
    if (version_ok(req, res)) {
      const bool is_ready = f->IsReady(name);
      SetJson(res, is_ready ? 200 : 503, {{"name", name}, {"ready", is_ready}});
    }
  };
  auto infer = [f, version_ok, json_limits = options.json](const httplib::Request& req,
                                                           httplib::Response& res) {
    const std::string name = req.matches[1];
    if (!version_ok(req, res)) {
      return;
    }
    auto bad_request = [&res](const std::string& message) {
      SetJson(res, 400, {{"error", message}, {"outcome", "failed"}});
    };
    std::optional<size_t> header_length;
    if (req.has_header(kHeaderLength)) {
      Result<int64_t> n = ParseInt(req.get_header_value(kHeaderLength), kHeaderLength);
      if (!n.ok() || *n < 0) {
        bad_request(std::string(kHeaderLength) + ": must be a byte count (got '" +
                    req.get_header_value(kHeaderLength) + "')");
        return;
      }
      header_length = static_cast<size_t>(*n);
    }
    Result<JsonInferRequest> parsed = ParseJsonInferRequest(req.body, json_limits, header_length);
    if (!parsed.ok()) {
      bad_request(parsed.status().message());
      return;
    }
    if (Result<ServedInfo> info = f->Describe(name); info.ok()) {
      for (const RequestedOutput& o : parsed->outputs) {
        const bool known =
            std::any_of(info->outputs.begin(), info->outputs.end(),
                        [&o](const model::TensorSpec& s) { return s.name == o.name; });
        if (!known) {
          std::string names;
          for (const model::TensorSpec& s : info->outputs) {
            names += (names.empty() ? "" : ", ") + s.name;
          }
          bad_request("request body: outputs: model '" + name + "' has no output '" + o.name +
                      "' (it has: " + names + ")");
          return;
        }
      }
    }
    std::promise<InferResult> promise;
    std::future<InferResult> future = promise.get_future();
    InferOptions options;
    options.timeout = parsed->timeout;
    f->Infer(
        name, std::move(parsed->inputs),
        [&promise](InferResult r) { promise.set_value(std::move(r)); }, options);
    InferResult result = future.get();
    if (result.outcome == RequestOutcome::kServed) {
      InferResponseBody reply = JsonInferResponse(name, *parsed, result);
      res.status = 200;
      if (reply.header_length) {
        res.set_header(kHeaderLength, std::to_string(*reply.header_length));
        res.set_content(std::move(reply.body), "application/octet-stream");
      } else {
        res.set_content(std::move(reply.body), "application/json");
      }
      return;
    }
    Json body = {{"error", result.status.message()},
                 {"outcome", std::string(RequestOutcomeName(result.outcome))}};
    if (result.drop_reason) {
      body["drop_reason"] = std::string(DropReasonName(*result.drop_reason));
    }
    SetJson(res, HttpCodeFor(result), body);
  };
  auto config = described(&ModelConfigJson);
  auto stats = described(
      [m](const std::string& name, const ServedInfo&) { return ModelStatsJson(name, *m); });
  s.Get(R"(/v2/models/([^/]+)/config)", config);
  s.Get(R"(/v2/models/([^/]+)/versions/([^/]+)/config)", config);
  s.Get(R"(/v2/models/([^/]+)/stats)", stats);
  s.Get(R"(/v2/models/([^/]+)/versions/([^/]+)/stats)", stats);
  s.Get(R"(/v2/models/([^/]+))", metadata);
  s.Get(R"(/v2/models/([^/]+)/versions/([^/]+))", metadata);
  s.Get(R"(/v2/models/([^/]+)/ready)", ready);
  s.Get(R"(/v2/models/([^/]+)/versions/([^/]+)/ready)", ready);
  s.Post(R"(/v2/models/([^/]+)/infer)", infer);
  s.Post(R"(/v2/models/([^/]+)/versions/([^/]+)/infer)", infer);
  s.Get("/v2/glet/plan",
        [impl = svc->impl_.get()](const httplib::Request&, httplib::Response& res) {
          std::function<Json()> source;
          {
            MutexLock lock(impl->plan_mu);
            source = impl->plan_view;
          }
          Json view = source ? source() : Json();
          if (view.is_null()) {
            SetJson(res, 503, {{"error", "no plan in force yet"}});
            return;
          }
          SetJson(res, 200, view);
        });
  s.Get("/metrics", [m](const httplib::Request&, httplib::Response& res) {
    res.set_content(m->RenderPrometheus(), "text/plain; version=0.0.4");
  });
  int bound = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return InvalidArgumentError("--http: cannot listen on " + host + ":" + std::to_string(port) +
                                ": " + std::strerror(errno));
  }
  svc->port_ = bound;
  svc->impl_->thread =
      std::thread([impl = svc->impl_.get()] { impl->server->listen_after_bind(); });
  return svc;
}

HttpService::~HttpService() { Stop(); }

void HttpService::Stop() {
  if (impl_ && impl_->thread.joinable()) {
    impl_->server->stop();
    impl_->thread.join();
  }
}

}  // namespace glet::serve
