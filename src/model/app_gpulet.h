// Reading the gpu-let application format into an AppDraft. The format (reference apps/*.json):
//   {"Name": "traffic",
//    "Input":  [{"ID": 0, "InputDim": [3,300,300], "InputType": "FP32", "output": [1]}],
//    "Models": [{"ID": 1, "input": [0], "output": [2], "model": "ssd-mobilenetv1",
//                "max_batch": 32, "SLO": 69}, ...],
//    "Output": [{"ID": 4, "input": [2, 3], "Comp": "None"}]}
// IDs are integers unique across the three lists (gpu-let numbers them densely: inputs, models,
// outputs; glet only needs them unique). Each edge is written twice, as the producer's "output"
// and the consumer's "input"; both sides must agree.
//
// Mapping: Input ID n -> app input "input<n>" (dtype from InputType, shape from InputDim); each
// model -> a stage whose id is the model name when no other entry uses the same model, else
// "<model>#<ID>"; the app's outputs are the stages that feed the Output entries; the app's
// slo_ms is the largest model SLO (gpu-let SLOs are end-to-end).
//
// Internal to src/model/: LoadAppSpec()/ParseAppSpec() are the public entry points.
#pragma once

#include "core/json_reader.h"
#include "core/status.h"
#include "model/app_draft.h"

namespace glet::model::internal {

// True when `root` is an object with any of the gpu-let top-level keys ("Name", "Input",
// "Models", "Output") and none of the glet format's ("name", "slo_ms", "inputs", "stages",
// "outputs"), so that a mistake in either format is reported in that format's terms.
bool LooksLikeGpuLetApp(const Json& root);

// Parses and cross-checks IDs (unknown, duplicate, wrong kind, the two sides of an edge
// disagreeing); kInvalidArgument naming the JSON path. Graph checks are FinishAppDraft()'s.
Result<AppDraft> ParseGpuLetApp(const JsonReader& root);

}  // namespace glet::model::internal
