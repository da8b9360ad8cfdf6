#include "model/device_spec.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "core/strings.h"

namespace glet::model {

namespace {

constexpr int kMaxCore = 4095;

// "0-3,6" -> {0,1,2,3,6}; errors name the piece at fault.
Result<std::vector<int>> ParseCores(const JsonReader& reader) {
  GLET_ASSIGN_OR_RETURN(std::string text, reader.AsString());
  std::vector<int> cores;
  for (const std::string& raw : Split(text, ',')) {
    std::string piece(Trim(raw));
    auto bad = [&](std::string_view why) {
      return reader.Error("bad core range '" + piece + "' in '" + text + "': " + std::string(why) +
                          " (expected e.g. \"0-3,6\")");
    };
    size_t dash = piece.find('-');
    std::string lo_text = dash == std::string::npos ? piece : piece.substr(0, dash);
    std::string hi_text = dash == std::string::npos ? piece : piece.substr(dash + 1);
    for (const std::string* s : {&lo_text, &hi_text}) {
      if (s->empty() || s->size() > 4 || !std::all_of(s->begin(), s->end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          })) {
        return bad("not a core number or range");
      }
    }
    GLET_ASSIGN_OR_RETURN(int64_t lo, ParseInt(lo_text, reader.where()));
    GLET_ASSIGN_OR_RETURN(int64_t hi, ParseInt(hi_text, reader.where()));
    if (lo > kMaxCore || hi > kMaxCore) {
      return bad("core above " + std::to_string(kMaxCore));
    }
    if (hi < lo) {
      return bad("range ends before it starts");
    }
    for (int64_t c = lo; c <= hi; ++c) {
      cores.push_back(static_cast<int>(c));
    }
  }
  std::sort(cores.begin(), cores.end());
  auto dup = std::adjacent_find(cores.begin(), cores.end());
  if (dup != cores.end()) {
    return reader.Error("core " + std::to_string(*dup) + " listed twice in '" + text + "'");
  }
  return cores;
}

bool IsValidProfileName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

// Error at reader/key when that member exists, else at reader.
Status ErrorAtChild(const JsonReader& reader, std::string_view key, const std::string& message) {
  std::optional<JsonReader> child = reader.OptionalChild(key);
  return child ? child->Error(message) : reader.Error(message);
}

Result<double> ReadMemMib(const JsonReader& reader) {
  GLET_ASSIGN_OR_RETURN(double mem_mib, reader.GetDouble("mem_mib"));
  GLET_RETURN_IF_ERROR(reader.RequirePositive("mem_mib", mem_mib));
  return mem_mib;
}

}  // namespace

std::string_view DeviceKindName(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kCpu:
      return "cpu";
    case DeviceKind::kEmulated:
      return "emulated";
    case DeviceKind::kCudaMps:
      return "cuda-mps";
  }
  return "unknown";
}

Result<DeviceKind> ParseDeviceKind(std::string_view name) {
  for (DeviceKind kind : {DeviceKind::kCpu, DeviceKind::kEmulated, DeviceKind::kCudaMps}) {
    if (name == DeviceKindName(kind)) {
      return kind;
    }
  }
  return InvalidArgumentError("unknown device kind '" + std::string(name) +
                              "' (known: cpu, emulated, cuda-mps)");
}

const DeviceSpec* NodeSpec::Find(std::string_view id) const {
  for (const DeviceSpec& d : devices) {
    if (d.id == id) {
      return &d;
    }
  }
  return nullptr;
}

Result<DeviceSpec> ParseDeviceSpec(const JsonReader& reader) {
  GLET_RETURN_IF_ERROR(reader.ExpectObject());
  DeviceSpec spec;
  GLET_ASSIGN_OR_RETURN(JsonReader kind_reader, reader.Child("kind"));
  GLET_ASSIGN_OR_RETURN(std::string kind_name, kind_reader.AsString());
  Result<DeviceKind> kind = ParseDeviceKind(kind_name);
  if (!kind.ok()) {
    return kind_reader.Error(kind.status().message());
  }
  spec.kind = *kind;
  switch (spec.kind) {
    case DeviceKind::kCpu:
      GLET_RETURN_IF_ERROR(reader.CheckKeys({"id", "kind", "cores"}));
      break;
    case DeviceKind::kEmulated:
      GLET_RETURN_IF_ERROR(reader.CheckKeys({"id", "kind", "profile", "mem_mib"}));
      break;
    case DeviceKind::kCudaMps:
      GLET_RETURN_IF_ERROR(reader.CheckKeys({"id", "kind", "cuda_device", "mem_mib"}));
      break;
  }
  GLET_ASSIGN_OR_RETURN(JsonReader id_reader, reader.Child("id"));
  GLET_ASSIGN_OR_RETURN(spec.id, id_reader.AsString());
  if (!IsValidProfileName(spec.id)) {
    return id_reader.Error("device id must be non-empty letters, digits, '-', '_' or '.' (got '" +
                           spec.id + "')");
  }
  switch (spec.kind) {
    case DeviceKind::kCpu: {
      GLET_ASSIGN_OR_RETURN(JsonReader cores, reader.Child("cores"));
      GLET_ASSIGN_OR_RETURN(spec.cores, ParseCores(cores));
      break;
    }
    case DeviceKind::kEmulated: {
      GLET_ASSIGN_OR_RETURN(JsonReader profile, reader.Child("profile"));
      GLET_ASSIGN_OR_RETURN(spec.profile, profile.AsString());
      if (!IsValidProfileName(spec.profile)) {
        return profile.Error("profile must be a folder name under resource/profiles/ (got '" +
                             spec.profile + "')");
      }
      GLET_ASSIGN_OR_RETURN(spec.mem_mib, ReadMemMib(reader));
      break;
    }
    case DeviceKind::kCudaMps: {
      GLET_ASSIGN_OR_RETURN(JsonReader ordinal, reader.Child("cuda_device"));
      GLET_ASSIGN_OR_RETURN(int64_t cuda_device, ordinal.AsInt());
      if (cuda_device < 0 || cuda_device > 1023) {
        return ordinal.Error("must be a CUDA device ordinal in [0, 1023] (got " +
                             std::to_string(cuda_device) + ")");
      }
      spec.cuda_device = static_cast<int>(cuda_device);
      GLET_ASSIGN_OR_RETURN(spec.mem_mib, ReadMemMib(reader));
      break;
    }
  }
  return spec;
}

Result<NodeSpec> ParseNodeSpec(const JsonReader& root) {
  GLET_RETURN_IF_ERROR(root.CheckKeys({"node", "devices"}));
  NodeSpec node;
  GLET_ASSIGN_OR_RETURN(JsonReader name, root.Child("node"));
  GLET_ASSIGN_OR_RETURN(node.node, name.AsString());
  if (!IsValidProfileName(node.node)) {
    return name.Error("node name must be non-empty letters, digits, '-', '_' or '.' (got '" +
                      node.node + "')");
  }
  GLET_ASSIGN_OR_RETURN(JsonReader devices, root.Child("devices"));
  GLET_ASSIGN_OR_RETURN(auto elems, devices.Elements());
  if (elems.empty()) {
    return devices.Error("must list at least one device");
  }
  std::map<std::string, std::string> id_at;
  std::map<int, std::string> core_owner;  // core -> device id
  std::map<int, std::string> cuda_owner;  // ordinal -> device id
  for (const JsonReader& e : elems) {
    GLET_ASSIGN_OR_RETURN(DeviceSpec spec, ParseDeviceSpec(e));
    auto [it, inserted] = id_at.emplace(spec.id, e.pointer() + "/id");
    if (!inserted) {
      return ErrorAtChild(e, "id",
                          "duplicate device id '" + spec.id + "' (first at " + it->second + ")");
    }
    for (int core : spec.cores) {
      auto [owner, fresh] = core_owner.emplace(core, spec.id);
      if (!fresh) {
        return ErrorAtChild(
            e, "cores",
            "core " + std::to_string(core) + " already belongs to device '" + owner->second + "'");
      }
    }
    if (spec.kind == DeviceKind::kCudaMps) {
      auto [owner, fresh] = cuda_owner.emplace(spec.cuda_device, spec.id);
      if (!fresh) {
        return ErrorAtChild(e, "cuda_device",
                            "CUDA device " + std::to_string(spec.cuda_device) +
                                " already belongs to device '" + owner->second + "'");
      }
    }
    node.devices.push_back(std::move(spec));
  }
  return node;
}

Result<NodeSpec> LoadNodeSpec(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path));
  return ParseNodeSpec(JsonReader(json, path));
}

}  // namespace glet::model
