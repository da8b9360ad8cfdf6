// ModelSpec and ModelManifest: what glet knows about a model before loading it — its TorchScript
// file, input/output tensor specs, default SLO, memory and batch limit. The manifest
// (resource/models.json) lists the model zoo; user configs may add models in the same form.
//
// JSON form of one model (all fields required unless marked):
//   {"name": "resnet50", "file": "resnet50.pt",
//    "input": {"name": "input", "dtype": "FP32", "shape": [3, 224, 224]},
//    "output": {"name": "output", "dtype": "FP32", "shape": [1000]},
//    "slo_ms": 108, "mem_mib": 98, "max_batch": 32 (optional, default 32),
//    "profile_as": "resnet50" (optional: its name in latency profiles, default its own)}
// A manifest is {"models": [ ... ]}. Names are unique.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"
#include "model/tensor.h"

namespace glet::model {

struct ModelSpec {
  std::string name;
  std::string file;  // TorchScript file; relative paths are under the model cache dir
  TensorSpec input;
  TensorSpec output;
  double slo_ms = 0;
  double mem_mib = 0;
  int max_batch = 32;
  // Optional: the name this model has in latency profiles, when it shares another model's
  // network ("lenet2".."lenet6" are profiled as "lenet1"). Empty: its own name.
  std::string profile_as;

  // The name to look up in latency, utilisation and memory tables.
  const std::string& profile_name() const { return profile_as.empty() ? name : profile_as; }
};

// Parses one model object; errors name the JSON path of the field at fault.
Result<ModelSpec> ParseModelSpec(const JsonReader& reader);
// Parses {"name": ..., "dtype": "FP32", "shape": [3, 224, 224]}: a non-empty name, a known dtype
// (ParseDType) and dims >= 1 (an empty shape is a scalar per item). kInvalidArgument naming the
// field at fault.
Result<TensorSpec> ParseTensorSpec(const JsonReader& reader);

class ModelManifest {
 public:
  static Result<ModelManifest> FromJson(const JsonReader& root);
  static Result<ModelManifest> Load(const std::string& path);

  const std::vector<ModelSpec>& models() const { return models_; }
  // kNotFound "unknown model 'x' (known: a, b, ...)".
  Result<const ModelSpec*> Find(const std::string& name) const;
  // Overrides a model's SLO (a deployment's own objective). kNotFound for an unknown model,
  // kInvalidArgument unless slo_ms > 0.
  Status SetSlo(const std::string& name, double slo_ms);
  // Lowers a model's largest batch (a deployment's cap, e.g. for memory). kNotFound for an
  // unknown model, kInvalidArgument unless 1 <= max_batch <= the model's own max_batch.
  Status CapMaxBatch(const std::string& name, int max_batch);
  // Full path of the model's file: absolute as given, else joined to `model_dir`.
  static std::string ResolveFile(const ModelSpec& spec, const std::string& model_dir);

 private:
  std::vector<ModelSpec> models_;
};

// The folder holding glet's resources (models.json, apps/, devices/, profiles/):
// $GLET_RESOURCE_DIR if set and non-empty; else the first `resource` folder holding models.json
// found walking up from the running binary's folder (binaries live in build*/ under the source
// tree); else "resource" (relative to the working directory).
std::string ResourceDir();
// ResourceDir() + "/models.json".
std::string DefaultManifestPath();
// The walk-up step of ResourceDir(): "<dir>/resource" for the nearest `dir` at or above
// `start_dir` where "<dir>/resource/models.json" exists, or "" when there is none.
std::string FindResourceDirAbove(const std::string& start_dir);

}  // namespace glet::model
