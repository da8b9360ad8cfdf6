#include "device/emulated_slice.h"

#include <algorithm>

namespace glet::device {

namespace {

class EmulatedModel final : public model::Model {
 public:
  EmulatedModel(model::ModelSpec spec, int partition, Clock& clock, LatencyFn latency,
                InterferenceFn interference)
      : spec_(std::move(spec)),
        partition_(partition),
        clock_(clock),
        latency_(std::move(latency)),
        interference_(std::move(interference)) {}

  // Model
  const model::ModelSpec& spec() const override { return spec_; }

  Result<model::Tensor> Run(const model::Tensor& batch) override {
    GLET_RETURN_IF_ERROR(
        model::CheckTensorMatches(batch, spec_.input, "model '" + spec_.name + "' input"));
    const int n = static_cast<int>(batch.shape()[0]);
    GLET_ASSIGN_OR_RETURN(double ms, latency_(spec_.profile_name(), partition_, n));
    const double factor = interference_ ? std::max(1.0, interference_(spec_.name, n)) : 1.0;
    clock_.SleepFor(FromMillis(ms * factor));
    std::vector<int64_t> shape = {n};
    shape.insert(shape.end(), spec_.output.shape.begin(), spec_.output.shape.end());
    return model::Tensor(spec_.output.dtype, std::move(shape));
  }

 private:
  const model::ModelSpec spec_;
  const int partition_;
  Clock& clock_;  // not owned
  const LatencyFn latency_;
  const InterferenceFn interference_;
};

}  // namespace

EmulatedSlice::EmulatedSlice(SliceSpec spec, const SliceOptions& options)
    : Slice(std::move(spec)),
      clock_(options.clock != nullptr ? *options.clock : SystemClock::Get()),
      latency_(options.latency),
      interference_(options.interference) {}

Result<std::unique_ptr<EmulatedSlice>> EmulatedSlice::Create(const SliceSpec& spec,
                                                             const SliceOptions& options) {
  if (!options.latency) {
    return InvalidArgumentError("slice '" + spec.ToString() + "': no latency profile given");
  }
  return std::unique_ptr<EmulatedSlice>(new EmulatedSlice(spec, options));
}

Result<std::unique_ptr<model::Model>> EmulatedSlice::LoadModel(const model::ModelSpec& spec,
                                                               const std::string& /*model_dir*/) {
  // Fail at load, not at the first batch, if the profile lacks the model at this partition.
  GLET_RETURN_IF_ERROR(latency_(spec.profile_name(), partition(), 1).status());
  return std::unique_ptr<model::Model>(
      std::make_unique<EmulatedModel>(spec, partition(), clock_, latency_, interference_));
}

}  // namespace glet::device
