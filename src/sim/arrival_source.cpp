#include "sim/arrival_source.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/csv.h"
#include "core/strings.h"

namespace glet::sim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The client's generator (client/arrival_schedule.cpp), reproduced bit for bit; the equality is
// a test, so the two cannot drift apart unnoticed.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double NextOpenUnit() { return (static_cast<double>(Next() >> 11) + 1.0) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

uint64_t StreamSeed(uint64_t seed, size_t index) {
  SplitMix64 mix(seed ^ (0xD1B54A32D192ED03ull * (index + 1)));
  return mix.Next();
}

}  // namespace

class ArrivalSource::StreamGen {
 public:
  StreamGen(const client::Stream& stream, uint64_t seed, double duration_s)
      : dist_(stream.dist),
        trace_(stream.has_trace ? stream.trace
                                : client::RateTrace::Constant(stream.rate_rps, duration_s)),
        rng_(seed) {
    const std::vector<client::RatePoint>& pts = trace_.points();
    if (pts.size() == 1 && pts[0].start_s == 0 && pts[0].rate_rps > 0) {
      constant_rate_ = pts[0].rate_rps;
      constant_span_ = constant_rate_ * trace_.end_s();
    }
  }

  double Next() {
    if (dist_ == client::ArrivalDist::kPoisson) {
      target_ += -std::log(rng_.NextOpenUnit());
    } else if (started_) {
      target_ += 1.0;
    }
    started_ = true;
    if (constant_rate_ > 0) {  // one piece from 0: the same arithmetic as Locate(), no walk
      return target_ < constant_span_ ? target_ / constant_rate_ : kInf;
    }
    return Locate(target_);
  }

 private:
  double Locate(double expected) {
    const std::vector<client::RatePoint>& pts = trace_.points();
    while (piece_ < pts.size()) {
      const double start = pts[piece_].start_s;
      const double stop = piece_ + 1 < pts.size() ? pts[piece_ + 1].start_s : trace_.end_s();
      const double rate = pts[piece_].rate_rps;
      if (rate > 0) {
        const double span = rate * (stop - start);
        if (done_ + span > expected) {
          return start + std::max(0.0, expected - done_) / rate;
        }
        done_ += span;
      }
      ++piece_;
    }
    return kInf;
  }

  client::ArrivalDist dist_;
  client::RateTrace trace_;
  SplitMix64 rng_;
  double target_ = 0;
  bool started_ = false;
  size_t piece_ = 0;
  double done_ = 0;
  double constant_rate_ = 0;  // > 0: a single constant piece starting at 0
  double constant_span_ = 0;  // its expected arrivals
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
    src.gens_.push_back(std::make_unique<StreamGen>(s, StreamSeed(seed, i), duration_s));
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
