// CpuSlice: a set of CPU cores. Activate() pins the calling process to the cores
// (sched_setaffinity) and sizes torch's intra-op thread pool to their number; models load as
// TorchScript on the CPU.
#pragma once

#include "device/slice.h"

namespace glet::device {

// Cores the calling process may currently run on (its affinity mask), ascending.
std::vector<int> AllowedCores();

class CpuSlice final : public Slice {
 public:
  // kInvalidArgument if a core is not in AllowedCores() at creation time.
  static Result<std::unique_ptr<CpuSlice>> Create(const SliceSpec& spec);

  // Slice
  int partition() const override { return partition_; }
  Status Activate() override;
  Status PrepareThread() override { return Activate(); }  // both act on the calling thread
  Result<std::unique_ptr<model::Model>> LoadModel(const model::ModelSpec& spec,
                                                  const std::string& model_dir) override;

 private:
  CpuSlice(SliceSpec spec, int partition) : Slice(std::move(spec)), partition_(partition) {}
  const int partition_;
};

}  // namespace glet::device
