// glet client: open-loop load generator for any KServe v2 gRPC server (glet's frontend first).
// Builds an arrival schedule (Poisson / uniform / rate trace per model or app, seeded), asks the
// server for each model's inputs (ModelMetadata) and builds one random request per model, sends
// asynchronously with a deadline per request, and reports served / dropped / failed, SLO
// attainment, latency percentiles and goodput, per model and overall. See docs/client.md.
#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/model_lookup.h"
#include "cli/report.h"
#include "client/arrival_schedule.h"
#include "client/kserve_connection.h"
#include "client/load_generator.h"
#include "client/model_inputs.h"
#include "client/run_report.h"
#include "client/slo_source.h"
#include "client/workload.h"
#include "core/check.h"
#include "core/file_util.h"
#include "core/logging.h"
#include "core/strings.h"
#include "serve/kserve_tls.h"

namespace glet::cli {

namespace {

constexpr auto kMetadataTimeout = std::chrono::seconds(5);
constexpr auto kReadyPollInterval = std::chrono::milliseconds(200);

struct ClientOptions {
  std::string target = "127.0.0.1:8001";
  serve::KServeClientTls tls;
  std::vector<std::string> models;
  std::string workload;
  std::vector<std::string> traces;
  std::string dist = "poisson";
  double duration_s = 0;
  int64_t max_requests = -1;
  uint64_t seed = 1;
  double timeout_ms = 0;
  int64_t max_inflight = 10000;
  std::vector<std::string> slos;
  std::string manifest;
  std::string app_dir;
  std::string log;
  double wait_ready_s = 0;
  bool dry_run = false;
  bool json = false;
};

Result<client::ClientWorkload> BuildWorkload(const ClientOptions& o) {
  GLET_ASSIGN_OR_RETURN(client::ArrivalDist dist, client::ParseArrivalDist(o.dist, "--dist"));
  client::ClientWorkload w;
  for (const std::string& m : o.models) {
    GLET_ASSIGN_OR_RETURN(client::Stream s, client::ParseModelRate(m, dist));
    w.streams.push_back(std::move(s));
  }
  if (!o.workload.empty()) {
    auto streams = client::LoadWorkloadCsv(o.workload, dist);
    if (!streams.ok()) {
      return streams.status().WithContext("--workload");
    }
    for (client::Stream& s : *streams) {
      w.streams.push_back(std::move(s));
    }
  }
  for (const std::string& t : o.traces) {
    GLET_ASSIGN_OR_RETURN(client::Stream s, client::ParseTraceArg(t, dist));
    w.streams.push_back(std::move(s));
  }
  if (w.streams.empty()) {
    return InvalidArgumentError(
        "nothing to send: give --model NAME:RATE, --workload FILE or --trace NAME=FILE");
  }
  return w;
}

client::ScheduleLimits MakeLimits(const ClientOptions& o) {
  client::ScheduleLimits l;
  l.duration_s = o.duration_s > 0 ? o.duration_s : std::numeric_limits<double>::infinity();
  l.max_requests = o.max_requests;
  return l;
}

// What the run needs to know about one model before it starts.
struct ModelSetup {
  client::ModelInputs inputs;
  client::SloChoice slo;
  std::string inputs_source;  // "server" or "manifest"
};

Result<ModelSetup> SetUpModel(const std::string& name, client::KServeConnection& conn,
                              const model::ModelManifest* manifest,
                              const client::SloSources& slo_sources, uint64_t seed) {
  ModelSetup setup;
  std::optional<double> server_slo;
  auto md = conn.Metadata(name, kMetadataTimeout);
  if (md.ok()) {
    GLET_ASSIGN_OR_RETURN(setup.inputs, client::InputsFromMetadata(md->response, seed));
    setup.inputs_source = "server";
    server_slo = md->slo_ms;
  } else if (md.status().code() == StatusCode::kNotFound) {
    return InvalidArgumentError("model '" + name + "': " + md.status().message());
  } else {
    // The server cannot tell us (down, or no metadata call): fall back to the manifest so the
    // run still goes ahead and records what the server does with the requests.
    const model::ModelSpec* spec = nullptr;
    if (manifest != nullptr) {
      auto found = manifest->Find(name);
      if (found.ok()) {
        spec = *found;
      }
    }
    if (spec == nullptr) {
      return md.status();
    }
    GLET_LOG_WARN("{}; using the manifest's input for model {}", md.status().message(), name);
    setup.inputs = client::InputsFromSpec(name, spec->input, seed);
    setup.inputs_source = "manifest";
  }
  GLET_ASSIGN_OR_RETURN(setup.slo, client::ResolveSlo(name, server_slo, slo_sources));
  return setup;
}

void PrintRun(const ClientOptions& o, const client::RunReport& r,
              const std::map<std::string, ModelSetup>& setups) {
  const client::OutcomeCounts& t = r.total;
  Report report;
  report.Add("target", o.target);
  report.Add("seed", static_cast<int64_t>(o.seed));
  report.Add("window_s", r.window_s, 3);
  report.Add("sent", t.sent);
  report.Add("served", t.served);
  report.Add("dropped", t.dropped);
  report.Add("failed", t.failed);
  report.Add("served_in_slo", t.served_in_slo);
  report.Add("slo_attainment", t.slo_attainment, 4);
  report.Add("p50_ms", t.p50_ms, 3);
  report.Add("p95_ms", t.p95_ms, 3);
  report.Add("p99_ms", t.p99_ms, 3);
  report.Add("goodput_rps", t.goodput_rps, 3);
  report.Add("dropped_by_reason", client::ReasonCountsText(t.dropped_by_reason));
  report.Add("failed_by_reason", client::ReasonCountsText(t.failed_by_reason));
  report.Add("max_send_lag_ms", r.max_send_lag_ms, 3);
  if (o.json) {
    nlohmann::ordered_json j = report.ToJson();
    j["dropped_by_reason"] = t.dropped_by_reason;
    j["failed_by_reason"] = t.failed_by_reason;
    nlohmann::ordered_json models = nlohmann::ordered_json::object();
    for (const auto& [name, c] : r.per_model) {
      models[name] = client::OutcomeCountsJson(c);
      models[name]["slo_source"] = setups.at(name).slo.source;
    }
    j["models"] = models;
    std::cout << j.dump(2) << std::endl;
    return;
  }
  for (const auto& [name, c] : r.per_model) {
    report.Add("model." + name,
               "sent " + std::to_string(c.sent) + " served " + std::to_string(c.served) +
                   " dropped " + std::to_string(c.dropped) + " failed " + std::to_string(c.failed) +
                   " slo_ms " + FormatDouble(c.slo_ms, 1) + " (" + setups.at(name).slo.source +
                   ") slo_attainment " + FormatDouble(c.slo_attainment, 4) + " p50_ms " +
                   FormatDouble(c.p50_ms, 3) + " p99_ms " + FormatDouble(c.p99_ms, 3) +
                   " goodput_rps " + FormatDouble(c.goodput_rps, 3));
  }
  report.Print(false);
}

Status PrintDryRun(const ClientOptions& o, const client::ClientWorkload& w,
                   const std::vector<client::Arrival>& schedule) {
  Report report;
  report.Add("seed", static_cast<int64_t>(o.seed));
  report.Add("requests", static_cast<int64_t>(schedule.size()));
  report.Add("last_offset_s", schedule.empty() ? 0.0 : schedule.back().offset_s, 3);
  std::map<std::string, int64_t> per_model;
  for (const client::Arrival& a : schedule) {
    ++per_model[w.streams[a.stream].model];
  }
  for (const std::string& m : w.Models()) {
    report.Add("requests." + m, per_model[m]);
  }
  report.Print(o.json);
  return Status::Ok();
}

Status RunClient(const ClientOptions& o) {
  GLET_ASSIGN_OR_RETURN(client::ClientWorkload workload, BuildWorkload(o));
  using SloMap = std::map<std::string, double>;
  GLET_ASSIGN_OR_RETURN(SloMap slo_flags, client::ParseSloFlags(o.slos));
  GLET_ASSIGN_OR_RETURN(std::vector<client::Arrival> schedule,
                        client::MakeArrivalSchedule(workload, o.seed, MakeLimits(o)));
  if (o.dry_run) {
    return PrintDryRun(o, workload, schedule);
  }
  if (!o.log.empty()) {  // fail before the run, not after it
    GLET_RETURN_IF_ERROR(WriteFileAtomic(o.log, client::FormatRequestLog({})).WithContext("--log"));
  }
  // The manifest is a fallback source; only an explicit --manifest must load.
  std::optional<model::ModelManifest> manifest;
  {
    auto m = LoadManifestForCli(o.manifest);
    if (m.ok()) {
      manifest = std::move(m).value();
    } else if (!o.manifest.empty()) {
      return m.status().WithContext("--manifest");
    }
  }
  client::SloSources slo_sources;
  slo_sources.flags = slo_flags;
  slo_sources.manifest = manifest ? &*manifest : nullptr;
  slo_sources.apps =
      client::LoadAppSpecsQuietly(o.app_dir.empty() ? model::ResourceDir() + "/apps" : o.app_dir);

  GLET_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                        serve::KServeChannelCredentials(o.tls));
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<client::KServeConnection> conn,
                        client::KServeConnection::Create(o.target, credentials));
  if (o.wait_ready_s > 0) {
    GLET_RETURN_IF_ERROR(conn->WaitReady(FromMillis(o.wait_ready_s * 1000.0), kReadyPollInterval,
                                         SystemClock::Get()));
  }
  std::map<std::string, ModelSetup> setups;
  std::map<std::string, double> slo_ms;
  for (const std::string& name : workload.Models()) {
    GLET_ASSIGN_OR_RETURN(ModelSetup setup,
                          SetUpModel(name, *conn, slo_sources.manifest, slo_sources, o.seed));
    slo_ms[name] = setup.slo.slo_ms;
    setups.emplace(name, std::move(setup));
  }
  std::vector<client::LoadTarget> targets;
  for (const client::Stream& s : workload.streams) {
    const ModelSetup& setup = setups.at(s.model);
    client::LoadTarget t;
    t.model = s.model;
    t.request = client::MakeInferRequest(setup.inputs);
    t.timeout = FromMillis(o.timeout_ms > 0 ? o.timeout_ms : 10 * setup.slo.slo_ms);
    targets.push_back(std::move(t));
  }
  client::LoadGenerator generator(conn->channel(), SystemClock::Get());
  client::LoadOptions load;
  load.max_inflight = o.max_inflight;
  GLET_ASSIGN_OR_RETURN(std::vector<client::RequestRecord> records,
                        generator.Run(schedule, targets, load));
  GLET_CHECK(records.size() == schedule.size()) << "a scheduled request has no record";
  if (!o.log.empty()) {
    GLET_RETURN_IF_ERROR(
        WriteFileAtomic(o.log, client::FormatRequestLog(records)).WithContext("--log"));
  }
  const double window_s = std::isfinite(MakeLimits(o).duration_s) ? o.duration_s : 0;
  GLET_ASSIGN_OR_RETURN(client::RunReport report,
                        client::ComputeRunReport(records, slo_ms, window_s));
  GLET_CHECK(report.total.sent == static_cast<int64_t>(schedule.size()) &&
             report.total.sent == report.total.served + report.total.dropped + report.total.failed)
      << "request accounting broken";
  PrintRun(o, report, setups);
  return Status::Ok();
}

}  // namespace

void AddClientCommand(CLI::App& root, RunSlot& slot) {
  auto o = std::make_shared<ClientOptions>();
  CLI::App* cmd = root.add_subcommand(
      "client",
      "Open-loop load generator for a KServe v2 gRPC server (glet frontend): Poisson, uniform or "
      "rate-trace arrivals per model or app; reports served/dropped/failed, SLO attainment, "
      "latency percentiles and goodput.");
  cmd->footer(
      "Examples:\n"
      "  glet client --model lenet:50 --duration 10\n"
      "  glet client --model resnet50:100 --model traffic:20:uniform --duration 60 --log r.csv\n"
      "  glet client --trace lenet=trace.csv --slo lenet=5 --json\n"
      "Outcomes: served (OK), dropped (the server gave up on purpose: trailing metadata\n"
      "glet-outcome: dropped + glet-drop-reason), failed (anything else: errors, the client's\n"
      "deadline, refused connections, client_overload beyond --max-inflight).\n"
      "sent = served + dropped + failed; slo_attainment = served within SLO / sent.\n"
      "SLO per model: --slo, else the server's metadata, else the manifest, else the app spec.");
  cmd->add_option("--target", o->target, "Server address HOST:PORT (KServe v2 gRPC)")
      ->capture_default_str();
  cmd->add_option("--tls-ca", o->tls.ca,
                  "speak TLS to --target, checking its certificate against this PEM CA (a server "
                  "started with --kserve-tls-*)");
  cmd->add_option("--tls-cert", o->tls.cert,
                  "PEM certificate to present to a server that asks for one (with --tls-key; "
                  "implies TLS)");
  cmd->add_option("--tls-key", o->tls.key, "PEM private key of --tls-cert");
  cmd->add_option("--model", o->models,
                  "NAME:RATE[:DIST] stream of RATE requests/s to model or app NAME; repeatable");
  cmd->add_option("--workload", o->workload,
                  "CSV of streams: rows model,rate_rps[,dist] (header optional)");
  cmd->add_option("--trace", o->traces,
                  "NAME=FILE[:DIST] stream following a second,rps rate trace; repeatable");
  cmd->add_option("--dist", o->dist, "Default gap distribution: poisson|uniform")
      ->capture_default_str();
  cmd->add_option("--duration", o->duration_s,
                  "Seconds of arrivals (required for constant rates unless --max-requests; "
                  "cuts traces short)")
      ->check(NumberAtLeast(0));
  cmd->add_option("--max-requests", o->max_requests, "Send at most N requests (the first N)")
      ->check(IntAtLeast(0));
  cmd->add_option("--seed", o->seed, "Seed of the arrival schedule and the input values")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", o->timeout_ms,
                  "Deadline per request (default: 10 x the model's SLO)")
      ->check(NumberAtLeast(0));
  cmd->add_option("--max-inflight", o->max_inflight,
                  "Outstanding requests beyond which new ones fail as client_overload")
      ->check(IntAtLeast(1))
      ->capture_default_str();
  cmd->add_option("--slo", o->slos, "NAME=MS SLO for a model or app; repeatable");
  cmd->add_option("--manifest", o->manifest, "Model manifest (default: resource/models.json)");
  cmd->add_option("--app-dir", o->app_dir, "Folder of app specs (default: resource/apps)");
  cmd->add_option("--log", o->log,
                  "Write one CSV row per request: id,model,sent_ms,done_ms,status,reason,"
                  "latency_ms");
  cmd->add_option("--wait-ready", o->wait_ready_s,
                  "Wait up to S seconds for the server to report ready before starting")
      ->check(NumberAtLeast(0));
  cmd->add_flag("--dry-run", o->dry_run, "Print the schedule's size per model; send nothing");
  cmd->add_flag("--json", o->json, "Print the report as JSON");
  cmd->callback([o, &slot] { slot.run = [o] { return RunClient(*o); }; });
}

}  // namespace glet::cli
