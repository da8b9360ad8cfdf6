// Serving benchmarks (issue 4), each against a baseline measured in the same run:
//
//  1. Data-path overhead. A closed-loop KServe client (N calls in flight on one channel) against
//     the served `identity` model (client -> `glet frontend` -> `glet proxy`, started by a real
//     `glet backend`), and against a bare gRPC echo server (this binary re-run with
//     --echo-server) answering the same ModelInfer message with the same payload. Same client
//     code, same concurrency; rounds alternate. Prints served throughput glet / echo (goal
//     >= 0.5) and the p50 difference, at N in flight and at 1 in flight.
//  2. Real model. resnet50, batch 8, one glet of both cores (cpu:0,1) served through the same
//     processes, against `glet infer --batch 8 --slice cpu:0-1` (the same runtime, no serving
//     plane); rounds alternate. Prints items/s served / infer (goal >= 0.95).
//
// The plans are fixed by what the bench gives the frontend, with no option added to glet: its
// own manifest (identity; resnet50 with max_batch 8), its own cpu profile (--profiles) whose
// latency rows make the largest allowed batch the most efficient one, a serve config with the
// one partition {"cpu": [100]} and a re-planning epoch longer than the run. The batch sizes the
// frontend really cut are read back from its /metrics (glet_batch_size) and printed.
//
// Everything binds 127.0.0.1 on ports the kernel picks. Models come from $GLET_HOME/models
// (scripts/setup.sh exports identity and resnet50); a missing file skips that part.
//
// Run: build/bench/serve_bench [--quick] [--glet PATH] [--only datapath|resnet]
//        [--concurrency N] [--seconds S] [--rounds R] [--resnet-batches B]
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "client/model_inputs.h"
#include "core/file_util.h"
#include "core/json_reader.h"
#include "core/mutex.h"
#include "core/stats.h"
#include "core/strings.h"
#include "kserve.grpc.pb.h"
#include "model/model_spec.h"
#include "serve/child_process.h"

namespace {

using glet::Mutex;
using glet::MutexLock;
using glet::serve::ChildProcess;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::seconds;

double SecondsBetween(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double LoadAverage1m() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  in >> load;
  return load;
}

// How busy the machine was with other work while a part ran: all CPU time the kernel counted
// (/proc/stat) minus this process's and its reaped descendants' (getrusage), per second of wall
// time, i.e. the number of cores other processes kept busy on average. Read Stop() only after
// every child of the part has been stopped and reaped.
class CpuMeter {
 public:
  CpuMeter() : wall_(SteadyClock::now()), machine_s_(MachineBusySeconds()), own_s_(OwnSeconds()) {}

  double OtherCores() const {
    const double wall = SecondsBetween(wall_, SteadyClock::now());
    const double other = (MachineBusySeconds() - machine_s_) - (OwnSeconds() - own_s_);
    return wall > 0 ? std::max(0.0, other / wall) : 0;
  }

 private:
  static double MachineBusySeconds() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    in >> cpu;
    double busy = 0;
    for (int i = 0; i < 8; ++i) {  // user nice system idle iowait irq softirq steal
      double v = 0;
      in >> v;
      if (i != 3 && i != 4) {
        busy += v;
      }
    }
    return busy / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  static double OwnSeconds() {
    double s = 0;
    for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
      rusage u{};
      getrusage(who, &u);
      s += u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    }
    return s;
  }

  const SteadyClock::time_point wall_;
  const double machine_s_;
  const double own_s_;
};

std::string SelfExe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// ---------------------------------------------------------------------------------------------
// The baseline: a bare KServe echo server. ModelInfer answers one output with the first input's
// datatype, shape and bytes; nothing else is looked at.

class EchoService final : public inference::GRPCInferenceService::CallbackService {
 public:
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* ctx,
                                       const inference::ModelInferRequest* request,
                                       inference::ModelInferResponse* response) override {
    response->set_model_name(request->model_name());
    response->set_model_version("1");
    response->set_id(request->id());
    if (request->inputs_size() > 0 && request->raw_input_contents_size() > 0) {
      auto* out = response->add_outputs();
      out->set_name("output");
      out->set_datatype(request->inputs(0).datatype());
      *out->mutable_shape() = request->inputs(0).shape();
      response->add_raw_output_contents(request->raw_input_contents(0));
    }
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// Serves until stdin closes (the parent's ChildProcess closes it, or the parent dies).
int RunEchoServer() {
  EchoService service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(256 << 20);
  builder.SetMaxSendMessageSize(256 << 20);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "echo server: cannot listen on 127.0.0.1:0\n");
    return 1;
  }
  std::printf("listening: 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  char buf[256];
  while (read(0, buf, sizeof(buf)) > 0) {
  }
  server->Shutdown(std::chrono::system_clock::now() + seconds(2));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The client: a closed loop of `concurrency` ModelInfer calls on one channel (gRPC callback
// API); each completion sends the next call at once.

struct LoopOptions {
  int concurrency = 1;
  // Count mode (max_requests > 0): exactly max_requests calls are sent; the first
  // warmup_requests completions are not measured and the clock starts at the last of them.
  int64_t max_requests = 0;
  int64_t warmup_requests = 0;
  // Time mode (max_requests == 0): calls are sent for warmup + measure; the completions inside
  // (warmup, warmup + measure] are measured.
  double warmup_s = 1;
  double measure_s = 5;
  double call_timeout_s = 120;
};

struct LoopResult {
  int64_t measured = 0;  // successful completions in the measured window
  double seconds = 0;    // length of that window
  int64_t errors = 0;    // failed calls (any phase)
  std::string first_error;
  std::vector<double> latencies_ms;  // of the measured completions

  double rate() const { return seconds > 0 ? measured / seconds : 0; }
};

class ClosedLoop {
 public:
  ClosedLoop(inference::GRPCInferenceService::Stub& stub,
             const inference::ModelInferRequest& request, LoopOptions options)
      : stub_(stub), request_(request), options_(options), slots_(options.concurrency) {}

  LoopResult Run() {
    start_ = SteadyClock::now();
    {
      MutexLock lock(mu_);
      active_ = options_.concurrency;
    }
    for (Slot& slot : slots_) {
      if (!TakeTicket()) {
        FinishSlot();
        continue;
      }
      Issue(slot);
    }
    {
      std::unique_lock<Mutex> lock(mu_);
      idle_.wait(lock, [this] { return active_ == 0; });
    }
    return Summarize();
  }

 private:
  struct Slot {
    std::unique_ptr<grpc::ClientContext> ctx;
    inference::ModelInferResponse response;
    SteadyClock::time_point sent;
  };
  struct Completion {
    SteadyClock::time_point done;
    double latency_ms = 0;
    bool ok = false;
  };

  // Whether another call may be sent now (and counts it).
  bool TakeTicket() {
    MutexLock lock(mu_);
    if (options_.max_requests > 0) {
      if (issued_ >= options_.max_requests) {
        return false;
      }
    } else if (SecondsBetween(start_, SteadyClock::now()) >=
               options_.warmup_s + options_.measure_s) {
      return false;
    }
    ++issued_;
    return true;
  }

  void FinishSlot() {
    MutexLock lock(mu_);
    if (--active_ == 0) {
      idle_.notify_all();
    }
  }

  void Issue(Slot& slot) {
    slot.ctx = std::make_unique<grpc::ClientContext>();
    slot.ctx->set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(static_cast<int64_t>(options_.call_timeout_s * 1000)));
    slot.response.Clear();
    slot.sent = SteadyClock::now();
    stub_.async()->ModelInfer(slot.ctx.get(), &request_, &slot.response,
                              [this, &slot](grpc::Status status) { OnDone(slot, status); });
  }

  void OnDone(Slot& slot, const grpc::Status& status) {
    const SteadyClock::time_point now = SteadyClock::now();
    {
      MutexLock lock(mu_);
      completions_.push_back(
          {now, std::chrono::duration<double, std::milli>(now - slot.sent).count(), status.ok()});
      if (!status.ok() && first_error_.empty()) {
        first_error_ = std::to_string(status.error_code()) + ": " + status.error_message();
      }
    }
    if (TakeTicket()) {
      Issue(slot);
    } else {
      FinishSlot();
    }
  }

  LoopResult Summarize() {
    MutexLock lock(mu_);
    LoopResult r;
    r.first_error = first_error_;
    std::sort(completions_.begin(), completions_.end(),
              [](const Completion& a, const Completion& b) { return a.done < b.done; });
    SteadyClock::time_point from;
    SteadyClock::time_point to;
    size_t first = 0;
    if (options_.max_requests > 0) {
      const size_t w = static_cast<size_t>(std::max<int64_t>(options_.warmup_requests, 1));
      if (completions_.size() <= w) {
        return r;
      }
      from = completions_[w - 1].done;
      to = completions_.back().done;
      first = w;
    } else {
      from = start_ + std::chrono::duration_cast<SteadyClock::duration>(
                          std::chrono::duration<double>(options_.warmup_s));
      to = from + std::chrono::duration_cast<SteadyClock::duration>(
                      std::chrono::duration<double>(options_.measure_s));
    }
    r.seconds = SecondsBetween(from, to);
    for (size_t i = 0; i < completions_.size(); ++i) {
      const Completion& c = completions_[i];
      if (!c.ok) {
        ++r.errors;
        continue;
      }
      const bool in_window = options_.max_requests > 0 ? i >= first : c.done > from && c.done <= to;
      if (in_window) {
        ++r.measured;
        r.latencies_ms.push_back(c.latency_ms);
      }
    }
    return r;
  }

  inference::GRPCInferenceService::Stub& stub_;  // not owned; outlives this
  const inference::ModelInferRequest& request_;  // not owned; outlives this
  const LoopOptions options_;
  std::vector<Slot> slots_;  // one per call in flight; never resized while calls run
  SteadyClock::time_point start_;

  Mutex mu_;
  glet::CondVar idle_;
  int active_ GLET_GUARDED_BY(mu_) = 0;  // slots whose call chain has not ended
  int64_t issued_ GLET_GUARDED_BY(mu_) = 0;
  std::vector<Completion> completions_ GLET_GUARDED_BY(mu_);
  std::string first_error_ GLET_GUARDED_BY(mu_);
};

// Adds `b` into `a` (rounds pooled: throughput = all measured calls / all measured time).
void Pool(LoopResult& a, const LoopResult& b) {
  a.measured += b.measured;
  a.seconds += b.seconds;
  a.errors += b.errors;
  if (a.first_error.empty()) {
    a.first_error = b.first_error;
  }
  a.latencies_ms.insert(a.latencies_ms.end(), b.latencies_ms.begin(), b.latencies_ms.end());
}

double Median(std::vector<double> v) { return glet::Summarize(std::move(v)).p50; }

std::string RatioList(const std::vector<double>& ratios) {
  std::string out;
  for (double r : ratios) {
    out += (out.empty() ? "" : " ") + glet::FormatDouble(r, 3);
  }
  return out;
}

std::unique_ptr<inference::GRPCInferenceService::Stub> MakeStub(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return inference::GRPCInferenceService::NewStub(
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
}

// ---------------------------------------------------------------------------------------------
// The deployment: a bench folder (manifest, cpu profile, node, serve config) and the processes.

struct BenchModel {
  glet::model::ModelSpec spec;
  double rate_rps = 0;  // planned demand
  // Profile latency of a batch of b on the whole device: base_ms + per_item_ms * b, so that the
  // largest batch (spec.max_batch) is the most efficient and the planner picks it.
  double base_ms = 0;
  double per_item_ms = 0;
};

glet::Json TensorJson(const glet::model::TensorSpec& t) {
  return {{"name", t.name},
          {"dtype", std::string(glet::model::DTypeName(t.dtype))},
          {"shape", t.shape}};
}

void WriteText(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// Writes manifest.json, profiles/cpu/*, node.json and serve.json for `m` under `dir`.
void WriteBenchFolder(const std::string& dir, const BenchModel& m) {
  const glet::model::ModelSpec& s = m.spec;
  glet::Json model = {{"name", s.name},
                      {"file", s.file},
                      {"input", TensorJson(s.input)},
                      {"output", TensorJson(s.output)},
                      {"slo_ms", s.slo_ms},
                      {"mem_mib", s.mem_mib},
                      {"max_batch", s.max_batch}};
  WriteText(dir + "/manifest.json", glet::Json{{"models", {model}}}.dump(2));
  WriteText(dir + "/profiles/cpu/device.json",
            R"({"type": "cpu", "mem_mib": 8192, "context_mem_mib": 150})");
  WriteText(dir + "/profiles/cpu/mem-config.json",
            glet::Json{{"models", {{{"name", s.name}, {"mem", s.mem_mib}}}}}.dump());
  std::string csv = "model,partition,batch,latency_ms\n";
  for (int b = 1; b <= s.max_batch; ++b) {
    csv += s.name + ",100," + std::to_string(b) + "," +
           glet::FormatDouble(m.base_ms + m.per_item_ms * b, 4) + "\n";
  }
  WriteText(dir + "/profiles/cpu/latency.csv", csv);
  WriteText(dir + "/node.json",
            R"({"node": "bench", "devices": [{"id": "cpu0", "kind": "cpu", "cores": "0-1"}]})");
  glet::Json serve = {{"models", {{{"name", s.name}, {"rate_rps", m.rate_rps}}}},
                      {"policy", "glet"},
                      {"partitions", {{"cpu", {100}}}},
                      {"epoch_s", 36000},
                      {"min_devices", 1}};
  WriteText(dir + "/serve.json", serve.dump(2));
}

class Deployment {
 public:
  ~Deployment() { Stop(); }

  // Starts the frontend and one backend on the bench folder `dir` and waits for the first plan.
  glet::Status Start(const std::string& glet, const std::string& dir) {
    auto fe = ChildProcess::Spawn({{glet,
                                    "--log-level",
                                    "warn",
                                    "frontend",
                                    "--config",
                                    dir + "/serve.json",
                                    "--manifest",
                                    dir + "/manifest.json",
                                    "--profiles",
                                    dir + "/profiles",
                                    "--http",
                                    "127.0.0.1:0",
                                    "--grpc",
                                    "127.0.0.1:0",
                                    "--control",
                                    "127.0.0.1:0",
                                    "--drain-s",
                                    "1",
                                    "--start-timeout-s",
                                    "300"},
                                   {}});
    GLET_RETURN_IF_ERROR(fe.status());
    frontend_ = std::move(*fe);
    GLET_ASSIGN_OR_RETURN(std::string line, frontend_->AwaitLine("listening: ", seconds(60)));
    std::string control;
    for (const std::string& part : glet::Split(line, ' ')) {
      const size_t eq = part.find('=');
      if (eq == std::string::npos) {
        continue;
      }
      const std::string key = part.substr(0, eq);
      (key == "http" ? http_ : key == "grpc" ? grpc_ : control) = part.substr(eq + 1);
    }
    auto be = ChildProcess::Spawn(
        {{glet, "--log-level", "warn", "backend", "--frontend", control, "--listen", "127.0.0.1:0",
          "--node", dir + "/node.json", "--manifest", dir + "/manifest.json"},
         {}});
    GLET_RETURN_IF_ERROR(be.status());
    backend_ = std::move(*be);
    GLET_RETURN_IF_ERROR(backend_->AwaitLine("listening: ", seconds(60)).status());
    return frontend_->AwaitLine("ready", seconds(300)).status();
  }

  void Stop() {
    if (frontend_ != nullptr) {
      frontend_->Stop(seconds(15));
      frontend_.reset();
    }
    if (backend_ != nullptr) {
      backend_->Stop(seconds(10));
      backend_.reset();
    }
  }

  const std::string& grpc() const { return grpc_; }

  // Mean of the frontend's histogram `name` for `model` (sum / count), -1 if absent.
  double MetricMean(const std::string& name, const std::string& model) const {
    const size_t colon = http_.rfind(':');
    httplib::Client client(http_.substr(0, colon), std::atoi(http_.c_str() + colon + 1));
    client.set_read_timeout(10);
    httplib::Result res = client.Get("/metrics");
    if (!res || res->status != 200) {
      return -1;
    }
    double sum = 0;
    double count = 0;
    std::istringstream in(res->body);
    std::string line;
    const std::string label = "model=\"" + model + "\"";
    while (std::getline(in, line)) {
      if (line.find(label) == std::string::npos) {
        continue;
      }
      const double value = std::atof(line.c_str() + line.rfind(' ') + 1);
      if (line.rfind(name + "_sum{", 0) == 0) {
        sum += value;
      } else if (line.rfind(name + "_count{", 0) == 0) {
        count += value;
      }
    }
    return count > 0 ? sum / count : -1;
  }

 private:
  std::unique_ptr<ChildProcess> frontend_;
  std::unique_ptr<ChildProcess> backend_;
  std::string http_;
  std::string grpc_;
};

// ---------------------------------------------------------------------------------------------
// Options and the two parts.

struct BenchOptions {
  std::string glet;
  std::string only;  // "", "datapath" or "resnet"
  int concurrency = 32;
  double seconds = 4;  // measured per round, data path
  double warmup_s = 1;
  double unloaded_s = 2;  // measured at 1 in flight, per round
  int rounds = 3;
  int resnet_concurrency = 16;
  int resnet_batches = 10;  // measured batches per round, each side
};

bool ModelFilePresent(const glet::model::ModelSpec& spec) {
  const std::string path = glet::model::ModelManifest::ResolveFile(spec, glet::ModelCacheDir());
  if (std::filesystem::exists(path)) {
    return true;
  }
  std::printf("skipped_%s: %s missing (run scripts/setup.sh)\n", spec.name.c_str(), path.c_str());
  return false;
}

std::string Fmt(double v, int decimals) { return glet::FormatDouble(v, decimals); }

int RunDataPath(const BenchOptions& o, const std::string& dir, std::string* table) {
  BenchModel m;
  m.spec.name = "identity";
  m.spec.file = "identity.pt";
  m.spec.input = {"input", glet::model::DType::kFloat32, {16}};
  m.spec.output = {"output", glet::model::DType::kFloat32, {16}};
  m.spec.slo_ms = 10000;
  m.spec.mem_mib = 10;
  m.spec.max_batch = o.concurrency;
  if (!ModelFilePresent(m.spec)) {
    return 0;
  }
  // Duty cycle = batch / rate: a cycle of about 0.1 ms, so a lone request hardly waits for
  // company and the added latency is the data path's.
  m.base_ms = 0.02;
  m.per_item_ms = 0.002;
  m.rate_rps = 1000.0 * m.spec.max_batch / (m.base_ms + m.per_item_ms * m.spec.max_batch) * 0.65;
  WriteBenchFolder(dir, m);

  const CpuMeter meter;
  auto echo = ChildProcess::Spawn({{SelfExe(), "--echo-server"}, {}});
  if (!echo.ok()) {
    std::fprintf(stderr, "echo server: %s\n", echo.status().ToString().c_str());
    return 1;
  }
  auto echo_address = (*echo)->AwaitLine("listening: ", seconds(30));
  Deployment glet;
  glet::Status started = glet.Start(o.glet, dir);
  if (!echo_address.ok() || !started.ok()) {
    std::fprintf(stderr, "start failed: echo: %s; glet: %s\n",
                 echo_address.status().ToString().c_str(), started.ToString().c_str());
    return 1;
  }
  auto echo_stub = MakeStub(*echo_address);
  auto glet_stub = MakeStub(glet.grpc());
  const inference::ModelInferRequest request = glet::client::MakeInferRequest(
      glet::client::InputsFromSpec(m.spec.name, m.spec.input, /*seed=*/1));

  const double load_before = LoadAverage1m();
  LoopResult echo_n, glet_n, echo_1, glet_1;
  std::vector<double> round_ratios;
  for (int r = 0; r < o.rounds; ++r) {
    LoopOptions loaded;
    loaded.concurrency = o.concurrency;
    loaded.warmup_s = o.warmup_s;
    loaded.measure_s = o.seconds;
    LoopOptions unloaded = loaded;
    unloaded.concurrency = 1;
    unloaded.warmup_s = 0.2;
    unloaded.measure_s = o.unloaded_s;
    // Odd rounds run glet first, so drift in machine load does not always favour one side.
    LoopResult e, g;
    if (r % 2 == 0) {
      e = ClosedLoop(*echo_stub, request, loaded).Run();
      g = ClosedLoop(*glet_stub, request, loaded).Run();
    } else {
      g = ClosedLoop(*glet_stub, request, loaded).Run();
      e = ClosedLoop(*echo_stub, request, loaded).Run();
    }
    round_ratios.push_back(e.rate() > 0 ? g.rate() / e.rate() : 0);
    Pool(echo_n, e);
    Pool(glet_n, g);
    Pool(echo_1, ClosedLoop(*echo_stub, request, unloaded).Run());
    Pool(glet_1, ClosedLoop(*glet_stub, request, unloaded).Run());
  }
  const double load_after = LoadAverage1m();
  const double mean_batch = glet.MetricMean("glet_batch_size", m.spec.name);
  glet.Stop();
  (*echo)->Stop(seconds(5));
  const double other_cores = meter.OtherCores();

  int rc = 0;
  for (const auto& [name, res] : {std::pair<const char*, const LoopResult*>{"echo", &echo_n},
                                  {"glet", &glet_n},
                                  {"echo_c1", &echo_1},
                                  {"glet_c1", &glet_1}}) {
    if (res->errors > 0 || res->measured == 0) {
      std::fprintf(stderr, "%s: %lld errors (first: %s), %lld measured\n", name,
                   static_cast<long long>(res->errors), res->first_error.c_str(),
                   static_cast<long long>(res->measured));
      rc = 1;
    }
  }
  const glet::LatencySummary en = glet::Summarize(echo_n.latencies_ms);
  const glet::LatencySummary gn = glet::Summarize(glet_n.latencies_ms);
  const glet::LatencySummary e1 = glet::Summarize(echo_1.latencies_ms);
  const glet::LatencySummary g1 = glet::Summarize(glet_1.latencies_ms);
  const double ratio = echo_n.rate() > 0 ? glet_n.rate() / echo_n.rate() : 0;
  std::printf("datapath_concurrency: %d\n", o.concurrency);
  std::printf("datapath_payload_bytes: %zu\n", request.raw_input_contents(0).size());
  std::printf("datapath_echo_rps: %.1f\n", echo_n.rate());
  std::printf("datapath_glet_rps: %.1f\n", glet_n.rate());
  std::printf("datapath_ratio_glet_over_echo: %.3f\n", ratio);
  std::printf("datapath_round_ratios: %s\n", RatioList(round_ratios).c_str());
  std::printf("datapath_echo_p50_ms: %.3f\n", en.p50);
  std::printf("datapath_glet_p50_ms: %.3f\n", gn.p50);
  std::printf("datapath_added_p50_ms: %.3f\n", gn.p50 - en.p50);
  std::printf("datapath_c1_echo_p50_ms: %.3f\n", e1.p50);
  std::printf("datapath_c1_glet_p50_ms: %.3f\n", g1.p50);
  std::printf("datapath_c1_added_p50_ms: %.3f\n", g1.p50 - e1.p50);
  std::printf("datapath_glet_mean_batch: %.2f\n", mean_batch);
  std::printf("datapath_expected_duty_ms: %.3f\n", 1000.0 * m.spec.max_batch / m.rate_rps);
  std::printf("datapath_load_1m: %.2f -> %.2f\n", load_before, load_after);
  std::printf("datapath_other_processes_cores: %.2f\n", other_cores);
  *table +=
      "| in flight | echo rps | glet rps | glet / echo (goal >= 0.5) | per round | echo p50 ms | "
      "glet p50 ms | added p50 ms | glet mean batch |\n|---|---|---|---|---|---|---|---|---|\n";
  *table += "| " + std::to_string(o.concurrency) + " | " + Fmt(echo_n.rate(), 0) + " | " +
            Fmt(glet_n.rate(), 0) + " | " + Fmt(ratio, 3) + " | " + RatioList(round_ratios) +
            " | " + Fmt(en.p50, 3) + " | " + Fmt(gn.p50, 3) + " | " + Fmt(gn.p50 - en.p50, 3) +
            " | " + Fmt(mean_batch, 2) + " |\n";
  const double ratio1 = echo_1.rate() > 0 ? glet_1.rate() / echo_1.rate() : 0;
  *table += "| 1 | " + Fmt(echo_1.rate(), 0) + " | " + Fmt(glet_1.rate(), 0) + " | " +
            Fmt(ratio1, 3) + " | - | " + Fmt(e1.p50, 3) + " | " + Fmt(g1.p50, 3) + " | " +
            Fmt(g1.p50 - e1.p50, 3) + " | - |\n";
  *table += "\nOther processes kept " + Fmt(other_cores, 2) +
            " of the cores busy on average; load average (1 min) " + Fmt(load_before, 2) +
            " before, " + Fmt(load_after, 2) + " after.\n";
  return rc;
}

struct InferRun {
  double items_per_s = 0;
  double p50_ms = 0;
};

glet::Result<InferRun> RunGletInfer(const BenchOptions& o, const std::string& dir) {
  GLET_ASSIGN_OR_RETURN(
      std::unique_ptr<ChildProcess> child,
      ChildProcess::Spawn({{o.glet, "--log-level", "warn", "infer", "--model", "resnet50",
                            "--batch", "8", "--slice", "cpu:0-1", "--warmup", "2", "--requests",
                            std::to_string(o.resnet_batches), "--manifest", dir + "/manifest.json"},
                           {}}));
  InferRun run;
  GLET_ASSIGN_OR_RETURN(std::string p50, child->AwaitLine("latency_p50_ms: ", seconds(600)));
  GLET_ASSIGN_OR_RETURN(std::string ips, child->AwaitLine("throughput_items_per_s: ", seconds(60)));
  run.p50_ms = std::atof(p50.c_str());
  run.items_per_s = std::atof(ips.c_str());
  child->WaitForExit(seconds(30));
  if (!child->exited() || *child->wait_status() != 0) {
    return glet::InternalError("glet infer: " + child->Stop(seconds(1)));
  }
  return run;
}

int RunResnet(const BenchOptions& o, const std::string& dir, std::string* table) {
  auto manifest = glet::model::ModelManifest::Load(glet::model::DefaultManifestPath());
  if (!manifest.ok()) {
    std::fprintf(stderr, "%s\n", manifest.status().ToString().c_str());
    return 1;
  }
  auto spec = manifest->Find("resnet50");
  if (!spec.ok()) {
    std::fprintf(stderr, "%s\n", spec.status().ToString().c_str());
    return 1;
  }
  BenchModel m;
  m.spec = **spec;
  if (!ModelFilePresent(m.spec)) {
    return 0;
  }
  m.spec.max_batch = 8;
  m.spec.slo_ms = 20000;  // the closed loop queues a batch behind the running one
  m.base_ms = 40;
  m.per_item_ms = 55;
  m.rate_rps = 10;
  WriteBenchFolder(dir, m);

  const CpuMeter meter;
  Deployment glet;
  if (glet::Status s = glet.Start(o.glet, dir); !s.ok()) {
    std::fprintf(stderr, "start failed: %s\n", s.ToString().c_str());
    return 1;
  }
  auto stub = MakeStub(glet.grpc());
  const inference::ModelInferRequest request = glet::client::MakeInferRequest(
      glet::client::InputsFromSpec(m.spec.name, m.spec.input, /*seed=*/1));

  const double load_before = LoadAverage1m();
  double infer_items = 0;
  double infer_seconds = 0;
  std::vector<double> infer_p50;
  LoopResult served;
  std::vector<double> round_ratios;
  int rc = 0;
  for (int r = 0; r < o.rounds && rc == 0; ++r) {
    LoopOptions loop;
    loop.concurrency = o.resnet_concurrency;
    loop.warmup_requests = 2 * 8;
    loop.max_requests = loop.warmup_requests + 8LL * o.resnet_batches;
    // Odd rounds serve first, so drift in machine load does not always favour one side.
    LoopResult one;
    if (r % 2 == 1) {
      one = ClosedLoop(*stub, request, loop).Run();
    }
    glet::Result<InferRun> infer = RunGletInfer(o, dir);
    if (!infer.ok()) {
      std::fprintf(stderr, "%s\n", infer.status().ToString().c_str());
      rc = 1;
      break;
    }
    if (r % 2 == 0) {
      one = ClosedLoop(*stub, request, loop).Run();
    }
    infer_items += 8.0 * o.resnet_batches;
    infer_seconds += 8.0 * o.resnet_batches / infer->items_per_s;
    infer_p50.push_back(infer->p50_ms);
    round_ratios.push_back(one.rate() / infer->items_per_s);
    std::printf("round_%d_infer_items_per_s: %.2f\n", r, infer->items_per_s);
    std::printf("round_%d_served_items_per_s: %.2f\n", r, one.rate());
    Pool(served, one);
  }
  const double load_after = LoadAverage1m();
  const double mean_batch = glet.MetricMean("glet_batch_size", m.spec.name);
  const double compute_ms = glet.MetricMean("glet_compute_time_ms", m.spec.name);
  glet.Stop();
  const double other_cores = meter.OtherCores();
  if (rc != 0) {
    return rc;
  }
  if (served.errors > 0 || served.measured == 0) {
    std::fprintf(stderr, "served: %lld errors (first: %s)\n", static_cast<long long>(served.errors),
                 served.first_error.c_str());
    rc = 1;
  }
  const double infer_rate = infer_items / infer_seconds;
  const double ratio = served.rate() / infer_rate;
  const double infer_batch_p50 = Median(infer_p50);
  const glet::LatencySummary sl = glet::Summarize(served.latencies_ms);
  std::printf("resnet50_b8_infer_items_per_s: %.2f\n", infer_rate);
  std::printf("resnet50_b8_served_items_per_s: %.2f\n", served.rate());
  std::printf("resnet50_b8_ratio_served_over_infer: %.3f\n", ratio);
  std::printf("resnet50_b8_round_ratios: %s\n", RatioList(round_ratios).c_str());
  // Time per batch outside the proxy's compute: transfers, batch assembly, the frontend's turn.
  std::printf("resnet50_b8_served_ms_per_batch_beyond_compute: %.1f\n",
              8000.0 / served.rate() - compute_ms);
  std::printf("resnet50_b8_infer_batch_p50_ms: %.1f\n", infer_batch_p50);
  std::printf("resnet50_b8_served_compute_mean_ms: %.1f\n", compute_ms);
  std::printf("resnet50_b8_served_request_p50_ms: %.1f\n", sl.p50);
  std::printf("resnet50_b8_served_mean_batch: %.2f\n", mean_batch);
  std::printf("resnet50_load_1m: %.2f -> %.2f\n", load_before, load_after);
  std::printf("resnet50_other_processes_cores: %.2f\n", other_cores);
  *table +=
      "| resnet50, batch 8, cpu:0,1 | glet infer (items/s) | served (items/s) | "
      "served / infer (goal >= 0.95) | per round | infer batch p50 ms | served compute mean ms | "
      "served request p50 ms (" +
      std::to_string(o.resnet_concurrency) +
      " in flight) | served mean batch |\n|---|---|---|---|---|---|---|---|---|\n";
  *table += "| " + std::to_string(o.rounds) + " x " + std::to_string(o.resnet_batches) +
            " batches each | " + Fmt(infer_rate, 2) + " | " + Fmt(served.rate(), 2) + " | " +
            Fmt(ratio, 3) + " | " + RatioList(round_ratios) + " | " + Fmt(infer_batch_p50, 1) +
            " | " + Fmt(compute_ms, 1) + " | " + Fmt(sl.p50, 1) + " | " + Fmt(mean_batch, 2) +
            " |\n";
  *table += "\nOther processes kept " + Fmt(other_cores, 2) +
            " of the cores busy on average; load average (1 min) " + Fmt(load_before, 2) +
            " before, " + Fmt(load_after, 2) + " after.\n";
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions o;
  const std::string self = SelfExe();
  o.glet = (std::filesystem::path(self).parent_path().parent_path() / "glet").string();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--echo-server") {
      return RunEchoServer();
    } else if (arg == "--quick") {
      o.seconds = 2;
      o.warmup_s = 0.5;
      o.unloaded_s = 1;
      o.rounds = 1;
      o.resnet_batches = 5;
    } else if (next != nullptr && arg == "--glet") {
      o.glet = argv[++i];
    } else if (next != nullptr && arg == "--only") {
      o.only = argv[++i];
    } else if (next != nullptr && arg == "--concurrency") {
      o.concurrency = std::max(1, std::atoi(argv[++i]));
    } else if (next != nullptr && arg == "--seconds") {
      o.seconds = std::max(0.1, std::atof(argv[++i]));
    } else if (next != nullptr && arg == "--rounds") {
      o.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (next != nullptr && arg == "--resnet-batches") {
      o.resnet_batches = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr,
                   "usage: serve_bench [--quick] [--glet PATH] [--only datapath|resnet] "
                   "[--concurrency N] [--seconds S] [--rounds R] [--resnet-batches B]\n");
      return 2;
    }
  }
  if (!std::filesystem::exists(o.glet)) {
    std::fprintf(stderr, "serve_bench: %s: no glet binary (build target glet, or --glet)\n",
                 o.glet.c_str());
    return 2;
  }
  char tmpl[] = "/tmp/glet-serve-bench-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) {
    std::fprintf(stderr, "serve_bench: cannot create a temporary folder\n");
    return 1;
  }
  std::printf("glet: %s\n", o.glet.c_str());
  std::printf("cores: %u\n", std::thread::hardware_concurrency());
  std::string table;
  int rc = 0;
  if (o.only.empty() || o.only == "datapath") {
    table += "### Data path: identity model, closed loop\n\n";
    rc |= RunDataPath(o, std::string(dir) + "/datapath", &table);
  }
  if (o.only.empty() || o.only == "resnet") {
    table += "\n### resnet50 batch 8 on both cores: served vs glet infer\n\n";
    rc |= RunResnet(o, std::string(dir) + "/resnet", &table);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::printf("\n%s", table.c_str());
  return rc;
}
