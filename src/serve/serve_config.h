// ServeConfig: what a deployment serves and how it plans, from JSON (resource/serve/*.json):
//   {"models": [{"name": "mobilenet_v2", "rate_rps": 4,         initial demand per model,
//                "slo_ms": 300, "max_batch": 8}, ...],           and optionally its own SLO
//                                                                  and a lower batch cap
//    "apps": [{"file": "../apps/game.json", "rate_rps": 10}],     apps (glet or gpu-let format)
//    "policy": "glet",                                             planner policy (optional)
//    "partitions": {"cpu": [50, 100]},                            glet sizes per device type
//    "epoch_s": 10, "min_rate_rps": 1,                             re-planning (optional)
//    "node": "../devices/local-cpu.json",                          `glet serve`'s own backend
//    "min_devices": 1,                                             devices to wait for
//    "margins": {"burst_miss": 0.005, ...},                        planner margins (optional;
//                                                                  sched/margins_json.h)
//    "host_overhead_ms": 0}                                        planned off every SLO
//                                                                  (serve/controller.h)
// Relative paths are relative to the config file. Errors name the file and JSON path.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/model_spec.h"
#include "sched/safety.h"
#include "serve/controller.h"

namespace glet::serve {

struct ServeConfig {
  std::map<std::string, double> model_rates;
  std::map<std::string, double> model_slo_ms;  // overrides of the manifest's SLOs
  std::map<std::string, int> model_max_batch;  // caps on the manifest's max_batch
  // Per-model planning floors ("min_rate_rps" of a model entry): re-planning never plans the
  // model below max(this, the global min_rate_rps).
  std::map<std::string, double> model_floor_rps;
  std::vector<ServedApp> apps;
  std::string policy = "glet";
  std::map<std::string, std::vector<int>> partitions;
  double epoch_s = 10;
  double min_rate_rps = 1;
  std::string node_path;  // resolved; empty if absent
  int min_devices = 1;
  sched::SafetyMargins margins;  // the planner's defaults unless "margins" names some
  double host_overhead_ms = 0;   // ControllerOptions::host_overhead_ms
  // "batching": the batchers' two edges of the plan (BatcherConfig): an idle glet runs what is
  // queued at once, and requests that cannot be served in time are shed early. Both default on;
  // off, lanes keep to the planned batch size and duty cycle as gpu-let does.
  bool work_conserving = true;
  bool shed = true;

  // Loads and validates against `manifest` (unknown models and app stages are errors).
  static Result<ServeConfig> Load(const std::string& path, const model::ModelManifest& manifest);
};

}  // namespace glet::serve
