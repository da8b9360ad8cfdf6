// Whole-process tests of the serving plane: a real `glet frontend`, real `glet backend`s (which
// run real `glet proxy` children) and the real `glet client`, all on 127.0.0.1 with ports chosen
// by the kernel (port 0, read back from each process's `listening:` line). Glets run on emulated
// slices, so no model files are needed. Every request the client sends must end exactly once:
// sent = served + dropped + failed, and the frontend counts the same number of requests.
//
// Two device profiles are used: the committed ref-gpu profile (resnet50, lenet1) and a tiny
// "slow-gpu" profile written by the test into its own resource folder (GLET_RESOURCE_DIR) with
// one model, `slowpoke`, whose capacity on one device is about 50 requests/s; overload and
// growth onto a second device then need only a few hundred requests per second of load.
//
// Conditions are awaited (a process's output line, an HTTP endpoint or a metric polled with a
// deadline), never slept on. Every process is stopped by a guard, even when an assertion fails.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/json_reader.h"
#include "core/strings.h"
#include "glet_control.grpc.pb.h"
#include "kserve.grpc.pb.h"
#include "serve/child_process.h"
#include "serve/process_setup.h"
#include "testing/glet_deployment.h"
#include "testing/http_probe.h"
#include "testing/kserve_request.h"
#include "testing/proc_children.h"
#include "testing/prometheus_text.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

using glet::testing::ChildrenOf;
using glet::testing::EmulatedNode;
using glet::testing::HttpGet;
using glet::testing::HttpPost;
using glet::testing::HttpReply;
using glet::testing::LenetGrpcRequest;
using glet::testing::MetricSum;
using glet::testing::PollUntil;
using glet::testing::RssKib;
using glet::testing::SplitAddress;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

using Env = std::vector<std::pair<std::string, std::string>>;

// ---------------------------------------------------------------------------------------------
// The client.

struct ClientRun {
  int exit_code = -1;
  Json report;  // the --json report
  std::string err;
};

// Runs `glet client --target <grpc> <args> --json` to completion.
ClientRun RunClient(const std::string& grpc, std::vector<std::string> args, const Env& env) {
  std::vector<std::string> argv = {"--log-level", "warn", "client", "--target", grpc, "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env_list;
  for (const auto& [k, v] : env) {
    env_list.push_back(k + "=" + v);
  }
  testing::CommandResult r = testing::RunGlet(argv, 120, env_list);
  ClientRun run;
  run.exit_code = r.exit_code;
  run.err = r.err;
  const size_t brace = r.out.find('{');
  if (brace != std::string::npos) {
    Result<Json> doc = ParseJson(r.out.substr(brace), "client report");
    if (doc.ok()) {
      run.report = std::move(*doc);
    }
  }
  return run;
}

int64_t Count(const Json& counts, const char* key) {
  return counts.contains(key) && counts[key].is_number_integer() ? counts[key].get<int64_t>() : -1;
}

// Every request ended exactly once, in total and per model.
void ExpectExactAccounting(const ClientRun& run) {
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_TRUE(run.report.is_object()) << "no JSON report; stderr: " << run.err;
  const Json& r = run.report;
  // One line per run in the test log, to see what happened when a later check fails.
  std::cerr << "client: sent " << Count(r, "sent") << " served " << Count(r, "served")
            << " dropped " << Count(r, "dropped") << " " << r.value("dropped_by_reason", Json())
            << " failed " << Count(r, "failed") << " " << r.value("failed_by_reason", Json())
            << std::endl;
  EXPECT_GT(Count(r, "sent"), 0);
  EXPECT_EQ(Count(r, "sent"), Count(r, "served") + Count(r, "dropped") + Count(r, "failed"))
      << r.dump(2);
  ASSERT_TRUE(r.contains("models")) << r.dump(2);
  for (const auto& [model, c] : r["models"].items()) {
    EXPECT_EQ(Count(c, "sent"), Count(c, "served") + Count(c, "dropped") + Count(c, "failed"))
        << model << ": " << c.dump(2);
  }
}

int64_t ModelCount(const ClientRun& run, const std::string& model, const char* key) {
  if (!run.report.contains("models") || !run.report["models"].contains(model)) {
    return -1;
  }
  return Count(run.report["models"][model], key);
}

// ---------------------------------------------------------------------------------------------
// The processes: one frontend and any number of backends, stopped (frontend first, so it can
// stop its glets; then the backends, which stop their proxies) when the guard dies.

class Deployment {
 public:
  explicit Deployment(Env env = {}) : glet_({testing::GletBinary(), std::move(env)}) {}

  // Starts `glet frontend --config <config> <extra_args>` on free ports and reads its addresses.
  ::testing::AssertionResult StartFrontend(const std::string& config,
                                           const std::vector<std::string>& extra_args = {}) {
    return Check(glet_.StartFrontend(config, extra_args));
  }
  pid_t frontend_pid() { return glet_.frontend().pid(); }
  // Starts the frontend again on the ports it had (after it exited).
  ::testing::AssertionResult RestartFrontend(const std::string& config,
                                             const std::vector<std::string>& extra_args = {}) {
    return Check(glet_.RestartFrontend(config, extra_args));
  }

  // Starts a `glet backend` for the node file `node` against the frontend.
  ::testing::AssertionResult StartBackend(const std::string& node,
                                          std::vector<std::string> extra_args = {}) {
    extra_args.insert(extra_args.begin(), {"--stop-grace-ms", "2000"});
    return Check(glet_.StartBackend(node, extra_args));
  }

  // Waits for the frontend's `ready` line (backends joined, first plan applied).
  ::testing::AssertionResult AwaitReady() { return Check(glet_.AwaitReady(seconds(60))); }

  ClientRun Client(std::vector<std::string> args) const {
    return RunClient(grpc(), std::move(args), env());
  }
  std::string Metrics() const { return HttpGet(http(), "/metrics").body; }
  double Metric(const std::string& name, const std::vector<std::string>& labels = {}) const {
    return MetricSum(Metrics(), name, labels);
  }
  // Waits until the frontend has finished exactly `sent` requests of `model` (it answers each
  // request once, possibly after the client gave up on it). The last count seen is returned.
  double AwaitFrontendTotal(const std::string& model, int64_t sent) const {
    double total = -1;
    PollUntil(
        [&] {
          total = Metric("glet_requests_total", {"model=\"" + model + "\""});
          return total >= static_cast<double>(sent);
        },
        seconds(20));
    return total;
  }

  // Stops the frontend (SIGTERM; SIGKILL after a grace) and returns how it ended.
  std::string StopFrontend() { return glet_.StopFrontend(); }
  void Stop() { glet_.Stop(); }

  ChildProcess& frontend() { return glet_.frontend(); }
  ChildProcess& backend(size_t i) { return glet_.backend(i); }
  const std::string& http() const { return glet_.http(); }
  const std::string& grpc() const { return glet_.grpc(); }
  const std::string& control() const { return glet_.control(); }
  const std::string& backend_address(size_t i) const { return glet_.backend_address(i); }
  const Env& env() const { return glet_.env(); }

 private:
  static ::testing::AssertionResult Check(const Status& s) {
    if (!s.ok()) {
      return ::testing::AssertionFailure() << s.message();
    }
    return ::testing::AssertionSuccess();
  }

  testing::GletDeployment glet_;
};

// A frontend with one backend of `devices` emulated ref-gpus, ready to serve.
class RefGpuServingTest : public ::testing::Test {
 protected:
  // `config` is a path in the source tree, or an absolute path with !config_in_source.
  ::testing::AssertionResult Start(const std::string& config, int devices = 1,
                                   const std::vector<std::string>& frontend_args = {},
                                   bool config_in_source = true) {
    std::vector<std::string> ids;
    for (int i = 0; i < devices; ++i) {
      ids.push_back("gpu" + std::to_string(i));
    }
    const std::string node = dir_.WriteFile("node.json", EmulatedNode("it", ids, "ref-gpu"));
    const std::string path = config_in_source ? testing::SourcePath(config) : config;
    if (auto r = deployment_.StartFrontend(path, frontend_args); !r) {
      return r;
    }
    if (auto r = deployment_.StartBackend(node); !r) {
      return r;
    }
    return deployment_.AwaitReady();
  }

  testing::TempDir dir_;
  Deployment deployment_;
};

// ---------------------------------------------------------------------------------------------
// 1. Steady load.

TEST_F(RefGpuServingTest, SteadyLoadServesAlmostEverythingAndAccountsForEveryRequest) {
  ASSERT_TRUE(Start("resource/serve/test-steady.json"));
  // The client's own timeout (default 10 x SLO: 50 ms for lenet1) is raised: on a test machine
  // busy with other tests a served lenet1 answer can take longer than that, and the client would
  // count it failed (its own DEADLINE_EXCEEDED). A server that never answered would still fail.
  ClientRun run = deployment_.Client({"--model", "resnet50:20", "--model", "lenet1:40",
                                      "--duration", "3", "--seed", "7", "--timeout-ms", "5000"});
  ExpectExactAccounting(run);
  // A modest load on an idle emulated device: nearly all of resnet50 (SLO 108 ms) is served.
  // lenet1's 5 ms SLO leaves no room for a busy test machine's scheduling delays, so some of it
  // may be dropped (slo_unreachable); none may fail.
  EXPECT_GE(ModelCount(run, "resnet50", "served"), ModelCount(run, "resnet50", "sent") * 9 / 10)
      << run.report.dump(2);
  EXPECT_GT(ModelCount(run, "lenet1", "served"), 0) << run.report.dump(2);
  for (const std::string model : {"resnet50", "lenet1"}) {
    const int64_t sent = ModelCount(run, model, "sent");
    EXPECT_GT(sent, 0) << model;
    EXPECT_EQ(ModelCount(run, model, "failed"), 0) << run.report.dump(2);
    // The frontend saw and finished exactly the requests the client sent.
    EXPECT_EQ(deployment_.AwaitFrontendTotal(model, sent), static_cast<double>(sent)) << model;
  }
  // SIGTERM drains and exits cleanly.
  EXPECT_EQ(deployment_.StopFrontend(), "exited with code 0");
}

// Several KServe loop threads (--grpc-threads): calls spread over their queues and batches
// complete on them in turn; every request is still accounted for exactly once.
TEST_F(RefGpuServingTest, SeveralKServeThreadsServeAndAccountExactly) {
  ASSERT_TRUE(Start("resource/serve/test-steady.json", 1, {"--grpc-threads", "3"}));
  std::set<std::string> loops;
  for (const std::filesystem::directory_entry& task : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(deployment_.frontend_pid()) + "/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind("glet-kserve-", 0) == 0) {
      loops.insert(name);
    }
  }
  EXPECT_EQ(loops, (std::set<std::string>{"glet-kserve-0", "glet-kserve-1", "glet-kserve-2"}));
  ClientRun run = deployment_.Client({"--model", "resnet50:20", "--model", "lenet1:40",
                                      "--duration", "2", "--seed", "3", "--timeout-ms", "5000"});
  ExpectExactAccounting(run);
  for (const std::string model : {"resnet50", "lenet1"}) {
    const int64_t sent = ModelCount(run, model, "sent");
    EXPECT_GT(sent, 0) << model;
    EXPECT_EQ(ModelCount(run, model, "failed"), 0) << run.report.dump(2);
    EXPECT_EQ(deployment_.AwaitFrontendTotal(model, sent), static_cast<double>(sent)) << model;
  }
  EXPECT_GE(ModelCount(run, "resnet50", "served"), ModelCount(run, "resnet50", "sent") * 9 / 10)
      << run.report.dump(2);
  EXPECT_EQ(deployment_.StopFrontend(), "exited with code 0");
}

// ---------------------------------------------------------------------------------------------
// KServe HTTP/JSON against the running frontend.

std::string LenetBody(const std::vector<int>& shape) {
  int64_t n = 1;
  for (int d : shape) {
    n *= d;
  }
  Json body;
  body["id"] = "req-1";
  Json input;
  input["name"] = "input";
  input["datatype"] = "FP32";
  input["shape"] = shape;
  input["data"] = std::vector<double>(static_cast<size_t>(n), 0.5);
  body["inputs"] = Json::array({input});
  return body.dump();
}

// Issue 17: there was no body limit (a 200 MB array took 7.3 GB). A body over
// --http-max-body-mib is refused with 413 before it is read; the server keeps serving.
TEST(KServeHttpTest, BodyOverTheLimitIs413) {
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json"),
                              {"--http-max-body-mib", "0.01"}));
  const std::string big = LenetBody({4, 1, 28, 28});  // ~25 KB of JSON > 10 KiB
  ASSERT_GT(big.size(), 10u * 1024);
  HttpReply reply = HttpPost(d.http(), "/v2/models/lenet1/infer", big);
  EXPECT_EQ(reply.status, 413) << reply.body;
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/live").status, 200);
}

// Sends `request` on a new connection to `address` and returns the first line of the answer ("" if
// none came within 10 s).
std::string RawHttp(const std::string& address, const std::string& request) {
  const testing::HostPort a = SplitAddress(address);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(a.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string line;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buf[512];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    line.assign(buf, n > 0 ? static_cast<size_t>(n) : 0);
    line = line.substr(0, line.find("\r\n"));
  }
  close(fd);
  return line;
}

// Issue 17: the body limit held only for bodies with a Content-Length. A chunked body was read
// whole whatever its size (300 MB took 1.4 GB), and a POST with neither header was read until the
// client closed. Both are now refused (411) before any body byte is read.
TEST(KServeHttpTest, BodiesWithoutALengthAreRefusedBeforeReading) {
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json"),
                              {"--http-max-body-mib", "1"}));
  const std::string chunked =
      "POST /v2/models/lenet1/infer HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "100000\r\n" +
      std::string(1 << 20, '1');  // one chunk of 1 MiB, and more would follow
  EXPECT_EQ(RawHttp(d.http(), chunked), "HTTP/1.1 411 Length Required");
  EXPECT_EQ(RawHttp(d.http(), "POST /v2/models/lenet1/infer HTTP/1.1\r\nHost: x\r\n\r\n[1"),
            "HTTP/1.1 411 Length Required");
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/live").status, 200);
  EXPECT_EQ(HttpPost(d.http(), "/v2/models/lenet1/infer", "{}").status, 400) << "bodies with a "
                                                                                "length still work";
}

// A frontend still waiting for backends ignored SIGTERM until --start-timeout-s ran out (120 s
// by default): it now stops at once, cleanly.
TEST(FrontendProcessTest, SigtermWhileWaitingForBackendsStopsCleanly) {
  Deployment d;
  // (The harness gives it --start-timeout-s 60, the stop a 15 s grace before SIGKILL.)
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/ready").status, 503);
  EXPECT_EQ(d.StopFrontend(), "exited with code 0");
}

// Issue 17: the control plane trusted anyone on the host: a forged Heartbeat moved glets to an
// impostor proxy, forged FAILED states turned requests into 503s, and RegisterBackend from
// anyone put a fake node into the plan. With a control token, every internal port (frontend
// control, backend, proxy) refuses a call without it, and the real processes still serve.
TEST(ControlPlaneTest, CallsWithoutTheTokenAreRefusedOnEveryInternalPort) {
  testing::TempDir dir;
  const std::string token_file = dir.WriteFile("token", "  s3cret-control-token \n");
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json"),
                              {"--control-token-file", token_file}));
  ASSERT_TRUE(d.StartBackend(dir.WriteFile("node.json", EmulatedNode("it", {"gpu0"}, "ref-gpu")),
                             {"--control-token-file", token_file}));
  ASSERT_TRUE(d.AwaitReady());

  auto call = [](auto method, const std::string& token) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    if (!token.empty()) {
      ctx.AddMetadata("authorization", "Bearer " + token);
    }
    return method(&ctx);
  };
  auto frontend = control::FrontendControl::NewStub(
      grpc::CreateChannel(d.control(), grpc::InsecureChannelCredentials()));
  control::HeartbeatRequest forged;
  forged.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  forged.set_backend_id("b1");  // the real backend's id, as /metrics shows it
  control::HeartbeatResponse beat;
  for (const std::string& token :
       {std::string(), std::string("wrong"), std::string("s3cret-control-token-and-more")}) {
    grpc::Status s =
        call([&](grpc::ClientContext* c) { return frontend->Heartbeat(c, forged, &beat); }, token);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << token << ": " << s.error_message();
  }
  control::RegisterBackendRequest fake;
  fake.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  fake.set_address("127.0.0.1:1");
  control::RegisterBackendResponse registered;
  EXPECT_EQ(
      call([&](grpc::ClientContext* c) { return frontend->RegisterBackend(c, fake, &registered); },
           "")
          .error_code(),
      grpc::StatusCode::UNAUTHENTICATED);

  auto backend = control::BackendControl::NewStub(
      grpc::CreateChannel(d.backend_address(0), grpc::InsecureChannelCredentials()));
  control::ListGletsRequest list;
  list.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  control::ListGletsResponse glets;
  EXPECT_EQ(call([&](grpc::ClientContext* c) { return backend->ListGlets(c, list, &glets); }, "")
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(call([&](grpc::ClientContext* c) { return backend->ListGlets(c, list, &glets); },
                   "s3cret-control-token")
                  .ok());
  ASSERT_GT(glets.glets_size(), 0);
  for (const control::GletInfo& g : glets.glets()) {
    auto proxy = control::Proxy::NewStub(
        grpc::CreateChannel(g.proxy_address(), grpc::InsecureChannelCredentials()));
    control::GetStatsRequest stats;
    stats.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    control::GetStatsResponse counters;
    EXPECT_EQ(call([&](grpc::ClientContext* c) { return proxy->GetStats(c, stats, &counters); }, "")
                  .error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << g.proxy_address();
  }

  // The real processes, holding the token, serve as before; the forged calls changed nothing.
  ClientRun run = d.Client({"--model", "lenet1:40", "--duration", "2", "--seed", "3"});
  ExpectExactAccounting(run);
  EXPECT_EQ(ModelCount(run, "lenet1", "served"), ModelCount(run, "lenet1", "sent"))
      << run.report.dump(2);
  EXPECT_EQ(MetricSum(d.Metrics(), "glet_replans_total", {"reason=\"backend_joined\""}), 0);
}

// A CA and certificates signed by it (for 127.0.0.1), made with openssl in `dir`.
struct TestPki {
  std::string ca, cert, key;          // the deployment's
  std::string other_cert, other_key;  // signed by another CA
};
TestPki MakePki(testing::TempDir& dir) {
  const std::string d = dir.path();
  auto run = [](const std::vector<std::string>& argv) {
    testing::CommandResult r = testing::RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << argv[1] << ": " << r.err;
  };
  const std::string ext = dir.WriteFile("ext.cnf",
                                        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                        "extendedKeyUsage=serverAuth,clientAuth\n");
  for (const std::string ca : {"ca", "other-ca"}) {
    run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         d + "/" + ca + ".key", "-out", d + "/" + ca + ".pem", "-days", "2", "-subj", "/CN=" + ca});
    const std::string node = ca == "ca" ? "node" : "other";
    run({"/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
         d + "/" + node + ".key", "-out", d + "/" + node + ".csr", "-subj", "/CN=" + node});
    run({"/usr/bin/openssl", "x509", "-req", "-in", d + "/" + node + ".csr", "-CA",
         d + "/" + ca + ".pem", "-CAkey", d + "/" + ca + ".key", "-CAcreateserial", "-out",
         d + "/" + node + ".pem", "-days", "2", "-extfile", ext});
  }
  return {d + "/ca.pem", d + "/node.pem", d + "/node.key", d + "/other.pem", d + "/other.key"};
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Issue 17: the internal ports spoke plaintext, so anyone on the network path could read the
// tensors and the control token. With --tls-*, the frontend's control port, the backend's port
// and every proxy speak mutual TLS: the processes serve as before, and a client that speaks
// plaintext, brings no certificate or one from another CA cannot even call.
TEST(ControlPlaneTest, MutualTlsGuardsEveryInternalPort) {
  testing::TempDir dir;
  const TestPki pki = MakePki(dir);
  const std::vector<std::string> tls = {"--tls-cert", pki.cert,   "--tls-key",
                                        pki.key,      "--tls-ca", pki.ca};
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json"), tls));
  ASSERT_TRUE(
      d.StartBackend(dir.WriteFile("node.json", EmulatedNode("it", {"gpu0"}, "ref-gpu")), tls));
  ASSERT_TRUE(d.AwaitReady());
  ClientRun run = d.Client({"--model", "lenet1:40", "--duration", "2", "--seed", "3"});
  ExpectExactAccounting(run);
  EXPECT_GT(ModelCount(run, "lenet1", "served"), 0) << run.report.dump(2);

  auto list_glets = [&](std::shared_ptr<grpc::ChannelCredentials> creds) {
    auto backend =
        control::BackendControl::NewStub(grpc::CreateChannel(d.backend_address(0), creds));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
    control::ListGletsRequest list;
    list.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    control::ListGletsResponse glets;
    grpc::Status s = backend->ListGlets(&ctx, list, &glets);
    return std::make_pair(s, glets);
  };
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = ReadText(pki.ca);
  grpc::SslCredentialsOptions foreign = no_cert;
  foreign.pem_cert_chain = ReadText(pki.other_cert);
  foreign.pem_private_key = ReadText(pki.other_key);
  grpc::SslCredentialsOptions member = no_cert;
  member.pem_cert_chain = ReadText(pki.cert);
  member.pem_private_key = ReadText(pki.key);
  EXPECT_FALSE(list_glets(grpc::InsecureChannelCredentials()).first.ok()) << "plaintext";
  EXPECT_FALSE(list_glets(grpc::SslCredentials(no_cert)).first.ok()) << "no client certificate";
  EXPECT_FALSE(list_glets(grpc::SslCredentials(foreign)).first.ok()) << "another CA's";
  auto [status, glets] = list_glets(grpc::SslCredentials(member));
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GT(glets.glets_size(), 0);
  for (const control::GletInfo& g : glets.glets()) {
    auto proxy = control::Proxy::NewStub(
        grpc::CreateChannel(g.proxy_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
    control::GetStatsRequest stats;
    stats.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    control::GetStatsResponse counters;
    EXPECT_FALSE(proxy->GetStats(&ctx, stats, &counters).ok()) << g.proxy_address();
  }
  auto frontend = control::FrontendControl::NewStub(
      grpc::CreateChannel(d.control(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
  control::HeartbeatRequest beat;
  control::HeartbeatResponse answer;
  EXPECT_EQ(frontend->Heartbeat(&ctx, beat, &answer).error_code(), grpc::StatusCode::UNAVAILABLE);
}

// Issue 17: the KServe ports could only be guarded by a gateway in front. With --kserve-tls-*,
// HTTP and gRPC speak TLS; with a client CA, only clients presenting a certificate it signed
// are served. (The plaintext client and a client without a certificate served before.)
TEST(KServeTlsTest, KServePortsServeOnlyOverTlsToClientsWithACertificate) {
  // This process is the HTTPS client: OpenSSL writes with write(2), and a server that refuses
  // the handshake closes the connection under it (SIGPIPE would end the test binary).
  serve::IgnoreSigpipe();
  testing::TempDir dir;
  const TestPki pki = MakePki(dir);
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json"),
                              {"--kserve-tls-cert", pki.cert, "--kserve-tls-key", pki.key,
                               "--kserve-tls-client-ca", pki.ca}));
  ASSERT_TRUE(d.StartBackend(dir.WriteFile("node.json", EmulatedNode("it", {"gpu0"}, "ref-gpu"))));
  ASSERT_TRUE(d.AwaitReady());
  const std::vector<std::string> load = {"--model", "lenet1:40", "--duration", "1", "--seed", "3"};
  auto with = [&](std::vector<std::string> tls) {
    tls.insert(tls.end(), load.begin(), load.end());
    return d.Client(tls);
  };
  ClientRun member = with({"--tls-ca", pki.ca, "--tls-cert", pki.cert, "--tls-key", pki.key});
  ExpectExactAccounting(member);
  EXPECT_GT(ModelCount(member, "lenet1", "served"), 0) << member.report.dump(2) << member.err;
  for (const auto& [why, tls] :
       {std::pair<std::string, std::vector<std::string>>{"plaintext", {}},
        {"no client certificate", {"--tls-ca", pki.ca}},
        {"another CA's certificate",
         {"--tls-ca", pki.ca, "--tls-cert", pki.other_cert, "--tls-key", pki.other_key}}}) {
    ClientRun refused = with(tls);
    ExpectExactAccounting(refused);
    EXPECT_GT(ModelCount(refused, "lenet1", "sent"), 0) << why;
    EXPECT_EQ(ModelCount(refused, "lenet1", "served"), 0) << why << ": " << refused.report.dump(2);
  }

  const testing::HostPort a = SplitAddress(d.http());
  auto https_get = [&](bool with_cert) {
    httplib::SSLClient client(a.host, a.port, with_cert ? pki.cert : std::string(),
                              with_cert ? pki.key : std::string());
    client.set_ca_cert_path(pki.ca.c_str());
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    httplib::Result res = client.Get("/v2/health/ready");
    return res ? res->status : 0;
  };
  EXPECT_EQ(https_get(true), 200);
  EXPECT_EQ(https_get(false), 0) << "no client certificate";
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/ready").status, 0) << "plaintext HTTP";
}

// Bad TLS flags: the process exits 2 naming the flag or file.
TEST(ControlPlaneTest, IncompleteOrUnreadableTlsFilesAreRefused) {
  testing::TempDir dir;
  const std::string not_pem = dir.WriteFile("cert.txt", "not a certificate\n");
  testing::CommandResult half = testing::RunGlet(
      {"frontend", "--config", testing::SourcePath("resource/serve/test-steady.json"), "--tls-cert",
       not_pem});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_THAT(half.err, HasSubstr("--tls-key: missing"));
  testing::CommandResult bad = testing::RunGlet(
      {"frontend", "--config", testing::SourcePath("resource/serve/test-steady.json"), "--tls-cert",
       not_pem, "--tls-key", not_pem, "--tls-ca", not_pem});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--tls-cert " + not_pem + ": holds no PEM block"));
  testing::CommandResult half_kserve = testing::RunGlet(
      {"frontend", "--config", testing::SourcePath("resource/serve/test-steady.json"),
       "--kserve-tls-cert", not_pem});
  EXPECT_EQ(half_kserve.exit_code, 2);
  EXPECT_THAT(half_kserve.err, HasSubstr("--kserve-tls-key: missing"));
  testing::CommandResult bad_kserve = testing::RunGlet(
      {"frontend", "--config", testing::SourcePath("resource/serve/test-steady.json"),
       "--kserve-tls-cert", not_pem, "--kserve-tls-key", not_pem});
  EXPECT_EQ(bad_kserve.exit_code, 2);
  EXPECT_THAT(bad_kserve.err, HasSubstr("--kserve-tls-cert " + not_pem + ": holds no PEM block"));
  testing::CommandResult client =
      testing::RunGlet({"client", "--tls-ca", not_pem, "--model", "lenet1:1", "--duration", "1"});
  EXPECT_EQ(client.exit_code, 2);
  EXPECT_THAT(client.err, HasSubstr("--tls-ca " + not_pem + ": holds no PEM block"));
}

// Exposing the control port beyond loopback without a token needs an explicit flag.
TEST(ControlPlaneTest, NonLoopbackControlWithoutTokenIsRefused) {
  testing::CommandResult r =
      testing::RunCommand({testing::GletBinary(), "frontend", "--config",
                           testing::SourcePath("resource/serve/test-steady.json"), "--control",
                           "0.0.0.0:0", "--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0"},
                          60);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--control 0.0.0.0: not a loopback address, and no control token"));
}

// Issue 17: JSON nested 30,000 deep (60 KB) cost 1.07 GB and was not answered; a body that
// nests deeper than an input's rank allows is now refused (400, KServe-shaped error) before it
// is parsed, as is a body naming a non-string id.
TEST(KServeHttpTest, DeepBodyIsRefusedBeforeParsing) {
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  const std::string deep = R"({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1],
      "data": )" + std::string(30000, '[') +
                           "1" + std::string(30000, ']') + "}]}";
  HttpReply reply = HttpPost(d.http(), "/v2/models/lenet1/infer", deep);
  EXPECT_EQ(reply.status, 400) << reply.body;
  Result<Json> error = ParseJson(reply.body, "reply");
  ASSERT_TRUE(error.ok()) << reply.body;
  EXPECT_THAT((*error)["error"].get<std::string>(), HasSubstr("nested deeper than 32 levels"));
  reply = HttpPost(d.http(), "/v2/models/lenet1/infer", R"({"id": 7, "inputs": []})");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("/id: must be a string"));
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/live").status, 200);
}

// Issue 17: eight slow connections (slowloris) blocked every HTTP endpoint, health included: the
// server had eight threads, each held for as long as its client trickled bytes. 32 such clients
// now hold 32 of up to --http-max-connections threads, and health and metrics still answer.
TEST(KServeHttpTest, SlowClientsDoNotStarveHealthOrMetrics) {
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  const testing::HostPort a = SplitAddress(d.http());
  std::vector<int> slow;
  for (int i = 0; i < 32; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(a.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    const std::string start = "GET /v2/health/live HTTP/1.1\r\nHost: x\r\n";
    ASSERT_EQ(send(fd, start.data(), start.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(start.size()));
    slow.push_back(fd);
  }
  // Each slow client sends one more header byte a second, within the server's read timeout.
  std::atomic<bool> done{false};
  std::thread trickle([&] {
    for (int t = 0; t < 20 && !done.load(); ++t) {
      for (int fd : slow) {
        send(fd, "X", 1, MSG_NOSIGNAL);
      }
      std::this_thread::sleep_for(seconds(1));
    }
  });
  std::this_thread::sleep_for(seconds(2));
  httplib::Client client(a.host, a.port);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);  // before the fix: no answer until the slow clients stop
  httplib::Result live = client.Get("/v2/health/live");
  httplib::Result metrics = client.Get("/metrics");
  done = true;
  trickle.join();
  for (int fd : slow) {
    close(fd);
  }
  ASSERT_TRUE(live) << httplib::to_string(live.error());
  EXPECT_EQ(live->status, 200);
  ASSERT_TRUE(metrics) << httplib::to_string(metrics.error());
  EXPECT_EQ(metrics->status, 200);
}

// Issue 16: metadata listed version "1", but /v2/models/{m}/versions/1 and .../versions/1/infer
// were 404, gRPC accepted any model_version and echoed it, and a tritonclient.http request (the
// binary tensor extension, on by default) got a 500 with an exception text in a header.
TEST(KServeHttpTest, VersionOneIsServedOtherVersionsAreNotFound) {
  testing::TempDir dir;
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  ASSERT_TRUE(d.StartBackend(dir.WriteFile("node.json", EmulatedNode("it", {"gpu0"}, "ref-gpu"))));
  ASSERT_TRUE(d.AwaitReady());
  EXPECT_EQ(HttpGet(d.http(), "/v2/models/lenet1/versions/1").status, 200);
  EXPECT_EQ(HttpGet(d.http(), "/v2/models/lenet1/versions/1/ready").status, 200);
  HttpReply reply = HttpGet(d.http(), "/v2/models/lenet1/versions/2");
  EXPECT_EQ(reply.status, 404);
  EXPECT_THAT(reply.body, HasSubstr("model 'lenet1' has no version '2' (it serves version 1)"));
  reply = HttpPost(d.http(), "/v2/models/lenet1/versions/1/infer", LenetBody({1, 1, 28, 28}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  Result<Json> served = ParseJson(reply.body, "reply");
  ASSERT_TRUE(served.ok());
  EXPECT_EQ((*served)["model_version"], "1");
  EXPECT_EQ(
      HttpPost(d.http(), "/v2/models/lenet1/versions/7/infer", LenetBody({1, 1, 28, 28})).status,
      404);

  // The binary tensor data extension, as tritonclient.http sends by default: binary input, and
  // the output asked for as binary (this was a 500 with an exception text in a header).
  const testing::HostPort a = SplitAddress(d.http());
  httplib::Client client(a.host, a.port);
  const std::string header = R"({"inputs": [{"name": "input", "datatype": "FP32",
      "shape": [1, 1, 28, 28], "parameters": {"binary_data_size": 3136}}],
      "outputs": [{"name": "output", "parameters": {"binary_data": true}}]})";
  const std::vector<float> pixels(28 * 28, 0.5f);
  std::string body = header;
  body.append(reinterpret_cast<const char*>(pixels.data()), pixels.size() * sizeof(float));
  httplib::Result res =
      client.Post("/v2/models/lenet1/infer",
                  {{"Inference-Header-Content-Length", std::to_string(header.size())}}, body,
                  "application/octet-stream");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ASSERT_TRUE(res->has_header("Inference-Header-Content-Length"));
  const size_t json_size = std::stoul(res->get_header_value("Inference-Header-Content-Length"));
  ASSERT_LE(json_size, res->body.size());
  Result<Json> head = ParseJson(res->body.substr(0, json_size), "reply");
  ASSERT_TRUE(head.ok()) << res->body;
  EXPECT_EQ((*head)["outputs"][0]["name"], "output");
  EXPECT_EQ((*head)["outputs"][0]["parameters"]["binary_data_size"], 40);  // [1, 10] FP32
  EXPECT_EQ(res->body.size() - json_size, 40u);
  // An output the model does not have is named in a 400 (it was ignored: 200, every output).
  Result<Json> unknown = ParseJson(LenetBody({1, 1, 28, 28}), "body");
  ASSERT_TRUE(unknown.ok());
  (*unknown)["outputs"] = Json::array({{{"name", "logits"}}});
  reply = HttpPost(d.http(), "/v2/models/lenet1/infer", unknown->dump());
  EXPECT_EQ(reply.status, 400);
  EXPECT_THAT(reply.body, HasSubstr("model 'lenet1' has no output 'logits' (it has: output)"));

  // Triton's model configuration and statistics (perf_analyzer and tritonclient read them; they
  // were 404).
  reply = HttpGet(d.http(), "/v2/models/lenet1/config");
  ASSERT_EQ(reply.status, 200) << reply.body;
  Result<Json> config = ParseJson(reply.body, "config");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ((*config)["name"], "lenet1");
  EXPECT_EQ((*config)["max_batch_size"], 32);
  EXPECT_EQ((*config)["input"][0]["data_type"], "TYPE_FP32");
  EXPECT_EQ((*config)["input"][0]["dims"], Json::array({1, 28, 28}));
  EXPECT_EQ(HttpGet(d.http(), "/v2/models/lenet1/versions/1/config").status, 200);
  EXPECT_EQ(HttpGet(d.http(), "/v2/models/nosuch/config").status, 404);
  reply = HttpGet(d.http(), "/v2/models/lenet1/stats");
  ASSERT_EQ(reply.status, 200) << reply.body;
  Result<Json> stats = ParseJson(reply.body, "stats");
  ASSERT_TRUE(stats.ok());
  const Json& lenet = (*stats)["model_stats"][0];
  EXPECT_EQ(lenet["name"], "lenet1");
  EXPECT_EQ(lenet["inference_stats"]["success"]["count"], 2);  // the two served above
  EXPECT_GT(lenet["inference_stats"]["success"]["ns"].get<int64_t>(), 0);
  EXPECT_EQ(lenet["inference_count"], 2);
  EXPECT_GE(lenet["execution_count"].get<int64_t>(), 1);

  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(d.grpc(), grpc::InsecureChannelCredentials()));
  inference::ModelInferRequest request;
  request.set_model_name("lenet1");
  request.set_model_version("7");
  inference::ModelInferResponse response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
  grpc::Status s = stub->ModelInfer(&ctx, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("has no version '7'"));
  inference::ModelMetadataRequest meta;
  meta.set_name("lenet1");
  meta.set_version("1");
  inference::ModelMetadataResponse meta_response;
  grpc::ClientContext meta_ctx;
  EXPECT_TRUE(stub->ModelMetadata(&meta_ctx, meta, &meta_response).ok());

  // The same configuration and statistics over gRPC (Triton's ModelConfig and ModelStatistics,
  // which tritonclient.grpc calls; they were UNIMPLEMENTED).
  inference::ModelConfigRequest config_request;
  config_request.set_name("lenet1");
  inference::ModelConfigResponse config_response;
  grpc::ClientContext config_ctx;
  s = stub->ModelConfig(&config_ctx, config_request, &config_response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const inference::ModelConfig& grpc_config = config_response.config();
  EXPECT_EQ(grpc_config.name(), "lenet1");
  EXPECT_EQ(grpc_config.max_batch_size(), 32);
  ASSERT_EQ(grpc_config.input_size(), 1);
  EXPECT_EQ(grpc_config.input(0).data_type(), inference::TYPE_FP32);
  EXPECT_THAT(grpc_config.input(0).dims(), ::testing::ElementsAre(1, 28, 28));
  EXPECT_EQ(grpc_config.parameters().count("slo_ms"), 1u);
  config_request.set_name("nosuch");
  grpc::ClientContext missing_ctx;
  EXPECT_EQ(stub->ModelConfig(&missing_ctx, config_request, &config_response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  inference::ModelStatisticsRequest stats_request;
  stats_request.set_name("lenet1");
  inference::ModelStatisticsResponse stats_response;
  grpc::ClientContext stats_ctx;
  s = stub->ModelStatistics(&stats_ctx, stats_request, &stats_response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(stats_response.model_stats_size(), 1);
  EXPECT_EQ(stats_response.model_stats(0).inference_count(), 2u);
  EXPECT_EQ(stats_response.model_stats(0).inference_stats().success().count(), 2u);
  stats_request.set_name("");  // every model
  inference::ModelStatisticsResponse all_stats;
  grpc::ClientContext all_ctx;
  ASSERT_TRUE(stub->ModelStatistics(&all_ctx, stats_request, &all_stats).ok());
  EXPECT_GE(all_stats.model_stats_size(), 2);
}

// grpc.health.v1.Health/Check for `service` over a generic stub (the health proto's C++ code is
// not installed): the status enum (0 unknown, 1 SERVING, 2 NOT_SERVING), or -1 with `error` set.
int GrpcHealth(const std::string& address, const std::string& service, std::string* error) {
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  std::string request;  // HealthCheckRequest{service = 1}
  if (!service.empty()) {
    request = std::string(1, '\x0a') + static_cast<char>(service.size()) + service;
  }
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1);
  grpc::ByteBuffer out;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &in, &out,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status s = done.get_future().get();
  if (!s.ok()) {
    *error = s.error_message();
    return -1;
  }
  std::vector<grpc::Slice> slices;
  (void)out.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& sl : slices) {
    bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  }
  // HealthCheckResponse{status = 1}: "\x08 <status>", or empty for 0.
  return bytes.size() == 2 && bytes[0] == '\x08' ? bytes[1] : 0;
}

// Issue 16: Kubernetes' native gRPC probes call grpc.health.v1.Health, which was missing.
TEST(KServeGrpcTest, HealthServiceFollowsReadiness) {
  testing::TempDir dir;
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  std::string error;
  EXPECT_EQ(GrpcHealth(d.grpc(), "", &error), 1) << error;  // live
  EXPECT_EQ(GrpcHealth(d.grpc(), "inference.GRPCInferenceService", &error), 2) << error;
  ASSERT_TRUE(d.StartBackend(dir.WriteFile("node.json", EmulatedNode("it", {"gpu0"}, "ref-gpu"))));
  ASSERT_TRUE(d.AwaitReady());
  EXPECT_EQ(GrpcHealth(d.grpc(), "inference.GRPCInferenceService", &error), 1) << error;
  EXPECT_EQ(GrpcHealth(d.grpc(), "no.such.Service", &error), -1);  // NOT_FOUND
}

// Issue 16: grpcurl and other reflection clients could not list or describe the KServe API
// without its proto file. The frontend serves gRPC server reflection. (The reflection proto's
// generated classes are not installed, so the call is made with raw bytes: a
// ServerReflectionRequest with list_services (field 7) set to "".)
TEST(KServeGrpcTest, ServerReflectionListsTheInferenceService) {
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  auto channel = grpc::CreateChannel(d.grpc(), grpc::InsecureChannelCredentials());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
  const grpc::internal::RpcMethod method(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), method, &ctx));
  const std::string list_services("\x3a\x00", 2);  // field 7, length-delimited, empty
  grpc::Slice slice(list_services);
  grpc::ByteBuffer request(&slice, 1);
  ASSERT_TRUE(stream->Write(request));
  stream->WritesDone();
  grpc::ByteBuffer response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& part : slices) {
    bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
  EXPECT_THAT(bytes, HasSubstr("inference.GRPCInferenceService"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
  while (stream->Read(&response)) {
  }
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST(KServeHttpTest, HealthMetadataInferErrorsAndMetrics) {
  testing::TempDir dir;
  Deployment d;
  ASSERT_TRUE(d.StartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  // Live at once; not ready before any backend has joined.
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/live").status, 200);
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/ready").status, 503);
  EXPECT_EQ(HttpGet(d.http(), "/v2/glet/plan").status, 503);
  ASSERT_TRUE(d.StartBackend(dir.WriteFile("node.json", EmulatedNode("it", {"gpu0"}, "ref-gpu"))));
  ASSERT_TRUE(d.AwaitReady());
  EXPECT_EQ(HttpGet(d.http(), "/v2/health/ready").status, 200);
  EXPECT_EQ(HttpGet(d.http(), "/v2/models/lenet1/ready").status, 200);

  // The plan in force, and where each glet runs.
  HttpReply plan = HttpGet(d.http(), "/v2/glet/plan");
  ASSERT_EQ(plan.status, 200) << plan.body;
  Result<Json> view = ParseJson(plan.body, "plan");
  ASSERT_TRUE(view.ok()) << plan.body;
  EXPECT_EQ((*view)["epoch"], 1) << plan.body;
  EXPECT_EQ((*view)["reason"], "start") << plan.body;
  EXPECT_EQ((*view)["planned_rates_rps"], Json({{"lenet1", 40.0}, {"resnet50", 20.0}}));
  EXPECT_EQ((*view)["plan"]["policy"], "glet") << plan.body;
  std::set<std::string> planned_models;
  ASSERT_FALSE((*view)["glets"].empty()) << plan.body;
  for (const Json& g : (*view)["glets"]) {
    EXPECT_EQ(g["device"], "gpu0") << g.dump();
    EXPECT_TRUE(g["up"].get<bool>()) << g.dump();
    EXPECT_GT(g["partition_percent"].get<int>(), 0) << g.dump();
    for (const Json& m : g["models"]) {
      EXPECT_GT(m["batch"].get<int>(), 0) << g.dump();
      planned_models.insert(m["model"].get<std::string>());
    }
  }
  EXPECT_EQ(planned_models, (std::set<std::string>{"lenet1", "resnet50"}));

  HttpReply meta = HttpGet(d.http(), "/v2/models/resnet50");
  ASSERT_EQ(meta.status, 200) << meta.body;
  Result<Json> doc = ParseJson(meta.body, "metadata");
  ASSERT_TRUE(doc.ok()) << meta.body;
  EXPECT_EQ((*doc)["name"], "resnet50");
  ASSERT_EQ((*doc)["inputs"].size(), 1u) << meta.body;
  EXPECT_EQ((*doc)["inputs"][0]["datatype"], "FP32");
  EXPECT_EQ((*doc)["inputs"][0]["shape"], Json({-1, 3, 224, 224}));
  EXPECT_EQ(HttpGet(d.http(), "/v2/models/nosuch").status, 404);

  // lenet1's SLO is 5 ms: on a busy machine a request may be dropped (503 slo_unreachable, or
  // 504 deadline_expired when it waited too long at the glet); a correct request is served
  // within a few tries.
  HttpReply ok;
  for (int attempt = 0; attempt < 20; ++attempt) {
    ok = HttpPost(d.http(), "/v2/models/lenet1/infer", LenetBody({1, 1, 28, 28}));
    if (ok.status != 503 && ok.status != 504) {
      break;
    }
    EXPECT_THAT(ok.body, HasSubstr("\"outcome\":\"dropped\""));
  }
  ASSERT_EQ(ok.status, 200) << ok.body;
  Result<Json> out = ParseJson(ok.body, "infer response");
  ASSERT_TRUE(out.ok()) << ok.body;
  EXPECT_EQ((*out)["model_name"], "lenet1");
  EXPECT_EQ((*out)["id"], "req-1");
  ASSERT_EQ((*out)["outputs"].size(), 1u) << ok.body;
  EXPECT_EQ((*out)["outputs"][0]["shape"], Json({1, 10}));
  EXPECT_EQ((*out)["outputs"][0]["data"].size(), 10u);

  HttpReply bad_shape = HttpPost(d.http(), "/v2/models/lenet1/infer", LenetBody({1, 1, 28, 27}));
  EXPECT_EQ(bad_shape.status, 400) << bad_shape.body;
  EXPECT_THAT(bad_shape.body, HasSubstr("input 'input'"));
  HttpReply bad_json = HttpPost(d.http(), "/v2/models/lenet1/infer", "{\"inputs\": [");
  EXPECT_EQ(bad_json.status, 400) << bad_json.body;
  // A number too large for a double: 400 naming it (it was a 500 with an empty body).
  HttpReply huge = HttpPost(d.http(), "/v2/models/lenet1/infer",
                            R"({"inputs": [{"name": "input", "shape": [1, 1, 28, 28], )"
                            R"("datatype": "FP32", "data": [1e400]}]})");
  EXPECT_EQ(huge.status, 400) << huge.body;
  EXPECT_THAT(huge.body, HasSubstr("number overflow")) << huge.body;
  HttpReply unknown = HttpPost(d.http(), "/v2/models/nosuch/infer", LenetBody({1, 1, 28, 28}));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_THAT(unknown.body, HasSubstr("nosuch"));

  const std::string metrics = d.Metrics();
  EXPECT_THAT(metrics, HasSubstr("glet_requests_total"));
  EXPECT_EQ(MetricSum(metrics, "glet_requests_total", {"model=\"lenet1\"", "outcome=\"served\""}),
            1);
  // The standard process metrics of the frontend (issue 16).
  EXPECT_GT(MetricSum(metrics, "process_resident_memory_bytes", {}), 1 << 20) << metrics;
  EXPECT_GT(MetricSum(metrics, "process_cpu_seconds_total", {}), 0) << metrics;
  EXPECT_GT(MetricSum(metrics, "process_open_fds", {}), 3) << metrics;
}

// ---------------------------------------------------------------------------------------------
// 2. A rate step re-plans.

TEST_F(RefGpuServingTest, RateStepTriggersReplanAndAccountingStaysExact) {
  ASSERT_TRUE(Start("resource/serve/test-replan.json"));
  const std::vector<pid_t> proxies = ChildrenOf(deployment_.backend(0).pid());
  ASSERT_FALSE(proxies.empty());
  // 50 rps (the planned rate) for 2 s, then 85 rps for 7 s (a rise re-plans once it held for
  // 2 s above the EWMA's noise).
  const std::string trace = dir_.WriteFile("trace.csv", "second,rps\n0,50\n2,85\n8,85\n");
  auto client = std::async(std::launch::async, [&] {
    return deployment_.Client({"--trace", "lenet1=" + trace, "--seed", "3"});
  });
  std::string metrics;
  const bool replanned = PollUntil(
      [&] {
        metrics = deployment_.Metrics();
        return MetricSum(metrics, "glet_plan_epoch") >= 2 &&
               MetricSum(metrics, "glet_replans_total",
                         {"reason=\"rate_change\"", "result=\"applied\""}) >= 1;
      },
      seconds(30));
  ClientRun run = client.get();
  EXPECT_TRUE(replanned) << metrics;
  ExpectExactAccounting(run);
  const int64_t sent = ModelCount(run, "lenet1", "sent");
  EXPECT_GT(sent, 250);
  EXPECT_GT(ModelCount(run, "lenet1", "served"), 0);
  EXPECT_EQ(deployment_.AwaitFrontendTotal("lenet1", sent), static_cast<double>(sent));
  // lenet1 (capped at batch 1 by the config) gets one 20% glet at any of these rates (its 5 ms
  // SLO keeps the glet small): the new plan differs only in planned rate and duty cycle, so the
  // running proxy is kept, not restarted.
  EXPECT_EQ(ChildrenOf(deployment_.backend(0).pid()), proxies);
}

TEST_F(RefGpuServingTest, IdleServerDoesNotReplan) {
  // Epochs of 2 s: before re-planning went on evidence, the idle lenet1 was re-planned "from 50
  // to 0" at the first epoch, then "from 1 to 0" at every epoch after it.
  ASSERT_TRUE(Start("resource/serve/test-replan.json"));
  const std::vector<pid_t> proxies = ChildrenOf(deployment_.backend(0).pid());
  std::this_thread::sleep_for(seconds(9));
  const std::string metrics = deployment_.Metrics();
  EXPECT_EQ(MetricSum(metrics, "glet_plan_epoch"), 1) << metrics;
  EXPECT_EQ(MetricSum(metrics, "glet_replans_total", {"reason=\"rate_change\""}), 0) << metrics;
  EXPECT_EQ(ChildrenOf(deployment_.backend(0).pid()), proxies);
}

// Issue 17: the only backend killed with -9 and started again was not planned onto (its
// repair plan failed with "no devices" before the failed-plan state was set, so the join
// triggered nothing; service came back only when a rate moved).
TEST_F(RefGpuServingTest, RestartedBackendIsPlannedOntoAgain) {
  ASSERT_TRUE(Start("resource/serve/test-steady.json"));
  const std::string node = dir_.path() + "/node.json";
  ASSERT_EQ(kill(deployment_.backend(0).pid(), SIGKILL), 0);
  std::string metrics;
  const bool lost = PollUntil(
      [&] {
        metrics = deployment_.Metrics();
        return MetricSum(metrics, "glet_replans_total",
                         {"reason=\"backend_lost\"", "result=\"no_devices\""}) >= 1;
      },
      seconds(30));
  ASSERT_TRUE(lost) << "the failed repair plan is counted: " << metrics;
  ASSERT_TRUE(deployment_.StartBackend(node));
  const bool joined = PollUntil(
      [&] {
        metrics = deployment_.Metrics();
        return MetricSum(metrics, "glet_replans_total",
                         {"reason=\"backend_joined\"", "result=\"applied\""}) >= 1;
      },
      seconds(30));
  ASSERT_TRUE(joined) << metrics;
  ClientRun run = deployment_.Client(
      {"--model", "resnet50:20", "--duration", "2", "--seed", "5", "--timeout-ms", "5000"});
  ExpectExactAccounting(run);
  EXPECT_GE(ModelCount(run, "resnet50", "served"), ModelCount(run, "resnet50", "sent") * 9 / 10)
      << run.report.dump(2);
}

// Issue 16: the `timeout` request parameter (microseconds, as Triton's clients send it) was
// ignored. Over HTTP and gRPC, a timeout too short for the model is dropped at once with its
// reason, a long one is served, and a timeout of the wrong type is a client error.
TEST_F(RefGpuServingTest, TimeoutParameterBoundsTheDeadlineOverHttpAndGrpc) {
  ASSERT_TRUE(Start("resource/serve/test-steady.json"));
  Result<Json> body = ParseJson(LenetBody({1, 1, 28, 28}), "body");
  ASSERT_TRUE(body.ok());
  (*body)["parameters"] = {{"timeout", 1}};
  HttpReply reply = HttpPost(deployment_.http(), "/v2/models/lenet1/infer", body->dump());
  EXPECT_NE(reply.status, 200) << reply.body;
  // (Expired on arrival, or unreachable: either way dropped at once, before any device time.)
  EXPECT_THAT(reply.body, ::testing::AnyOf(HasSubstr("\"drop_reason\":\"deadline_expired\""),
                                           HasSubstr("\"drop_reason\":\"slo_unreachable\"")));
  (*body)["parameters"] = {{"timeout", 10000000}};
  reply = HttpPost(deployment_.http(), "/v2/models/lenet1/infer", body->dump());
  EXPECT_EQ(reply.status, 200) << reply.body;
  (*body)["parameters"] = {{"timeout", -3}};
  reply = HttpPost(deployment_.http(), "/v2/models/lenet1/infer", body->dump());
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("/parameters/timeout"));

  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(deployment_.grpc(), grpc::InsecureChannelCredentials()));
  auto infer = [&](const std::function<void(inference::InferParameter&)>& set,
                   std::string* drop_reason) {
    inference::ModelInferRequest request = LenetGrpcRequest("lenet1", "");
    set((*request.mutable_parameters())["timeout"]);
    inference::ModelInferResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    const grpc::Status s = stub->ModelInfer(&ctx, request, &response);
    auto reason = ctx.GetServerTrailingMetadata().find("glet-drop-reason");
    if (reason != ctx.GetServerTrailingMetadata().end()) {
      *drop_reason = std::string(reason->second.data(), reason->second.size());
    }
    return s;
  };
  std::string reason;
  grpc::Status s = infer([](inference::InferParameter& p) { p.set_int64_param(1); }, &reason);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(reason, ::testing::AnyOf("deadline_expired", "slo_unreachable"));
  reason.clear();
  s = infer([](inference::InferParameter& p) { p.set_uint64_param(10000000); }, &reason);
  EXPECT_TRUE(s.ok()) << s.error_message();
  s = infer([](inference::InferParameter& p) { p.set_string_param("soon"); }, &reason);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("parameters.timeout"));
}

// Issue 16: ModelStreamInfer (Triton's streaming call, which tritonclient's stream API and
// perf_analyzer --streaming use) was missing. Over one stream: every request gets one response
// carrying its id, a bad one an error_message while the stream goes on, and the call ends OK
// after the client closes its side.
TEST_F(RefGpuServingTest, StreamInferAnswersEveryRequestOnTheStream) {
  ASSERT_TRUE(Start("resource/serve/test-steady.json"));
  auto stub = inference::GRPCInferenceService::NewStub(
      grpc::CreateChannel(deployment_.grpc(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(30));
  auto stream = stub->ModelStreamInfer(&ctx);
  std::set<std::string> sent;
  for (int i = 0; i < 6; ++i) {
    const inference::ModelInferRequest request =
        LenetGrpcRequest(i == 3 ? "nosuch" : "lenet1", "s" + std::to_string(i));
    ASSERT_TRUE(stream->Write(request)) << i;
    sent.insert(request.id());
  }
  ASSERT_TRUE(stream->WritesDone());
  std::set<std::string> answered;
  int served = 0;
  inference::ModelStreamInferResponse response;
  while (stream->Read(&response)) {
    const std::string id = response.infer_response().id();
    EXPECT_TRUE(answered.insert(id).second) << "answered twice: " << id;
    if (id == "s3") {
      EXPECT_THAT(response.error_message(), HasSubstr("nosuch"));
    } else if (response.error_message().empty()) {
      ++served;
      ASSERT_EQ(response.infer_response().outputs_size(), 1) << id;
      EXPECT_EQ(response.infer_response().model_name(), "lenet1");
    } else {
      // Dropped (a lenet1 request may miss its 5 ms SLO on a busy machine): with its reason.
      EXPECT_THAT(response.error_message(), HasSubstr("lenet1")) << id;
    }
  }
  const grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(answered, sent);
  EXPECT_GT(served, 0);

  // A client that goes away with requests in flight, and one that keeps an idle stream open
  // while the frontend stops: the frontend keeps serving, then exits cleanly.
  {
    grpc::ClientContext gone;
    auto abandoned = stub->ModelStreamInfer(&gone);
    const inference::ModelInferRequest request = LenetGrpcRequest("lenet1", "gone");
    for (int i = 0; i < 3; ++i) {
      abandoned->Write(request);
    }
    gone.TryCancel();
    abandoned->Finish();
  }
  const HttpReply after =
      HttpPost(deployment_.http(), "/v2/models/lenet1/infer", LenetBody({1, 1, 28, 28}));
  EXPECT_NE(after.status, 0) << "the frontend still answers";
  grpc::ClientContext idle_ctx;
  auto idle = stub->ModelStreamInfer(&idle_ctx);
  EXPECT_EQ(deployment_.StopFrontend(), "exited with code 0");
}

// Issue 17: a frontend killed with -9 and started again on its ports counted plan epochs from 1
// again; its backend, which refuses plans older than the one it runs, refused the first plan and
// the new frontend exited. It now plans past the backend's epoch and serves again.
TEST_F(RefGpuServingTest, RestartedFrontendServesAgainOnTheSamePorts) {
  ASSERT_TRUE(Start("resource/serve/test-steady.json"));
  const std::string grpc_before = deployment_.grpc();
  ASSERT_EQ(kill(deployment_.frontend_pid(), SIGKILL), 0);
  ASSERT_TRUE(deployment_.frontend().WaitForExit(seconds(10)));
  ASSERT_TRUE(deployment_.RestartFrontend(testing::SourcePath("resource/serve/test-steady.json")));
  EXPECT_EQ(deployment_.grpc(), grpc_before);
  ASSERT_TRUE(deployment_.AwaitReady()) << "the backend registers again and is planned onto";
  ClientRun run = deployment_.Client(
      {"--model", "resnet50:20", "--duration", "2", "--seed", "6", "--timeout-ms", "5000"});
  ExpectExactAccounting(run);
  EXPECT_GE(ModelCount(run, "resnet50", "served"), ModelCount(run, "resnet50", "sent") * 9 / 10)
      << run.report.dump(2);
  EXPECT_GT(deployment_.Metric("glet_plan_epoch"), 1) << "planned past the backend's epoch";
}

// Issue 13: the backend polled its proxies' counters one after another before each report, over
// a new connection each. With a dozen busy proxies that took seconds, the next heartbeat came
// after the frontend's 3 s timeout, and the frontend declared the backend lost (and planned its
// glets away) under load. Here every proxy hangs (SIGSTOP): each poll runs to its deadline, and
// the backend must still heartbeat in time.
TEST_F(RefGpuServingTest, HangingProxiesDoNotSilenceTheBackend) {
  std::string models;
  for (const char* m :
       {"lenet1", "lenet2", "lenet3", "lenet4", "lenet5", "lenet6", "googlenet", "resnet50",
        "mobilenet_v2", "mnasnet1_0", "vgg16", "densenet161", "ssd-mobilenetv1", "bert"}) {
    models +=
        std::string(models.empty() ? "" : ", ") + R"({"name": ")" + m + R"(", "rate_rps": 150})";
  }
  const std::string config = dir_.WriteFile(
      "many.json", R"({"models": [)" + models +
                       R"(], "policy": "glet", "epoch_s": 60, "min_devices": 4, "node": ")" +
                       testing::SourcePath("resource/devices/ref-gpu-x4.json") + "\"}");
  ASSERT_TRUE(Start(config, 4, {}, /*config_in_source=*/false));
  const std::vector<pid_t> proxies = ChildrenOf(deployment_.backend(0).pid());
  ASSERT_GE(proxies.size(), 10u) << "the plan should run a proxy per glet";
  struct Resume {  // the proxies run again whatever the test does, so the guard can stop them
    const std::vector<pid_t>& pids;
    ~Resume() {
      for (pid_t p : pids) {
        kill(p, SIGCONT);
      }
    }
  } resume{proxies};
  for (pid_t p : proxies) {
    ASSERT_EQ(kill(p, SIGSTOP), 0);
  }
  std::this_thread::sleep_for(seconds(9));  // three heartbeat timeouts
  const std::string metrics = deployment_.Metrics();
  EXPECT_EQ(MetricSum(metrics, "glet_replans_total", {"reason=\"backend_lost\""}), 0) << metrics;
  EXPECT_EQ(MetricSum(metrics, "glet_plan_epoch"), 1) << metrics;
}

// ---------------------------------------------------------------------------------------------
// 3. A proxy killed mid-load is restarted; no request is lost; the model is served again.

TEST_F(RefGpuServingTest, KilledProxyLosesNoRequestAndIsServedAgainAfterRestart) {
  ASSERT_TRUE(Start("resource/serve/test-steady.json"));
  const pid_t backend = deployment_.backend(0).pid();
  const std::vector<pid_t> before = ChildrenOf(backend);
  ASSERT_FALSE(before.empty()) << "the backend runs no proxy";

  auto client = std::async(std::launch::async, [&] {
    return deployment_.Client({"--model", "lenet1:100", "--duration", "4", "--seed", "5"});
  });
  // Mid-load: once the frontend has served some of this run's requests.
  const bool loaded = PollUntil(
      [&] {
        return deployment_.Metric("glet_requests_total",
                                  {"model=\"lenet1\"", "outcome=\"served\""}) >= 50;
      },
      seconds(20));
  EXPECT_TRUE(loaded);
  for (pid_t proxy : before) {
    ASSERT_EQ(kill(proxy, SIGKILL), 0) << "proxy " << proxy;
  }
  ClientRun run = client.get();
  ExpectExactAccounting(run);
  const int64_t sent = ModelCount(run, "lenet1", "sent");
  EXPECT_GT(ModelCount(run, "lenet1", "served"), 0);
  EXPECT_EQ(deployment_.AwaitFrontendTotal("lenet1", sent), static_cast<double>(sent));

  // The backend restarts the proxies (new pids); the controller routes to them again.
  const bool restarted = PollUntil(
      [&] {
        std::vector<pid_t> now = ChildrenOf(backend);
        if (now.size() < before.size()) {
          return false;
        }
        for (pid_t p : now) {
          if (std::find(before.begin(), before.end(), p) != before.end()) {
            return false;
          }
        }
        return HttpGet(deployment_.http(), "/v2/models/lenet1/ready").status == 200 &&
               deployment_.Metric("glet_glet_up") >= 1;
      },
      seconds(30));
  ASSERT_TRUE(restarted) << deployment_.Metrics();
  // A generous client timeout, as in the steady-load test: a slow answer is not a failure here.
  ClientRun after = deployment_.Client(
      {"--model", "lenet1:20", "--duration", "1", "--seed", "6", "--timeout-ms", "5000"});
  ExpectExactAccounting(after);
  EXPECT_GT(ModelCount(after, "lenet1", "served"), 0) << after.report.dump(2);
  EXPECT_EQ(ModelCount(after, "lenet1", "failed"), 0) << after.report.dump(2);
}

// ---------------------------------------------------------------------------------------------
// Tests on the slow-gpu profile (capacity ~50 rps of `slowpoke` per device, ~30 rps planned with
// the burst margin).

// Latency of `slowpoke` on a whole slow-gpu: 40 + 10 * batch ms, batches 1..4.
constexpr char kSlowManifest[] = R"({"models": [
  {"name": "slowpoke", "file": "slowpoke.pt",
   "input": {"name": "input", "dtype": "FP32", "shape": [4]},
   "output": {"name": "output", "dtype": "FP32", "shape": [2]},
   "slo_ms": 300, "mem_mib": 100, "max_batch": 4},
  {"name": "steady", "file": "steady.pt",
   "input": {"name": "input", "dtype": "FP32", "shape": [4]},
   "output": {"name": "output", "dtype": "FP32", "shape": [2]},
   "slo_ms": 300, "mem_mib": 100, "max_batch": 4}]}
)";

class SlowGpuServingTest : public ::testing::Test {
 protected:
  SlowGpuServingTest() : deployment_(Env{{"GLET_RESOURCE_DIR", dir_.path() + "/resource"}}) {}

  void SetUp() override {
    namespace fs = std::filesystem;
    fs::create_directories(dir_.path() + "/resource/profiles/slow-gpu");
    dir_.WriteFile("resource/models.json", kSlowManifest);
    std::string latency = "model,partition,batch,latency_ms\n";
    for (const char* model : {"slowpoke", "steady"}) {
      for (int b = 1; b <= 4; ++b) {
        latency += std::string(model) + ",100," + std::to_string(b) + "," +
                   std::to_string(40 + 10 * b) + "\n";
      }
    }
    dir_.WriteFile("resource/profiles/slow-gpu/latency.csv", latency);
    dir_.WriteFile(
        "resource/profiles/slow-gpu/mem-config.json",
        R"({"models": [{"name": "slowpoke", "mem": 100}, {"name": "steady", "mem": 100}]})");
  }

  // `slo_ms` > 0 overrides the manifest's 300 ms.
  std::string Config(double rate_rps, double epoch_s, double slo_ms = 0, int min_devices = 1) {
    const std::string slo = slo_ms > 0 ? R"(, "slo_ms": )" + FormatDouble(slo_ms, 1) : "";
    return dir_.WriteFile(
        "serve.json",
        R"({"models": [{"name": "slowpoke", "rate_rps": )" + FormatDouble(rate_rps, 1) + slo +
            R"(}], "partitions": {"slow-gpu": [100]}, "epoch_s": )" + FormatDouble(epoch_s, 1) +
            R"(, "min_devices": )" + std::to_string(min_devices) + "}");
  }
  std::string Node(const std::string& name, const std::string& device) {
    return dir_.WriteFile(name + ".json", EmulatedNode(name, {device}, "slow-gpu"));
  }

  testing::TempDir dir_;
  Deployment deployment_;
};

// 4. A backend that joins late registers and the plan grows onto its device.
TEST_F(SlowGpuServingTest, LateBackendRegistersAndThePlanGrowsOntoIt) {
  ASSERT_TRUE(deployment_.StartFrontend(Config(20, 2)));
  ASSERT_TRUE(deployment_.StartBackend(Node("node-a", "gpu0")));
  ASSERT_TRUE(deployment_.AwaitReady());
  EXPECT_EQ(deployment_.Metric("glet_devices_in_use"), 1);
  // The second node joins while the first plan is in force.
  ASSERT_TRUE(deployment_.StartBackend(Node("node-b", "gpu1")));
  // 20 rps for 2 s, then 50 rps (more than one device serves, less than two) for 8 s: long
  // enough for the rate monitor to see it and re-plan on a loaded machine.
  const std::string trace = dir_.WriteFile("trace.csv", "second,rps\n0,20\n2,50\n9,50\n");
  auto client = std::async(std::launch::async, [&] {
    return deployment_.Client({"--trace", "slowpoke=" + trace, "--seed", "11"});
  });
  // The plan grows onto the late backend's device: it runs a proxy for a glet of the plan.
  const pid_t late = deployment_.backend(1).pid();
  const bool grew = PollUntil(
      [&] { return deployment_.Metric("glet_devices_in_use") >= 2 && !ChildrenOf(late).empty(); },
      seconds(30));
  ClientRun run = client.get();
  EXPECT_TRUE(grew) << deployment_.Metrics();
  ExpectExactAccounting(run);
  // Until the plan grows, 50 rps overloads the one device (drops), and a re-plan that changes
  // a whole-device glet's batch size restarts it without overlap (failures, see the report);
  // a good share is still served.
  const int64_t sent = ModelCount(run, "slowpoke", "sent");
  EXPECT_GT(ModelCount(run, "slowpoke", "served"), sent / 5) << run.report.dump(2);
  EXPECT_EQ(deployment_.AwaitFrontendTotal("slowpoke", sent), static_cast<double>(sent));
}

// Issue 14: a lost node whose load the rest cannot hold. The repair plan "did not fit on 1
// device" and the old plan was kept (glets on the dead node in it: 33-43% attainment, failed
// requests). Now the plan is made for the largest share of the demand that fits, the excess is
// shed as `overloaded`, and when the node is back the plan serves the whole demand again.
TEST_F(SlowGpuServingTest, LostNodeWithTooLittleCapacityLeftDegradesToTheServableShare) {
  // 50 rps needs both devices (one holds about 30 rps).
  ASSERT_TRUE(deployment_.StartFrontend(Config(50, 60, /*slo_ms=*/0, /*min_devices=*/2)));
  ASSERT_TRUE(deployment_.StartBackend(Node("node-a", "gpu0")));
  ASSERT_TRUE(deployment_.StartBackend(Node("node-b", "gpu1")));
  ASSERT_TRUE(deployment_.AwaitReady());
  EXPECT_EQ(deployment_.Metric("glet_devices_in_use"), 2);
  ASSERT_EQ(kill(deployment_.backend(1).pid(), SIGKILL), 0);
  std::string metrics;
  const bool degraded = PollUntil(
      [&] {
        metrics = deployment_.Metrics();
        return MetricSum(metrics, "glet_replans_total",
                         {"reason=\"backend_lost\"", "result=\"degraded\""}) >= 1;
      },
      seconds(30));
  ASSERT_TRUE(degraded) << metrics;
  const double share = MetricSum(metrics, "glet_plan_served_share");
  EXPECT_GT(share, 0.3) << metrics;
  EXPECT_LT(share, 1.0) << metrics;
  EXPECT_EQ(MetricSum(metrics, "glet_devices_in_use"), 1) << metrics;
  Result<Json> view = ParseJson(HttpGet(deployment_.http(), "/v2/glet/plan").body, "plan");
  ASSERT_TRUE(view.ok());
  EXPECT_DOUBLE_EQ((*view)["served_share"].get<double>(), share) << view->dump(2);
  EXPECT_EQ((*view)["planned_rates_rps"]["slowpoke"], 50.0) << "the demand, not the share";

  ClientRun run = deployment_.Client({"--model", "slowpoke:50", "--duration", "4", "--seed", "3"});
  ExpectExactAccounting(run);
  const Json& r = run.report;
  EXPECT_EQ(Count(r, "failed"), 0) << r.dump(2);
  const int64_t sent = ModelCount(run, "slowpoke", "sent");
  EXPECT_GT(ModelCount(run, "slowpoke", "served"), sent * 4 / 10) << r.dump(2);
  EXPECT_GT(r["dropped_by_reason"].value("overloaded", 0), 0) << r.dump(2);
  // No re-plan churn while degraded: the rate monitor compares arrivals with the demand.
  EXPECT_EQ(deployment_.Metric("glet_replans_total", {"reason=\"rate_change\""}), 0)
      << deployment_.Metrics();

  // The node comes back: the whole demand is planned again (a degraded plan re-plans on a join).
  ASSERT_TRUE(deployment_.StartBackend(Node("node-b", "gpu1")));
  const bool whole = PollUntil(
      [&] {
        metrics = deployment_.Metrics();
        return MetricSum(metrics, "glet_replans_total",
                         {"reason=\"backend_joined\"", "result=\"applied\""}) >= 1;
      },
      seconds(30));
  EXPECT_TRUE(whole) << metrics;
  // The whole demand as now observed (the client has stopped, so it may fit one device again).
  EXPECT_EQ(MetricSum(metrics, "glet_plan_served_share"), 1) << metrics;
}

// 6. The only proxy of a model is killed mid-load. While the backend restarts it, the model's
// requests wait for it (SLO 5 s, far longer than the restart) instead of failing: none fails,
// every one is served or dropped with its reason. The backend's reports put the proxy's
// counters, restart included, on the frontend's /metrics.
TEST_F(SlowGpuServingTest, KilledOnlyProxyHoldsRequestsUntilItIsBackAndItsCountersAreReported) {
  ASSERT_TRUE(deployment_.StartFrontend(Config(20, 60, /*slo_ms=*/5000)));
  ASSERT_TRUE(deployment_.StartBackend(Node("node-a", "gpu0")));
  ASSERT_TRUE(deployment_.AwaitReady());
  const pid_t backend = deployment_.backend(0).pid();
  // One glet, one proxy (polled: on a loaded machine /proc may lag the backend's spawn).
  std::vector<pid_t> before;
  ASSERT_TRUE(PollUntil(
      [&] {
        before = ChildrenOf(backend);
        return before.size() == 1;
      },
      seconds(10)))
      << "backend children: " << before.size();

  auto client = std::async(std::launch::async, [&] {
    return deployment_.Client(
        {"--model", "slowpoke:20", "--duration", "4", "--seed", "17", "--timeout-ms", "30000"});
  });
  const bool loaded = PollUntil(
      [&] {
        return deployment_.Metric("glet_requests_total",
                                  {"model=\"slowpoke\"", "outcome=\"served\""}) >= 10;
      },
      seconds(20));
  EXPECT_TRUE(loaded);
  ASSERT_EQ(kill(before[0], SIGKILL), 0);
  ClientRun run = client.get();
  ExpectExactAccounting(run);
  const Json& r = run.report;
  EXPECT_EQ(Count(r, "failed"), 0) << "no request may fail while its proxy restarts: " << r.dump(2);
  int64_t by_reason = 0;
  for (const auto& [reason, n] : r["dropped_by_reason"].items()) {
    EXPECT_THAT(reason, ::testing::AnyOf("no_glet", "slo_unreachable", "deadline_expired",
                                         "queue_full", "overloaded"));
    by_reason += n.get<int64_t>();
  }
  EXPECT_EQ(by_reason, Count(r, "dropped"));
  const int64_t sent = Count(r, "sent");
  EXPECT_GT(Count(r, "served"), sent / 2) << r.dump(2);
  EXPECT_EQ(deployment_.AwaitFrontendTotal("slowpoke", sent), static_cast<double>(sent));
  // Requests arrived during the outage (or were in its failed batch) and waited.
  EXPECT_GT(deployment_.Metric("glet_requests_held_total", {"model=\"slowpoke\""}), 0)
      << deployment_.Metrics();
  EXPECT_EQ(deployment_.Metric("glet_requests_total", {"outcome=\"failed\""}), 0);

  // The proxy was restarted, and the backend's reports say so, with what it ran.
  std::string metrics;
  const bool reported = PollUntil(
      [&] {
        metrics = deployment_.Metrics();
        return MetricSum(metrics, "glet_proxy_restarts_total") >= 1 &&
               MetricSum(metrics, "glet_proxy_batches_total") > 0;
      },
      seconds(20));
  EXPECT_TRUE(reported) << metrics;
  EXPECT_EQ(MetricSum(metrics, "glet_proxy_restarts_total", {"backend=\"b1\""}), 1) << metrics;
  EXPECT_GT(MetricSum(metrics, "glet_proxy_items_total", {"glet=\""}), 0) << metrics;
  EXPECT_GT(MetricSum(metrics, "glet_proxy_requests_total", {"outcome=\"served\""}), 0) << metrics;
  EXPECT_GT(MetricSum(metrics, "glet_proxy_compute_seconds_total"), 0) << metrics;
  // The proxies served no more than the frontend did (a dead proxy's last unpolled counts are
  // lost, never invented).
  EXPECT_LE(MetricSum(metrics, "glet_proxy_requests_total", {"outcome=\"served\""}),
            deployment_.Metric("glet_requests_total", {"outcome=\"served\""}))
      << metrics;
}

// 5. Ten times the capacity of the one device: requests are shed with explicit reasons, none
// fails or is lost, the frontend stays up and its memory bounded.
TEST_F(SlowGpuServingTest, OverloadShedsWithReasonsAndFrontendStaysUpWithBoundedMemory) {
  // 25 rps fits one device with the planner's burst margin (about 30 rps: batch 4 in an 80 ms
  // cycle with one slack cycle); the client then sends 20x that.
  ASSERT_TRUE(deployment_.StartFrontend(Config(25, 60)));
  ASSERT_TRUE(deployment_.StartBackend(Node("node-a", "gpu0")));
  ASSERT_TRUE(deployment_.AwaitReady());
  const pid_t frontend = deployment_.frontend().pid();
  const int64_t rss_before = RssKib(frontend);
  ASSERT_GT(rss_before, 0);

  ClientRun run =
      deployment_.Client({"--model", "slowpoke:500", "--duration", "3", "--seed", "13"});
  ExpectExactAccounting(run);
  const Json& r = run.report;
  EXPECT_GT(Count(r, "served"), 0) << r.dump(2);
  EXPECT_GT(Count(r, "dropped"), Count(r, "sent") / 2) << r.dump(2);
  EXPECT_EQ(Count(r, "failed"), 0) << r.dump(2);
  int64_t by_reason = 0;
  for (const auto& [reason, n] : r["dropped_by_reason"].items()) {
    EXPECT_THAT(reason, ::testing::AnyOf("overloaded", "slo_unreachable", "queue_full",
                                         "deadline_expired"));
    by_reason += n.get<int64_t>();
  }
  EXPECT_EQ(by_reason, Count(r, "dropped")) << "every drop carries its reason";
  const int64_t sent = Count(r, "sent");
  EXPECT_EQ(deployment_.AwaitFrontendTotal("slowpoke", sent), static_cast<double>(sent));
  EXPECT_EQ(deployment_.Metric("glet_requests_dropped_total"), Count(r, "dropped"));

  EXPECT_FALSE(deployment_.frontend().exited());
  EXPECT_EQ(HttpGet(deployment_.http(), "/v2/health/live").status, 200);
  const int64_t rss_after = RssKib(frontend);
  EXPECT_GT(rss_after, 0);
  EXPECT_LT(rss_after, int64_t{1} << 20)
      << "VmRSS " << rss_after << " KiB (before " << rss_before << " KiB)";
}

// 6. The edges of the plan (issue 13). A lone request on a freshly started server, the first one
// included, is answered at compute speed: slowpoke's batch of one takes 50 ms, its planned
// cycle (batch 4) about 80 ms and its SLO 300 ms; a batcher that held lone requests for the
// cycle or the deadline would answer after 130 ms or more.
TEST_F(SlowGpuServingTest, LoneRequestsAreAnsweredAtComputeSpeedFromTheFirstOn) {
  ASSERT_TRUE(deployment_.StartFrontend(Config(25, 600)));
  ASSERT_TRUE(deployment_.StartBackend(Node("node-a", "gpu0")));
  ASSERT_TRUE(deployment_.AwaitReady());
  ClientRun run = deployment_.Client(
      {"--model", "slowpoke:4", "--dist", "uniform", "--max-requests", "6", "--seed", "3"});
  ExpectExactAccounting(run);
  EXPECT_EQ(ModelCount(run, "slowpoke", "served"), 6) << run.report.dump(2);
  ASSERT_TRUE(run.report["models"]["slowpoke"].contains("max_ms")) << run.report.dump(2);
  EXPECT_LT(run.report["models"]["slowpoke"]["max_ms"].get<double>(), 120) << run.report.dump(2);
}

// Ten times one model's planned rate: it keeps serving about its capacity within its SLO and
// sheds the rest as `overloaded`, while the other model keeps its SLO. The shed requests are
// admitted just in time by the batchers' predictions, so the config states the serving plane's
// own cost per request on this host (host_overhead_ms), as a deployment does.
TEST_F(SlowGpuServingTest, TenfoldOverloadOfOneModelLeavesTheOtherItsSlo) {
  const std::string config = dir_.WriteFile(
      "serve-two.json",
      R"({"models": [{"name": "slowpoke", "rate_rps": 20}, {"name": "steady", "rate_rps": 10}],
          "partitions": {"slow-gpu": [100]}, "epoch_s": 600, "min_devices": 2,
          "host_overhead_ms": 10})");
  ASSERT_TRUE(deployment_.StartFrontend(config));
  const std::string node =
      dir_.WriteFile("node-two.json", EmulatedNode("node-two", {"gpu0", "gpu1"}, "slow-gpu"));
  ASSERT_TRUE(deployment_.StartBackend(node));
  ASSERT_TRUE(deployment_.AwaitReady());
  ClientRun run = deployment_.Client({"--model", "slowpoke:200", "--model", "steady:10",
                                      "--duration", "4", "--seed", "5", "--timeout-ms", "5000"});
  ExpectExactAccounting(run);
  const Json& models = run.report["models"];
  // The overloaded model: what it serves, it serves in time; the rest is shed with a reason.
  const int64_t served = ModelCount(run, "slowpoke", "served");
  EXPECT_GE(served, 20 * 4 * 9 / 10) << run.report.dump(2);  // >= 90% of its planned rate
  EXPECT_GE(ModelCount(run, "slowpoke", "served_in_slo"), served * 95 / 100) << run.report.dump(2);
  EXPECT_GT(models["slowpoke"]["dropped_by_reason"].value("overloaded", 0), 0)
      << run.report.dump(2);
  EXPECT_EQ(ModelCount(run, "slowpoke", "failed"), 0) << run.report.dump(2);
  // The other model keeps its SLO.
  const int64_t steady_sent = ModelCount(run, "steady", "sent");
  EXPECT_GT(steady_sent, 0);
  EXPECT_GE(ModelCount(run, "steady", "served_in_slo"), steady_sent * 95 / 100)
      << run.report.dump(2);
  for (const std::string model : {"slowpoke", "steady"}) {
    const int64_t sent = ModelCount(run, model, "sent");
    EXPECT_EQ(deployment_.AwaitFrontendTotal(model, sent), static_cast<double>(sent)) << model;
  }
}

}  // namespace
}  // namespace glet::serve
