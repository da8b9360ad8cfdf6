// LocalGletChannel: a glet whose models run in this process (any model::Model: TorchScript on a
// CPU slice, or an emulated slice's timed stand-in). Batches run one at a time; time spent
// waiting for the previous batch is reported as queue time.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/mutex.h"
#include "model/model.h"
#include "serve/glet_channel.h"

namespace glet::serve {

class LocalGletChannel final : public GletChannel {
 public:
  // `clock` times queue and compute (not owned; outlives this).
  explicit LocalGletChannel(Clock& clock) : clock_(clock) {}
  // Adds a model this glet serves (replacing one of the same name).
  void AddModel(std::unique_ptr<model::Model> model);

  // GletChannel
  Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                               const std::vector<BatchItemInfo>& items,
                               TimePoint deadline) override;
  std::string address() const override { return "local"; }

 private:
  Clock& clock_;  // not owned
  Mutex mu_;      // one batch at a time
  std::map<std::string, std::unique_ptr<model::Model>> models_ GLET_GUARDED_BY(mu_);
};

}  // namespace glet::serve
