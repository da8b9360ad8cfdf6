#include "sched/app_workload.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/strings.h"
#include "sched/model_table.h"

namespace glet::sched {

Result<AppWorkload> SplitApp(const model::AppSpec& app, double entry_rate_rps,
                             const perf::DeviceProfile& profile, const PlannerOptions& options,
                             int grid_steps) {
  if (!(entry_rate_rps > 0) || !std::isfinite(entry_rate_rps)) {
    return InvalidArgumentError("--app-rate: must be > 0 (got " + FormatDouble(entry_rate_rps, 3) +
                                ")");
  }
  if (!(app.slo_ms > 0)) {
    return InvalidArgumentError("app '" + app.name + "': slo_ms must be > 0");
  }
  const size_t n = app.stages.size();
  if (n == 0) {
    return InvalidArgumentError("app '" + app.name + "': no stages");
  }
  // Rates and levels, in topological order (stages are stored that way).
  std::vector<double> rate(n, 0);
  std::vector<int> level(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const model::AppStage& s = app.stages[i];
    double r = 0;
    int lv = 0;
    for (const std::string& in : s.inputs) {
      int j = app.StageIndex(in);
      if (j < 0) {
        r = std::max(r, entry_rate_rps);
      } else {
        r = std::max(r, rate[j] * app.stages[j].fanout);
        lv = std::max(lv, level[j] + 1);
      }
    }
    rate[i] = r;
    level[i] = lv;
  }
  const int levels = *std::max_element(level.begin(), level.end()) + 1;
  // Per stage: a model table (SLO = the whole app's) to evaluate budgets on the grid.
  std::vector<ModelTable> tables;
  int max_batch = 1;
  for (size_t i = 0; i < n; ++i) {
    const model::AppStage& s = app.stages[i];
    ModelDemand d{s.model, rate[i], app.slo_ms, s.max_batch > 0 ? s.max_batch : kDefaultMaxBatch};
    Result<ModelTable> t = ModelTable::Build(d, profile, options.partitions, options.margins,
                                             /*need_util=*/false);
    if (!t.ok()) {
      return t.status().WithContext("app '" + app.name + "' stage '" + s.id + "'");
    }
    max_batch = std::max(max_batch, d.max_batch);
    tables.push_back(std::move(t).value());
  }
  LambdaTable lambda(max_batch, options.margins);
  const double step = app.slo_ms / grid_steps;
  const double kInf = std::numeric_limits<double>::infinity();
  // cost[l][k]: device share the stages of level l need with a budget of k grid steps.
  std::vector<std::vector<double>> cost(levels, std::vector<double>(grid_steps + 1, 0));
  for (int l = 0; l < levels; ++l) {
    for (int k = 0; k <= grid_steps; ++k) {
      double budget = k * step;
      double total = 0;
      for (size_t i = 0; i < n && total < kInf; ++i) {
        if (level[i] != l) {
          continue;
        }
        double best = kInf;
        for (int p : tables[i].partitions()) {
          SaturatedGlet s = tables[i].Saturated(p, 1.0, lambda, budget);
          if (s.batch > 0) {
            best = std::min(best, p / 100.0 * rate[i] / s.rate_rps);
          }
        }
        total += best;
      }
      cost[l][k] = total;
    }
  }
  // f[l][k]: least cost of levels 0..l within k steps; choice[l][k]: steps given to level l.
  std::vector<std::vector<double>> f(levels, std::vector<double>(grid_steps + 1, kInf));
  std::vector<std::vector<int>> choice(levels, std::vector<int>(grid_steps + 1, 0));
  for (int k = 0; k <= grid_steps; ++k) {
    f[0][k] = cost[0][k];
    choice[0][k] = k;
  }
  for (int l = 1; l < levels; ++l) {
    for (int k = 0; k <= grid_steps; ++k) {
      for (int x = 0; x <= k; ++x) {
        double v = f[l - 1][k - x] + cost[l][x];
        if (v < f[l][k]) {
          f[l][k] = v;
          choice[l][k] = x;
        }
      }
    }
  }
  if (!(f[levels - 1][grid_steps] < kInf)) {
    return InvalidArgumentError("app '" + app.name + "': slo_ms " + FormatDouble(app.slo_ms, 1) +
                                " cannot be split over its " + std::to_string(levels) +
                                " stage level(s): some stage is infeasible at any budget");
  }
  std::vector<double> level_budget(levels, 0);
  int k = grid_steps;
  for (int l = levels - 1; l >= 0; --l) {
    int x = choice[l][k];
    level_budget[l] = x * step;
    k -= x;
  }
  AppWorkload out;
  std::map<std::string, size_t> by_model;
  for (size_t i = 0; i < n; ++i) {
    const model::AppStage& s = app.stages[i];
    out.stages.push_back(StageBudget{s.id, s.model, level[i], rate[i], level_budget[level[i]]});
    auto it = by_model.find(s.model);
    if (it == by_model.end()) {
      by_model[s.model] = out.workload.models.size();
      out.workload.models.push_back(
          ModelDemand{s.model, rate[i], level_budget[level[i]], tables[i].max_batch()});
    } else {
      ModelDemand& d = out.workload.models[it->second];
      d.rate_rps += rate[i];
      d.slo_ms = std::min(d.slo_ms, level_budget[level[i]]);
      d.max_batch = std::min(d.max_batch, tables[i].max_batch());
    }
  }
  return out;
}

}  // namespace glet::sched
