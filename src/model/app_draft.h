// AppDraft: an application as read from either JSON format, before graph validation, with the
// location ("file: /json/pointer") of every field that a graph error may have to name. Both
// parsers (app_spec.cpp for the glet format, app_gpulet.cpp for the gpu-let format) fill one and
// hand it to FinishAppDraft(), so the two formats share one set of graph checks and messages that
// still point into the user's own file.
//
// Internal to src/model/: included only by the app spec parsers.
#pragma once

#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"
#include "model/app_spec.h"
#include "model/model_spec.h"

namespace glet::model::internal {

struct DraftInput {
  TensorSpec spec;
  std::string at;       // where the input is defined
  std::string name_at;  // where its name is (same as `at` when the name is generated)
};

struct DraftStage {
  AppStage stage;
  std::string at;                     // the stage object
  std::string id_at;                  // its id
  std::string model_at;               // its model name
  std::string max_batch_at;           // its max_batch ("" when absent)
  std::string inputs_at;              // its list of inputs
  std::vector<std::string> input_at;  // one per stage.inputs entry
};

struct DraftOutput {
  std::string id;
  std::string at;
};

struct AppDraft {
  std::string origin;  // the document's name (file path), the prefix of every `at`
  std::string name;
  double slo_ms = 0;
  std::vector<DraftInput> inputs;
  std::vector<DraftStage> stages;
  std::vector<DraftOutput> outputs;
  std::string outputs_at;  // the outputs list, for "no outputs"
};

// The document name of `reader` (where() is "<origin>: <pointer>").
std::string OriginOf(const JsonReader& reader);

// kInvalidArgument "<at>: <message>".
Status ErrorAt(const std::string& at, const std::string& message);

// Checks the graph and returns the AppSpec with stages in topological order (ties broken by the
// order of the file). Checks, each failing with kInvalidArgument at the location of the fault:
// duplicate input/stage ids, unknown models and max_batch above the model's (when `manifest` is
// given), dangling stage inputs, a stage taking the same input twice, outputs that are not
// stages or are listed twice, no outputs, cycles (naming the stages on it), app inputs nothing
// consumes, stages whose output goes nowhere, and app inputs whose dtype/shape differs from the
// input of the model that takes them (when `manifest` is given).
Result<AppSpec> FinishAppDraft(AppDraft draft, const ModelManifest* manifest);

}  // namespace glet::model::internal
