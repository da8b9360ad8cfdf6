// ModelSpec and ModelManifest: what glet knows about a model before loading it — its TorchScript
// file, input/output tensor specs, default SLO, memory and batch limit. The manifest
// (resource/models.json) lists the model zoo; user configs may add models in the same form.
//
// JSON form of one model (all fields required unless marked):
//   {"name": "resnet50", "file": "resnet50.pt",
//    "input": {"name": "input", "dtype": "FP32", "shape": [3, 224, 224]},
//    "output": {"name": "output", "dtype": "FP32", "shape": [1000]},
//    "slo_ms": 108, "mem_mib": 98, "max_batch": 32 (optional, default 32)}
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
};

// Parses one model object; errors name the JSON path of the field at fault.
Result<ModelSpec> ParseModelSpec(const JsonReader& reader);

class ModelManifest {
 public:
  static Result<ModelManifest> FromJson(const JsonReader& root);
  static Result<ModelManifest> Load(const std::string& path);

  const std::vector<ModelSpec>& models() const { return models_; }
  // kNotFound "unknown model 'x' (known: a, b, ...)".
  Result<const ModelSpec*> Find(const std::string& name) const;
  // Full path of the model's file: absolute as given, else joined to `model_dir`.
  static std::string ResolveFile(const ModelSpec& spec, const std::string& model_dir);

 private:
  std::vector<ModelSpec> models_;
};

}  // namespace glet::model
