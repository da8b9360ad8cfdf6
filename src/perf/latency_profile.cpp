#include "perf/latency_profile.h"

#include "core/csv.h"
#include "core/file_util.h"
#include "core/strings.h"

namespace glet::perf {

namespace {

std::string IntsToString(const std::vector<int>& v) {
  std::vector<std::string> parts;
  for (int x : v) {
    parts.push_back(std::to_string(x));
  }
  return Join(parts, ",");
}

Status AddRow(std::map<std::string, std::map<int, std::map<int, double>>>& table,
              const LatencyRow& row, const std::string& where) {
  if (row.model.empty()) {
    return InvalidArgumentError(where + ": column 'model': empty model name");
  }
  if (row.partition < 1 || row.partition > 100) {
    return InvalidArgumentError(where + ": column 'partition': must be in 1..100 (got " +
                                std::to_string(row.partition) + ")");
  }
  if (row.batch < 1) {
    return InvalidArgumentError(where + ": column 'batch': must be >= 1 (got " +
                                std::to_string(row.batch) + ")");
  }
  if (!(row.latency_ms > 0)) {
    return InvalidArgumentError(where + ": column 'latency_ms': must be > 0 (got " +
                                FormatDouble(row.latency_ms, 4) + ")");
  }
  auto& batches = table[row.model][row.partition];
  if (!batches.emplace(row.batch, row.latency_ms).second) {
    return InvalidArgumentError(where + ": duplicate row for model " + row.model + " partition " +
                                std::to_string(row.partition) + " batch " +
                                std::to_string(row.batch));
  }
  return Status::Ok();
}

}  // namespace

Result<LatencyProfile> LatencyProfile::Load(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return Parse(text, path);
}

Result<LatencyProfile> LatencyProfile::Parse(const std::string& text, const std::string& origin) {
  GLET_ASSIGN_OR_RETURN(CsvTable csv, CsvTable::Parse(text, origin, /*has_header=*/false));
  LatencyProfile profile;
  profile.origin_ = origin;
  bool first = true;
  for (const CsvTable::Row& raw : csv.rows()) {
    std::vector<std::string> cells = raw.cells;
    if (cells.size() == 5 && cells.back().empty()) {
      cells.pop_back();
    }
    const std::string where = origin + ":" + std::to_string(raw.line);
    if (first) {
      first = false;
      if (!cells.empty() && cells[0] == "model") {
        if (cells.size() != 4 || cells[2] != "batch" || cells[3] != "latency_ms" ||
            (cells[1] != "partition" && cells[1] != "partition_percent")) {
          return InvalidArgumentError(where + ": expected header 'model,partition,batch," +
                                      "latency_ms', got '" + Join(cells, ",") + "'");
        }
        continue;
      }
    }
    if (cells.size() != 4) {
      return InvalidArgumentError(where + ": expected 4 cells (model,partition,batch," +
                                  "latency_ms), got " + std::to_string(cells.size()));
    }
    LatencyRow row;
    row.model = cells[0];
    GLET_ASSIGN_OR_RETURN(int64_t partition, ParseInt(cells[1], where + ": column 'partition'"));
    GLET_ASSIGN_OR_RETURN(int64_t batch, ParseInt(cells[2], where + ": column 'batch'"));
    GLET_ASSIGN_OR_RETURN(row.latency_ms, ParseDouble(cells[3], where + ": column 'latency_ms'"));
    row.partition = static_cast<int>(partition);
    row.batch = static_cast<int>(batch);
    GLET_RETURN_IF_ERROR(AddRow(profile.table_, row, where));
  }
  return profile;
}

Result<LatencyProfile> LatencyProfile::FromRows(const std::vector<LatencyRow>& rows,
                                                const std::string& origin) {
  LatencyProfile profile;
  profile.origin_ = origin;
  for (size_t i = 0; i < rows.size(); ++i) {
    GLET_RETURN_IF_ERROR(
        AddRow(profile.table_, rows[i], origin + ": row " + std::to_string(i + 1)));
  }
  return profile;
}

bool LatencyProfile::HasModel(const std::string& model) const { return table_.count(model) > 0; }

std::vector<std::string> LatencyProfile::models() const {
  std::vector<std::string> out;
  for (const auto& [m, _] : table_) {
    out.push_back(m);
  }
  return out;
}

std::vector<int> LatencyProfile::partitions(const std::string& model) const {
  std::vector<int> out;
  auto it = table_.find(model);
  if (it != table_.end()) {
    for (const auto& [p, _] : it->second) {
      out.push_back(p);
    }
  }
  return out;
}

std::vector<int> LatencyProfile::batches(const std::string& model, int partition) const {
  std::vector<int> out;
  auto it = table_.find(model);
  if (it == table_.end()) {
    return out;
  }
  auto pit = it->second.find(partition);
  if (pit == it->second.end()) {
    return out;
  }
  for (const auto& [b, _] : pit->second) {
    out.push_back(b);
  }
  return out;
}

bool LatencyProfile::Has(const std::string& model, int partition, int batch) const {
  auto it = table_.find(model);
  if (it == table_.end()) {
    return false;
  }
  auto pit = it->second.find(partition);
  return pit != it->second.end() && pit->second.count(batch) > 0;
}

Result<double> LatencyProfile::LatencyMs(const std::string& model, int partition, int batch) const {
  auto it = table_.find(model);
  if (it == table_.end()) {
    return NotFoundError(origin_ + ": no latency for model '" + model +
                         "' (profile has: " + Join(models(), ", ") + ")");
  }
  auto pit = it->second.find(partition);
  if (pit == it->second.end()) {
    return NotFoundError(origin_ + ": no latency for model '" + model + "' at partition " +
                         std::to_string(partition) + " (has partitions " +
                         IntsToString(partitions(model)) + ")");
  }
  const auto& by_batch = pit->second;
  auto exact = by_batch.find(batch);
  if (exact != by_batch.end()) {
    return exact->second;
  }
  auto hi = by_batch.lower_bound(batch);
  if (hi == by_batch.end() || hi == by_batch.begin()) {
    return NotFoundError(origin_ + ": no latency for model '" + model + "' at partition " +
                         std::to_string(partition) + " batch " + std::to_string(batch) +
                         " (has batches " + IntsToString(batches(model, partition)) + ")");
  }
  auto lo = std::prev(hi);
  double t = static_cast<double>(batch - lo->first) / static_cast<double>(hi->first - lo->first);
  return lo->second + t * (hi->second - lo->second);
}

std::vector<LatencyRow> LatencyProfile::rows() const {
  std::vector<LatencyRow> out;
  for (const auto& [m, parts] : table_) {
    for (const auto& [p, batches] : parts) {
      for (const auto& [b, l] : batches) {
        out.push_back({m, p, b, l});
      }
    }
  }
  return out;
}

std::string LatencyProfile::ToCsv() const {
  std::string out = "model,partition,batch,latency_ms\n";
  for (const LatencyRow& r : rows()) {
    out += r.model + "," + std::to_string(r.partition) + "," + std::to_string(r.batch) + "," +
           FormatDouble(r.latency_ms, 4) + "\n";
  }
  return out;
}

}  // namespace glet::perf
