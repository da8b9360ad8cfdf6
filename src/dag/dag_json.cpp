#include "dag/dag_json.h"

#include <unordered_map>

namespace glet::dag {

namespace {

Result<double> ReadCost(const JsonReader& r) {
  if (r.node().is_null()) {
    return kInfCost;
  }
  if (r.node().is_string()) {
    GLET_ASSIGN_OR_RETURN(std::string s, r.AsString());
    if (s == "inf" || s == "Inf" || s == "INF" || s == "infinity") {
      return kInfCost;
    }
    return r.Error("expected a number, null or \"inf\" (got \"" + s + "\")");
  }
  GLET_ASSIGN_OR_RETURN(double v, r.AsDouble());
  if (v < 0) {
    return r.Error("cost must be >= 0 (got " + r.node().dump() + ")");
  }
  return v;
}

// A number (same for all) or an array of `n` numbers, or an n x n matrix when `matrix`.
Result<std::vector<double>> ReadPerProcessor(const JsonReader& parent, std::string_view key,
                                             size_t n, bool matrix, double fallback) {
  std::optional<JsonReader> child = parent.OptionalChild(key);
  const size_t count = matrix ? n * n : n;
  if (!child) {
    return std::vector<double>(count, fallback);
  }
  if (child->node().is_number()) {
    GLET_ASSIGN_OR_RETURN(double v, child->AsDouble());
    return std::vector<double>(count, v);
  }
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> rows, child->Elements());
  if (rows.size() != n) {
    return child->Error("expected " + std::to_string(n) + (matrix ? " rows" : " values") +
                        " (one per processor), got " + std::to_string(rows.size()));
  }
  std::vector<double> out;
  for (const JsonReader& row : rows) {
    if (!matrix) {
      GLET_ASSIGN_OR_RETURN(double v, row.AsDouble());
      out.push_back(v);
      continue;
    }
    GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> cells, row.Elements());
    if (cells.size() != n) {
      return row.Error("expected " + std::to_string(n) +
                       " columns (the matrix must be square, one per processor), got " +
                       std::to_string(cells.size()));
    }
    for (const JsonReader& cell : cells) {
      if (cell.node().is_string() && cell.node().get<std::string>() == "inf") {
        out.push_back(kInfCost);
        continue;
      }
      GLET_ASSIGN_OR_RETURN(double v, cell.AsDouble());
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace

std::string FileStem(const std::string& path) {
  std::string base =
      path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  auto dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

Result<Problem> LoadDagJson(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  return ParseDagJson(doc, path, FileStem(path));
}

Result<Problem> ParseDagJson(const Json& doc, const std::string& origin,
                             const std::string& default_name) {
  JsonReader root(doc, origin);
  GLET_RETURN_IF_ERROR(
      root.CheckKeys({"name", "processors", "bandwidth", "startup", "tasks", "edges"}));
  GLET_ASSIGN_OR_RETURN(std::string name, root.GetStringOr("name", default_name));
  GLET_ASSIGN_OR_RETURN(std::vector<std::string> procs, root.GetStringArray("processors"));
  if (procs.empty()) {
    GLET_ASSIGN_OR_RETURN(JsonReader p, root.Child("processors"));
    return p.Error("must list at least one processor");
  }
  const size_t num_procs = procs.size();
  GLET_ASSIGN_OR_RETURN(std::vector<double> bandwidth,
                        ReadPerProcessor(root, "bandwidth", num_procs, true, 1.0));
  GLET_ASSIGN_OR_RETURN(std::vector<double> startup,
                        ReadPerProcessor(root, "startup", num_procs, false, 0.0));
  GLET_ASSIGN_OR_RETURN(Platform platform,
                        Platform::Create(procs, std::move(bandwidth), std::move(startup), origin));

  GLET_ASSIGN_OR_RETURN(JsonReader tasks_r, root.Child("tasks"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> task_rs, tasks_r.Elements());
  std::vector<Task> tasks;
  std::unordered_map<std::string, int> index;
  for (const JsonReader& tr : task_rs) {
    GLET_RETURN_IF_ERROR(tr.CheckKeys({"id", "cost"}));
    GLET_ASSIGN_OR_RETURN(std::string id, tr.GetString("id"));
    if (!index.emplace(id, static_cast<int>(tasks.size())).second) {
      GLET_ASSIGN_OR_RETURN(JsonReader idr, tr.Child("id"));
      return idr.Error("duplicate task id '" + id + "'");
    }
    GLET_ASSIGN_OR_RETURN(JsonReader cost_r, tr.Child("cost"));
    GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> cells, cost_r.Elements());
    if (cells.size() != num_procs) {
      return cost_r.Error("expected " + std::to_string(num_procs) +
                          " costs (one per processor), got " + std::to_string(cells.size()));
    }
    Task task{id, {}};
    bool any_finite = false;
    for (const JsonReader& cell : cells) {
      GLET_ASSIGN_OR_RETURN(double c, ReadCost(cell));
      any_finite = any_finite || c != kInfCost;
      task.cost.push_back(c);
    }
    if (!any_finite) {
      return cost_r.Error("infinite cost on every processor; nothing can run task '" + id + "'");
    }
    tasks.push_back(std::move(task));
  }

  std::vector<Edge> edges;
  if (std::optional<JsonReader> edges_r = root.OptionalChild("edges")) {
    GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> edge_rs, edges_r->Elements());
    for (const JsonReader& er : edge_rs) {
      GLET_RETURN_IF_ERROR(er.CheckKeys({"from", "to", "data"}));
      int ends[2];
      const char* keys[2] = {"from", "to"};
      for (int k = 0; k < 2; ++k) {
        GLET_ASSIGN_OR_RETURN(std::string id, er.GetString(keys[k]));
        auto it = index.find(id);
        if (it == index.end()) {
          GLET_ASSIGN_OR_RETURN(JsonReader idr, er.Child(keys[k]));
          return idr.Error("unknown task '" + id + "'");
        }
        ends[k] = it->second;
      }
      GLET_ASSIGN_OR_RETURN(double data, er.GetDoubleOr("data", 0.0));
      GLET_RETURN_IF_ERROR(er.RequireNonNegative("data", data));
      edges.push_back(Edge{ends[0], ends[1], data});
    }
  }
  GLET_ASSIGN_OR_RETURN(Dag dag, Dag::Create(std::move(tasks), std::move(edges),
                                             static_cast<int>(num_procs), origin));
  return Problem{name, std::move(dag), std::move(platform)};
}

Json DagToJson(const Problem& problem) {
  const Platform& platform = problem.platform;
  const int n = platform.num_processors();
  Json bandwidth = Json::array();
  Json startup = Json::array();
  for (int p = 0; p < n; ++p) {
    Json row = Json::array();
    for (int q = 0; q < n; ++q) {
      double b = p == q ? 0.0 : platform.bandwidth(p, q);
      row.push_back(b == kInfCost ? Json("inf") : Json(b));
    }
    bandwidth.push_back(std::move(row));
    startup.push_back(platform.startup(p));
  }
  Json tasks = Json::array();
  for (const Task& t : problem.dag.tasks()) {
    Json cost = Json::array();
    for (double c : t.cost) {
      cost.push_back(c == kInfCost ? Json("inf") : Json(c));
    }
    tasks.push_back(Json{{"id", t.name}, {"cost", std::move(cost)}});
  }
  Json edges = Json::array();
  for (const Edge& e : problem.dag.edges()) {
    edges.push_back(Json{{"from", problem.dag.task(e.src).name},
                         {"to", problem.dag.task(e.dst).name},
                         {"data", e.data}});
  }
  return Json{{"name", problem.name},   {"processors", platform.names()},
              {"bandwidth", bandwidth}, {"startup", startup},
              {"tasks", tasks},         {"edges", edges}};
}

}  // namespace glet::dag
