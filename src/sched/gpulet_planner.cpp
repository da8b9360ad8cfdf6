#include "sched/gpulet_planner.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <optional>

#include "core/strings.h"
#include "sched/model_table.h"
#include "sched/plan.h"
#include "sched/plan_checker.h"
#include "sched/safety.h"

namespace glet::sched {

namespace {

constexpr double kRelTol = 1e-9;
// gpu-let's fixed pairing: a GPU is cut at most once, into two gpu-lets.
constexpr int kGpuletsPerGpu = 2;

struct Member {
  const ModelTable* table = nullptr;  // not owned; outlives the pass
  double rate_rps = 0;
  int batch = 0;
  double alpha = 1;  // interference slow-down, set by Pass::Settle()
};

struct Gpulet {
  int partition = 0;
  double duty_ms = 0;
  bool saturated = false;  // built saturated: never a time-sharing target
  std::vector<Member> members;

  bool Serves(const ModelTable* t) const {
    return std::any_of(members.begin(), members.end(),
                       [t](const Member& m) { return m.table == t; });
  }
  std::string Describe() const {
    std::vector<std::string> parts;
    for (const Member& m : members) {
      parts.push_back(m.table->model() + " b" + std::to_string(m.batch) + " " +
                      FormatDouble(m.rate_rps, 1) + "rps");
    }
    return std::to_string(partition) + "% [" + Join(parts, ", ") + "] duty " +
           FormatDouble(duty_ms, 2) + "ms";
  }
};

struct Gpu {
  std::vector<Gpulet> gpulets;  // at most kGpuletsPerGpu
};

// The most cost-effective partition of a model and its saturated gpu-let there.
struct Choice {
  int partition = 0;  // 0: no partition meets the SLO
  SaturatedGlet sat;
};

// One planning pass: the state of the GPUs while gpu-lets are cut and assigned.
class Pass {
 public:
  Pass(const std::vector<ModelTable>& tables, const perf::DeviceProfile& profile,
       const LambdaTable& lambda, int max_devices, bool interference,
       std::vector<std::string>* explain)
      : tables_(tables),
        profile_(profile),
        lambda_(lambda),
        max_devices_(max_devices),
        interference_(interference),
        explain_(explain),
        step_limit_(64 * (kGpuletsPerGpu * static_cast<int64_t>(max_devices) +
                          static_cast<int64_t>(tables.size())) +
                    1000) {}

  void Run() {
    // gpu-let's order: ascending rate x SLO (ties in input order).
    std::vector<size_t> order(tables_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return tables_[a].demand().rate_rps * tables_[a].slo_ms() <
             tables_[b].demand().rate_rps * tables_[b].slo_ms();
    });
    choice_.resize(tables_.size());
    for (size_t i = 0; i < tables_.size(); ++i) {
      choice_[i] = MostCostEffective(tables_[i]);
    }
    for (size_t idx : order) {
      const ModelTable& t = tables_[idx];
      const Choice& c = choice_[idx];
      if (c.partition > 0) {
        Explain(t.model() + ": " + FormatDouble(t.demand().rate_rps, 1) + " rps, slo " +
                FormatDouble(t.slo_ms(), 1) + " ms; most cost-effective partition " +
                std::to_string(c.partition) + "% (saturated batch " + std::to_string(c.sat.batch) +
                ", " + FormatDouble(c.sat.rate_rps, 1) + " rps, " +
                FormatDouble(c.sat.rate_rps / c.partition, 2) + " rps per %)");
      }
      Serve(idx, t.demand().rate_rps);
    }
    // Rate that gpu-lets lost to interference once a neighbour arrived ("additional rate").
    while (!pending_.empty()) {
      auto [idx, rate] = pending_.front();
      pending_.pop_front();
      Explain(tables_[idx].model() + ": " + FormatDouble(rate, 3) +
              " rps lost to interference, planned again");
      Serve(idx, rate);
    }
  }

  bool complete() const { return unplaced_.empty(); }
  const std::vector<std::string>& unplaced() const { return unplaced_; }
  double unplaced_rps() const { return unplaced_rps_; }

  // The GPUs as plan devices, with the slow-downs, latencies and capacities they settled at.
  std::vector<PlannedDevice> Finish() const {
    std::vector<PlannedDevice> out;
    for (size_t i = 0; i < gpus_.size(); ++i) {
      PlannedDevice d;
      d.id = static_cast<int>(i);
      d.type = profile_.type;
      d.mem_mib = profile_.mem_mib;
      for (const Gpulet& g : gpus_[i].gpulets) {
        PlannedGlet pg;
        pg.partition = g.partition;
        pg.duty_ms = g.duty_ms;
        double total = 0;
        std::vector<double> slo_ms;
        for (const Member& m : g.members) {
          PlannedModel pm;
          pm.model = m.table->model();
          pm.batch = m.batch;
          pm.rate_rps = m.rate_rps;
          pm.alpha = m.alpha;
          pm.exec_ms = m.alpha * m.table->EffMs(g.partition, m.batch);
          total += pm.exec_ms;
          slo_ms.push_back(m.table->slo_ms());
          pg.models.push_back(std::move(pm));
        }
        pg.occupancy = total / g.duty_ms;
        SetLatencyAndCapacity(pg, slo_ms, lambda_);
        d.glets.push_back(std::move(pg));
      }
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  // argmax over partitions of saturated throughput per percent, sized without interference
  // (gpu-let checks interference only when it places); ties go to the larger partition.
  Choice MostCostEffective(const ModelTable& t) const {
    Choice best;
    double best_eff = 0;
    for (int p : t.partitions()) {
      SaturatedGlet s = t.Saturated(p, 1.0, lambda_);
      if (s.batch == 0) {
        continue;
      }
      double eff = s.rate_rps / p;
      if (best.partition == 0 || eff >= best_eff * (1 - 1e-12)) {
        best = Choice{p, s};
        best_eff = eff;
      }
    }
    return best;
  }

  // Smallest batch of `t` at `partition`, slowed by `alpha`, that absorbs `rate_rps` over a
  // cycle of `duty_ms` within the slack the cycle leaves; 0 if none meets the SLO.
  int SmallestBatch(const ModelTable& t, int partition, double alpha, double duty_ms,
                    double rate_rps) const {
    const double mean = rate_rps * duty_ms / 1000.0 * (1 - kRelTol);
    for (int b = 1; b <= t.max_batch(); ++b) {
      int slack = SlackCycles(t.slo_ms(), alpha * t.EffMs(partition, b), duty_ms);
      if (slack >= 0 && lambda_.MaxMean(b, slack) >= mean) {
        return b;
      }
    }
    return 0;
  }

  // What delays a member's request after its cycle in the plan's execution model
  // (LatencyBoundMs, sched/plan.h): its own batch alone, every member's batch when shared.
  static double QueuedExecMs(const Gpulet& g, double own_exec_ms, double glet_exec_ms) {
    return g.members.size() > 1 ? glet_exec_ms : own_exec_ms;
  }

  // Gives every member of `g` the smallest batch that absorbs its rate over g.duty_ms, slowed
  // by its `alpha`, with the slack its latency bound leaves; false when a member misses its SLO
  // or the batches do not fit one cycle. In a shared gpu-let the bound counts every member's
  // batch, so batches start from each member's own bound and grow until they agree.
  bool Rebatch(Gpulet& g) const {
    const double d = g.duty_ms;
    for (Member& m : g.members) {
      m.batch = SmallestBatch(*m.table, g.partition, m.alpha, d, m.rate_rps);
      if (m.batch == 0) {
        return false;
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      double total = 0;
      for (const Member& m : g.members) {
        total += m.alpha * m.table->EffMs(g.partition, m.batch);
      }
      if (total > d * (1 + kRelTol)) {
        return false;
      }
      for (Member& m : g.members) {
        const double mean = m.rate_rps * d / 1000.0 * (1 - kRelTol);
        const double own = m.alpha * m.table->EffMs(g.partition, m.batch);
        int slack = SlackCycles(m.table->slo_ms(), QueuedExecMs(g, own, total), d);
        if (slack < 0) {
          return false;
        }
        if (lambda_.MaxMean(m.batch, slack) >= mean) {
          continue;
        }
        // A larger batch (with at most this slack) or none: the others' batches only grow.
        int b = m.batch + 1;
        while (b <= m.table->max_batch() && lambda_.MaxMean(b, slack) < mean) {
          ++b;
        }
        if (b > m.table->max_batch()) {
          return false;
        }
        m.batch = b;
        changed = true;
        break;
      }
    }
    return true;
  }

  // gpu-let's cycle for a batch of b: the time b requests take to arrive (with the slack the
  // cycle leaves under the burst margins), cut to `max_duty_ms` and to what the SLO allows
  // (D + E(b) <= SLO); 0 when that leaves less than one execution of the batch (E(b) > D).
  double LongestCycle(const ModelTable& t, int partition, int b, double rate_rps,
                      double max_duty_ms) const {
    const double exec = t.EffMs(partition, b);
    const double room = t.slo_ms() - exec;
    double best = 0;
    for (int k = 0; k <= lambda_.max_slack(); ++k) {
      // D <= room / (k + 1) leaves at least k slack cycles, so MaxMean(b, k) applies.
      double d = std::min({room / (k + 1), 1000.0 * lambda_.MaxMean(b, k) / rate_rps, max_duty_ms});
      best = std::max(best, d);
    }
    return best >= exec * (1 - kRelTol) && best > 0 ? best : 0;
  }

  // A residue gpu-let for `rate_rps` of `t` at `partition` with the largest batch whose cycle
  // fits (gpu-let's residue rule); nullopt if none does.
  std::optional<Gpulet> ResidueAt(const ModelTable& t, double rate_rps, int partition) const {
    for (int b = t.max_batch(); b >= 1; --b) {
      double d = LongestCycle(t, partition, b, rate_rps, std::numeric_limits<double>::infinity());
      if (d <= 0) {
        continue;
      }
      int batch = SmallestBatch(t, partition, 1.0, d, rate_rps);
      if (batch == 0 || t.EffMs(partition, batch) > d * (1 + kRelTol)) {
        continue;
      }
      Gpulet g;
      g.partition = partition;
      g.duty_ms = d;
      g.members = {Member{&t, rate_rps, batch, 1}};
      return g;
    }
    return std::nullopt;
  }

  // The residue gpu-let on the smallest partition that serves `rate_rps`.
  std::optional<Gpulet> Residue(const ModelTable& t, double rate_rps) const {
    for (int p : t.partitions()) {
      if (std::optional<Gpulet> g = ResidueAt(t, rate_rps, p)) {
        return g;
      }
    }
    return std::nullopt;
  }

  // gpu-let's resizing of a gpu-let that lands on a larger remainder: it takes the whole
  // remainder and is sized anew there for the model's rate left (saturated if that still fills
  // a saturated gpu-let there, else a residue serving all of it). Keeps the draft's batch and
  // cycle when the model is not profiled there or no shape fits.
  Gpulet Enlarge(const Gpulet& draft, int partition, double left_rps) const {
    Gpulet g = draft;
    const ModelTable& t = *draft.members[0].table;
    if (!t.HasPartition(partition)) {
      return g;
    }
    g.partition = partition;
    SaturatedGlet s = t.Saturated(partition, 1.0, lambda_);
    if (s.batch > 0 && left_rps >= s.rate_rps * (1 - 1e-12)) {
      g.duty_ms = s.exec_ms;
      g.saturated = true;
      g.members = {Member{&t, s.rate_rps, s.batch, 1}};
      return g;
    }
    if (std::optional<Gpulet> r = ResidueAt(t, left_rps, partition)) {
      return *r;
    }
    return g;
  }

  double AlphaOf(const Gpulet& g, const Member& m, const Gpulet& other) const {
    // The neighbour counts with its most demanding model, as in the plan checker.
    perf::UtilSample load;
    for (const Member& o : other.members) {
      const perf::UtilSample& u = o.table->Util(o.batch);
      load.l2 = std::max(load.l2, u.l2);
      load.dram = std::max(load.dram, u.dram);
    }
    return profile_.interference->Alpha(perf::GletLoad{m.table->Util(m.batch), g.partition},
                                        {perf::GletLoad{load, other.partition}});
  }

  // Memory (a context per gpu-let + its models) and input bandwidth of a GPU.
  bool Fits(const Gpu& gpu) const {
    double mem = 0;
    double net = 0;
    for (const Gpulet& g : gpu.gpulets) {
      mem += profile_.context_mem_mib;
      for (const Member& m : g.members) {
        mem += m.table->mem_mib();
        net += m.rate_rps * m.table->input_bytes();
      }
    }
    if (mem > profile_.mem_mib * (1 + kRelTol)) {
      return false;
    }
    return profile_.net_mbps <= 0 || net <= profile_.net_mbps * 1e6;
  }

  // The interference check: slows every member by its neighbour, stretches each cycle to hold
  // its slowed batches and cuts each member's rate to what its batch absorbs in the stretched
  // cycle. Returns why the placement must be reverted (a member would miss its SLO), or "".
  std::string Settle(Gpu& gpu) const {
    for (size_t gi = 0; gi < gpu.gpulets.size(); ++gi) {
      Gpulet& g = gpu.gpulets[gi];
      const Gpulet* other =
          interference_ && gpu.gpulets.size() > 1 ? &gpu.gpulets[1 - gi] : nullptr;
      double total = 0;
      for (Member& m : g.members) {
        m.alpha = other != nullptr ? AlphaOf(g, m, *other) : 1.0;
        total += m.alpha * m.table->EffMs(g.partition, m.batch);
      }
      g.duty_ms = std::max(g.duty_ms, total);
      for (Member& m : g.members) {
        double exec = QueuedExecMs(g, m.alpha * m.table->EffMs(g.partition, m.batch), total);
        int slack = SlackCycles(m.table->slo_ms(), exec, g.duty_ms);
        if (slack < 0) {
          return m.table->model() + " would take " + FormatDouble(g.duty_ms + exec, 2) +
                 " ms > slo_ms " + FormatDouble(m.table->slo_ms(), 1) + " at slow-down " +
                 FormatDouble(m.alpha, 3);
        }
        double cap = 1000.0 * lambda_.MaxMean(m.batch, slack) / g.duty_ms;
        if (m.rate_rps > cap * (1 + kRelTol)) {
          m.rate_rps = cap;
        }
      }
    }
    return "";
  }

  // True when a member of `after` other than the newcomer serves less than it did in `before`.
  static bool LosesRate(const Gpu& before, const Gpu& after, const ModelTable* newcomer,
                        size_t newcomer_glet) {
    for (size_t gi = 0; gi < after.gpulets.size() && gi < before.gpulets.size(); ++gi) {
      for (const Member& m : after.gpulets[gi].members) {
        if (gi == newcomer_glet && m.table == newcomer) {
          continue;
        }
        for (const Member& old : before.gpulets[gi].members) {
          if (old.table == m.table && m.rate_rps < old.rate_rps) {
            return true;
          }
        }
      }
    }
    return false;
  }

  // Installs `trial` as GPU `gpu_index`. Rate its members lost against the GPU as it was goes
  // to pending_, except the newcomer's (member `newcomer` of gpu-let `newcomer_glet`), whose
  // served rate is returned.
  double Commit(size_t gpu_index, Gpu trial, const ModelTable* newcomer, size_t newcomer_glet) {
    double served = 0;
    const Gpu& before = gpus_[gpu_index];
    for (size_t gi = 0; gi < trial.gpulets.size(); ++gi) {
      for (const Member& m : trial.gpulets[gi].members) {
        if (gi == newcomer_glet && m.table == newcomer) {
          served = m.rate_rps;
          continue;
        }
        if (gi >= before.gpulets.size()) {
          continue;
        }
        for (const Member& old : before.gpulets[gi].members) {
          if (old.table == m.table && old.rate_rps > m.rate_rps) {
            pending_.emplace_back(static_cast<size_t>(m.table - tables_.data()),
                                  old.rate_rps - m.rate_rps);
          }
        }
      }
    }
    gpus_[gpu_index] = std::move(trial);
    return served;
  }

  // Assigns a gpu-let: first fit over the GPUs already cut once (the gpu-let takes the whole
  // remainder), else a new GPU. False when neither takes it.
  bool Place(const Gpulet& draft, double left_rps, double* served) {
    const ModelTable* t = draft.members[0].table;
    for (size_t i = 0; i < gpus_.size(); ++i) {
      const Gpu& gpu = gpus_[i];
      if (static_cast<int>(gpu.gpulets.size()) >= kGpuletsPerGpu) {
        continue;
      }
      const int remainder = 100 - gpu.gpulets[0].partition;
      if (remainder < draft.partition) {
        continue;
      }
      Gpu trial = gpu;
      Gpulet g = remainder > draft.partition ? Enlarge(draft, remainder, left_rps) : draft;
      trial.gpulets.push_back(g);
      if (!Fits(trial)) {
        continue;
      }
      std::string why = Settle(trial);
      if (!why.empty()) {
        Explain("revert: " + g.Describe() + " on GPU " + std::to_string(i) + " beside " +
                gpu.gpulets[0].Describe() + ": " + why);
        continue;
      }
      *served = Commit(i, std::move(trial), t, 1);
      const Gpulet& placed = gpus_[i].gpulets[1];
      Explain("place: " + placed.Describe() + " -> GPU " + std::to_string(i) + " (remainder of " +
              std::to_string(gpus_[i].gpulets[0].partition) + "%" +
              (placed.partition > draft.partition
                   ? ", drafted at " + std::to_string(draft.partition) + "%: fixed pairing"
                   : "") +
              (interference_ ? ", slow-down " + FormatDouble(placed.members[0].alpha, 3) : "") +
              ")");
      return true;
    }
    if (static_cast<int>(gpus_.size()) >= max_devices_) {
      return false;
    }
    Gpu trial;
    trial.gpulets.push_back(draft);
    if (!Fits(trial) || !Settle(trial).empty()) {
      return false;
    }
    gpus_.emplace_back();
    *served = Commit(gpus_.size() - 1, std::move(trial), t, 0);
    Explain("place: " + gpus_.back().gpulets[0].Describe() + " -> new GPU " +
            std::to_string(gpus_.size() - 1));
    return true;
  }

  // Merges `rate_rps` of `t` into an already placed residue gpu-let of other models by
  // temporal sharing (first fit). False when none takes it.
  bool TimeShare(const ModelTable& t, double rate_rps, double* served) {
    for (size_t i = 0; i < gpus_.size(); ++i) {
      for (size_t j = 0; j < gpus_[i].gpulets.size(); ++j) {
        const Gpulet& g = gpus_[i].gpulets[j];
        const int p = g.partition;
        if (g.saturated || g.Serves(&t) || !t.HasPartition(p)) {
          continue;
        }
        // Lower bound on the shared cycle's occupancy: each member at its best batch rate.
        double occupancy_lb = rate_rps / (1000.0 * t.BatchesPerMs(p));
        for (const Member& m : g.members) {
          occupancy_lb += m.rate_rps / (1000.0 * m.table->BatchesPerMs(p));
        }
        if (occupancy_lb > 1 + kRelTol) {
          continue;
        }
        Gpu base = gpus_[i];
        base.gpulets[j].members.push_back(Member{&t, rate_rps, 0, 1});
        if (!Fits(base)) {
          continue;
        }
        // The newcomer's largest batch whose cycle fits within the gpu-let's; the gpu-let
        // adopts that cycle and every member re-batches for it.
        for (int b = t.max_batch(); b >= 1; --b) {
          double d = LongestCycle(t, p, b, rate_rps, g.duty_ms);
          if (d <= 0) {
            continue;
          }
          Gpu trial = base;
          Gpulet& tg = trial.gpulets[j];
          tg.duty_ms = d;
          for (Member& m : tg.members) {
            m.alpha = 1;
          }
          bool ok = Rebatch(tg);
          if (ok && interference_ && trial.gpulets.size() > 1) {
            // Re-batch once more for the slow-downs the first batches meet.
            Gpu probe = trial;
            (void)Settle(probe);
            for (size_t k = 0; k < tg.members.size(); ++k) {
              tg.members[k].alpha = probe.gpulets[j].members[k].alpha;
            }
            ok = Rebatch(tg);
          }
          // Temporal sharing must not cost the gpu-lets already there any rate.
          if (!ok || !Settle(trial).empty() || LosesRate(gpus_[i], trial, &t, j)) {
            continue;
          }
          std::string was = g.Describe();
          *served = Commit(i, std::move(trial), &t, j);
          Explain("merge: " + t.model() + " residue " + FormatDouble(rate_rps, 1) + " rps into " +
                  was + " on GPU " + std::to_string(i) + " -> " + gpus_[i].gpulets[j].Describe());
          return true;
        }
      }
    }
    return false;
  }

  // Elastic partitioning of `rate_rps` of model `idx`: saturated gpu-lets of the most
  // cost-effective partition while the rate left fills one, then the residue.
  void Serve(size_t idx, double rate_rps) {
    const ModelTable& t = tables_[idx];
    const Choice& c = choice_[idx];
    if (c.partition == 0) {
      Unplaced(t, rate_rps, "no partition meets slo_ms " + FormatDouble(t.slo_ms(), 1));
      return;
    }
    const double need = rate_rps / c.sat.rate_rps;
    if (need > kGpuletsPerGpu * static_cast<double>(max_devices_) + 1) {
      Unplaced(t, rate_rps,
               "needs " + FormatDouble(std::floor(need), 0) + " saturated gpu-lets of " +
                   std::to_string(c.partition) + "%, more than " + std::to_string(max_devices_) +
                   " device(s) hold at " + std::to_string(kGpuletsPerGpu) + " per device");
      return;
    }
    double left = rate_rps;
    while (left > rate_rps * kRelTol) {
      if (++steps_ > step_limit_) {
        Unplaced(
            t, left,
            "interference adjustments did not settle in " + std::to_string(step_limit_) + " steps");
        return;
      }
      double served = 0;
      if (left >= c.sat.rate_rps * (1 - 1e-12)) {
        Gpulet g;
        g.partition = c.partition;
        g.duty_ms = c.sat.exec_ms;
        g.saturated = true;
        g.members = {Member{&t, std::min(left, c.sat.rate_rps), c.sat.batch, 1}};
        if (!Place(g, left, &served)) {
          Unplaced(t, left,
                   "saturated gpu-let of " + std::to_string(c.partition) +
                       "% fits on no GPU: " + std::to_string(max_devices_) +
                       " device(s), two gpu-lets each, memory, network or an SLO under "
                       "interference");
          return;
        }
      } else if (!TimeShare(t, left, &served)) {
        std::optional<Gpulet> g = Residue(t, left);
        if (!g) {
          Unplaced(t, left, "no partition serves the residue");
          return;
        }
        if (!Place(*g, left, &served)) {
          Unplaced(t, left,
                   "residue gpu-let of " + std::to_string(g->partition) +
                       "% fits on no GPU: " + std::to_string(max_devices_) +
                       " device(s), two gpu-lets each, memory, network or an SLO under "
                       "interference");
          return;
        }
      }
      left -= served;
    }
  }

  void Unplaced(const ModelTable& t, double rate_rps, const std::string& why) {
    unplaced_.push_back(t.model() + " " + FormatDouble(rate_rps, 1) + " rps (" + why + ")");
    unplaced_rps_ += rate_rps;
  }

  void Explain(std::string line) {
    if (explain_ != nullptr) {
      explain_->push_back(std::move(line));
    }
  }

  const std::vector<ModelTable>& tables_;  // not owned
  const perf::DeviceProfile& profile_;     // not owned
  const LambdaTable& lambda_;              // not owned
  const int max_devices_;
  const bool interference_;
  std::vector<std::string>* explain_;  // not owned; null: no explanation
  const int64_t step_limit_;           // bounds the re-planning of rate lost to interference

  std::vector<Choice> choice_;                     // per table
  std::vector<Gpu> gpus_;                          // GPU i = plan device i
  std::deque<std::pair<size_t, double>> pending_;  // (table index, rate lost)
  int64_t steps_ = 0;
  std::vector<std::string> unplaced_;  // "model rate (why)"
  double unplaced_rps_ = 0;
};

}  // namespace

GpuletPlanner::GpuletPlanner(PlannerOptions options) : options_(std::move(options)) {
  std::sort(options_.partitions.begin(), options_.partitions.end());
  options_.partitions.erase(std::unique(options_.partitions.begin(), options_.partitions.end()),
                            options_.partitions.end());
}

Result<Plan> GpuletPlanner::MakePlan(const Workload& workload, const Fleet& fleet,
                                     std::vector<std::string>* explain) const {
  GLET_RETURN_IF_ERROR(fleet.RequireOneType(name()));
  GLET_RETURN_IF_ERROR(workload.Validate("workload"));
  GLET_RETURN_IF_ERROR(options_.margins.Validate());
  if (options_.partitions.empty() || options_.partitions.front() < 1 ||
      options_.partitions.back() > 100) {
    return InvalidArgumentError("--partitions: must be a non-empty list of values in 1..100");
  }
  const perf::DeviceProfile& profile = *fleet.pools.front().profile;
  const int max_devices = fleet.pools.front().max_devices;
  const bool with_int = options_.interference && profile.interference.has_value();
  GLET_ASSIGN_OR_RETURN(
      WorkloadTables wt,
      BuildWorkloadTables(workload, profile, options_.partitions, options_.margins, with_int));
  const std::vector<ModelTable>& tables = wt.tables;
  LambdaTable lambda(wt.max_batch, options_.margins);
  Pass pass(tables, profile, lambda, max_devices, with_int, explain);
  pass.Run();
  if (!pass.complete()) {
    return ResourceExhaustedError("does not fit on " + std::to_string(max_devices) + " " +
                                  profile.type + " device(s): unplaced " +
                                  FormatDouble(pass.unplaced_rps(), 1) +
                                  " rps: " + Join(pass.unplaced(), "; "));
  }
  Plan plan;
  plan.policy = name();
  plan.margins = options_.margins;
  plan.workload = workload.models;
  plan.devices = pass.Finish();
  PlanChecker checker({{profile.type, &profile}}, with_int);
  CheckReport report = checker.Check(plan);
  if (!report.ok()) {
    return InternalError("planner gpulet produced an invalid plan: " +
                         Join(report.violations, "; "));
  }
  return plan;
}

}  // namespace glet::sched
