#include "sched/workload.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/csv.h"
#include "core/file_util.h"
#include "core/strings.h"

namespace glet::sched {

namespace {

Status CheckDemand(const ModelDemand& d, const std::string& where) {
  if (d.model.empty()) {
    return InvalidArgumentError(where + ": column 'model': empty model name");
  }
  if (!(d.rate_rps > 0) || !std::isfinite(d.rate_rps)) {
    return InvalidArgumentError(where + ": column 'rate_rps': must be > 0 (got " +
                                FormatDouble(d.rate_rps, 3) + ")");
  }
  if (!(d.slo_ms > 0) || !std::isfinite(d.slo_ms)) {
    return InvalidArgumentError(where + ": column 'slo_ms': must be > 0 (got " +
                                FormatDouble(d.slo_ms, 3) + ")");
  }
  if (d.max_batch < 1 || d.max_batch > 4096) {
    return InvalidArgumentError(where + ": column 'max_batch': must be in 1..4096 (got " +
                                std::to_string(d.max_batch) + ")");
  }
  return Status::Ok();
}

}  // namespace

Workload Workload::Scaled(double factor) const {
  Workload w = *this;
  for (ModelDemand& d : w.models) {
    d.rate_rps *= factor;
  }
  return w;
}

double Workload::TotalRateRps() const {
  double sum = 0;
  for (const ModelDemand& d : models) {
    sum += d.rate_rps;
  }
  return sum;
}

int Workload::Find(const std::string& model) const {
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i].model == model) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

Status Workload::Validate(const std::string& origin) const {
  if (models.empty()) {
    return InvalidArgumentError(origin + ": no models in the workload");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < models.size(); ++i) {
    const std::string where = origin + ": model " + std::to_string(i + 1);
    GLET_RETURN_IF_ERROR(CheckDemand(models[i], where));
    if (!seen.insert(models[i].model).second) {
      return InvalidArgumentError(where + ": duplicate model '" + models[i].model + "'");
    }
  }
  return Status::Ok();
}

Result<Workload> ParseRatesCsv(const std::string& text, const std::string& origin) {
  GLET_ASSIGN_OR_RETURN(CsvTable csv, CsvTable::Parse(text, origin, /*has_header=*/true));
  const auto& h = csv.header();
  bool with_batch = h.size() == 4 && h[3] == "max_batch";
  if (h.size() < 3 || h[0] != "model" || h[1] != "rate_rps" || h[2] != "slo_ms" ||
      (h.size() == 4 && !with_batch) || h.size() > 4) {
    return InvalidArgumentError(origin + ":1: expected header 'model,rate_rps,slo_ms' " +
                                "(optionally ',max_batch'), got '" + Join(h, ",") + "'");
  }
  Workload w;
  std::set<std::string> seen;
  for (const CsvTable::Row& row : csv.rows()) {
    ModelDemand d;
    d.model = row.cells[0];
    GLET_ASSIGN_OR_RETURN(d.rate_rps, csv.Double(row, 1));
    GLET_ASSIGN_OR_RETURN(d.slo_ms, csv.Double(row, 2));
    if (with_batch) {
      GLET_ASSIGN_OR_RETURN(int64_t mb, csv.Int(row, 3));
      d.max_batch = static_cast<int>(std::clamp<int64_t>(mb, -1, 1 << 20));
    }
    GLET_RETURN_IF_ERROR(CheckDemand(d, csv.Where(row)));
    if (!seen.insert(d.model).second) {
      return InvalidArgumentError(csv.Where(row) + ": column 'model': duplicate model '" + d.model +
                                  "'");
    }
    w.models.push_back(d);
  }
  if (w.models.empty()) {
    return InvalidArgumentError(origin + ": no models (expected rows after the header)");
  }
  return w;
}

Result<Workload> LoadRatesCsv(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseRatesCsv(text, path);
}

Result<Workload> ParseTaskFile(const std::string& text, const std::string& origin,
                               const std::vector<std::string>& model_ids) {
  GLET_ASSIGN_OR_RETURN(CsvTable csv, CsvTable::Parse(text, origin, /*has_header=*/false));
  if (csv.rows().empty()) {
    return InvalidArgumentError(origin + ": empty task file (expected N, then N task lines)");
  }
  const CsvTable::Row& first = csv.rows()[0];
  GLET_ASSIGN_OR_RETURN(int64_t n, ParseInt(first.cells[0], csv.Where(first) + ": task count"));
  if (n < 1 || static_cast<size_t>(n) != csv.rows().size() - 1) {
    return InvalidArgumentError(csv.Where(first) + ": task count says " + std::to_string(n) +
                                " but the file has " + std::to_string(csv.rows().size() - 1) +
                                " task lines");
  }
  Workload w;
  std::set<std::string> seen;
  for (size_t i = 1; i < csv.rows().size(); ++i) {
    const CsvTable::Row& row = csv.rows()[i];
    std::vector<std::string> cells = row.cells;
    if (cells.size() == 4 && cells.back().empty()) {
      cells.pop_back();
    }
    const std::string where = csv.Where(row);
    if (cells.size() != 3) {
      return InvalidArgumentError(where + ": expected 'id,rate,slo', got " +
                                  std::to_string(cells.size()) + " cells");
    }
    GLET_ASSIGN_OR_RETURN(int64_t id, ParseInt(cells[0], where + ": column 'id'"));
    if (id < 0 || static_cast<size_t>(id) >= model_ids.size()) {
      return InvalidArgumentError(
          where + ": column 'id': " + std::to_string(id) + " names no model (model ids: 0.." +
          std::to_string(static_cast<int>(model_ids.size()) - 1) + " from --model-ids)");
    }
    ModelDemand d;
    d.model = model_ids[id];
    GLET_ASSIGN_OR_RETURN(d.rate_rps, ParseDouble(cells[1], where + ": column 'rate'"));
    GLET_ASSIGN_OR_RETURN(d.slo_ms, ParseDouble(cells[2], where + ": column 'slo'"));
    GLET_RETURN_IF_ERROR(CheckDemand(d, where));
    if (!seen.insert(d.model).second) {
      return InvalidArgumentError(where + ": duplicate task for model '" + d.model + "'");
    }
    w.models.push_back(d);
  }
  return w;
}

Result<Workload> LoadTaskFile(const std::string& path, const std::vector<std::string>& model_ids) {
  GLET_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseTaskFile(text, path, model_ids);
}

}  // namespace glet::sched
