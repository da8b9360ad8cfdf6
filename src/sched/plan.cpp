#include "sched/plan.h"

#include <map>
#include <set>

#include "core/strings.h"
#include "sched/margins_json.h"

namespace glet::sched {

namespace {

Json ModelToJson(const PlannedModel& m) {
  return Json{{"model", m.model},
              {"batch", m.batch},
              {"rate_rps", m.rate_rps},
              {"exec_ms", m.exec_ms},
              {"alpha", m.alpha},
              {"expected_latency_ms", m.expected_latency_ms},
              {"capacity_rps", m.capacity_rps}};
}

Result<PlannedModel> ModelFromJson(const JsonReader& r) {
  GLET_RETURN_IF_ERROR(r.CheckKeys(
      {"model", "batch", "rate_rps", "exec_ms", "alpha", "expected_latency_ms", "capacity_rps"}));
  PlannedModel m;
  GLET_ASSIGN_OR_RETURN(m.model, r.GetString("model"));
  GLET_ASSIGN_OR_RETURN(int64_t batch, r.GetInt("batch"));
  if (batch < 1 || batch > 4096) {
    GLET_ASSIGN_OR_RETURN(JsonReader b, r.Child("batch"));
    return b.Error("must be in 1..4096 (got " + std::to_string(batch) + ")");
  }
  m.batch = static_cast<int>(batch);
  GLET_ASSIGN_OR_RETURN(m.rate_rps, r.GetDouble("rate_rps"));
  GLET_RETURN_IF_ERROR(r.RequireNonNegative("rate_rps", m.rate_rps));
  GLET_ASSIGN_OR_RETURN(m.exec_ms, r.GetDoubleOr("exec_ms", 0));
  GLET_ASSIGN_OR_RETURN(m.alpha, r.GetDoubleOr("alpha", 1));
  GLET_ASSIGN_OR_RETURN(m.expected_latency_ms, r.GetDoubleOr("expected_latency_ms", 0));
  GLET_ASSIGN_OR_RETURN(m.capacity_rps, r.GetDoubleOr("capacity_rps", 0));
  return m;
}

Result<PlannedGlet> GletFromJson(const JsonReader& r) {
  GLET_RETURN_IF_ERROR(r.CheckKeys({"partition", "duty_ms", "occupancy", "models"}));
  PlannedGlet g;
  GLET_ASSIGN_OR_RETURN(int64_t part, r.GetInt("partition"));
  if (part < 1 || part > 100) {
    GLET_ASSIGN_OR_RETURN(JsonReader p, r.Child("partition"));
    return p.Error("must be in 1..100 (got " + std::to_string(part) + ")");
  }
  g.partition = static_cast<int>(part);
  GLET_ASSIGN_OR_RETURN(g.duty_ms, r.GetDouble("duty_ms"));
  GLET_RETURN_IF_ERROR(r.RequirePositive("duty_ms", g.duty_ms));
  GLET_ASSIGN_OR_RETURN(g.occupancy, r.GetDoubleOr("occupancy", 0));
  GLET_ASSIGN_OR_RETURN(JsonReader models, r.Child("models"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> items, models.Elements());
  if (items.empty()) {
    return models.Error("a glet needs at least one model");
  }
  for (const JsonReader& item : items) {
    GLET_ASSIGN_OR_RETURN(PlannedModel m, ModelFromJson(item));
    g.models.push_back(std::move(m));
  }
  return g;
}

}  // namespace

int PlannedDevice::UsedPartition() const {
  int sum = 0;
  for (const PlannedGlet& g : glets) {
    sum += g.partition;
  }
  return sum;
}

int Plan::UsedDevices() const {
  int n = 0;
  for (const PlannedDevice& d : devices) {
    n += d.glets.empty() ? 0 : 1;
  }
  return n;
}

double Plan::PlacedRate(const std::string& model) const {
  double sum = 0;
  for (const PlannedDevice& d : devices) {
    for (const PlannedGlet& g : d.glets) {
      for (const PlannedModel& m : g.models) {
        if (m.model == model) {
          sum += m.rate_rps;
        }
      }
    }
  }
  return sum;
}

Json Plan::ToJson() const {
  Json workload_json = Json::array();
  for (const ModelDemand& d : workload) {
    workload_json.push_back(Json{{"model", d.model},
                                 {"rate_rps", d.rate_rps},
                                 {"slo_ms", d.slo_ms},
                                 {"max_batch", d.max_batch}});
  }
  Json devices_json = Json::array();
  for (const PlannedDevice& d : devices) {
    Json glets = Json::array();
    for (const PlannedGlet& g : d.glets) {
      Json models = Json::array();
      for (const PlannedModel& m : g.models) {
        models.push_back(ModelToJson(m));
      }
      glets.push_back(Json{{"partition", g.partition},
                           {"duty_ms", g.duty_ms},
                           {"occupancy", g.occupancy},
                           {"models", models}});
    }
    devices_json.push_back(
        Json{{"id", d.id}, {"type", d.type}, {"mem_mib", d.mem_mib}, {"glets", glets}});
  }
  return Json{{"version", kVersion},
              {"policy", policy},
              {"epoch", epoch},
              {"margins", Json{{"latency_ratio", margins.latency_ratio},
                               {"batch_cost", margins.batch_cost},
                               {"poisson_quantile", margins.poisson_quantile},
                               {"burst_miss", margins.burst_miss}}},
              {"workload", workload_json},
              {"devices", devices_json}};
}

double LatencyBoundMs(const PlannedGlet& g, double exec_ms, double glet_exec_ms) {
  return g.duty_ms + (g.models.size() > 1 ? glet_exec_ms : exec_ms);
}

void SetLatencyAndCapacity(PlannedGlet& g, const std::vector<double>& slo_ms,
                           const LambdaTable& lambda) {
  double total = 0;
  for (const PlannedModel& m : g.models) {
    total += m.exec_ms;
  }
  for (size_t i = 0; i < g.models.size(); ++i) {
    PlannedModel& m = g.models[i];
    m.expected_latency_ms = LatencyBoundMs(g, m.exec_ms, total);
    const int slack = SlackCycles(slo_ms[i], m.expected_latency_ms - g.duty_ms, g.duty_ms);
    m.capacity_rps = 1000.0 * lambda.MaxMean(m.batch, std::max(0, slack)) / g.duty_ms;
  }
}

Result<Plan> Plan::FromJson(const Json& doc, const std::string& origin) {
  JsonReader root(doc, origin);
  GLET_RETURN_IF_ERROR(root.ExpectObject());
  GLET_RETURN_IF_ERROR(
      root.CheckKeys({"version", "policy", "epoch", "margins", "workload", "devices"}));
  GLET_ASSIGN_OR_RETURN(int64_t version, root.GetInt("version"));
  if (version != kVersion) {
    GLET_ASSIGN_OR_RETURN(JsonReader v, root.Child("version"));
    return v.Error("unsupported plan version " + std::to_string(version) + " (expected " +
                   std::to_string(kVersion) + ")");
  }
  Plan plan;
  GLET_ASSIGN_OR_RETURN(plan.policy, root.GetStringOr("policy", ""));
  GLET_ASSIGN_OR_RETURN(plan.epoch, root.GetIntOr("epoch", 0));
  // A margin the file does not name is off (plans written before it existed did not use it).
  plan.margins.burst_miss = 0;
  if (auto m = root.OptionalChild("margins")) {
    GLET_ASSIGN_OR_RETURN(plan.margins, ReadMargins(*m, plan.margins));
  }
  GLET_ASSIGN_OR_RETURN(JsonReader workload, root.Child("workload"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> demands, workload.Elements());
  std::set<std::string> seen_models;
  for (const JsonReader& r : demands) {
    GLET_RETURN_IF_ERROR(r.CheckKeys({"model", "rate_rps", "slo_ms", "max_batch"}));
    ModelDemand d;
    GLET_ASSIGN_OR_RETURN(d.model, r.GetString("model"));
    GLET_ASSIGN_OR_RETURN(d.rate_rps, r.GetDouble("rate_rps"));
    GLET_RETURN_IF_ERROR(r.RequirePositive("rate_rps", d.rate_rps));
    GLET_ASSIGN_OR_RETURN(d.slo_ms, r.GetDouble("slo_ms"));
    GLET_RETURN_IF_ERROR(r.RequirePositive("slo_ms", d.slo_ms));
    GLET_ASSIGN_OR_RETURN(int64_t mb, r.GetIntOr("max_batch", kDefaultMaxBatch));
    if (mb < 1 || mb > 4096) {
      return r.Error("max_batch: must be in 1..4096");
    }
    d.max_batch = static_cast<int>(mb);
    if (!seen_models.insert(d.model).second) {
      return r.Error("duplicate model '" + d.model + "'");
    }
    plan.workload.push_back(d);
  }
  GLET_ASSIGN_OR_RETURN(JsonReader devices, root.Child("devices"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> items, devices.Elements());
  std::set<int64_t> ids;
  for (const JsonReader& r : items) {
    GLET_RETURN_IF_ERROR(r.CheckKeys({"id", "type", "mem_mib", "glets"}));
    PlannedDevice d;
    GLET_ASSIGN_OR_RETURN(int64_t id, r.GetInt("id"));
    if (id < 0 || !ids.insert(id).second) {
      return r.Error("id: must be unique and >= 0 (got " + std::to_string(id) + ")");
    }
    d.id = static_cast<int>(id);
    GLET_ASSIGN_OR_RETURN(d.type, r.GetString("type"));
    GLET_ASSIGN_OR_RETURN(d.mem_mib, r.GetDouble("mem_mib"));
    GLET_RETURN_IF_ERROR(r.RequirePositive("mem_mib", d.mem_mib));
    GLET_ASSIGN_OR_RETURN(JsonReader glets, r.Child("glets"));
    GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> glet_items, glets.Elements());
    for (const JsonReader& g : glet_items) {
      GLET_ASSIGN_OR_RETURN(PlannedGlet glet, GletFromJson(g));
      d.glets.push_back(std::move(glet));
    }
    plan.devices.push_back(std::move(d));
  }
  return plan;
}

Result<Plan> Plan::Load(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  return FromJson(doc, path);
}

std::string Plan::ToModelList() const {
  std::string out;
  for (const PlannedDevice& d : devices) {
    std::map<int, int> dedup;
    for (const PlannedGlet& g : d.glets) {
      int k = dedup[g.partition]++;
      for (const PlannedModel& m : g.models) {
        out += std::to_string(d.id) + "," + std::to_string(g.partition) + "," + std::to_string(k) +
               "," + m.model + "," + std::to_string(m.batch) + "," + FormatDouble(g.duty_ms, 3) +
               "\n";
      }
    }
  }
  return out;
}

}  // namespace glet::sched
