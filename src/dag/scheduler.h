// DagScheduler: places every task of a Problem on a processor. Implementations: HEFT
// (heft.h), CPOP (cpop.h), PEFT (peft.h), PSO-GA (pso_ga.h); MakeScheduler() picks one by name.
//
// Thread safety: implementations keep no state between calls; Run() may be called concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "dag/problem.h"
#include "dag/schedule.h"

namespace glet::dag {

class DagScheduler {
 public:
  virtual ~DagScheduler() = default;
  // "heft", "cpop", "peft", "psoga".
  virtual std::string name() const = 0;
  // A complete schedule of `problem` placed around the work in `context` and no earlier than its
  // start time. Errors: kInvalidArgument for a malformed context (see ScheduleBuilder::Create).
  virtual Result<Schedule> Run(const Problem& problem, const ScheduleContext& context) const = 0;
};

}  // namespace glet::dag
