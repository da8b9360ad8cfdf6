#include "perf/device_profile.h"

#include <cmath>
#include <filesystem>

#include "core/csv.h"
#include "core/file_util.h"
#include "core/json_reader.h"
#include "core/strings.h"

namespace glet::perf {

namespace {

Status LoadMemConfig(const std::string& path, DeviceProfile& out) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  JsonReader root(doc, path);
  GLET_RETURN_IF_ERROR(root.CheckKeys({"models"}));
  GLET_ASSIGN_OR_RETURN(JsonReader models, root.Child("models"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> items, models.Elements());
  for (const JsonReader& item : items) {
    GLET_RETURN_IF_ERROR(item.CheckKeys({"name", "mem"}));
    GLET_ASSIGN_OR_RETURN(std::string name, item.GetString("name"));
    GLET_ASSIGN_OR_RETURN(double mem, item.GetDouble("mem"));
    GLET_RETURN_IF_ERROR(item.RequirePositive("mem", mem));
    if (!out.model_mem_mib.emplace(name, mem).second) {
      return item.Error("duplicate model '" + name + "'");
    }
  }
  return Status::Ok();
}

Status LoadBatchCost(const std::string& path, std::map<int, double>& out) {
  GLET_ASSIGN_OR_RETURN(CsvTable csv, CsvTable::ReadFile(path, /*has_header=*/false));
  for (const CsvTable::Row& row : csv.rows()) {
    std::vector<std::string> cells = row.cells;
    if (cells.size() == 3 && cells.back().empty()) {
      cells.pop_back();
    }
    if (cells.size() != 2) {
      return InvalidArgumentError(csv.Where(row) + ": expected 2 cells (batch,ms), got " +
                                  std::to_string(cells.size()));
    }
    GLET_ASSIGN_OR_RETURN(int64_t batch, ParseInt(cells[0], csv.Where(row) + ": batch"));
    GLET_ASSIGN_OR_RETURN(double ms, ParseDouble(cells[1], csv.Where(row) + ": ms"));
    if (batch < 1 || ms < 0) {
      return InvalidArgumentError(csv.Where(row) + ": batch must be >= 1 and ms >= 0");
    }
    out[static_cast<int>(batch)] = ms;
  }
  return Status::Ok();
}

}  // namespace

Result<std::map<std::string, double>> ReadLoadTimes(const std::string& path) {
  std::map<std::string, double> out;
  GLET_ASSIGN_OR_RETURN(CsvTable csv, CsvTable::ReadFile(path, /*has_header=*/true));
  GLET_RETURN_IF_ERROR(csv.ExpectHeader({"model", "load_ms"}));
  for (const CsvTable::Row& row : csv.rows()) {
    const std::string& model = row.cells[0];
    if (model.empty()) {
      return InvalidArgumentError(csv.Where(row) + ": model: empty");
    }
    GLET_ASSIGN_OR_RETURN(double ms, ParseDouble(row.cells[1], csv.Where(row) + ": load_ms"));
    if (!(ms >= 0)) {
      return InvalidArgumentError(csv.Where(row) + ": load_ms must be >= 0");
    }
    if (!out.emplace(model, ms).second) {
      return InvalidArgumentError(csv.Where(row) + ": model '" + model + "' listed twice");
    }
  }
  return out;
}

namespace {

Status LoadDeviceJson(const std::string& dir, const std::string& path, DeviceProfile& out) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  JsonReader root(doc, path);
  GLET_RETURN_IF_ERROR(root.CheckKeys({"type", "mem_mib", "context_mem_mib", "net_mbps", "cost",
                                       "aliases", "inputs", "base", "time_scale"}));
  GLET_ASSIGN_OR_RETURN(out.mem_mib, root.GetDoubleOr("mem_mib", out.mem_mib));
  GLET_RETURN_IF_ERROR(root.RequirePositive("mem_mib", out.mem_mib));
  GLET_ASSIGN_OR_RETURN(out.context_mem_mib,
                        root.GetDoubleOr("context_mem_mib", out.context_mem_mib));
  GLET_RETURN_IF_ERROR(root.RequireNonNegative("context_mem_mib", out.context_mem_mib));
  GLET_ASSIGN_OR_RETURN(out.net_mbps, root.GetDoubleOr("net_mbps", out.net_mbps));
  GLET_RETURN_IF_ERROR(root.RequireNonNegative("net_mbps", out.net_mbps));
  GLET_ASSIGN_OR_RETURN(out.cost, root.GetDoubleOr("cost", out.cost));
  GLET_RETURN_IF_ERROR(root.RequirePositive("cost", out.cost));
  if (auto aliases = root.OptionalChild("aliases")) {
    GLET_ASSIGN_OR_RETURN(auto members, aliases->Members());
    for (const auto& [name, value] : members) {
      GLET_ASSIGN_OR_RETURN(std::string target, value.AsString());
      out.aliases[name] = target;
    }
  }
  if (auto inputs = root.OptionalChild("inputs")) {
    GLET_ASSIGN_OR_RETURN(auto members, inputs->Members());
    std::map<std::string, std::map<int, double>> cost_by_shape;
    for (const auto& [name, value] : members) {
      GLET_ASSIGN_OR_RETURN(std::string shape, value.AsString());
      double elems = 1;
      for (const std::string& d : Split(shape, '_')) {
        GLET_ASSIGN_OR_RETURN(int64_t dim, ParseInt(d, value.where()));
        if (dim < 1) {
          return value.Error("dimensions must be >= 1 (got '" + shape + "')");
        }
        elems *= static_cast<double>(dim);
      }
      out.input_bytes[name] = 4 * elems;
      const std::string cost_path = dir + "/" + shape + ".txt";
      if (!cost_by_shape.count(shape) && FileExists(cost_path)) {
        GLET_RETURN_IF_ERROR(LoadBatchCost(cost_path, cost_by_shape[shape]));
      }
      if (cost_by_shape.count(shape)) {
        out.batch_cost[name] = cost_by_shape[shape];
      }
    }
  }
  return Status::Ok();
}

// The "base" and "time_scale" of a device.json (absent: "" and 1).
struct Derivation {
  std::string base_dir;
  double time_scale = 1;
};

Result<Derivation> ReadDerivation(const std::string& dir, const std::string& path) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  JsonReader root(doc, path);
  Derivation d;
  GLET_ASSIGN_OR_RETURN(std::string base, root.GetStringOr("base", ""));
  if (!base.empty()) {
    const std::filesystem::path b(base);
    d.base_dir = b.is_absolute()
                     ? base
                     : (std::filesystem::path(dir).lexically_normal().parent_path() / b).string();
  }
  GLET_ASSIGN_OR_RETURN(d.time_scale, root.GetDoubleOr("time_scale", 1));
  if (!(d.time_scale > 0) || !std::isfinite(d.time_scale)) {
    return root.Error("time_scale: must be a finite number > 0 (got " +
                      FormatDouble(d.time_scale, 3) + ")");
  }
  return d;
}

// Every time of `p` multiplied by `k`, every rate divided by it.
Status ApplyTimeScale(double k, DeviceProfile& p) {
  std::vector<LatencyRow> rows = p.latency.rows();
  for (LatencyRow& r : rows) {
    r.latency_ms *= k;
  }
  GLET_ASSIGN_OR_RETURN(p.latency, LatencyProfile::FromRows(rows, p.latency.origin()));
  for (auto& [model, by_batch] : p.batch_cost) {
    for (auto& [batch, ms] : by_batch) {
      ms *= k;
    }
  }
  for (auto& [model, ms] : p.load_ms) {
    ms *= k;
  }
  p.net_mbps /= k;
  return Status::Ok();
}

Result<DeviceProfile> LoadDirAt(const std::string& dir, const std::string& type, int depth) {
  if (!std::filesystem::is_directory(dir)) {
    return InvalidArgumentError(dir + ": not a profile directory");
  }
  const std::string device_json = dir + "/device.json";
  Derivation derivation;
  if (FileExists(device_json)) {
    GLET_ASSIGN_OR_RETURN(derivation, ReadDerivation(dir, device_json));
  }
  DeviceProfile p;
  if (!derivation.base_dir.empty()) {
    if (depth >= 8) {
      return InvalidArgumentError(device_json + ": /base: more than 8 bases deep (a cycle?)");
    }
    Result<DeviceProfile> base = LoadDirAt(derivation.base_dir, type, depth + 1);
    if (!base.ok()) {
      return base.status().WithContext(device_json + ": /base");
    }
    p = std::move(base).value();
  }
  p.type = type;
  if (derivation.base_dir.empty() || FileExists(dir + "/latency.csv")) {
    GLET_ASSIGN_OR_RETURN(p.latency, LatencyProfile::Load(dir + "/latency.csv"));
  }
  const std::string int_path = dir + "/interference.csv";
  const std::string util_path = dir + "/util.csv";
  if (FileExists(int_path) != FileExists(util_path)) {
    return InvalidArgumentError(dir + ": interference.csv and util.csv must come together");
  }
  if (FileExists(int_path)) {
    GLET_ASSIGN_OR_RETURN(InterferenceModel im, InterferenceModel::Load(int_path, util_path));
    p.interference = std::move(im);
  }
  if (FileExists(dir + "/mem-config.json")) {
    p.model_mem_mib.clear();  // replaces the base's
    GLET_RETURN_IF_ERROR(LoadMemConfig(dir + "/mem-config.json", p));
  }
  if (FileExists(dir + "/load.csv")) {
    GLET_ASSIGN_OR_RETURN(p.load_ms, ReadLoadTimes(dir + "/load.csv"));  // replaces the base's
  }
  if (FileExists(device_json)) {
    GLET_RETURN_IF_ERROR(LoadDeviceJson(dir, device_json, p));
  }
  if (derivation.time_scale != 1) {
    GLET_RETURN_IF_ERROR(ApplyTimeScale(derivation.time_scale, p));
  }
  return p;
}

}  // namespace

Result<DeviceProfile> DeviceProfile::LoadDir(const std::string& dir, const std::string& type) {
  std::string name =
      type.empty() ? std::filesystem::path(dir).lexically_normal().filename().string() : type;
  if (name.empty()) {
    name = std::filesystem::path(dir).lexically_normal().parent_path().filename().string();
  }
  return LoadDirAt(dir, name, 0);
}

bool DeviceProfile::Knows(const std::string& model) const {
  return Resolve(model, [&](const std::string& n) { return latency.HasModel(n); }).has_value();
}

std::vector<int> DeviceProfile::Partitions(const std::string& model) const {
  auto name = Resolve(model, [&](const std::string& n) { return latency.HasModel(n); });
  return name ? latency.partitions(*name) : std::vector<int>{};
}

Result<double> DeviceProfile::LatencyMs(const std::string& model, int partition, int batch) const {
  auto name = Resolve(model, [&](const std::string& n) { return latency.HasModel(n); });
  if (!name) {
    return NotFoundError(latency.origin() + ": no latency for model '" + model + "'");
  }
  Result<double> r = latency.LatencyMs(*name, partition, batch);
  if (!r.ok() && *name != model) {
    return r.status().WithContext(model + " (profiled as " + *name + ")");
  }
  return r;
}

Result<UtilSample> DeviceProfile::Util(const std::string& model, int batch) const {
  if (!interference) {
    return NotFoundError(type + ": no interference/utilisation profile");
  }
  auto name = Resolve(model, [&](const std::string& n) { return interference->HasModel(n); });
  if (!name) {
    return NotFoundError(type + ": no utilisation profile for model '" + model + "'");
  }
  return interference->Util(*name, batch);
}

WorkloadType DeviceProfile::TypeOf(const std::string& model) const {
  if (!interference) {
    return WorkloadType::kUnknown;
  }
  auto name = Resolve(model, [&](const std::string& n) { return interference->HasModel(n); });
  return name ? ClassifyWorkload(*interference, *name) : WorkloadType::kUnknown;
}

Result<double> DeviceProfile::ModelMemMib(const std::string& model) const {
  auto name = Resolve(model, [&](const std::string& n) { return model_mem_mib.count(n) > 0; });
  if (!name) {
    return NotFoundError(type + ": no memory size for model '" + model +
                         "' (add it to mem-config.json)");
  }
  return model_mem_mib.at(*name);
}

std::optional<double> DeviceProfile::LoadMs(const std::string& model) const {
  auto name = Resolve(model, [&](const std::string& n) { return load_ms.count(n) > 0; });
  if (!name) {
    return std::nullopt;
  }
  return load_ms.at(*name);
}

double DeviceProfile::BatchCostMs(const std::string& model, int batch) const {
  auto name = Resolve(model, [&](const std::string& n) { return batch_cost.count(n) > 0; });
  if (!name) {
    return 0;
  }
  const auto& table = batch_cost.at(*name);
  auto it = table.lower_bound(batch);
  if (it == table.end()) {
    return table.empty() ? 0 : std::prev(it)->second;
  }
  return it->second;
}

double DeviceProfile::InputBytes(const std::string& model) const {
  auto name = Resolve(model, [&](const std::string& n) { return input_bytes.count(n) > 0; });
  return name ? input_bytes.at(*name) : 0;
}

}  // namespace glet::perf
