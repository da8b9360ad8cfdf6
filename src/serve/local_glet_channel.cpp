#include "serve/local_glet_channel.h"

namespace glet::serve {

void LocalGletChannel::AddModel(std::unique_ptr<model::Model> model) {
  MutexLock lock(mu_);
  std::string name = model->spec().name;
  models_[name] = std::move(model);
}

Result<BatchResult> LocalGletChannel::RunBatch(const std::string& model, const model::Tensor& input,
                                               const std::vector<BatchItemInfo>& /*items*/,
                                               TimePoint /*deadline*/) {
  const TimePoint queued = clock_.Now();
  MutexLock lock(mu_);
  auto it = models_.find(model);
  if (it == models_.end()) {
    return FailedPreconditionError("glet has no model '" + model + "' loaded");
  }
  const TimePoint start = clock_.Now();
  GLET_ASSIGN_OR_RETURN(model::Tensor output, it->second->Run(input));
  BatchResult result;
  result.output = std::move(output);
  result.queue_ms = ToMillis(start - queued);
  result.compute_ms = ToMillis(clock_.Now() - start);
  return result;
}

}  // namespace glet::serve
