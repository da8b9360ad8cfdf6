// Reliability runs (issue 17): regenerates the counts of docs/reliability.md's fault table. It
// starts a real serving plane on loopback (`glet frontend` with a control token, one `glet
// backend` of one emulated ref-gpu, its `glet proxy` children; resource/serve/test-steady.json:
// resnet50 and lenet1), then tries each class of hostile input and each fault on it, one after
// another, and prints one Markdown row per class:
//
//   class | tried | crashes | hangs | wrong statuses | lost | frontend RSS MiB | result
//
//   - crashes: a glet process that exited when nothing killed it (checked after every class);
//   - hangs: calls with no answer within 10 s (HTTP: no reply; gRPC: the client's deadline
//     without glet's `glet-outcome` trailer) while the frontend was still up;
//   - wrong statuses: answers outside what the class allows (below), e.g. a 500 for bad input,
//     an error body that is not KServe-shaped JSON, anything but UNAUTHENTICATED without the
//     token;
//   - lost: requests with no end: for `glet client` runs, sent - (served + dropped + failed) of
//     its report; for the retrying client of the frontend restart, requests never served;
//   - frontend RSS before -> after the class.
//
// The classes:
//   http_fuzz   N mutated KServe JSON bodies (bytes flipped or inserted, invalid UTF-8, numbers
//               out of range, truncation, duplication, deep nesting, bad dtypes and shapes) to
//               /v2/models/lenet1/infer; allowed: 200, 400, 404, 413, 429, 503, 504, each error
//               with a JSON body holding "error".
//   grpc_fuzz   N mutated ModelInferRequest messages (the serialised bytes mutated, or fields set
//               to hostile values) to ModelInfer over a generic stub; allowed: OK,
//               INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED
//               with glet's trailer, and gRPC's own INTERNAL "Unable to parse request" for bytes
//               that are not a ModelInferRequest (the library answers before glet sees the call;
//               counted apart in the result).
//   big_body    a 200 MB body announced by Content-Length (allowed: 413), and one sent chunked
//               (allowed: 411, a length is required).
//   deep_body   an infer body nested 30,000 deep; allowed: 400.
//   slowloris   32 connections trickling header bytes for 5 s while /v2/health/ready is asked
//               10 times; allowed: 200.
//   no_token    Heartbeat and RegisterBackend to the frontend, ListGlets to the backend, without
//               the token; allowed: UNAUTHENTICATED.
//   overload    `glet client` at 10x resnet50's planned rate for 4 s; lost must be 0.
//   proxy_kill  kill -9 of a proxy 1.5 s into 5 s of lenet1 at 100 rps; lost must be 0.
//   backend_restart  kill -9 of the backend 2 s into 12 s of load, started again 2 s later; the
//               result says how long after its `listening:` line a request was served again,
//               in heartbeats (1 s each).
//   frontend_restart kill -9 of the frontend under a client that retries (4 threads, each
//               request retried on no reply or 503 for up to 20 s), restarted on the same ports.
//
// Run: build/bench/reliability_bench [--glet PATH] [--inputs N] (default 3000 per fuzz class).
// Everything binds 127.0.0.1; Ctrl-C stops every process the bench started.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/shutdown_signals.h"
#include "core/json_reader.h"
#include "glet_control.grpc.pb.h"
#include "kserve.grpc.pb.h"
#include "serve/process_setup.h"
#include "testing/child_process_set.h"
#include "testing/glet_deployment.h"
#include "testing/http_probe.h"
#include "testing/kserve_request.h"
#include "testing/proc_children.h"
#include "testing/prometheus_text.h"

namespace {

using glet::Json;
using glet::testing::ChildProcessSet;
using glet::testing::GletDeployment;
using glet::testing::HttpGet;
using glet::testing::HttpPost;
using glet::testing::HttpReply;
using glet::testing::LenetGrpcRequest;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

constexpr char kToken[] = "reliability-bench-token";
constexpr int kLenetItems = 28 * 28;

struct Row {
  std::string name;
  int64_t tried = 0;
  int64_t crashes = 0;
  int64_t hangs = 0;
  int64_t wrong = 0;
  int64_t lost = 0;
  double rss_before = 0;
  double rss_after = 0;
  std::string result;
  std::vector<std::string> wrong_examples;  // the first few, for the log

  void Wrong(const std::string& what) {
    ++wrong;
    if (wrong_examples.size() < 5) {
      wrong_examples.push_back(what);
    }
  }
};

double RssMib(pid_t pid) { return static_cast<double>(glet::testing::RssKib(pid)) / 1024.0; }

std::string LenetJson() {
  Json body;
  body["id"] = "r1";
  Json input;
  input["name"] = "input";
  input["datatype"] = "FP32";
  input["shape"] = {1, 1, 28, 28};
  input["data"] = std::vector<double>(kLenetItems, 0.25);
  body["inputs"] = Json::array({input});
  return body.dump();
}

// One to three of a fuzzer's usual mutations, plus the hostile values issue 17 found.
std::string MutateText(std::string s, std::mt19937_64& rng) {
  auto pick = [&rng](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  static const std::vector<std::string> kTokens = {"1e400",
                                                   "-1e400",
                                                   "18446744073709551615",
                                                   "9.0072e22",
                                                   "NaN",
                                                   "\xff\xfe",
                                                   "\"fp32\"",
                                                   "\"FP16\"",
                                                   "\"BYTES\"",
                                                   "[-1]",
                                                   "[1,1,28,28,1]",
                                                   "null",
                                                   "{}",
                                                   "[]",
                                                   "\"\\ud800\"",
                                                   "true",
                                                   "\"shape\"",
                                                   "[[[[[[[["};
  const int ops = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < ops; ++i) {
    const size_t at = pick(s.size() + 1);
    switch (rng() % 7) {
      case 0:
        if (!s.empty()) {
          s[pick(s.size())] = static_cast<char>(rng());
        }
        break;
      case 1:
        s.insert(at, 1, static_cast<char>(rng()));
        break;
      case 2:
        s.erase(at, pick(64));
        break;
      case 3:
        s.resize(at);
        break;
      case 4: {
        const std::string slice = s.substr(at, pick(256));
        s.insert(pick(s.size() + 1), slice);
        break;
      }
      case 5: {  // replace a number with a hostile token
        const size_t digit = s.find_first_of("0123456789", at);
        if (digit != std::string::npos) {
          const size_t end = s.find_first_not_of("0123456789.e-", digit);
          s.replace(digit, (end == std::string::npos ? s.size() : end) - digit,
                    kTokens[pick(kTokens.size())]);
        }
        break;
      }
      default:
        if (rng() % 8 == 0) {  // deep nesting in data
          const size_t data = s.find("\"data\":");
          if (data != std::string::npos) {
            s.insert(data + 7, std::string(1 + pick(40000), '['));
          }
        } else {
          s.insert(at, kTokens[pick(kTokens.size())]);
        }
    }
  }
  return s;
}

bool IsKServeError(const std::string& body) {
  glet::Result<Json> doc = glet::ParseJson(body, "body");
  return doc.ok() && doc->is_object() && doc->contains("error") && (*doc)["error"].is_string();
}

void HttpFuzz(const GletDeployment& d, int inputs, Row& row) {
  std::mt19937_64 rng(17);
  const std::string seed = LenetJson();
  for (int i = 0; i < inputs; ++i) {
    const std::string body = MutateText(seed, rng);
    const HttpReply r = HttpPost(d.http(), "/v2/models/lenet1/infer", body, 10);
    ++row.tried;
    if (r.status == 0) {
      ++row.hangs;
      continue;
    }
    static const std::vector<int> kAllowed = {200, 400, 404, 413, 429, 503, 504};
    if (std::find(kAllowed.begin(), kAllowed.end(), r.status) == kAllowed.end()) {
      row.Wrong("HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 120));
    } else if (r.status != 200 && !IsKServeError(r.body)) {
      row.Wrong("HTTP " + std::to_string(r.status) +
                " without a JSON error: " + r.body.substr(0, 120));
    }
  }
}

std::string MutateInferRequest(std::mt19937_64& rng) {
  inference::ModelInferRequest req = LenetGrpcRequest("lenet1", "", 0.25f);
  auto* in = req.mutable_inputs(0);
  switch (rng() % 8) {
    case 0:
      in->set_shape(static_cast<int>(rng() % 4), static_cast<int64_t>(rng()));
      break;
    case 1:
      in->add_shape(static_cast<int64_t>(rng() % 1000000));
      break;
    case 2: {
      static const std::vector<std::string> kTypes = {"FP16", "fp32", "BYTES", "",    "INT64",
                                                      "BOOL", "BF16", "FP64",  "\xff"};
      in->set_datatype(kTypes[rng() % kTypes.size()]);
      break;
    }
    case 3:
      req.mutable_raw_input_contents(0)->resize(rng() % 8192);
      break;
    case 4:
      req.set_model_name(rng() % 2 == 0 ? "\xff\xfe" : "no-such-model");
      break;
    case 5:
      req.add_raw_input_contents("x");
      break;
    case 6:
      in->mutable_contents()->add_fp32_contents(1.0f);
      break;
    default:
      req.set_model_version(std::to_string(rng() % 4));
  }
  std::string bytes = req.SerializeAsString();
  if (rng() % 2 == 0) {  // and half of them as bytes, which may no longer parse
    return MutateText(std::move(bytes), rng);
  }
  return bytes;
}

void GrpcFuzz(const GletDeployment& d, int inputs, Row& row) {
  int64_t unparsable = 0;
  grpc::GenericStub stub(grpc::CreateChannel(d.grpc(), grpc::InsecureChannelCredentials()));
  std::mt19937_64 rng(29);
  for (int i = 0; i < inputs; ++i) {
    const std::string bytes = MutateInferRequest(rng);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/inference.GRPCInferenceService/ModelInfer", grpc::StubOptions(), &in,
                   &out, [&done](grpc::Status s) { done.set_value(std::move(s)); });
    const grpc::Status s = done.get_future().get();
    ++row.tried;
    const bool from_glet = ctx.GetServerTrailingMetadata().count("glet-outcome") > 0;
    switch (s.error_code()) {
      case grpc::StatusCode::OK:
      case grpc::StatusCode::INVALID_ARGUMENT:
      case grpc::StatusCode::NOT_FOUND:
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
      case grpc::StatusCode::UNAVAILABLE:
        break;
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        if (!from_glet) {
          ++row.hangs;
        }
        break;
      case grpc::StatusCode::INTERNAL:
        if (!from_glet && s.error_message() == "Unable to parse request") {
          ++unparsable;
          break;
        }
        [[fallthrough]];
      default:
        row.Wrong("gRPC " + std::to_string(s.error_code()) + ": " + s.error_message());
    }
  }
  row.result = std::to_string(unparsable) + " not a ModelInferRequest (gRPC's INTERNAL)";
}

// A connected socket to `address`, or -1.
int Connect(const std::string& address) {
  const glet::testing::HostPort a = glet::testing::SplitAddress(address);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(a.port));
  inet_pton(AF_INET, a.host.c_str(), &addr.sin_addr);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  return true;
}

// The status of the HTTP answer read from `fd` (0: none within the socket's timeout).
int ReadStatus(int fd) {
  char buf[256];
  const ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
  if (n < 12) {
    return 0;
  }
  buf[n] = '\0';
  return std::atoi(buf + 9);  // "HTTP/1.1 413 ..."
}

void BigBodies(const GletDeployment& d, Row& row) {
  constexpr size_t kBytes = 200u << 20;
  const std::string chunk(1u << 20, '1');
  for (const bool chunked : {false, true}) {
    const int fd = Connect(d.http());
    ++row.tried;
    if (fd < 0) {
      ++row.hangs;
      continue;
    }
    std::string head =
        "POST /v2/models/lenet1/infer HTTP/1.1\r\nHost: bench\r\n"
        "Content-Type: application/json\r\n";
    head += chunked ? "Transfer-Encoding: chunked\r\n\r\n"
                    : "Content-Length: " + std::to_string(kBytes) + "\r\n\r\n";
    bool open = SendAll(fd, head + "{\"inputs\":[{\"data\":[");
    for (size_t sent = 0; open && sent < kBytes; sent += chunk.size()) {
      open = chunked ? SendAll(fd, "100000\r\n" + chunk + "\r\n") : SendAll(fd, chunk);
    }
    const int status = ReadStatus(fd);
    close(fd);
    if (status == 0) {
      ++row.hangs;
    } else if (status != (chunked ? 411 : 413)) {
      row.Wrong("HTTP " + std::to_string(status) + (chunked ? " (chunked)" : ""));
    }
  }
}

void DeepBody(const GletDeployment& d, Row& row) {
  const std::string body = R"({"inputs":[{"name":"input","datatype":"FP32","shape":[1,1,28,28],)"
                           R"("data":)" +
                           std::string(30000, '[') + "1" + std::string(30000, ']') + "}]}";
  const HttpReply r = HttpPost(d.http(), "/v2/models/lenet1/infer", body, 10);
  ++row.tried;
  if (r.status == 0) {
    ++row.hangs;
  } else if (r.status != 400 || !IsKServeError(r.body)) {
    row.Wrong("HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 120));
  }
}

void Slowloris(const GletDeployment& d, Row& row) {
  std::vector<int> fds;
  for (int i = 0; i < 32; ++i) {
    const int fd = Connect(d.http());
    if (fd >= 0) {
      SendAll(fd, "POST /v2/models/lenet1/infer HTTP/1.1\r\nHost: bench\r\n");
      fds.push_back(fd);
    }
  }
  for (int round = 0; round < 10; ++round) {
    for (int fd : fds) {
      SendAll(fd, "X");  // one more header byte, never the end of the headers
    }
    const HttpReply r = HttpGet(d.http(), "/v2/health/ready", 5);
    ++row.tried;
    if (r.status == 0) {
      ++row.hangs;
    } else if (r.status != 200) {
      row.Wrong("health: HTTP " + std::to_string(r.status));
    }
    std::this_thread::sleep_for(milliseconds(500));  // the trickle's pace
  }
  for (int fd : fds) {
    close(fd);
  }
}

void NoToken(const GletDeployment& d, Row& row) {
  auto frontend = glet::control::FrontendControl::NewStub(
      grpc::CreateChannel(d.control(), grpc::InsecureChannelCredentials()));
  auto backend = glet::control::BackendControl::NewStub(
      grpc::CreateChannel(d.backend_address(0), grpc::InsecureChannelCredentials()));
  auto check = [&row](const char* what,
                      const std::function<grpc::Status(grpc::ClientContext*)>& f) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    const grpc::Status s = f(&ctx);
    ++row.tried;
    if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      ++row.hangs;
    } else if (s.error_code() != grpc::StatusCode::UNAUTHENTICATED) {
      row.Wrong(std::string(what) + ": gRPC " + std::to_string(s.error_code()));
    }
  };
  glet::control::HeartbeatRequest beat;
  beat.set_backend_id("b1");
  glet::control::HeartbeatResponse beat_reply;
  check("Heartbeat",
        [&](grpc::ClientContext* c) { return frontend->Heartbeat(c, beat, &beat_reply); });
  glet::control::RegisterBackendRequest reg;
  reg.set_address("127.0.0.1:1");
  glet::control::RegisterBackendResponse reg_reply;
  check("RegisterBackend",
        [&](grpc::ClientContext* c) { return frontend->RegisterBackend(c, reg, &reg_reply); });
  glet::control::ListGletsRequest list;
  glet::control::ListGletsResponse list_reply;
  check("ListGlets",
        [&](grpc::ClientContext* c) { return backend->ListGlets(c, list, &list_reply); });
}

// `glet client` against the deployment; its JSON report (null when it printed none).
Json RunClient(const std::string& glet, const GletDeployment& d,
               const std::vector<std::string>& args) {
  std::string command = glet + " --log-level error client --json --target " + d.grpc();
  for (const std::string& a : args) {
    command += " " + a;
  }
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return Json();
  }
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) {
    out.append(buf, n);
  }
  pclose(pipe);
  const size_t brace = out.find('{');
  if (brace == std::string::npos) {
    return Json();
  }
  glet::Result<Json> doc = glet::ParseJson(out.substr(brace), "client report");
  return doc.ok() ? std::move(*doc) : Json();
}

int64_t Count(const Json& report, const char* key) {
  return report.is_object() && report.contains(key) && report[key].is_number_integer()
             ? report[key].get<int64_t>()
             : 0;
}

// Counts a client run into `row`: its requests as tried, the unaccounted ones as lost.
std::string AccountClient(const Json& report, Row& row) {
  if (!report.is_object()) {
    row.Wrong("the client printed no report");
    return "no report";
  }
  const int64_t sent = Count(report, "sent");
  row.tried += sent;
  row.lost += sent - Count(report, "served") - Count(report, "dropped") - Count(report, "failed");
  return "served " + std::to_string(Count(report, "served")) + ", dropped " +
         std::to_string(Count(report, "dropped")) + " " +
         report.value("dropped_by_reason", Json::object()).dump() + ", failed " +
         std::to_string(Count(report, "failed")) + " " +
         report.value("failed_by_reason", Json::object()).dump();
}

void ProxyKill(const std::string& glet, GletDeployment& d, Row& row) {
  auto client = std::async(std::launch::async, [&] {
    return RunClient(
        glet, d,
        {"--model", "lenet1:100", "--duration", "5", "--seed", "3", "--timeout-ms", "5000"});
  });
  std::this_thread::sleep_for(milliseconds(1500));  // mid-run
  const std::vector<pid_t> proxies = glet::testing::ChildrenOf(d.backend(0).pid());
  if (!proxies.empty()) {
    kill(proxies.front(), SIGKILL);
  }
  row.result = "proxies " + std::to_string(proxies.size()) + ", one killed; " +
               AccountClient(client.get(), row);
}

void BackendRestart(const std::string& glet, GletDeployment& d, const std::string& node, Row& row) {
  auto client = std::async(std::launch::async, [&] {
    return RunClient(glet, d,
                     {"--model", "resnet50:20", "--model", "lenet1:40", "--duration", "12",
                      "--seed", "4", "--timeout-ms", "5000"});
  });
  std::this_thread::sleep_for(seconds(2));
  const size_t old = d.backend_count() - 1;
  d.backend(old).Signal(SIGKILL);
  d.backend(old).WaitForExit(seconds(10));
  std::this_thread::sleep_for(seconds(2));
  const glet::Status started =
      d.StartBackend(node, {"--control-token-file", node + ".token", "--stop-grace-ms", "2000"});
  const auto back = SteadyClock::now();
  double restored_s = -1;
  if (started.ok()) {
    const std::string body = LenetJson();
    glet::testing::PollUntil(
        [&] { return HttpPost(d.http(), "/v2/models/lenet1/infer", body, 5).status == 200; },
        seconds(30));
    restored_s = std::chrono::duration<double>(SteadyClock::now() - back).count();
  }
  const std::string counts = AccountClient(client.get(), row);
  char restored[96];
  std::snprintf(restored, sizeof(restored), "served again %.1f s (%.1f heartbeats) after return",
                restored_s, restored_s);
  row.result = (started.ok() ? std::string(restored) : "restart failed: " + started.message()) +
               "; " + counts;
}

void FrontendRestart(GletDeployment& d, const std::string& config,
                     const std::vector<std::string>& frontend_args, Row& row) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> served{0}, retried{0}, gave_up{0}, wrong{0};
  const std::string body = LenetJson();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        const auto first = SteadyClock::now();
        bool retry = false;
        while (true) {
          const HttpReply r = HttpPost(d.http(), "/v2/models/lenet1/infer", body, 10);
          if (r.status == 200) {
            ++served;
            retried += retry ? 1 : 0;
            break;
          }
          if (r.status != 0 && r.status != 503 && r.status != 504) {
            ++wrong;
            break;
          }
          if (SteadyClock::now() - first > seconds(20)) {
            ++gave_up;
            break;
          }
          retry = true;
          std::this_thread::sleep_for(milliseconds(100));  // the client's retry pace
        }
        std::this_thread::sleep_for(milliseconds(20));
      }
    });
  }
  std::this_thread::sleep_for(seconds(2));
  d.frontend().Signal(SIGKILL);
  d.frontend().WaitForExit(seconds(10));
  const glet::Status restarted = d.RestartFrontend(config, frontend_args);
  const auto back = SteadyClock::now();
  double ready_s = -1;
  if (restarted.ok() && d.AwaitReady(seconds(60)).ok()) {
    ready_s = std::chrono::duration<double>(SteadyClock::now() - back).count();
  }
  std::this_thread::sleep_for(seconds(4));
  stop = true;
  for (std::thread& t : threads) {
    t.join();
  }
  row.tried = served + gave_up + wrong;
  row.lost = gave_up;
  for (int64_t i = 0; i < wrong; ++i) {
    row.Wrong("a status other than 200, 503, 504 or no reply");
  }
  char text[200];
  std::snprintf(text, sizeof(text),
                "restarted on the same ports, ready %.1f s later; served %lld (%lld after "
                "retrying), gave up on %lld",
                ready_s, static_cast<long long>(served.load()),
                static_cast<long long>(retried.load()), static_cast<long long>(gave_up.load()));
  row.result = restarted.ok() ? text : "restart failed: " + restarted.message();
}

std::string SelfExe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

std::string SourceDir() {
  // build/bench/reliability_bench -> the checkout holds resource/ beside build/.
  std::filesystem::path p = std::filesystem::path(SelfExe()).parent_path();
  for (int i = 0; i < 4 && !p.empty(); ++i, p = p.parent_path()) {
    if (std::filesystem::exists(p / "resource/serve/test-steady.json")) {
      return p.string();
    }
  }
  return ".";
}

}  // namespace

int main(int argc, char** argv) {
  glet::serve::TurnOffMutexDeadlockDetection();
  auto signals = glet::cli::ShutdownSignals::Block();
  if (!signals.ok()) {
    std::fprintf(stderr, "reliability_bench: %s\n", signals.status().ToString().c_str());
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  std::string glet =
      (std::filesystem::path(SelfExe()).parent_path().parent_path() / "glet").string();
  int inputs = 3000;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--glet" && i + 1 < argc) {
      glet = argv[++i];
    } else if (arg == "--inputs" && i + 1 < argc) {
      inputs = std::max(1, std::atoi(argv[++i]));
    } else {
      const bool help = arg == "--help" || arg == "-h";
      std::fprintf(help ? stdout : stderr,
                   "usage: reliability_bench [--glet PATH] [--inputs N]\n"
                   "  Starts glet processes on 127.0.0.1, tries each class of hostile input and\n"
                   "  fault on them and prints docs/reliability.md's table of counts.\n");
      return help ? 0 : 2;
    }
  }
  static ChildProcessSet children;
  std::thread([s = std::move(*signals)] {
    s->Wait(/*watch_stdin=*/false);
    children.StopAll(seconds(5));
    std::_Exit(130);
  }).detach();

  const std::string dir =
      std::filesystem::temp_directory_path() / ("glet-reliability-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string node = dir + "/node.json";
  std::ofstream(node) << glet::testing::EmulatedNode("bench", {"gpu0"}, "ref-gpu");
  std::ofstream(node + ".token") << kToken << "\n";
  const std::string config = SourceDir() + "/resource/serve/test-steady.json";
  const std::vector<std::string> frontend_args = {"--control-token-file", node + ".token"};
  const std::vector<std::string> backend_args = {"--control-token-file", node + ".token",
                                                 "--stop-grace-ms", "2000"};

  GletDeployment d({glet, {}, &children});
  glet::Status s = d.StartFrontend(config, frontend_args);
  if (s.ok()) {
    s = d.StartBackend(node, backend_args);
  }
  if (s.ok()) {
    s = d.AwaitReady(seconds(60));
  }
  if (!s.ok()) {
    std::fprintf(stderr, "reliability_bench: %s\n", s.ToString().c_str());
    return 1;
  }

  std::vector<Row> rows;
  auto run = [&](const std::string& name, const std::function<void(Row&)>& body,
                 bool backend_may_die = false) {
    Row row;
    row.name = name;
    std::fprintf(stderr, "reliability_bench: %s ...\n", name.c_str());
    row.rss_before = RssMib(d.frontend().pid());
    body(row);
    row.rss_after = RssMib(d.frontend().pid());
    if (d.frontend().exited()) {
      ++row.crashes;
    }
    if (!backend_may_die && d.backend(d.backend_count() - 1).exited()) {
      ++row.crashes;
    }
    for (const std::string& w : row.wrong_examples) {
      std::fprintf(stderr, "  wrong: %s\n", w.c_str());
    }
    rows.push_back(row);
    return row.crashes == 0;
  };
  bool up = run("http_fuzz", [&](Row& r) { HttpFuzz(d, inputs, r); }) &&
            run("grpc_fuzz", [&](Row& r) { GrpcFuzz(d, inputs, r); }) &&
            run("big_body", [&](Row& r) { BigBodies(d, r); }) &&
            run("deep_body", [&](Row& r) { DeepBody(d, r); }) &&
            run("slowloris", [&](Row& r) { Slowloris(d, r); }) &&
            run("no_token", [&](Row& r) { NoToken(d, r); }) &&
            run("overload",
                [&](Row& r) {
                  r.result = AccountClient(RunClient(glet, d,
                                                     {"--model", "resnet50:200", "--duration", "4",
                                                      "--seed", "2", "--timeout-ms", "5000"}),
                                           r);
                }) &&
            run("proxy_kill", [&](Row& r) { ProxyKill(glet, d, r); }) &&
            run(
                "backend_restart", [&](Row& r) { BackendRestart(glet, d, node, r); }, true) &&
            run("frontend_restart", [&](Row& r) { FrontendRestart(d, config, frontend_args, r); });
  d.Stop();
  std::filesystem::remove_all(dir);

  std::printf(
      "| class | tried | crashes | hangs | wrong statuses | lost | frontend RSS MiB | "
      "result |\n|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf("| %s | %lld | %lld | %lld | %lld | %lld | %.0f -> %.0f | %s |\n", r.name.c_str(),
                static_cast<long long>(r.tried), static_cast<long long>(r.crashes),
                static_cast<long long>(r.hangs), static_cast<long long>(r.wrong),
                static_cast<long long>(r.lost), r.rss_before, r.rss_after, r.result.c_str());
  }
  return up ? 0 : 1;
}
