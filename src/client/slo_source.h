// Where `glet client` gets each model's SLO, in this order:
//   1. --slo NAME=MS on the command line;
//   2. the server's ModelMetadata answer (trailing metadata glet-slo-ms, kserve_connection.h);
//   3. the model manifest (resource/models.json or --manifest);
//   4. an app spec of that name (resource/apps/*.json), for apps served as models.
// The source is reported next to the value so a run says which SLO it measured against.
//
// Thread safety: value types and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/app_spec.h"
#include "model/model_spec.h"

namespace glet::client {

struct SloChoice {
  double slo_ms = 0;
  std::string source;  // "--slo", "server", "manifest", "app <file>"
};

// "NAME=MS" entries -> map. kInvalidArgument naming "--slo <entry>" for a missing '=', an empty
// name, a value that is not a number > 0, or a name given twice.
Result<std::map<std::string, double>> ParseSloFlags(const std::vector<std::string>& entries);

struct SloSources {
  std::map<std::string, double> flags;
  const model::ModelManifest* manifest = nullptr;  // nullable; not owned
  std::vector<model::AppSpec> apps;
};

// kInvalidArgument "model 'x': no SLO known (...); pass --slo x=MS" when no source has one.
Result<SloChoice> ResolveSlo(const std::string& model, std::optional<double> from_server,
                             const SloSources& sources);

// Every app spec in `dir` (*.json) that loads; files that do not load are skipped (they may be
// other JSON). A missing folder gives an empty list.
std::vector<model::AppSpec> LoadAppSpecsQuietly(const std::string& dir);

}  // namespace glet::client
