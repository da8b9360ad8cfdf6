// Plan: the scheduler's output and the serving plane's input — which devices are used, how each
// is cut into glets (a partition = percent of the device), and per glet which models run, with
// what batch, at what rate, and in what duty cycle.
//
// Execution model every field refers to: a glet repeats a cycle of `duty_ms`; in each cycle it
// runs one batch of up to `batch` queued requests of each of its models, one after the other.
// A request therefore waits at most one cycle and then runs:
//   expected_latency_ms = duty_ms + exec_ms, exec_ms = profiled latency(batch) x margins x alpha,
// where alpha >= 1 is the interference slow-down from the device's other glets; in a glet shared
// by several models the batch may also queue behind the others' batches, so there
//   expected_latency_ms = duty_ms + the sum of the glet's exec_ms (LatencyBoundMs). The glet keeps
// up when the executions fit in the cycle (sum of exec_ms <= duty_ms) and a batch absorbs the
// arrivals of one cycle: rate_rps * duty_ms / 1000 <= MaxMeanArrivals(margins, batch, slack)
// (sched/safety.h: the burst model and Poisson quantile, or just `batch` with both off), where
// slack = SlackCycles(slo_ms, exec_ms, duty_ms) is how many cycles a request may fall behind.
// A saturated glet has duty_ms = exec_ms (it runs back to back).
//
// JSON form (version 1; what ToJson writes and FromJson reads, unknown keys rejected):
//   {"version": 1, "policy": "glet", "epoch": 0,
//    "margins": {"latency_ratio": 1, "batch_cost": false, "poisson_quantile": 0,
//                "burst_miss": 0.005},
//    "workload": [{"model": "resnet50", "rate_rps": 300, "slo_ms": 108, "max_batch": 32}],
//    "devices": [{"id": 0, "type": "ref-gpu", "mem_mib": 11264, "glets": [
//       {"partition": 50, "duty_ms": 40.1, "occupancy": 1.0, "models": [
//          {"model": "resnet50", "batch": 16, "rate_rps": 300, "exec_ms": 40.1,
//           "alpha": 1.05, "expected_latency_ms": 80.2, "capacity_rps": 399}]}]}]}
// Devices with no glets may be listed (an unused budget); ids are unique. A margin the file does
// not name (or no "margins" at all) is off: latency_ratio 1, no batch cost, no Poisson margins.
// The gpu-let text form (ToModelList): one line per (glet, model):
//   gpu,partition,dedup,model,batch,duty_ms
// where dedup tells apart glets of equal partition on one device (0, 1, ...).
//
// Thread safety: a value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"
#include "sched/safety.h"
#include "sched/workload.h"

namespace glet::sched {

struct PlannedModel {
  std::string model;
  int batch = 0;
  double rate_rps = 0;             // share of the model's demand this glet serves
  double exec_ms = 0;              // one batch, with margins and interference
  double alpha = 1;                // interference slow-down used for exec_ms
  double expected_latency_ms = 0;  // duty_ms + exec_ms
  double capacity_rps = 0;         // most this glet could serve with its batch and cycle
};

struct PlannedGlet {
  int partition = 0;  // percent of the device
  double duty_ms = 0;
  double occupancy = 0;  // sum of exec_ms / duty_ms (1 = busy all the time)
  std::vector<PlannedModel> models;
};

// The latency bound the plan's execution model gives a request of a model whose batch takes
// `exec_ms` in a glet whose batches take `glet_exec_ms` together: duty + its own batch in a glet of
// one model; duty + every member's batch in a shared glet (a batch may queue behind one batch of
// every other member: the serving plane runs batches as they are cut, not in fixed slots).
double LatencyBoundMs(const PlannedGlet& g, double exec_ms, double glet_exec_ms);

// Sets expected_latency_ms (LatencyBoundMs) and capacity_rps (the most a model's batch absorbs
// with its slack under `lambda`) of every model of `g` from their batch, exec_ms and g.duty_ms.
// slo_ms[i] is models[i]'s SLO. REQUIRES: slo_ms.size() == g.models.size(), g.duty_ms > 0.
void SetLatencyAndCapacity(PlannedGlet& g, const std::vector<double>& slo_ms,
                           const LambdaTable& lambda);

struct PlannedDevice {
  int id = 0;
  std::string type;
  double mem_mib = 0;
  std::vector<PlannedGlet> glets;

  int UsedPartition() const;
};

struct Plan {
  static constexpr int kVersion = 1;
  std::string policy;
  int64_t epoch = 0;
  SafetyMargins margins;
  std::vector<ModelDemand> workload;  // what the plan was made for
  std::vector<PlannedDevice> devices;

  // Devices holding at least one glet.
  int UsedDevices() const;
  // Sum of rate_rps over the glets serving `model`.
  double PlacedRate(const std::string& model) const;

  Json ToJson() const;
  // Errors (kInvalidArgument) name `origin` and the JSON pointer of the field at fault.
  static Result<Plan> FromJson(const Json& doc, const std::string& origin);
  static Result<Plan> Load(const std::string& path);
  std::string ToModelList() const;
};

}  // namespace glet::sched
