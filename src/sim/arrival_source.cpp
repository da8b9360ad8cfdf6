#include "sim/arrival_source.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "client/stream_generator.h"
#include "core/csv.h"
#include "core/strings.h"

namespace glet::sim {

class ArrivalSource::StreamGen : public client::StreamGenerator {
 public:
  using client::StreamGenerator::StreamGenerator;
};

ArrivalSource::ArrivalSource() = default;
ArrivalSource::ArrivalSource(ArrivalSource&&) noexcept = default;
ArrivalSource& ArrivalSource::operator=(ArrivalSource&&) noexcept = default;
ArrivalSource::~ArrivalSource() = default;

ArrivalSource ArrivalSource::FromWorkload(const client::ClientWorkload& workload, uint64_t seed,
                                          double duration_s) {
  ArrivalSource src;
  src.duration_s_ = duration_s;
  for (size_t i = 0; i < workload.streams.size(); ++i) {
    const client::Stream& s = workload.streams[i];
    src.expected_ += s.has_trace ? s.trace.Cumulative(std::min(duration_s, s.trace.end_s()))
                                 : s.rate_rps * duration_s;
    src.gens_.push_back(std::make_unique<StreamGen>(s, client::StreamSeed(seed, i), duration_s));
    const double t = src.gens_.back()->Next();
    if (t < duration_s) {
      src.heap_.emplace(t, static_cast<int>(i));
    }
  }
  return src;
}

ArrivalSource ArrivalSource::FromList(std::vector<client::Arrival> arrivals) {
  ArrivalSource src;
  src.list_mode_ = true;
  src.expected_ = static_cast<double>(arrivals.size());
  src.list_ = std::move(arrivals);
  return src;
}

Result<ArrivalSource> ArrivalSource::FromRequestLog(const std::string& path, double duration_s,
                                                    std::vector<std::string>* stream_models) {
  GLET_ASSIGN_OR_RETURN(CsvTable table, CsvTable::ReadFile(path, /*has_header=*/true));
  GLET_ASSIGN_OR_RETURN(int model_col, table.Column("model"));
  GLET_ASSIGN_OR_RETURN(int sent_col, table.Column("sent_ms"));
  std::map<std::string, int> index;
  std::vector<client::Arrival> arrivals;
  for (const CsvTable::Row& row : table.rows()) {
    const std::string& model = row.cells[model_col];
    if (model.empty()) {
      return InvalidArgumentError(table.Where(row) + ": column 'model': is empty");
    }
    GLET_ASSIGN_OR_RETURN(double sent_ms, table.Double(row, sent_col));
    if (!std::isfinite(sent_ms) || sent_ms < 0) {
      return InvalidArgumentError(table.Where(row) + ": column 'sent_ms': must be >= 0 (got " +
                                  row.cells[sent_col] + ")");
    }
    auto [it, added] = index.emplace(model, static_cast<int>(index.size()));
    if (added) {
      stream_models->push_back(model);
    }
    if (sent_ms / 1000.0 < duration_s) {
      arrivals.push_back({sent_ms / 1000.0, it->second});
    }
  }
  if (arrivals.empty()) {
    return InvalidArgumentError(path + ": no requests to replay" +
                                (table.rows().empty() ? "" : " within --duration"));
  }
  std::stable_sort(
      arrivals.begin(), arrivals.end(),
      [](const client::Arrival& a, const client::Arrival& b) { return a.offset_s < b.offset_s; });
  return FromList(std::move(arrivals));
}

bool ArrivalSource::Next(client::Arrival* out) {
  if (list_mode_) {
    if (list_pos_ >= list_.size()) {
      return false;
    }
    *out = list_[list_pos_++];
    return true;
  }
  if (heap_.empty()) {
    return false;
  }
  auto [t, i] = heap_.top();
  heap_.pop();
  out->offset_s = t;
  out->stream = i;
  const double next = gens_[i]->Next();
  if (next < duration_s_) {
    heap_.emplace(next, i);
  }
  return true;
}

}  // namespace glet::sim
