#include "model/app_gpulet.h"

#include <algorithm>
#include <map>
#include <utility>

namespace glet::model::internal {

namespace {

enum class NodeKind { kInput, kModel, kOutput };

std::string_view KindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kInput:
      return "an app input";
    case NodeKind::kModel:
      return "a model";
    case NodeKind::kOutput:
      return "an output";
  }
  return "?";
}

// One entry of Input, Models or Output.
struct Node {
  NodeKind kind = NodeKind::kInput;
  int64_t id = 0;
  std::vector<int64_t> inputs;   // "input" (models, outputs)
  std::vector<int64_t> outputs;  // "output" (inputs, models)
  std::string at;
  std::string inputs_at;
  std::string outputs_at;
  std::vector<std::string> input_at;
  std::vector<std::string> output_at;
};

struct IdList {
  std::vector<int64_t> ids;
  std::string at;
  std::vector<std::string> item_at;
};

Result<IdList> ReadIdList(const JsonReader& parent, std::string_view key) {
  GLET_ASSIGN_OR_RETURN(JsonReader list, parent.Child(key));
  GLET_ASSIGN_OR_RETURN(auto elems, list.Elements());
  IdList out;
  out.at = list.where();
  for (const JsonReader& e : elems) {
    GLET_ASSIGN_OR_RETURN(int64_t id, e.AsInt());
    out.ids.push_back(id);
    out.item_at.push_back(e.where());
  }
  return out;
}

Result<std::vector<JsonReader>> NonEmptyList(const JsonReader& root, std::string_view key) {
  GLET_ASSIGN_OR_RETURN(JsonReader list, root.Child(key));
  GLET_ASSIGN_OR_RETURN(auto elems, list.Elements());
  if (elems.empty()) {
    return list.Error("must list at least one entry");
  }
  return elems;
}

// What CheckEdgeList() checks, in the order the checks run over the whole file.
enum class EdgeCheck { kExists, kKind, kAgrees };

// Checks the edges `node` lists in `list` ("input" when !forward, "output" when forward): each
// names an existing node (kExists) of a kind that may sit at that end of the edge (kKind: input
// -> model, model -> model, model -> output) and that lists `node` back (kAgrees).
Status CheckEdgeList(const Node& node, const std::vector<int64_t>& list,
                     const std::vector<std::string>& list_at, bool forward, EdgeCheck check,
                     const std::map<int64_t, const Node*>& by_id) {
  for (size_t j = 0; j < list.size(); ++j) {
    int64_t other_id = list[j];
    auto it = by_id.find(other_id);
    if (it == by_id.end()) {
      return ErrorAt(list_at[j], "unknown id " + std::to_string(other_id));
    }
    const Node& other = *it->second;
    switch (check) {
      case EdgeCheck::kExists:
        break;
      case EdgeCheck::kKind: {
        bool allowed = forward
                           ? (other.kind != NodeKind::kInput &&
                              !(node.kind == NodeKind::kInput && other.kind == NodeKind::kOutput))
                           : (other.kind != NodeKind::kOutput &&
                              !(node.kind == NodeKind::kOutput && other.kind == NodeKind::kInput));
        if (!allowed) {
          return ErrorAt(list_at[j], "id " + std::to_string(other_id) + " is " +
                                         std::string(KindName(other.kind)) + ", which cannot be " +
                                         (forward ? "fed by " : "an input of ") +
                                         std::string(KindName(node.kind)));
        }
        break;
      }
      case EdgeCheck::kAgrees: {
        const std::vector<int64_t>& back = forward ? other.inputs : other.outputs;
        if (std::find(back.begin(), back.end(), node.id) == back.end()) {
          return ErrorAt(list_at[j], "id " + std::to_string(other_id) + " does not list " +
                                         std::to_string(node.id) + " in its \"" +
                                         (forward ? "input" : "output") + "\"");
        }
        for (size_t k = 0; k < j; ++k) {
          if (list[k] == other_id) {
            return ErrorAt(list_at[j], "id " + std::to_string(other_id) + " listed twice");
          }
        }
        break;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

bool LooksLikeGpuLetApp(const Json& root) {
  if (!root.is_object()) {
    return false;
  }
  for (const char* key : {"name", "slo_ms", "inputs", "stages", "outputs"}) {
    if (root.contains(key)) {
      return false;  // a glet-format file; a stray gpu-let key is reported as unknown there
    }
  }
  for (const char* key : {"Name", "Input", "Models", "Output"}) {
    if (root.contains(key)) {
      return true;
    }
  }
  return false;
}

Result<AppDraft> ParseGpuLetApp(const JsonReader& root) {
  GLET_RETURN_IF_ERROR(root.CheckKeys({"Name", "Input", "Models", "Output"}));
  AppDraft draft;
  draft.origin = OriginOf(root);
  GLET_ASSIGN_OR_RETURN(JsonReader name, root.Child("Name"));
  GLET_ASSIGN_OR_RETURN(draft.name, name.AsString());
  if (draft.name.empty()) {
    return name.Error("must not be empty");
  }

  std::vector<Node> nodes;
  std::vector<DraftInput> inputs;
  std::vector<DraftStage> stages;
  std::map<int64_t, std::string> id_at;  // id -> where it was first defined
  auto read_id = [&](const JsonReader& e, NodeKind kind) -> Status {
    GLET_ASSIGN_OR_RETURN(JsonReader id_reader, e.Child("ID"));
    GLET_ASSIGN_OR_RETURN(int64_t id, id_reader.AsInt());
    if (id < 0) {
      return id_reader.Error("must be >= 0 (got " + std::to_string(id) + ")");
    }
    auto [it, inserted] = id_at.emplace(id, id_reader.pointer());
    if (!inserted) {
      return id_reader.Error("duplicate id " + std::to_string(id) + " (first at " + it->second +
                             ")");
    }
    Node node;
    node.kind = kind;
    node.id = id;
    node.at = e.where();
    nodes.push_back(std::move(node));
    return Status::Ok();
  };

  GLET_ASSIGN_OR_RETURN(auto input_elems, NonEmptyList(root, "Input"));
  for (const JsonReader& e : input_elems) {
    GLET_RETURN_IF_ERROR(e.CheckKeys({"ID", "InputDim", "InputType", "output"}));
    GLET_RETURN_IF_ERROR(read_id(e, NodeKind::kInput));
    Node& node = nodes.back();
    DraftInput in;
    in.spec.name = "input" + std::to_string(node.id);
    in.at = e.where();
    in.name_at = e.where() + "/ID";
    GLET_ASSIGN_OR_RETURN(JsonReader dims, e.Child("InputDim"));
    GLET_ASSIGN_OR_RETURN(auto dim_elems, dims.Elements());
    for (const JsonReader& d : dim_elems) {
      GLET_ASSIGN_OR_RETURN(int64_t v, d.AsInt());
      if (v < 1) {
        return d.Error("dimension must be >= 1 (got " + std::to_string(v) + ")");
      }
      in.spec.shape.push_back(v);
    }
    GLET_ASSIGN_OR_RETURN(JsonReader type, e.Child("InputType"));
    GLET_ASSIGN_OR_RETURN(std::string type_name, type.AsString());
    Result<DType> dtype = ParseDType(type_name);
    if (!dtype.ok()) {
      return type.Error(dtype.status().message());
    }
    in.spec.dtype = *dtype;
    GLET_ASSIGN_OR_RETURN(IdList outs, ReadIdList(e, "output"));
    node.outputs = std::move(outs.ids);
    node.outputs_at = std::move(outs.at);
    node.output_at = std::move(outs.item_at);
    inputs.push_back(std::move(in));
  }

  GLET_ASSIGN_OR_RETURN(auto model_elems, NonEmptyList(root, "Models"));
  std::map<std::string, int> model_uses;
  for (const JsonReader& e : model_elems) {
    GLET_RETURN_IF_ERROR(e.CheckKeys({"ID", "input", "output", "model", "max_batch", "SLO"}));
    GLET_RETURN_IF_ERROR(read_id(e, NodeKind::kModel));
    Node& node = nodes.back();
    DraftStage st;
    st.at = e.where();
    st.id_at = e.where() + "/ID";
    GLET_ASSIGN_OR_RETURN(JsonReader model, e.Child("model"));
    GLET_ASSIGN_OR_RETURN(st.stage.model, model.AsString());
    if (st.stage.model.empty()) {
      return model.Error("must not be empty");
    }
    st.model_at = model.where();
    ++model_uses[st.stage.model];
    if (auto mb = e.OptionalChild("max_batch")) {
      GLET_ASSIGN_OR_RETURN(int64_t max_batch, mb->AsInt());
      if (max_batch < 1 || max_batch > 65536) {
        return mb->Error("must be in [1, 65536] (got " + std::to_string(max_batch) + ")");
      }
      st.stage.max_batch = static_cast<int>(max_batch);
      st.max_batch_at = mb->where();
    }
    GLET_ASSIGN_OR_RETURN(double slo_ms, e.GetDouble("SLO"));
    GLET_RETURN_IF_ERROR(e.RequirePositive("SLO", slo_ms));
    draft.slo_ms = std::max(draft.slo_ms, slo_ms);
    GLET_ASSIGN_OR_RETURN(IdList ins, ReadIdList(e, "input"));
    node.inputs = std::move(ins.ids);
    node.inputs_at = ins.at;
    node.input_at = ins.item_at;
    st.inputs_at = std::move(ins.at);
    st.input_at = std::move(ins.item_at);
    GLET_ASSIGN_OR_RETURN(IdList outs, ReadIdList(e, "output"));
    node.outputs = std::move(outs.ids);
    node.outputs_at = std::move(outs.at);
    node.output_at = std::move(outs.item_at);
    stages.push_back(std::move(st));
  }

  GLET_ASSIGN_OR_RETURN(JsonReader output_list, root.Child("Output"));
  draft.outputs_at = output_list.where();
  GLET_ASSIGN_OR_RETURN(auto output_elems, NonEmptyList(root, "Output"));
  for (const JsonReader& e : output_elems) {
    GLET_RETURN_IF_ERROR(e.CheckKeys({"ID", "input", "Comp"}));
    GLET_RETURN_IF_ERROR(read_id(e, NodeKind::kOutput));
    GLET_RETURN_IF_ERROR(e.GetStringOr("Comp", "None").status());
    Node& node = nodes.back();
    GLET_ASSIGN_OR_RETURN(IdList ins, ReadIdList(e, "input"));
    if (ins.ids.empty()) {
      return ErrorAt(ins.at, "must list at least one model");
    }
    node.inputs = std::move(ins.ids);
    node.inputs_at = std::move(ins.at);
    node.input_at = std::move(ins.item_at);
  }

  // Cross-check IDs: every reference resolves, has the right kind, and both sides agree.
  std::map<int64_t, const Node*> by_id;
  for (const Node& node : nodes) {
    by_id[node.id] = &node;
  }
  for (EdgeCheck check : {EdgeCheck::kExists, EdgeCheck::kKind, EdgeCheck::kAgrees}) {
    for (const Node& node : nodes) {
      GLET_RETURN_IF_ERROR(CheckEdgeList(node, node.inputs, node.input_at, false, check, by_id));
      GLET_RETURN_IF_ERROR(CheckEdgeList(node, node.outputs, node.output_at, true, check, by_id));
    }
  }

  // Translate IDs into glet names.
  std::map<int64_t, std::string> name_of;
  size_t model_index = 0;
  for (const Node& node : nodes) {
    if (node.kind == NodeKind::kInput) {
      name_of[node.id] = "input" + std::to_string(node.id);
    } else if (node.kind == NodeKind::kModel) {
      DraftStage& st = stages[model_index++];
      st.stage.id = model_uses[st.stage.model] == 1
                        ? st.stage.model
                        : st.stage.model + "#" + std::to_string(node.id);
      name_of[node.id] = st.stage.id;
    }
  }
  model_index = 0;
  for (const Node& node : nodes) {
    if (node.kind == NodeKind::kModel) {
      DraftStage& st = stages[model_index++];
      for (int64_t in : node.inputs) {
        st.stage.inputs.push_back(name_of[in]);
      }
    } else if (node.kind == NodeKind::kOutput) {
      for (size_t j = 0; j < node.inputs.size(); ++j) {
        const std::string& stage_id = name_of[node.inputs[j]];
        bool seen = std::any_of(draft.outputs.begin(), draft.outputs.end(),
                                [&](const DraftOutput& o) { return o.id == stage_id; });
        if (!seen) {  // several Output entries may join the same model
          draft.outputs.push_back({stage_id, node.input_at[j]});
        }
      }
    }
  }
  draft.inputs = std::move(inputs);
  draft.stages = std::move(stages);
  return draft;
}

}  // namespace glet::model::internal
