#include "dag/algorithms.h"

#include "core/strings.h"
#include "dag/cpop.h"
#include "dag/heft.h"
#include "dag/peft.h"

namespace glet::dag {

const std::vector<std::string>& AlgorithmNames() {
  static const std::vector<std::string> kNames = {"heft", "cpop", "peft", "psoga"};
  return kNames;
}

Result<std::unique_ptr<DagScheduler>> MakeScheduler(std::string_view name,
                                                    const PsoGaOptions& psoga) {
  if (name == "heft") {
    return std::unique_ptr<DagScheduler>(std::make_unique<HeftScheduler>());
  }
  if (name == "cpop") {
    return std::unique_ptr<DagScheduler>(std::make_unique<CpopScheduler>());
  }
  if (name == "peft") {
    return std::unique_ptr<DagScheduler>(std::make_unique<PeftScheduler>());
  }
  if (name == "psoga") {
    GLET_RETURN_IF_ERROR(ValidatePsoGaOptions(psoga));
    return std::unique_ptr<DagScheduler>(std::make_unique<PsoGaScheduler>(psoga));
  }
  return InvalidArgumentError("--algo: unknown algorithm '" + std::string(name) +
                              "' (known: " + Join(AlgorithmNames(), ", ") + ", all)");
}

}  // namespace glet::dag
