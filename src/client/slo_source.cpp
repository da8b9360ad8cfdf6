#include "client/slo_source.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/strings.h"

namespace glet::client {

Result<std::map<std::string, double>> ParseSloFlags(const std::vector<std::string>& entries) {
  std::map<std::string, double> out;
  for (const std::string& e : entries) {
    const std::string what = "--slo " + e;
    const size_t eq = e.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError(what + ": expected NAME=MS (e.g. resnet50=108)");
    }
    const std::string name(Trim(e.substr(0, eq)));
    if (name.empty()) {
      return InvalidArgumentError(what + ": model name is empty");
    }
    auto ms = ParseDouble(e.substr(eq + 1), what);
    if (!ms.ok()) {
      return ms.status();
    }
    if (!(*ms > 0)) {
      return InvalidArgumentError(what + ": must be > 0");
    }
    if (!out.emplace(name, *ms).second) {
      return InvalidArgumentError(what + ": model '" + name + "' given twice");
    }
  }
  return out;
}

Result<SloChoice> ResolveSlo(const std::string& model, std::optional<double> from_server,
                             const SloSources& sources) {
  if (auto it = sources.flags.find(model); it != sources.flags.end()) {
    return SloChoice{it->second, "--slo"};
  }
  if (from_server.has_value()) {
    return SloChoice{*from_server, "server"};
  }
  if (sources.manifest != nullptr) {
    for (const model::ModelSpec& spec : sources.manifest->models()) {
      if (spec.name == model && spec.slo_ms > 0) {
        return SloChoice{spec.slo_ms, "manifest"};
      }
    }
  }
  for (const model::AppSpec& app : sources.apps) {
    if (app.name == model && app.slo_ms > 0) {
      return SloChoice{app.slo_ms, "app"};
    }
  }
  return InvalidArgumentError("model '" + model +
                              "': no SLO known (not in --slo, the server's metadata, the model "
                              "manifest or the app specs); pass --slo " +
                              model + "=MS");
}

std::vector<model::AppSpec> LoadAppSpecsQuietly(const std::string& dir) {
  std::vector<model::AppSpec> apps;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return apps;
  }
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    auto app = model::LoadAppSpec(f, nullptr);
    if (app.ok()) {
      apps.push_back(std::move(app).value());
    }
  }
  return apps;
}

}  // namespace glet::client
