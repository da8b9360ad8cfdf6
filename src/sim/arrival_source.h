// ArrivalSource: the simulator's arrivals, produced one at a time in time order so a run of any
// length holds O(streams) state, never the whole schedule.
//
// Two kinds:
//   FromWorkload  the open-loop streams of a client::ClientWorkload (Poisson, uniform, rate
//                 traces). The sequence is exactly client::MakeArrivalSchedule(workload, seed,
//                 {duration_s}) — same generator, same per-stream seeds, same merge order (ties:
//                 lower stream first) — so `glet simulate` and `glet client` offer the same load
//                 for the same seed (tests/sim/arrival_source_test.cpp checks the equality).
//   FromRequestLog  replays a `glet client --log` CSV (id,model,sent_ms,done_ms,status,reason,
//                 latency_ms): one arrival per row at sent_ms, streams = distinct models in first
//                 appearance order. Errors (kInvalidArgument) name file:line and the column.
//
// Thread safety: none (a stateful generator).
#pragma once

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <tuple>
#include <vector>

#include "client/arrival_schedule.h"
#include "client/workload.h"
#include "core/status.h"

namespace glet::sim {

class ArrivalSource {
 public:
  // REQUIRES: duration_s > 0 (may be +infinity only when every stream is a finite trace).
  static ArrivalSource FromWorkload(const client::ClientWorkload& workload, uint64_t seed,
                                    double duration_s);
  // Arrivals at t < duration_s of the log's rows; `stream_models` receives the stream names.
  static Result<ArrivalSource> FromRequestLog(const std::string& path, double duration_s,
                                              std::vector<std::string>* stream_models);
  // From a list already in time order (tests).
  static ArrivalSource FromList(std::vector<client::Arrival> arrivals);

  ArrivalSource(ArrivalSource&&) noexcept;
  ArrivalSource& operator=(ArrivalSource&&) noexcept;
  ~ArrivalSource();

  // Stores the next arrival in `out`; false when there are no more.
  bool Next(client::Arrival* out);
  // Expected number of arrivals (for progress and limits); exact for lists.
  double expected() const { return expected_; }

 private:
  class StreamGen;
  ArrivalSource();

  std::vector<std::unique_ptr<StreamGen>> gens_;
  using Entry = std::tuple<double, int>;  // (time, stream)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  double duration_s_ = 0;
  std::vector<client::Arrival> list_;  // list mode
  size_t list_pos_ = 0;
  bool list_mode_ = false;
  double expected_ = 0;
};

}  // namespace glet::sim
