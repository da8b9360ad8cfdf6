// AppSpec: a multi-model application — a DAG of model stages with one end-to-end SLO. Requests
// enter at the app's named inputs, flow along edges (a stage's output is the input of each stage
// that names it), fan out and join; the app's response joins the outputs of its exit stages.
//
// glet JSON form:
//   {"name": "traffic", "slo_ms": 202,
//    "inputs": [{"name": "frame", "dtype": "FP32", "shape": [3, 300, 300]}],
//    "stages": [{"id": "detect", "model": "ssd-mobilenetv1", "inputs": ["frame"]},
//               {"id": "car", "model": "googlenet", "inputs": ["detect"]},
//               {"id": "person", "model": "vgg16", "inputs": ["detect"]}],
//    "outputs": ["car", "person"]}
// Optional per stage: "max_batch" (default: the model's), "fanout" (requests a stage sends per
// incoming request, default 1; a detector emitting several crops has fanout > 1).
// The gpu-let application format (reference apps/*.json: "Name", "Input", "Models", "Output" with
// dense integer IDs) loads into the same structure; LoadAppSpec() tells the two apart.
//
// Validation (kInvalidArgument, naming file and JSON path): unknown keys, wrong types, missing
// fields, slo_ms <= 0, duplicate ids, unknown models (when a manifest is given), dangling edges
// (an input naming nothing), cycles (naming a stage on the cycle), stages unreachable from any
// input, no outputs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json_reader.h"
#include "core/status.h"
#include "model/model_spec.h"
#include "model/tensor.h"

namespace glet::model {

struct AppStage {
  std::string id;
  std::string model;
  std::vector<std::string> inputs;  // app input names or stage ids
  int max_batch = 0;                // 0: the model's max_batch
  double fanout = 1.0;
};

struct AppSpec {
  std::string name;
  double slo_ms = 0;
  std::vector<TensorSpec> inputs;
  std::vector<AppStage> stages;      // in topological order after loading
  std::vector<std::string> outputs;  // exit stage ids

  // Index into stages, or -1.
  int StageIndex(const std::string& id) const;
  // Ids of the stages that consume `id`'s output (stage id or app input name).
  std::vector<std::string> Consumers(const std::string& id) const;
};

// Per stage (indexed as app.stages, which must be in topological order, as loaded): the least
// time the stages after it need once it is done, the longest path through its consumers of
// `least(model)` (the serving plane passes each model's batch-1 latency on its fastest glet). A
// stage request must be done that long before the app's deadline, else the app is certain to
// miss: the frontend and the simulator give each stage that much less time.
std::vector<Duration> TimeAfterStages(const AppSpec& app,
                                      const std::function<Duration(const std::string&)>& least);

// Parses either format from a parsed document. `manifest` may be null (models then unchecked).
Result<AppSpec> ParseAppSpec(const JsonReader& root, const ModelManifest* manifest);
// Reads a file in either format.
Result<AppSpec> LoadAppSpec(const std::string& path, const ModelManifest* manifest);

}  // namespace glet::model
