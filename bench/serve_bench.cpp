// Serving benchmarks (issue 4), each against a baseline measured in the same run:
//
//  1. Data-path overhead. A closed-loop KServe client (N calls in flight on one channel) against
//     the served `identity` model (client -> `glet frontend` -> `glet proxy`, started by a real
//     `glet backend`), and against a bare gRPC echo server (this binary re-run with
//     --echo-server) answering the same ModelInfer message with the same payload. Same client
//     code, same concurrency; the two alternate in rounds. Prints served throughput glet / echo
//     (goal >= 0.5) and the p50 difference, at N in flight and at 1 in flight, and per call at N
//     in flight the CPU time and the context switches of each process on either side.
//  2. Real model. resnet50, batch 8, one glet of both cores (cpu:0,1) served through the same
//     processes (16 in flight: one batch running, the next queued), against `glet infer --batch 8
//     --slice cpu:0-1` (the same runtime without the serving plane), alternating in short chunks.
//     Prints items/s served / infer (goal >= 0.95).
//
// The build machine is shared, so every measurement also records how many cores other processes
// kept busy meanwhile (/proc/stat minus this process tree); results are printed pooled over all
// rounds/chunks and over the quiet ones only (others <= --quiet-cores, default 0.1).
//
// The plans are fixed by what the bench gives the frontend, with no option added to glet: its
// own manifest (identity; resnet50 with max_batch 8), its own cpu profile (--profiles) whose
// latency rows make the largest allowed batch the most efficient one, a serve config with the
// one partition {"cpu": [100]} and a re-planning epoch longer than the run. The batch sizes the
// frontend really cut are read back from its /metrics (glet_batch_size) and printed.
//
// Everything binds 127.0.0.1 on ports the kernel picks. Models come from $GLET_HOME/models
// (scripts/setup.sh exports identity and resnet50); a missing file skips that part. Ctrl-C
// stops every process the bench started.
//
// Run: build/bench/serve_bench [--quick] [--glet PATH] [--only datapath|resnet]
//        [--concurrency N] [--rounds R] [--seconds S] [--chunks C] [--resnet-batches B]
//        [--resnet-concurrency N] [--quiet-cores X]
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/shutdown_signals.h"
#include "client/model_inputs.h"
#include "core/file_util.h"
#include "core/json_reader.h"
#include "core/mutex.h"
#include "core/stats.h"
#include "core/strings.h"
#include "kserve.grpc.pb.h"
#include "model/model_spec.h"
#include "serve/child_process.h"
#include "serve/process_setup.h"
#include "testing/child_process_set.h"
#include "testing/glet_deployment.h"
#include "testing/proc_children.h"

namespace {

using glet::Mutex;
using glet::MutexLock;
using glet::serve::ChildProcess;
using glet::testing::ChildProcessSet;
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

// How busy the machine was with other work during a stretch of the run: the CPU time the kernel
// counted on all cores (/proc/stat) minus that of this process tree (this process, its live
// descendants and the ones they reaped), per second of wall time, i.e. how many cores other
// processes kept busy on average.
class CpuMeter {
 public:
  CpuMeter() : wall_(SteadyClock::now()), machine_s_(MachineBusySeconds()), own_s_(TreeSeconds()) {}

  double OtherCores() const {
    const double wall = SecondsBetween(wall_, SteadyClock::now());
    const double other = (MachineBusySeconds() - machine_s_) - (TreeSeconds() - own_s_);
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

  // utime + stime + cutime + cstime of every process descending from this one (itself included):
  // a reaped child's time is in its parent's cutime, a live one's only in its own utime.
  static double TreeSeconds() {
    struct Proc {
      long ppid = 0;
      double ticks = 0;
    };
    std::map<long, Proc> procs;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      std::ifstream in(entry.path() / "stat");
      std::string line;
      std::getline(in, line);
      const size_t paren = line.rfind(')');
      if (paren == std::string::npos) {
        continue;
      }
      std::istringstream fields(line.substr(paren + 1));
      std::vector<std::string> f;
      std::string token;
      while (f.size() < 15 && fields >> token) {
        f.push_back(token);
      }
      if (f.size() < 15) {
        continue;
      }
      Proc p;  // fields after the name: state ppid ... utime(11) stime(12) cutime(13) cstime(14)
      p.ppid = std::atol(f[1].c_str());
      p.ticks = std::atof(f[11].c_str()) + std::atof(f[12].c_str()) + std::atof(f[13].c_str()) +
                std::atof(f[14].c_str());
      procs[std::atol(name.c_str())] = p;
    }
    const long self = getpid();
    double ticks = 0;
    for (const auto& [pid, p] : procs) {
      long at = pid;
      for (int depth = 0; depth < 64 && at > 1 && at != self; ++depth) {
        auto it = procs.find(at);
        at = it == procs.end() ? 0 : it->second.ppid;
      }
      if (at == self) {
        ticks += p.ticks;
      }
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  const SteadyClock::time_point wall_;
  const double machine_s_;
  const double own_s_;
};

// utime + stime of one live process, in seconds (0 when it cannot be read).
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) {
    return 0;
  }
  std::istringstream fields(line.substr(paren + 1));
  std::string token;
  double ticks = 0;
  for (int i = 0; i < 13 && fields >> token; ++i) {
    if (i == 11 || i == 12) {  // utime, stime
      ticks += std::atof(token.c_str());
    }
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

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
  int64_t completed = 0;  // calls that ended, any phase
  int64_t measured = 0;   // successful completions in the measured window
  double seconds = 0;     // length of that window
  int64_t errors = 0;     // failed calls (any phase)
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
    r.completed = static_cast<int64_t>(completions_.size());
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
  a.completed += b.completed;
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

// The frontend and backend of one part, kept in the bench's ChildProcessSet (so that the signal
// thread can stop them), stopped when this object dies.
class Deployment {
 public:
  Deployment(const std::string& glet, ChildProcessSet& children) : glet_({glet, {}, &children}) {}

  // Starts the frontend and one backend on the bench folder `dir` and waits for the first plan.
  glet::Status Start(const std::string& dir) {
    GLET_RETURN_IF_ERROR(
        glet_.StartFrontend(dir + "/serve.json",
                            {"--manifest", dir + "/manifest.json", "--profiles", dir + "/profiles"},
                            /*start_timeout_s=*/300));
    GLET_RETURN_IF_ERROR(
        glet_.StartBackend(dir + "/node.json", {"--manifest", dir + "/manifest.json"}));
    return glet_.AwaitReady(seconds(300));
  }

  // Frontend first (it stops its glets), then the backend (which stops its proxies).
  void Stop() { glet_.Stop(); }

  const std::string& grpc() const { return glet_.grpc(); }
  pid_t frontend_pid() { return glet_.has_frontend() ? glet_.frontend().pid() : 0; }
  pid_t backend_pid() { return glet_.backend_count() > 0 ? glet_.backend(0).pid() : 0; }

  // Mean of the frontend's histogram `name` for `model` (sum / count), -1 if absent.
  double MetricMean(const std::string& name, const std::string& model) const {
    const auto [sum, count] = Histogram(name, model);
    return count > 0 ? sum / count : -1;
  }

  // Sum and count of the frontend's histogram `name` for `model` (0, 0 if absent).
  std::pair<double, double> Histogram(const std::string& name, const std::string& model) const {
    const std::string& http = glet_.http();
    const size_t colon = http.rfind(':');
    httplib::Client client(http.substr(0, colon), std::atoi(http.c_str() + colon + 1));
    client.set_read_timeout(10);
    httplib::Result res = client.Get("/metrics");
    if (!res || res->status != 200) {
      return {0, 0};
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
    return {sum, count};
  }

 private:
  glet::testing::GletDeployment glet_;
};

// ---------------------------------------------------------------------------------------------
// Options and the two parts.

struct BenchOptions {
  ChildProcessSet* children = nullptr;  // not owned; outlives the run
  std::string glet;
  std::string only;  // "", "datapath" or "resnet"
  // A round or chunk counts as quiet when other processes kept at most this many cores busy
  // on average during each of its measurements.
  double quiet_cores = 0.1;
  // Data path.
  int concurrency = 32;
  int rounds = 4;
  double seconds = 3;  // measured per side and round at `concurrency` in flight
  double warmup_s = 0.5;
  double unloaded_s = 1.5;  // measured per side and round at 1 in flight
  // resnet50.
  int resnet_concurrency = 16;  // two batches: one running, the next one queued
  int resnet_chunks = 6;
  int resnet_batches = 4;  // measured batches per chunk and side
};

bool ModelFilePresent(const glet::model::ModelSpec& spec) {
  const std::string path = glet::model::ModelManifest::ResolveFile(spec, glet::ModelCacheDir());
  if (std::filesystem::exists(path)) {
    return true;
  }
  std::printf("skipped_%s: %s missing (run scripts/setup.sh)\n", spec.name.c_str(), path.c_str());
  return false;
}
// Context switches (voluntary + involuntary) of one live process: the sum over its threads
// alive now (a thread that ended took its count with it; 0 when nothing can be read).
double ProcessContextSwitches(pid_t pid) {
  double total = 0;
  std::error_code ec;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        total += std::atof(line.substr(line.find(':') + 1).c_str());
      }
    }
  }
  return total;
}

std::string Fmt(double v, int decimals) { return glet::FormatDouble(v, decimals); }

struct Measured {
  LoopResult result;
  double other_cores = 0;
  std::vector<double> cpu_s;     // per process asked for, over the whole loop
  std::vector<double> switches;  // context switches, same processes
};

Measured MeasureLoop(inference::GRPCInferenceService::Stub& stub,
                     const inference::ModelInferRequest& request, const LoopOptions& options,
                     const std::vector<pid_t>& pids = {}) {
  std::vector<double> before;
  std::vector<double> switches_before;
  for (pid_t pid : pids) {
    before.push_back(ProcessCpuSeconds(pid));
    switches_before.push_back(ProcessContextSwitches(pid));
  }
  const CpuMeter meter;
  Measured m;
  m.result = ClosedLoop(stub, request, options).Run();
  m.other_cores = meter.OtherCores();
  for (size_t i = 0; i < pids.size(); ++i) {
    m.cpu_s.push_back(ProcessCpuSeconds(pids[i]) - before[i]);
    m.switches.push_back(std::max(0.0, ProcessContextSwitches(pids[i]) - switches_before[i]));
  }
  return m;
}

// CPU time and context switches per call of each process on one side, pooled over rounds.
struct CpuPerCall {
  std::vector<std::string> names;
  std::vector<double> cpu_s;
  std::vector<double> switches;
  int64_t calls = 0;

  void Add(const Measured& m) {
    cpu_s.resize(m.cpu_s.size());
    switches.resize(m.switches.size());
    for (size_t i = 0; i < m.cpu_s.size(); ++i) {
      cpu_s[i] += m.cpu_s[i];
      switches[i] += m.switches[i];
    }
    calls += m.result.completed;
  }
  std::string SwitchesText() const { return PerCallText(switches, 1, 2, ""); }
  std::string Text() const { return PerCallText(cpu_s, 1e6, 1, " us"); }

 private:
  // "name v, ..., total t<unit>": each process's `totals` per call, times `scale`.
  std::string PerCallText(const std::vector<double>& totals, double scale, int decimals,
                          const std::string& unit) const {
    std::string out;
    double total = 0;
    for (size_t i = 0; i < names.size() && i < totals.size(); ++i) {
      const double per_call = calls > 0 ? scale * totals[i] / calls : 0;
      total += per_call;
      out += names[i] + " " + glet::FormatDouble(per_call, decimals) + ", ";
    }
    return out + "total " + glet::FormatDouble(total, decimals) + unit;
  }
};

bool Failed(const char* what, const LoopResult& r) {
  if (r.errors == 0 && r.measured > 0) {
    return false;
  }
  std::fprintf(stderr, "%s: %lld errors (first: %s), %lld measured\n", what,
               static_cast<long long>(r.errors), r.first_error.c_str(),
               static_cast<long long>(r.measured));
  return true;
}

// Data-path results pooled over a set of rounds.
struct DataPathTotals {
  int rounds = 0;
  LoopResult echo_n, glet_n, echo_1, glet_1;
  std::vector<double> ratios;  // glet / echo at N in flight, per round
  double max_other_cores = 0;

  void Add(const Measured (&m)[4]) {
    ++rounds;
    Pool(echo_n, m[0].result);
    Pool(glet_n, m[1].result);
    Pool(echo_1, m[2].result);
    Pool(glet_1, m[3].result);
    ratios.push_back(m[0].result.rate() > 0 ? m[1].result.rate() / m[0].result.rate() : 0);
    for (const Measured& x : m) {
      max_other_cores = std::max(max_other_cores, x.other_cores);
    }
  }
  double ratio() const { return echo_n.rate() > 0 ? glet_n.rate() / echo_n.rate() : 0; }

  void Print(const std::string& prefix) const {
    if (rounds == 0) {
      return;
    }
    const glet::LatencySummary en = glet::Summarize(echo_n.latencies_ms);
    const glet::LatencySummary gn = glet::Summarize(glet_n.latencies_ms);
    const glet::LatencySummary e1 = glet::Summarize(echo_1.latencies_ms);
    const glet::LatencySummary g1 = glet::Summarize(glet_1.latencies_ms);
    std::printf("%s_rounds: %d\n", prefix.c_str(), rounds);
    std::printf("%s_echo_rps: %.1f\n", prefix.c_str(), echo_n.rate());
    std::printf("%s_glet_rps: %.1f\n", prefix.c_str(), glet_n.rate());
    std::printf("%s_ratio_glet_over_echo: %.3f\n", prefix.c_str(), ratio());
    std::printf("%s_round_ratios: %s\n", prefix.c_str(), RatioList(ratios).c_str());
    std::printf("%s_echo_p50_ms: %.3f\n", prefix.c_str(), en.p50);
    std::printf("%s_glet_p50_ms: %.3f\n", prefix.c_str(), gn.p50);
    std::printf("%s_added_p50_ms: %.3f\n", prefix.c_str(), gn.p50 - en.p50);
    std::printf("%s_c1_echo_p50_ms: %.3f\n", prefix.c_str(), e1.p50);
    std::printf("%s_c1_glet_p50_ms: %.3f\n", prefix.c_str(), g1.p50);
    std::printf("%s_c1_added_p50_ms: %.3f\n", prefix.c_str(), g1.p50 - e1.p50);
    std::printf("%s_max_other_cores: %.2f\n", prefix.c_str(), max_other_cores);
  }

  std::string Rows(const std::string& which, int concurrency) const {
    if (rounds == 0) {
      return "| " + which + " | none | | | | | | |\n";
    }
    const glet::LatencySummary en = glet::Summarize(echo_n.latencies_ms);
    const glet::LatencySummary gn = glet::Summarize(glet_n.latencies_ms);
    const glet::LatencySummary e1 = glet::Summarize(echo_1.latencies_ms);
    const glet::LatencySummary g1 = glet::Summarize(glet_1.latencies_ms);
    const double ratio1 = echo_1.rate() > 0 ? glet_1.rate() / echo_1.rate() : 0;
    const std::string head = "| " + which + " (" + std::to_string(rounds) +
                             ", others <= " + Fmt(max_other_cores, 2) + " cores) | ";
    return head + std::to_string(concurrency) + " | " + Fmt(echo_n.rate(), 0) + " | " +
           Fmt(glet_n.rate(), 0) + " | **" + Fmt(ratio(), 3) + "** (" + RatioList(ratios) + ") | " +
           Fmt(en.p50, 3) + " | " + Fmt(gn.p50, 3) + " | " + Fmt(gn.p50 - en.p50, 3) + " |\n" +
           head + "1 | " + Fmt(echo_1.rate(), 0) + " | " + Fmt(glet_1.rate(), 0) + " | " +
           Fmt(ratio1, 3) + " | " + Fmt(e1.p50, 3) + " | " + Fmt(g1.p50, 3) + " | " +
           Fmt(g1.p50 - e1.p50, 3) + " |\n";
  }
};

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

  auto echo = o.children->Spawn({{SelfExe(), "--echo-server"}, {}});
  if (!echo.ok()) {
    std::fprintf(stderr, "echo server: %s\n", echo.status().ToString().c_str());
    return 1;
  }
  auto echo_address = (*echo)->AwaitLine("listening: ", seconds(30));
  Deployment glet(o.glet, *o.children);
  glet::Status started = glet.Start(dir);
  if (!echo_address.ok() || !started.ok()) {
    std::fprintf(stderr, "start failed: echo: %s; glet: %s\n",
                 echo_address.status().ToString().c_str(), started.ToString().c_str());
    return 1;
  }
  auto echo_stub = MakeStub(*echo_address);
  auto glet_stub = MakeStub(glet.grpc());
  const inference::ModelInferRequest request = glet::client::MakeInferRequest(
      glet::client::InputsFromSpec(m.spec.name, m.spec.input, /*seed=*/1));

  LoopOptions loaded;
  loaded.concurrency = o.concurrency;
  loaded.warmup_s = o.warmup_s;
  loaded.measure_s = o.seconds;
  LoopOptions unloaded = loaded;
  unloaded.concurrency = 1;
  unloaded.warmup_s = 0.2;
  unloaded.measure_s = o.unloaded_s;
  // Where the CPU goes at N in flight: this process is the client.
  const std::vector<pid_t> proxies = glet::testing::ChildrenOf(glet.backend_pid());
  const std::vector<pid_t> echo_pids = {getpid(), (*echo)->pid()};
  const std::vector<pid_t> glet_pids = {getpid(), glet.frontend_pid(), glet.backend_pid(),
                                        proxies.empty() ? 0 : proxies.front()};
  CpuPerCall echo_cpu;
  echo_cpu.names = {"client", "echo server"};
  CpuPerCall glet_cpu;
  glet_cpu.names = {"client", "frontend", "backend", "proxy"};
  DataPathTotals all;
  DataPathTotals quiet;
  int rc = 0;
  for (int r = 0; r < o.rounds && rc == 0; ++r) {
    Measured m4[4];  // echo N, glet N, echo 1, glet 1
    // Odd rounds run glet first, so drift in machine load does not always favour one side.
    for (int k = 0; k < 2; ++k) {
      const bool glet_turn = (k == 1) != (r % 2 == 1);
      m4[glet_turn ? 1 : 0] = MeasureLoop(glet_turn ? *glet_stub : *echo_stub, request, loaded,
                                          glet_turn ? glet_pids : echo_pids);
    }
    echo_cpu.Add(m4[0]);
    glet_cpu.Add(m4[1]);
    m4[2] = MeasureLoop(*echo_stub, request, unloaded);
    m4[3] = MeasureLoop(*glet_stub, request, unloaded);
    const char* names[4] = {"echo", "glet", "echo_c1", "glet_c1"};
    double other = 0;
    for (int k = 0; k < 4; ++k) {
      rc |= Failed(names[k], m4[k].result) ? 1 : 0;
      other = std::max(other, m4[k].other_cores);
    }
    std::printf("datapath_round_%d: ratio %.3f, others %.2f cores\n", r,
                m4[0].result.rate() > 0 ? m4[1].result.rate() / m4[0].result.rate() : 0, other);
    all.Add(m4);
    if (other <= o.quiet_cores) {
      quiet.Add(m4);
    }
  }
  const double mean_batch = glet.MetricMean("glet_batch_size", m.spec.name);
  glet.Stop();
  o.children->Stop(*echo, seconds(5));

  std::printf("datapath_concurrency: %d\n", o.concurrency);
  std::printf("datapath_payload_bytes: %zu\n", request.raw_input_contents(0).size());
  std::printf("datapath_expected_duty_ms: %.3f\n", 1000.0 * m.spec.max_batch / m.rate_rps);
  std::printf("datapath_glet_mean_batch: %.2f\n", mean_batch);
  std::printf("datapath_cpu_per_call_echo: %s\n", echo_cpu.Text().c_str());
  std::printf("datapath_cpu_per_call_glet: %s\n", glet_cpu.Text().c_str());
  std::printf("datapath_switches_per_call_echo: %s\n", echo_cpu.SwitchesText().c_str());
  std::printf("datapath_switches_per_call_glet: %s\n", glet_cpu.SwitchesText().c_str());
  all.Print("datapath_all");
  quiet.Print("datapath_quiet");
  *table +=
      "| rounds | in flight | echo rps | glet rps | glet / echo (goal >= 0.5; per round) | "
      "echo p50 ms | glet p50 ms | added p50 ms |\n|---|---|---|---|---|---|---|---|\n";
  *table += quiet.Rows("quiet", o.concurrency) + all.Rows("all", o.concurrency);
  *table += "\nMean batch the frontend cut: " + Fmt(mean_batch, 2) + " (planned max " +
            std::to_string(m.spec.max_batch) + ", duty cycle about " +
            Fmt(1000.0 * m.spec.max_batch / m.rate_rps, 3) + " ms); payload " +
            std::to_string(request.raw_input_contents(0).size()) +
            " bytes each way.\n\nCPU time per call at " + std::to_string(o.concurrency) +
            " in flight (all rounds): echo side: " + echo_cpu.Text() +
            "; glet side: " + glet_cpu.Text() +
            ".\n\nContext switches per call (voluntary + involuntary, threads alive at the end): "
            "echo side: " +
            echo_cpu.SwitchesText() + "; glet side: " + glet_cpu.SwitchesText() + ".\n";
  return rc;
}

struct InferRun {
  double items_per_s = 0;
  double mean_ms = 0;  // per batch
  double p50_ms = 0;
};

glet::Result<InferRun> RunGletInfer(const BenchOptions& o, const std::string& dir) {
  GLET_ASSIGN_OR_RETURN(
      ChildProcess * child,
      o.children->Spawn({{o.glet, "--log-level", "warn", "infer", "--model", "resnet50", "--batch",
                          "8", "--slice", "cpu:0-1", "--warmup", "1", "--requests",
                          std::to_string(o.resnet_batches), "--manifest", dir + "/manifest.json"},
                         {}}));
  glet::Result<std::string> mean = child->AwaitLine("latency_mean_ms: ", seconds(600));
  glet::Result<std::string> p50 =
      mean.ok() ? child->AwaitLine("latency_p50_ms: ", seconds(60)) : mean;
  glet::Result<std::string> ips =
      p50.ok() ? child->AwaitLine("throughput_items_per_s: ", seconds(60)) : p50;
  child->WaitForExit(seconds(30));
  const bool exited_ok = child->exited() && *child->wait_status() == 0;
  o.children->Stop(child, seconds(1));
  GLET_RETURN_IF_ERROR(ips.status());
  if (!exited_ok) {
    return glet::InternalError("glet infer did not exit cleanly");
  }
  InferRun run;
  run.p50_ms = std::atof(p50->c_str());
  run.mean_ms = std::atof(mean->c_str());
  run.items_per_s = std::atof(ips->c_str());
  return run;
}

// resnet50 results pooled over a set of chunks.
struct ResnetTotals {
  int chunks = 0;
  double infer_items = 0;
  double infer_seconds = 0;
  LoopResult served;
  std::vector<double> ratios;  // served / infer, per chunk
  std::vector<double> infer_p50_ms;
  double compute_sum_ms = 0;  // proxy compute of the served batches (frontend metric)
  double compute_batches = 0;
  double max_other_cores = 0;

  void Add(const InferRun& infer, int batches, const Measured& served_run,
           std::pair<double, double> compute, double other) {
    ++chunks;
    compute_sum_ms += compute.first;
    compute_batches += compute.second;
    infer_items += 8.0 * batches;
    infer_seconds += 8.0 * batches / infer.items_per_s;
    infer_p50_ms.push_back(infer.p50_ms);
    Pool(served, served_run.result);
    ratios.push_back(served_run.result.rate() / infer.items_per_s);
    max_other_cores = std::max(max_other_cores, other);
  }
  double infer_rate() const { return infer_seconds > 0 ? infer_items / infer_seconds : 0; }
  double ratio() const { return infer_rate() > 0 ? served.rate() / infer_rate() : 0; }
  double compute_ms() const { return compute_batches > 0 ? compute_sum_ms / compute_batches : 0; }

  void Print(const std::string& prefix) const {
    if (chunks == 0) {
      return;
    }
    std::printf("%s_chunks: %d\n", prefix.c_str(), chunks);
    std::printf("%s_infer_items_per_s: %.2f\n", prefix.c_str(), infer_rate());
    std::printf("%s_served_items_per_s: %.2f\n", prefix.c_str(), served.rate());
    std::printf("%s_ratio_served_over_infer: %.3f\n", prefix.c_str(), ratio());
    std::printf("%s_chunk_ratios: %s\n", prefix.c_str(), RatioList(ratios).c_str());
    std::printf("%s_infer_batch_p50_ms: %.1f\n", prefix.c_str(), Median(infer_p50_ms));
    std::printf("%s_infer_ms_per_batch: %.1f\n", prefix.c_str(), 8000.0 / infer_rate());
    std::printf("%s_served_ms_per_batch: %.1f\n", prefix.c_str(), 8000.0 / served.rate());
    std::printf("%s_served_proxy_compute_ms_per_batch: %.1f\n", prefix.c_str(), compute_ms());
    std::printf("%s_served_request_p50_ms: %.1f\n", prefix.c_str(),
                glet::Summarize(served.latencies_ms).p50);
    std::printf("%s_max_other_cores: %.2f\n", prefix.c_str(), max_other_cores);
  }

  std::string Row(const std::string& which) const {
    if (chunks == 0) {
      return "| " + which + " | none | | | | | | |\n";
    }
    return "| " + which + " (" + std::to_string(chunks) + ", others <= " + Fmt(max_other_cores, 2) +
           " cores) | " + Fmt(infer_rate(), 2) + " | " + Fmt(served.rate(), 2) + " | **" +
           Fmt(ratio(), 3) + "** (" + RatioList(ratios) + ") | " +
           Fmt(8000.0 / std::max(infer_rate(), 1e-9), 1) + " | " +
           Fmt(8000.0 / std::max(served.rate(), 1e-9), 1) + " | " + Fmt(compute_ms(), 1) + " | " +
           Fmt(glet::Summarize(served.latencies_ms).p50, 1) + " |\n";
  }
};

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

  Deployment glet(o.glet, *o.children);
  if (glet::Status s = glet.Start(dir); !s.ok()) {
    std::fprintf(stderr, "start failed: %s\n", s.ToString().c_str());
    return 1;
  }
  auto stub = MakeStub(glet.grpc());
  const inference::ModelInferRequest request = glet::client::MakeInferRequest(
      glet::client::InputsFromSpec(m.spec.name, m.spec.input, /*seed=*/1));
  // The serving plane stays up, idle, while glet infer runs; what it burns then is measured.
  std::vector<pid_t> plane = glet::testing::ChildrenOf(glet.backend_pid());
  plane.push_back(glet.frontend_pid());
  plane.push_back(glet.backend_pid());
  plane.push_back(getpid());

  LoopOptions loop;
  loop.concurrency = o.resnet_concurrency;
  loop.warmup_requests = 8;  // the first batch: once it is done the next one is queued
  loop.max_requests = loop.warmup_requests + 8LL * o.resnet_batches;
  ResnetTotals all;
  ResnetTotals quiet;
  int rc = 0;
  for (int c = 0; c < o.resnet_chunks && rc == 0; ++c) {
    // Odd chunks serve first, so drift in machine load does not always favour one side.
    Measured served;
    std::pair<double, double> compute_before;
    std::pair<double, double> compute_after;
    auto serve = [&] {
      compute_before = glet.Histogram("glet_compute_time_seconds", m.spec.name);
      compute_before.first *= 1000;  // ms
      served = MeasureLoop(*stub, request, loop);
      compute_after = glet.Histogram("glet_compute_time_seconds", m.spec.name);
      compute_after.first *= 1000;
    };
    if (c % 2 == 1) {
      serve();
    }
    const CpuMeter meter;
    double plane_cpu_s = 0;
    for (pid_t pid : plane) {
      plane_cpu_s -= ProcessCpuSeconds(pid);
    }
    const SteadyClock::time_point infer_start = SteadyClock::now();
    glet::Result<InferRun> infer = RunGletInfer(o, dir);
    for (pid_t pid : plane) {
      plane_cpu_s += ProcessCpuSeconds(pid);
    }
    const double plane_idle_cores =
        plane_cpu_s / std::max(1e-9, SecondsBetween(infer_start, SteadyClock::now()));
    const double infer_other = meter.OtherCores();
    if (!infer.ok()) {
      std::fprintf(stderr, "%s\n", infer.status().ToString().c_str());
      rc = 1;
      break;
    }
    if (c % 2 == 0) {
      serve();
    }
    if (Failed("served", served.result)) {
      rc = 1;
      break;
    }
    const double other = std::max(infer_other, served.other_cores);
    // Includes the chunk's warm-up batch.
    const std::pair<double, double> compute = {compute_after.first - compute_before.first,
                                               compute_after.second - compute_before.second};
    std::printf(
        "resnet50_chunk_%d: infer %.2f items/s (%.1f ms/batch), served %.2f items/s (%.1f "
        "ms/batch, proxy compute %.1f ms), others %.2f cores, idle serving plane %.3f cores\n",
        c, infer->items_per_s, infer->mean_ms, served.result.rate(),
        8000.0 / std::max(served.result.rate(), 1e-9),
        compute.second > 0 ? compute.first / compute.second : 0, other, plane_idle_cores);
    all.Add(*infer, o.resnet_batches, served, compute, other);
    if (other <= o.quiet_cores) {
      quiet.Add(*infer, o.resnet_batches, served, compute, other);
    }
  }
  const double mean_batch = glet.MetricMean("glet_batch_size", m.spec.name);
  const double compute_ms = 1000 * glet.MetricMean("glet_compute_time_seconds", m.spec.name);
  glet.Stop();
  if (rc != 0) {
    return rc;
  }
  std::printf("resnet50_served_mean_batch: %.2f\n", mean_batch);
  std::printf("resnet50_served_compute_mean_ms: %.1f\n", compute_ms);
  all.Print("resnet50_all");
  quiet.Print("resnet50_quiet");
  *table +=
      "| chunks | glet infer (items/s) | served (items/s) | served / infer (goal >= 0.95; "
      "per chunk) | infer ms per batch | served ms per batch | of which proxy compute | "
      "served request p50 ms (" +
      std::to_string(o.resnet_concurrency) + " in flight) |\n|---|---|---|---|---|---|---|---|\n";
  *table += quiet.Row("quiet") + all.Row("all");
  *table += "\nBatch size the frontend cut: mean " + Fmt(mean_batch, 2) +
            "; proxy compute per batch (frontend metric, all chunks): mean " + Fmt(compute_ms, 1) +
            " ms. " + std::to_string(o.resnet_batches) + " measured batches per chunk and side.\n";
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  // As glet's own processes do, Abseil's deadlock detector is off for the echo baseline and
  // the client. The polling engine stays gRPC's default here: `poll`, which glet's processes
  // choose (serve/process_setup.h), makes this echo server slower, and the baseline is a bare
  // gRPC server at its best. GRPC_POLL_STRATEGY set by the caller applies to both sides.
  glet::serve::TurnOffMutexDeadlockDetection();
  if (argc == 2 && std::strcmp(argv[1], "--echo-server") == 0) {
    return RunEchoServer();
  }
  // Before any thread starts: SIGINT/SIGTERM/SIGHUP are taken by one thread, which stops the
  // children and exits.
  auto signals = glet::cli::ShutdownSignals::Block();
  if (!signals.ok()) {
    std::fprintf(stderr, "serve_bench: %s\n", signals.status().ToString().c_str());
    return 1;
  }
  static ChildProcessSet children;
  BenchOptions o;
  o.children = &children;
  const std::string self = SelfExe();
  o.glet = (std::filesystem::path(self).parent_path().parent_path() / "glet").string();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--quick") {
      o.rounds = 2;
      o.seconds = 2;
      o.unloaded_s = 1;
      o.resnet_chunks = 2;
      o.resnet_batches = 3;
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
    } else if (next != nullptr && arg == "--chunks") {
      o.resnet_chunks = std::max(1, std::atoi(argv[++i]));
    } else if (next != nullptr && arg == "--resnet-concurrency") {
      o.resnet_concurrency = std::max(1, std::atoi(argv[++i]));
    } else if (next != nullptr && arg == "--resnet-batches") {
      o.resnet_batches = std::max(1, std::atoi(argv[++i]));
    } else if (next != nullptr && arg == "--quiet-cores") {
      o.quiet_cores = std::atof(argv[++i]);
    } else {
      const bool help = arg == "--help" || arg == "-h";
      std::fprintf(help ? stdout : stderr, "%s",
                   "usage: serve_bench [--quick] [--glet PATH] [--only datapath|resnet]\n"
                   "  data path: [--concurrency N] [--rounds R] [--seconds S]\n"
                   "  resnet50:  [--chunks C] [--resnet-batches B] [--resnet-concurrency N]\n"
                   "  [--quiet-cores X]  rounds/chunks count as quiet when other processes\n"
                   "                     kept at most X cores busy on average (default 0.1)\n");
      return help ? 0 : 2;
    }
  }
  if (!o.only.empty() && o.only != "datapath" && o.only != "resnet") {
    std::fprintf(stderr, "serve_bench: --only: expected datapath or resnet (got '%s')\n",
                 o.only.c_str());
    return 2;
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
  std::thread([s = std::move(*signals), folder = std::string(dir)] {
    const std::string why = s->Wait(/*watch_stdin=*/false);
    std::fprintf(stderr, "serve_bench: %s: stopping the servers\n", why.c_str());
    children.StopAll(seconds(15));
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
    std::_Exit(130);
  }).detach();
  std::printf("glet: %s\n", o.glet.c_str());
  std::printf("cores: %u\n", std::thread::hardware_concurrency());
  std::printf("load_1m_at_start: %.2f\n", LoadAverage1m());
  std::string table;
  int rc = 0;
  if (o.only.empty() || o.only == "datapath") {
    table += "### Data path: identity model, closed loop, client -> frontend -> proxy vs echo\n\n";
    rc |= RunDataPath(o, std::string(dir) + "/datapath", &table);
  }
  if (o.only.empty() || o.only == "resnet") {
    table += "\n### resnet50, batch 8, one glet of both cores: served vs glet infer\n\n";
    rc |= RunResnet(o, std::string(dir) + "/resnet", &table);
  }
  std::printf("load_1m_at_end: %.2f\n", LoadAverage1m());
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::printf("\n%s", table.c_str());
  return rc;
}
