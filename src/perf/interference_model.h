// InterferenceModel: how much a glet slows down when other glets run on the same device, with
// the linear model of gpu-let (USENIX ATC'22):
//   alpha = c0*l2_me + c1*l2_other + c2*dram_me + c3*dram_other + c4,  alpha floored at 1,
// where each utilisation is a fraction (the util.csv percentages / 100) scaled by the glet's
// partition fraction (partition / 100). This is the scaling of gpu-let's interference_model.cpp.
// With more than one other glet on the device, the others' scaled utilisations are summed (a
// device shared three ways sees the traffic of both neighbours); a time-shared neighbour counts
// with the most demanding of its models.
//
// Inputs: interference.csv (header + one row of the five constants c0..c4) and util.csv
// (header `bench,batch,avg_duration(ms),SM_util(%),l2_util(%),mem_util(%),...`; mem_util is the
// DRAM utilisation). Utilisation between measured batches is interpolated linearly; outside the
// measured range it is the nearest measured batch's (batches above the largest measured one use
// the largest: utilisation saturates).
//
// Thread safety: immutable after loading; const methods are safe from many threads.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace glet::perf {

// Kernel utilisation of one model at one batch, as fractions of the whole device (0..1).
struct UtilSample {
  double sm = 0;
  double l2 = 0;
  double dram = 0;
};

// One glet's view for the interference formula: its utilisation and partition (percent).
struct GletLoad {
  UtilSample util;
  int partition = 100;
};

class InterferenceModel {
 public:
  InterferenceModel() = default;

  // Errors (kInvalidArgument) name the file, line and column at fault.
  static Result<InterferenceModel> Load(const std::string& constants_csv,
                                        const std::string& util_csv);
  static Result<InterferenceModel> Parse(const std::string& constants_text,
                                         const std::string& constants_origin,
                                         const std::string& util_text,
                                         const std::string& util_origin);
  // For tests and synthetic devices.
  static InterferenceModel FromParts(std::array<double, 5> constants,
                                     std::map<std::string, std::map<int, UtilSample>> util);

  const std::array<double, 5>& constants() const { return constants_; }
  bool HasModel(const std::string& model) const { return util_.count(model) > 0; }
  std::vector<std::string> models() const;

  // Utilisation of `model` at `batch` (see header for interpolation). kNotFound naming the
  // model when util.csv has no row for it.
  Result<UtilSample> Util(const std::string& model, int batch) const;

  // The slow-down factor (>= 1) of `me` when `others` run beside it on the same device.
  // With no others it is exactly 1.
  double Alpha(const GletLoad& me, const std::vector<GletLoad>& others) const;

 private:
  std::array<double, 5> constants_{0, 0, 0, 0, 1};
  std::map<std::string, std::map<int, UtilSample>> util_;  // model -> batch -> util
};

}  // namespace glet::perf
