// EmulatedSlice: a timed stand-in for a GPU slice. Its models run a batch of n by waiting, on the
// injected clock, latency(model, partition, n) * interference(model, n) milliseconds and return a
// zero tensor of the output shape. With a ManualClock the wait is exact and instant, so the whole
// serving plane runs with GPU timing on any machine and in tests.
#pragma once

#include "device/slice.h"

namespace glet::device {

class EmulatedSlice final : public Slice {
 public:
  // kInvalidArgument if options.latency is unset.
  static Result<std::unique_ptr<EmulatedSlice>> Create(const SliceSpec& spec,
                                                       const SliceOptions& options);

  // Slice
  int partition() const override { return spec().partition; }
  Status Activate() override { return Status::Ok(); }
  // Needs no model file; the spec's shapes define input checks and output shape.
  Result<std::unique_ptr<model::Model>> LoadModel(const model::ModelSpec& spec,
                                                  const std::string& model_dir) override;

 private:
  EmulatedSlice(SliceSpec spec, const SliceOptions& options);
  Clock& clock_;  // not owned; outlives this slice and its models
  const LatencyFn latency_;
  const InterferenceFn interference_;
};

}  // namespace glet::device
