// The DAG placement algorithms by name: "heft", "cpop", "peft", "psoga".
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "dag/pso_ga.h"
#include "dag/scheduler.h"

namespace glet::dag {

// In the order comparisons list them.
const std::vector<std::string>& AlgorithmNames();
// kInvalidArgument "--algo: unknown algorithm 'x' (known: heft, cpop, peft, psoga)", or a bad
// PSO-GA option (only checked when `name` is "psoga").
Result<std::unique_ptr<DagScheduler>> MakeScheduler(std::string_view name,
                                                    const PsoGaOptions& psoga);

}  // namespace glet::dag
