#include "sched/margins_json.h"

namespace glet::sched {

Result<SafetyMargins> ReadMargins(const JsonReader& object, const SafetyMargins& defaults) {
  GLET_RETURN_IF_ERROR(object.ExpectObject());
  GLET_RETURN_IF_ERROR(
      object.CheckKeys({"latency_ratio", "batch_cost", "poisson_quantile", "burst_miss"}));
  SafetyMargins m = defaults;
  GLET_ASSIGN_OR_RETURN(m.latency_ratio, object.GetDoubleOr("latency_ratio", m.latency_ratio));
  GLET_ASSIGN_OR_RETURN(m.batch_cost, object.GetBoolOr("batch_cost", m.batch_cost));
  GLET_ASSIGN_OR_RETURN(m.poisson_quantile,
                        object.GetDoubleOr("poisson_quantile", m.poisson_quantile));
  GLET_ASSIGN_OR_RETURN(m.burst_miss, object.GetDoubleOr("burst_miss", m.burst_miss));
  if (Status s = m.Validate(); !s.ok()) {
    return object.Error(s.message());
  }
  return m;
}

}  // namespace glet::sched
