#include "client/workload.h"

#include <algorithm>
#include <cmath>

#include "core/csv.h"
#include "core/file_util.h"
#include "core/strings.h"

namespace glet::client {

namespace {

Status CheckName(std::string_view name, const std::string& what) {
  if (name.empty()) {
    return InvalidArgumentError(what + ": model name is empty");
  }
  return Status::Ok();
}

Result<double> ParseRate(std::string_view text, const std::string& what) {
  GLET_ASSIGN_OR_RETURN(double rate, ParseDouble(Trim(text), what + ": rate_rps"));
  if (!(rate >= 0) || !std::isfinite(rate)) {
    return InvalidArgumentError(what + ": rate_rps: must be a finite number >= 0 (got " +
                                std::string(Trim(text)) + ")");
  }
  return rate;
}

}  // namespace

std::string_view ArrivalDistName(ArrivalDist dist) {
  switch (dist) {
    case ArrivalDist::kPoisson:
      return "poisson";
    case ArrivalDist::kUniform:
      return "uniform";
  }
  return "unknown";
}

Result<ArrivalDist> ParseArrivalDist(std::string_view name, std::string_view what) {
  const std::string_view n = Trim(name);
  if (n == "poisson") {
    return ArrivalDist::kPoisson;
  }
  if (n == "uniform") {
    return ArrivalDist::kUniform;
  }
  return InvalidArgumentError(std::string(what) + ": unknown distribution '" + std::string(n) +
                              "' (known: poisson, uniform)");
}

std::vector<std::string> ClientWorkload::Models() const {
  std::vector<std::string> names;
  for (const Stream& s : streams) {
    if (std::find(names.begin(), names.end(), s.model) == names.end()) {
      names.push_back(s.model);
    }
  }
  return names;
}

bool ClientWorkload::HasConstantRateStream() const {
  return std::any_of(streams.begin(), streams.end(), [](const Stream& s) { return !s.has_trace; });
}

Result<Stream> ParseModelRate(std::string_view arg, ArrivalDist default_dist) {
  const std::string what = "--model " + std::string(arg);
  const std::vector<std::string> parts = Split(arg, ':');
  if (parts.size() < 2 || parts.size() > 3) {
    return InvalidArgumentError(what + ": expected NAME:RATE[:DIST] (e.g. resnet50:100)");
  }
  Stream s;
  s.model = std::string(Trim(parts[0]));
  s.source = what;
  GLET_RETURN_IF_ERROR(CheckName(s.model, what));
  GLET_ASSIGN_OR_RETURN(s.rate_rps, ParseRate(parts[1], what));
  s.dist = default_dist;
  if (parts.size() == 3) {
    GLET_ASSIGN_OR_RETURN(s.dist, ParseArrivalDist(parts[2], what));
  }
  return s;
}

Result<Stream> ParseTraceArg(std::string_view arg, ArrivalDist default_dist) {
  const std::string what = "--trace " + std::string(arg);
  const size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    return InvalidArgumentError(what + ": expected NAME=FILE[:DIST] (e.g. lenet=trace.csv)");
  }
  Stream s;
  s.model = std::string(Trim(arg.substr(0, eq)));
  s.source = what;
  GLET_RETURN_IF_ERROR(CheckName(s.model, what));
  std::string file(Trim(arg.substr(eq + 1)));
  s.dist = default_dist;
  const size_t colon = file.rfind(':');
  if (colon != std::string::npos) {
    const std::string tail = file.substr(colon + 1);
    if (tail == "poisson" || tail == "uniform") {
      GLET_ASSIGN_OR_RETURN(s.dist, ParseArrivalDist(tail, what));
      file = file.substr(0, colon);
    }
  }
  if (file.empty()) {
    return InvalidArgumentError(what + ": trace file name is empty");
  }
  auto trace = RateTrace::Load(file);
  if (!trace.ok()) {
    return trace.status().WithContext("--trace");
  }
  s.has_trace = true;
  s.trace = std::move(trace).value();
  return s;
}

Result<std::vector<Stream>> ParseWorkloadCsv(std::string_view text, const std::string& origin,
                                             ArrivalDist default_dist) {
  GLET_ASSIGN_OR_RETURN(CsvTable table, CsvTable::Parse(text, origin, /*has_header=*/false));
  std::vector<Stream> streams;
  bool first = true;
  for (const CsvTable::Row& row : table.rows()) {
    const std::string where = table.Where(row);
    const bool is_first = first;
    first = false;
    if (is_first && !row.cells.empty() && row.cells[0] == "model") {
      const bool ok = row.cells.size() >= 2 && row.cells.size() <= 3 &&
                      row.cells[1] == "rate_rps" &&
                      (row.cells.size() == 2 || row.cells[2] == "dist");
      if (!ok) {
        return InvalidArgumentError(where + ": expected the header 'model,rate_rps[,dist]' (got '" +
                                    Join(row.cells, ",") + "')");
      }
      continue;
    }
    if (row.cells.size() < 2 || row.cells.size() > 3) {
      return InvalidArgumentError(where + ": expected 'model,rate_rps[,dist]' (got " +
                                  std::to_string(row.cells.size()) + " cells)");
    }
    Stream s;
    s.model = row.cells[0];
    s.source = where;
    GLET_RETURN_IF_ERROR(CheckName(s.model, where));
    GLET_ASSIGN_OR_RETURN(s.rate_rps, ParseRate(row.cells[1], where));
    s.dist = default_dist;
    if (row.cells.size() == 3 && !row.cells[2].empty()) {
      GLET_ASSIGN_OR_RETURN(s.dist, ParseArrivalDist(row.cells[2], where + ": dist"));
    }
    streams.push_back(std::move(s));
  }
  if (streams.empty()) {
    return InvalidArgumentError(origin + ": no rows (expected 'model,rate_rps[,dist]' lines)");
  }
  return streams;
}

Result<std::vector<Stream>> LoadWorkloadCsv(const std::string& path, ArrivalDist default_dist) {
  GLET_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseWorkloadCsv(text, path, default_dist);
}

}  // namespace glet::client
