#include "cli/model_lookup.h"

#include "core/file_util.h"

namespace glet::cli {

Result<model::ModelManifest> LoadManifestForCli(const std::string& manifest_path) {
  return model::ModelManifest::Load(manifest_path.empty() ? model::DefaultManifestPath()
                                                          : manifest_path);
}

Result<model::ModelSpec> FindModelForCli(const model::ModelManifest& manifest,
                                         const std::string& name, const std::string& flag) {
  auto found = manifest.Find(name);
  if (!found.ok()) {
    return InvalidArgumentError(flag + ": " + found.status().message());
  }
  return **found;
}

std::string ModelDirOrDefault(const std::string& model_dir) {
  return model_dir.empty() ? ModelCacheDir() : model_dir;
}

}  // namespace glet::cli
