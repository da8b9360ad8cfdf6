#include "model/model_spec.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <system_error>

#include "core/strings.h"

namespace glet::model {

namespace {

// Model names appear in URLs (/v2/models/<name>) and in stage ids ("<model>#<id>").
bool IsValidModelName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<TensorSpec> ParseTensorSpec(const JsonReader& reader) {
  GLET_RETURN_IF_ERROR(reader.CheckKeys({"name", "dtype", "shape"}));
  TensorSpec spec;
  GLET_ASSIGN_OR_RETURN(spec.name, reader.GetString("name"));
  GLET_ASSIGN_OR_RETURN(JsonReader name_reader, reader.Child("name"));
  if (spec.name.empty()) {
    return name_reader.Error("must not be empty");
  }
  GLET_ASSIGN_OR_RETURN(JsonReader dtype_reader, reader.Child("dtype"));
  GLET_ASSIGN_OR_RETURN(std::string dtype, dtype_reader.AsString());
  Result<DType> parsed = ParseDType(dtype);
  if (!parsed.ok()) {
    return dtype_reader.Error(parsed.status().message());
  }
  spec.dtype = *parsed;
  GLET_ASSIGN_OR_RETURN(JsonReader shape_reader, reader.Child("shape"));
  GLET_ASSIGN_OR_RETURN(auto dims, shape_reader.Elements());
  for (const JsonReader& dim : dims) {
    GLET_ASSIGN_OR_RETURN(int64_t d, dim.AsInt());
    if (d < 1) {
      return dim.Error("dimension must be >= 1 (got " + std::to_string(d) + ")");
    }
    spec.shape.push_back(d);
  }
  return spec;
}

Result<ModelSpec> ParseModelSpec(const JsonReader& reader) {
  GLET_RETURN_IF_ERROR(reader.CheckKeys(
      {"name", "file", "input", "output", "slo_ms", "mem_mib", "max_batch", "profile_as"}));
  ModelSpec spec;
  GLET_ASSIGN_OR_RETURN(spec.name, reader.GetString("name"));
  if (!IsValidModelName(spec.name)) {
    GLET_ASSIGN_OR_RETURN(JsonReader name_reader, reader.Child("name"));
    return name_reader.Error(
        "model name must be non-empty letters, digits, '-', '_' or '.' (got '" + spec.name + "')");
  }
  GLET_ASSIGN_OR_RETURN(spec.file, reader.GetString("file"));
  if (spec.file.empty()) {
    GLET_ASSIGN_OR_RETURN(JsonReader file_reader, reader.Child("file"));
    return file_reader.Error("must not be empty");
  }
  GLET_ASSIGN_OR_RETURN(JsonReader input, reader.Child("input"));
  GLET_ASSIGN_OR_RETURN(spec.input, ParseTensorSpec(input));
  GLET_ASSIGN_OR_RETURN(JsonReader output, reader.Child("output"));
  GLET_ASSIGN_OR_RETURN(spec.output, ParseTensorSpec(output));
  GLET_ASSIGN_OR_RETURN(spec.slo_ms, reader.GetDouble("slo_ms"));
  GLET_RETURN_IF_ERROR(reader.RequirePositive("slo_ms", spec.slo_ms));
  GLET_ASSIGN_OR_RETURN(spec.mem_mib, reader.GetDouble("mem_mib"));
  GLET_RETURN_IF_ERROR(reader.RequirePositive("mem_mib", spec.mem_mib));
  GLET_ASSIGN_OR_RETURN(int64_t max_batch, reader.GetIntOr("max_batch", 32));
  if (max_batch < 1 || max_batch > 65536) {
    GLET_ASSIGN_OR_RETURN(JsonReader mb, reader.Child("max_batch"));
    return mb.Error("must be in [1, 65536] (got " + std::to_string(max_batch) + ")");
  }
  spec.max_batch = static_cast<int>(max_batch);
  GLET_ASSIGN_OR_RETURN(spec.profile_as, reader.GetStringOr("profile_as", ""));
  return spec;
}

Result<ModelManifest> ModelManifest::FromJson(const JsonReader& root) {
  GLET_RETURN_IF_ERROR(root.CheckKeys({"models"}));
  GLET_ASSIGN_OR_RETURN(JsonReader models, root.Child("models"));
  GLET_ASSIGN_OR_RETURN(auto elems, models.Elements());
  ModelManifest manifest;
  std::map<std::string, std::string> seen;  // name -> pointer of its first definition
  for (const JsonReader& elem : elems) {
    GLET_ASSIGN_OR_RETURN(ModelSpec spec, ParseModelSpec(elem));
    auto [it, inserted] = seen.emplace(spec.name, elem.pointer());
    if (!inserted) {
      GLET_ASSIGN_OR_RETURN(JsonReader name_reader, elem.Child("name"));
      return name_reader.Error("duplicate model name '" + spec.name + "' (first at " + it->second +
                               ")");
    }
    manifest.models_.push_back(std::move(spec));
  }
  return manifest;
}

Result<ModelManifest> ModelManifest::Load(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path));
  return FromJson(JsonReader(json, path));
}

Status ModelManifest::SetSlo(const std::string& name, double slo_ms) {
  if (!(slo_ms > 0)) {
    return InvalidArgumentError("model '" + name + "': slo_ms must be > 0");
  }
  GLET_RETURN_IF_ERROR(Find(name).status());
  for (ModelSpec& spec : models_) {
    if (spec.name == name) {
      spec.slo_ms = slo_ms;
    }
  }
  return Status::Ok();
}

Status ModelManifest::CapMaxBatch(const std::string& name, int max_batch) {
  GLET_ASSIGN_OR_RETURN(const ModelSpec* spec, Find(name));
  if (max_batch < 1 || max_batch > spec->max_batch) {
    return InvalidArgumentError("model '" + name + "': max_batch must be in 1.." +
                                std::to_string(spec->max_batch) + " (got " +
                                std::to_string(max_batch) + ")");
  }
  for (ModelSpec& s : models_) {
    if (s.name == name) {
      s.max_batch = max_batch;
    }
  }
  return Status::Ok();
}

Result<const ModelSpec*> ModelManifest::Find(const std::string& name) const {
  for (const ModelSpec& spec : models_) {
    if (spec.name == name) {
      return &spec;
    }
  }
  std::vector<std::string> known;
  known.reserve(models_.size());
  for (const ModelSpec& spec : models_) {
    known.push_back(spec.name);
  }
  return NotFoundError("unknown model '" + name + "' (known: " + Join(known, ", ") + ")");
}

std::string ModelManifest::ResolveFile(const ModelSpec& spec, const std::string& model_dir) {
  if (spec.file.empty() || spec.file.front() == '/' || model_dir.empty()) {
    return spec.file;
  }
  return model_dir + "/" + spec.file;
}

std::string FindResourceDirAbove(const std::string& start_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(start_dir), ec);
  if (ec) {
    return "";
  }
  while (true) {
    fs::path candidate = dir / "resource";
    if (fs::is_regular_file(candidate / "models.json", ec)) {
      return candidate.string();
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) {
      return "";
    }
    dir = dir.parent_path();
  }
}

std::string ResourceDir() {
  const char* env = std::getenv("GLET_RESOURCE_DIR");
  if (env != nullptr && env[0] != '\0') {
    return env;
  }
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::string found = FindResourceDirAbove(exe.parent_path().string());
    if (!found.empty()) {
      return found;
    }
  }
  return "resource";
}

std::string DefaultManifestPath() { return ResourceDir() + "/models.json"; }

}  // namespace glet::model
