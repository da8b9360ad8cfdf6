// LatencyProfile: measured (or published) latency of each model per device partition and batch
// size, in the CSV form `model,partition,batch,latency_ms` (a header line is optional; the
// reference profile's `partition_percent` header is accepted too). Partition is the percent of
// the device the glet holds (1..100); on CPU devices it is cores/machine cores in percent.
//
// Lookups never invent a value: an exact (model, partition, batch) row is returned as is; a batch
// between two measured batches of the same (model, partition) is interpolated linearly; anything
// else is kNotFound naming what is missing and what the profile has.
//
// Thread safety: immutable after Load(); const methods are safe from many threads.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace glet::perf {

struct LatencyRow {
  std::string model;
  int partition = 0;
  int batch = 0;
  double latency_ms = 0;
};

class LatencyProfile {
 public:
  LatencyProfile() = default;

  // Errors (kInvalidArgument) name "file:line" and the column: non-numeric cells, partition
  // outside 1..100, batch < 1, latency <= 0, duplicate rows.
  static Result<LatencyProfile> Load(const std::string& path);
  static Result<LatencyProfile> Parse(const std::string& text, const std::string& origin);
  // Builds a profile from rows (validated as Load does; origin names them in errors).
  static Result<LatencyProfile> FromRows(const std::vector<LatencyRow>& rows,
                                         const std::string& origin);

  const std::string& origin() const { return origin_; }
  bool HasModel(const std::string& model) const;
  std::vector<std::string> models() const;
  // Partitions measured for `model`, ascending (empty if unknown).
  std::vector<int> partitions(const std::string& model) const;
  // Batches measured for (model, partition), ascending (empty if unknown).
  std::vector<int> batches(const std::string& model, int partition) const;
  // True if the exact row exists.
  bool Has(const std::string& model, int partition, int batch) const;

  // Latency in ms (see the header comment for interpolation); kNotFound otherwise.
  Result<double> LatencyMs(const std::string& model, int partition, int batch) const;

  // All rows, sorted by (model, partition, batch).
  std::vector<LatencyRow> rows() const;
  // CSV text with the header `model,partition,batch,latency_ms`.
  std::string ToCsv() const;

 private:
  // model -> partition -> batch -> latency_ms
  std::map<std::string, std::map<int, std::map<int, double>>> table_;
  std::string origin_;
};

}  // namespace glet::perf
