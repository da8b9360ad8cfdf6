#include "model/app_spec.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "model/app_draft.h"
#include "model/app_gpulet.h"

namespace glet::model {

namespace {

using internal::AppDraft;
using internal::DraftInput;
using internal::DraftOutput;
using internal::DraftStage;

Result<std::vector<JsonReader>> NonEmptyList(const JsonReader& root, std::string_view key,
                                             std::string_view what) {
  GLET_ASSIGN_OR_RETURN(JsonReader list, root.Child(key));
  GLET_ASSIGN_OR_RETURN(auto elems, list.Elements());
  if (elems.empty()) {
    return list.Error("must list at least one " + std::string(what));
  }
  return elems;
}

// A non-empty string without spaces or control characters (ids travel in URLs and logs).
Result<std::string> ReadId(const JsonReader& reader) {
  GLET_ASSIGN_OR_RETURN(std::string id, reader.AsString());
  if (id.empty()) {
    return reader.Error("must not be empty");
  }
  for (char c : id) {
    if (std::isspace(static_cast<unsigned char>(c)) ||
        std::iscntrl(static_cast<unsigned char>(c))) {
      return reader.Error("must not contain spaces or control characters (got '" + id + "')");
    }
  }
  return id;
}

Result<DraftStage> ParseStage(const JsonReader& e) {
  GLET_RETURN_IF_ERROR(e.CheckKeys({"id", "model", "inputs", "max_batch", "fanout"}));
  DraftStage st;
  st.at = e.where();
  GLET_ASSIGN_OR_RETURN(JsonReader id, e.Child("id"));
  GLET_ASSIGN_OR_RETURN(st.stage.id, ReadId(id));
  st.id_at = id.where();
  GLET_ASSIGN_OR_RETURN(JsonReader model, e.Child("model"));
  GLET_ASSIGN_OR_RETURN(st.stage.model, ReadId(model));
  st.model_at = model.where();
  GLET_ASSIGN_OR_RETURN(JsonReader inputs, e.Child("inputs"));
  st.inputs_at = inputs.where();
  GLET_ASSIGN_OR_RETURN(auto input_elems, inputs.Elements());
  if (input_elems.empty()) {
    return inputs.Error("must list at least one app input or stage");
  }
  for (const JsonReader& in : input_elems) {
    GLET_ASSIGN_OR_RETURN(std::string name, ReadId(in));
    st.stage.inputs.push_back(std::move(name));
    st.input_at.push_back(in.where());
  }
  if (auto mb = e.OptionalChild("max_batch")) {
    GLET_ASSIGN_OR_RETURN(int64_t max_batch, mb->AsInt());
    if (max_batch < 1 || max_batch > 65536) {
      return mb->Error("must be in [1, 65536] (got " + std::to_string(max_batch) + ")");
    }
    st.stage.max_batch = static_cast<int>(max_batch);
    st.max_batch_at = mb->where();
  }
  GLET_ASSIGN_OR_RETURN(st.stage.fanout, e.GetDoubleOr("fanout", 1.0));
  GLET_RETURN_IF_ERROR(e.RequirePositive("fanout", st.stage.fanout));
  return st;
}

Result<AppDraft> ParseGletApp(const JsonReader& root) {
  GLET_RETURN_IF_ERROR(root.CheckKeys({"name", "slo_ms", "inputs", "stages", "outputs"}));
  AppDraft draft;
  draft.origin = internal::OriginOf(root);
  GLET_ASSIGN_OR_RETURN(JsonReader name, root.Child("name"));
  GLET_ASSIGN_OR_RETURN(draft.name, ReadId(name));
  GLET_ASSIGN_OR_RETURN(draft.slo_ms, root.GetDouble("slo_ms"));
  GLET_RETURN_IF_ERROR(root.RequirePositive("slo_ms", draft.slo_ms));

  GLET_ASSIGN_OR_RETURN(auto input_elems, NonEmptyList(root, "inputs", "input"));
  for (const JsonReader& e : input_elems) {
    DraftInput in;
    GLET_ASSIGN_OR_RETURN(in.spec, ParseTensorSpec(e));
    in.at = e.where();
    in.name_at = e.where() + "/name";
    draft.inputs.push_back(std::move(in));
  }
  GLET_ASSIGN_OR_RETURN(auto stage_elems, NonEmptyList(root, "stages", "stage"));
  for (const JsonReader& e : stage_elems) {
    GLET_ASSIGN_OR_RETURN(DraftStage st, ParseStage(e));
    draft.stages.push_back(std::move(st));
  }
  GLET_ASSIGN_OR_RETURN(JsonReader outputs, root.Child("outputs"));
  draft.outputs_at = outputs.where();
  GLET_ASSIGN_OR_RETURN(auto output_elems, outputs.Elements());
  for (const JsonReader& e : output_elems) {
    GLET_ASSIGN_OR_RETURN(std::string id, ReadId(e));
    draft.outputs.push_back(DraftOutput{std::move(id), e.where()});
  }
  return draft;
}

}  // namespace

int AppSpec::StageIndex(const std::string& id) const {
  for (size_t i = 0; i < stages.size(); ++i) {
    if (stages[i].id == id) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::vector<std::string> AppSpec::Consumers(const std::string& id) const {
  std::vector<std::string> out;
  for (const AppStage& stage : stages) {
    if (std::find(stage.inputs.begin(), stage.inputs.end(), id) != stage.inputs.end()) {
      out.push_back(stage.id);
    }
  }
  return out;
}

std::vector<Duration> TimeAfterStages(const AppSpec& app,
                                      const std::function<Duration(const std::string&)>& least) {
  std::vector<Duration> after(app.stages.size(), Duration::zero());
  for (size_t s = app.stages.size(); s-- > 0;) {
    for (const std::string& consumer : app.Consumers(app.stages[s].id)) {
      const int c = app.StageIndex(consumer);
      if (c > static_cast<int>(s)) {
        after[s] = std::max(after[s], least(app.stages[c].model) + after[c]);
      }
    }
  }
  return after;
}

Result<AppSpec> ParseAppSpec(const JsonReader& root, const ModelManifest* manifest) {
  GLET_RETURN_IF_ERROR(root.ExpectObject());
  AppDraft draft;
  if (internal::LooksLikeGpuLetApp(root.node())) {
    GLET_ASSIGN_OR_RETURN(draft, internal::ParseGpuLetApp(root));
  } else {
    GLET_ASSIGN_OR_RETURN(draft, ParseGletApp(root));
  }
  return internal::FinishAppDraft(std::move(draft), manifest);
}

Result<AppSpec> LoadAppSpec(const std::string& path, const ModelManifest* manifest) {
  GLET_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path));
  return ParseAppSpec(JsonReader(json, path), manifest);
}

}  // namespace glet::model
