#include "dag/device_table.h"

#include <map>

#include "core/strings.h"

namespace glet::dag {

namespace {

Result<std::vector<double>> ReadNumberOrList(const JsonReader& root, std::string_view key,
                                             size_t count, size_t rows, double fallback) {
  std::optional<JsonReader> r = root.OptionalChild(key);
  if (!r) {
    return std::vector<double>(count, fallback);
  }
  if (r->node().is_number()) {
    GLET_ASSIGN_OR_RETURN(double v, r->AsDouble());
    return std::vector<double>(count, v);
  }
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> items, r->Elements());
  if (items.size() != rows) {
    return r->Error("expected a number or " + std::to_string(rows) +
                    (count == rows ? " values" : " rows") + " (one per processor), got " +
                    std::to_string(items.size()));
  }
  std::vector<double> out;
  for (const JsonReader& item : items) {
    if (count == rows) {
      GLET_ASSIGN_OR_RETURN(double v, item.AsDouble());
      out.push_back(v);
      continue;
    }
    GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> cells, item.Elements());
    if (cells.size() != rows) {
      return item.Error("expected " + std::to_string(rows) +
                        " columns (the matrix must be square), got " +
                        std::to_string(cells.size()));
    }
    for (const JsonReader& cell : cells) {
      GLET_ASSIGN_OR_RETURN(double v, cell.AsDouble());
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace

Result<DeviceTable> LoadDeviceTable(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  return ParseDeviceTable(doc, path);
}

Result<DeviceTable> ParseDeviceTable(const Json& doc, const std::string& origin) {
  JsonReader root(doc, origin);
  GLET_RETURN_IF_ERROR(
      root.CheckKeys({"speeds_gflops", "processors", "bandwidth_mb_s", "startup_ms", "source"}));
  GLET_ASSIGN_OR_RETURN(JsonReader speeds_r, root.Child("speeds_gflops"));
  GLET_ASSIGN_OR_RETURN(auto members, speeds_r.Members());
  std::map<std::string, double> speeds;
  for (const auto& [cls, r] : members) {
    GLET_ASSIGN_OR_RETURN(double v, r.AsDouble());
    if (!(v > 0)) {
      return r.Error("must be > 0 (got " + r.node().dump() + ")");
    }
    speeds[cls] = v;
  }
  GLET_ASSIGN_OR_RETURN(JsonReader procs_r, root.Child("processors"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> proc_rs, procs_r.Elements());
  if (proc_rs.empty()) {
    return procs_r.Error("must list at least one processor");
  }
  std::vector<std::string> names;
  std::vector<double> gflops;
  for (const JsonReader& pr : proc_rs) {
    GLET_RETURN_IF_ERROR(pr.CheckKeys({"name", "class"}));
    GLET_ASSIGN_OR_RETURN(std::string name, pr.GetString("name"));
    GLET_ASSIGN_OR_RETURN(std::string cls, pr.GetString("class"));
    auto it = speeds.find(cls);
    if (it == speeds.end()) {
      GLET_ASSIGN_OR_RETURN(JsonReader cr, pr.Child("class"));
      std::vector<std::string> known;
      for (const auto& [k, v] : speeds) {
        known.push_back(k);
      }
      return cr.Error("unknown device class '" + cls +
                      "' (speeds_gflops has: " + Join(known, ", ") + ")");
    }
    names.push_back(name);
    gflops.push_back(it->second);
  }
  const size_t n = names.size();
  GLET_ASSIGN_OR_RETURN(std::vector<double> bw_mb_s,
                        ReadNumberOrList(root, "bandwidth_mb_s", n * n, n, 1000.0));
  GLET_ASSIGN_OR_RETURN(std::vector<double> startup,
                        ReadNumberOrList(root, "startup_ms", n, n, 0.0));
  std::vector<double> bw_mb_ms;
  for (double b : bw_mb_s) {
    bw_mb_ms.push_back(b / 1000.0);
  }
  GLET_ASSIGN_OR_RETURN(Platform platform,
                        Platform::Create(names, std::move(bw_mb_ms), std::move(startup), origin));
  int source = -1;
  if (root.Has("source")) {
    GLET_ASSIGN_OR_RETURN(std::string s, root.GetString("source"));
    source = platform.Find(s);
    if (source < 0) {
      GLET_ASSIGN_OR_RETURN(JsonReader sr, root.Child("source"));
      return sr.Error("unknown processor '" + s + "' (have: " + Join(names, ", ") + ")");
    }
  }
  return DeviceTable{std::move(platform), std::move(gflops), source};
}

}  // namespace glet::dag
