// Profiler: measures the median latency of each model x batch on one slice and records rows in a
// LatencyProfile CSV. Measuring is resumable: rows already present in the output are skipped, and
// each measured row is appended at once, so an interrupted run loses at most one row.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "device/slice.h"
#include "model/model_spec.h"
#include "perf/latency_profile.h"

namespace glet::perf {

struct ProfileRequest {
  std::vector<model::ModelSpec> models;
  std::vector<int> batches;
  int warmup = 2;   // untimed runs per (model, batch)
  int repeats = 5;  // timed runs; the median is recorded
  std::string model_dir;
  std::string out_path;  // CSV, created with a header if absent
  // When set: each model's cold start (load, then its first batch of 1 answered) is measured
  // once and appended to this load.csv (model,load_ms; created with a header if absent);
  // models already in it are skipped.
  std::string load_out_path;
};

struct ProfileProgress {
  int done = 0;                     // rows finished (measured or skipped) so far
  int total = 0;                    // rows this request covers
  const LatencyRow* row = nullptr;  // the row just finished
  bool skipped = false;             // true if it was already in the file
};

struct ProfileResult {
  int measured = 0;
  int skipped = 0;
  int loads_measured = 0;  // load.csv rows appended
};

// Measures every (model, batch) of `request` on `slice` (already Activate()d), timing with
// `clock`. Calls `progress` after each row. Errors: the output file cannot be read or written
// (kInvalidArgument naming it), a model fails to load or run (passed through).
Result<ProfileResult> ProfileSlice(device::Slice& slice, const ProfileRequest& request,
                                   Clock& clock,
                                   const std::function<void(const ProfileProgress&)>& progress);

}  // namespace glet::perf
