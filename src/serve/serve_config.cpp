#include "serve/serve_config.h"

#include <algorithm>
#include <filesystem>

#include "core/json_reader.h"
#include "core/strings.h"
#include "sched/margins_json.h"
#include "sched/planner_factory.h"

namespace glet::serve {

namespace {

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/') {
    return path;
  }
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

}  // namespace

Result<ServeConfig> ServeConfig::Load(const std::string& path,
                                      const model::ModelManifest& manifest) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  JsonReader root(doc, path);
  GLET_RETURN_IF_ERROR(
      root.CheckKeys({"models", "apps", "policy", "partitions", "epoch_s", "min_rate_rps", "node",
                      "min_devices", "margins", "host_overhead_ms", "batching"}));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  ServeConfig config;
  if (auto models = root.OptionalChild("models")) {
    GLET_ASSIGN_OR_RETURN(auto elems, models->Elements());
    for (const JsonReader& m : elems) {
      GLET_RETURN_IF_ERROR(
          m.CheckKeys({"name", "rate_rps", "slo_ms", "max_batch", "min_rate_rps"}));
      GLET_ASSIGN_OR_RETURN(std::string name, m.GetString("name"));
      if (!manifest.Find(name).ok()) {
        return InvalidArgumentError(m.where() + "/name: unknown model '" + name + "'");
      }
      GLET_ASSIGN_OR_RETURN(double rate, m.GetDouble("rate_rps"));
      GLET_RETURN_IF_ERROR(m.RequireNonNegative("rate_rps", rate));
      if (m.Has("slo_ms")) {
        GLET_ASSIGN_OR_RETURN(double slo, m.GetDouble("slo_ms"));
        GLET_RETURN_IF_ERROR(m.RequirePositive("slo_ms", slo));
        config.model_slo_ms[name] = slo;
      }
      if (m.Has("min_rate_rps")) {
        GLET_ASSIGN_OR_RETURN(double floor, m.GetDouble("min_rate_rps"));
        GLET_RETURN_IF_ERROR(m.RequireNonNegative("min_rate_rps", floor));
        config.model_floor_rps[name] = floor;
      }
      if (m.Has("max_batch")) {
        GLET_ASSIGN_OR_RETURN(int64_t b, m.GetInt("max_batch"));
        const int limit = (*manifest.Find(name))->max_batch;
        if (b < 1 || b > limit) {
          return InvalidArgumentError(m.where() + "/max_batch: must be in 1.." +
                                      std::to_string(limit) + " (the model's max_batch; got " +
                                      std::to_string(b) + ")");
        }
        config.model_max_batch[name] = static_cast<int>(b);
      }
      if (!config.model_rates.emplace(name, rate).second) {
        return InvalidArgumentError(m.where() + "/name: model '" + name + "' listed twice");
      }
    }
  }
  if (auto apps = root.OptionalChild("apps")) {
    GLET_ASSIGN_OR_RETURN(auto elems, apps->Elements());
    for (const JsonReader& a : elems) {
      GLET_RETURN_IF_ERROR(a.CheckKeys({"file", "rate_rps"}));
      GLET_ASSIGN_OR_RETURN(std::string file, a.GetString("file"));
      GLET_ASSIGN_OR_RETURN(double rate, a.GetDouble("rate_rps"));
      GLET_RETURN_IF_ERROR(a.RequireNonNegative("rate_rps", rate));
      auto spec = model::LoadAppSpec(Resolve(dir, file), &manifest);
      if (!spec.ok()) {
        return spec.status().WithContext(a.where() + "/file");
      }
      config.apps.push_back({std::move(*spec), rate});
    }
  }
  if (config.model_rates.empty() && config.apps.empty()) {
    return root.Error("serves nothing: give \"models\" or \"apps\"");
  }
  GLET_ASSIGN_OR_RETURN(config.policy, root.GetStringOr("policy", "glet"));
  const auto& policies = sched::PolicyNames();
  if (std::find(policies.begin(), policies.end(), config.policy) == policies.end()) {
    return InvalidArgumentError(path + ": /policy: unknown policy '" + config.policy + "'");
  }
  if (auto parts = root.OptionalChild("partitions")) {
    GLET_ASSIGN_OR_RETURN(auto members, parts->Members());
    for (const auto& [type, list] : members) {
      GLET_ASSIGN_OR_RETURN(auto elems, list.Elements());
      std::vector<int> sizes;
      for (const JsonReader& e : elems) {
        GLET_ASSIGN_OR_RETURN(int64_t p, e.AsInt());
        if (p < 1 || p > 100) {
          return e.Error("must be in 1..100 (got " + std::to_string(p) + ")");
        }
        sizes.push_back(static_cast<int>(p));
      }
      config.partitions[type] = sizes;
    }
  }
  GLET_ASSIGN_OR_RETURN(config.epoch_s, root.GetDoubleOr("epoch_s", 10));
  GLET_RETURN_IF_ERROR(root.RequirePositive("epoch_s", config.epoch_s));
  GLET_ASSIGN_OR_RETURN(config.min_rate_rps, root.GetDoubleOr("min_rate_rps", 1));
  GLET_RETURN_IF_ERROR(root.RequirePositive("min_rate_rps", config.min_rate_rps));
  GLET_ASSIGN_OR_RETURN(std::string node, root.GetStringOr("node", ""));
  config.node_path = Resolve(dir, node);
  GLET_ASSIGN_OR_RETURN(int64_t min_devices, root.GetIntOr("min_devices", 1));
  if (min_devices < 1) {
    return InvalidArgumentError(path + ": /min_devices: must be >= 1");
  }
  config.min_devices = static_cast<int>(min_devices);
  if (auto m = root.OptionalChild("margins")) {
    GLET_ASSIGN_OR_RETURN(config.margins, sched::ReadMargins(*m, config.margins));
  }
  if (auto b = root.OptionalChild("batching")) {
    GLET_RETURN_IF_ERROR(b->CheckKeys({"work_conserving", "shed"}));
    GLET_ASSIGN_OR_RETURN(config.work_conserving, b->GetBoolOr("work_conserving", true));
    GLET_ASSIGN_OR_RETURN(config.shed, b->GetBoolOr("shed", true));
  }
  GLET_ASSIGN_OR_RETURN(config.host_overhead_ms, root.GetDoubleOr("host_overhead_ms", 0));
  GLET_RETURN_IF_ERROR(root.RequireNonNegative("host_overhead_ms", config.host_overhead_ms));
  for (const auto& [name, rate] : config.model_rates) {
    auto slo = config.model_slo_ms.find(name);
    const double slo_ms =
        slo != config.model_slo_ms.end() ? slo->second : (*manifest.Find(name))->slo_ms;
    if (config.host_overhead_ms >= slo_ms) {
      return InvalidArgumentError(
          path + ": /host_overhead_ms: " + FormatDouble(config.host_overhead_ms, 2) +
          " ms leaves nothing of the SLO of model '" + name + "' (" + FormatDouble(slo_ms, 2) +
          " ms)");
    }
  }
  return config;
}

}  // namespace glet::serve
