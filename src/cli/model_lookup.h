// Shared CLI plumbing for commands that name models: loads the manifest (--manifest or the
// default), finds a model by name, and turns lookup failures into bad-usage errors that name the
// flag.
#pragma once

#include <string>

#include "core/status.h"
#include "model/model_spec.h"

namespace glet::cli {

// Loads `manifest_path`, or DefaultManifestPath() when empty. Errors name the file.
Result<model::ModelManifest> LoadManifestForCli(const std::string& manifest_path);
// The model named `name`, or kInvalidArgument "<flag>: unknown model 'x' (known: ...)".
Result<model::ModelSpec> FindModelForCli(const model::ModelManifest& manifest,
                                         const std::string& name, const std::string& flag);
// `model_dir` if set, else ModelCacheDir().
std::string ModelDirOrDefault(const std::string& model_dir);

}  // namespace glet::cli
