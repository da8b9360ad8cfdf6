#include "model/app_draft.h"

#include <map>
#include <queue>
#include <utility>

#include "core/strings.h"

namespace glet::model::internal {

namespace {

// Index of a stage or input by name.
struct NameTable {
  std::map<std::string, int> stage;  // id -> index into draft.stages
  std::map<std::string, int> input;  // name -> index into draft.inputs
};

// "/stages/0/id" from "file: /stages/0/id", for messages that already name the file.
std::string PointerOf(const AppDraft& draft, const std::string& at) {
  std::string prefix = draft.origin + ": ";
  return at.rfind(prefix, 0) == 0 ? at.substr(prefix.size()) : at;
}

Result<NameTable> BuildNames(const AppDraft& draft) {
  NameTable names;
  std::map<std::string, std::string> first_at;
  auto add = [&](const std::string& id, const std::string& at) -> Status {
    auto [it, inserted] = first_at.emplace(id, at);
    if (!inserted) {
      return ErrorAt(at,
                     "duplicate id '" + id + "' (first at " + PointerOf(draft, it->second) + ")");
    }
    return Status::Ok();
  };
  for (size_t i = 0; i < draft.inputs.size(); ++i) {
    const DraftInput& in = draft.inputs[i];
    GLET_RETURN_IF_ERROR(add(in.spec.name, in.name_at));
    names.input[in.spec.name] = static_cast<int>(i);
  }
  for (size_t i = 0; i < draft.stages.size(); ++i) {
    const DraftStage& st = draft.stages[i];
    GLET_RETURN_IF_ERROR(add(st.stage.id, st.id_at));
    names.stage[st.stage.id] = static_cast<int>(i);
  }
  return names;
}

Status CheckModels(const AppDraft& draft, const ModelManifest& manifest) {
  for (const DraftStage& st : draft.stages) {
    Result<const ModelSpec*> model = manifest.Find(st.stage.model);
    if (!model.ok()) {
      return ErrorAt(st.model_at, model.status().message());
    }
    if (st.stage.max_batch > (*model)->max_batch) {
      return ErrorAt(st.max_batch_at, "max_batch " + std::to_string(st.stage.max_batch) +
                                          " exceeds model '" + st.stage.model + "' max_batch " +
                                          std::to_string((*model)->max_batch));
    }
  }
  return Status::Ok();
}

// Resolves every edge; fills deps[i] with the stage indexes stage i reads from.
Status CheckEdges(const AppDraft& draft, const NameTable& names,
                  std::vector<std::vector<std::pair<int, size_t>>>* deps) {
  deps->assign(draft.stages.size(), {});
  for (size_t i = 0; i < draft.stages.size(); ++i) {
    const DraftStage& st = draft.stages[i];
    if (st.stage.inputs.empty()) {
      return ErrorAt(st.inputs_at, "stage '" + st.stage.id + "' has no inputs");
    }
    for (size_t j = 0; j < st.stage.inputs.size(); ++j) {
      const std::string& in = st.stage.inputs[j];
      for (size_t k = 0; k < j; ++k) {
        if (st.stage.inputs[k] == in) {
          return ErrorAt(st.input_at[j], "input '" + in + "' listed twice");
        }
      }
      if (in == st.stage.id) {
        return ErrorAt(st.input_at[j], "cycle: stage '" + in + "' takes its own output");
      }
      if (names.input.count(in) != 0) {
        continue;
      }
      auto it = names.stage.find(in);
      if (it == names.stage.end()) {
        return ErrorAt(st.input_at[j],
                       "dangling edge: '" + in + "' is neither an app input nor a stage");
      }
      (*deps)[i].emplace_back(it->second, j);
    }
  }
  return Status::Ok();
}

Status CheckOutputs(const AppDraft& draft, const NameTable& names) {
  if (draft.outputs.empty()) {
    return ErrorAt(draft.outputs_at, "the app has no outputs");
  }
  std::map<std::string, std::string> seen;
  for (const DraftOutput& out : draft.outputs) {
    if (names.stage.count(out.id) == 0) {
      if (names.input.count(out.id) != 0) {
        return ErrorAt(out.at, "'" + out.id + "' is an app input; outputs must be stages");
      }
      return ErrorAt(out.at, "dangling edge: unknown stage '" + out.id + "'");
    }
    auto [it, inserted] = seen.emplace(out.id, out.at);
    if (!inserted) {
      return ErrorAt(out.at, "output '" + out.id + "' listed twice (first at " +
                                 PointerOf(draft, it->second) + ")");
    }
  }
  return Status::Ok();
}

// Iterative depth-first search along dependencies; reports the first cycle met, in file order.
Status CheckAcyclic(const AppDraft& draft,
                    const std::vector<std::vector<std::pair<int, size_t>>>& deps) {
  enum class Mark { kNew, kOnPath, kDone };
  std::vector<Mark> mark(draft.stages.size(), Mark::kNew);
  for (size_t root = 0; root < draft.stages.size(); ++root) {
    if (mark[root] != Mark::kNew) {
      continue;
    }
    std::vector<std::pair<int, size_t>> path = {{static_cast<int>(root), 0}};  // (stage, next dep)
    mark[root] = Mark::kOnPath;
    while (!path.empty()) {
      auto& [u, next] = path.back();
      if (next == deps[u].size()) {
        mark[u] = Mark::kDone;
        path.pop_back();
        continue;
      }
      auto [v, input_index] = deps[u][next++];
      if (mark[v] == Mark::kNew) {
        mark[v] = Mark::kOnPath;
        path.emplace_back(v, 0);
        continue;
      }
      if (mark[v] == Mark::kOnPath) {
        // Data flows from the end of the path back towards v, then from v into u.
        std::vector<std::string> cycle = {draft.stages[v].stage.id};
        for (size_t k = path.size(); k-- > 0;) {
          cycle.push_back(draft.stages[path[k].first].stage.id);
          if (path[k].first == v) {
            break;
          }
        }
        // cycle = v, u, ..., v
        return ErrorAt(draft.stages[u].input_at[input_index], "cycle: " + Join(cycle, " -> "));
      }
    }
  }
  return Status::Ok();
}

Status CheckEveryNodeUsed(const AppDraft& draft) {
  std::map<std::string, int> consumers;
  for (const DraftStage& st : draft.stages) {
    for (const std::string& in : st.stage.inputs) {
      ++consumers[in];
    }
  }
  for (const DraftOutput& out : draft.outputs) {
    ++consumers[out.id];
  }
  for (const DraftInput& in : draft.inputs) {
    if (consumers[in.spec.name] == 0) {
      return ErrorAt(in.at, "app input '" + in.spec.name + "' is not consumed by any stage");
    }
  }
  for (const DraftStage& st : draft.stages) {
    if (consumers[st.stage.id] == 0) {
      return ErrorAt(st.at, "the output of stage '" + st.stage.id +
                                "' goes nowhere (no stage takes it and it is not an app output)");
    }
  }
  return Status::Ok();
}

Status CheckInputTypes(const AppDraft& draft, const NameTable& names,
                       const ModelManifest& manifest) {
  for (const DraftStage& st : draft.stages) {
    Result<const ModelSpec*> model = manifest.Find(st.stage.model);
    if (!model.ok()) {
      continue;  // reported by CheckModels
    }
    const TensorSpec& want = (*model)->input;
    for (size_t j = 0; j < st.stage.inputs.size(); ++j) {
      auto it = names.input.find(st.stage.inputs[j]);
      if (it == names.input.end()) {
        continue;
      }
      const TensorSpec& have = draft.inputs[it->second].spec;
      if (have.dtype != want.dtype || have.shape != want.shape) {
        return ErrorAt(st.input_at[j],
                       "app input '" + have.name + "' is " + std::string(DTypeName(have.dtype)) +
                           " " + ShapeToString(have.shape) + " but model '" + st.stage.model +
                           "' takes " + std::string(DTypeName(want.dtype)) + " " +
                           ShapeToString(want.shape));
      }
    }
  }
  return Status::Ok();
}

// Kahn's algorithm, always taking the ready stage that comes first in the file.
std::vector<int> TopologicalOrder(const std::vector<std::vector<std::pair<int, size_t>>>& deps) {
  size_t n = deps.size();
  std::vector<int> missing(n, 0);
  std::vector<std::vector<int>> consumers(n);
  for (size_t i = 0; i < n; ++i) {
    for (auto [d, unused] : deps[i]) {
      (void)unused;
      ++missing[i];
      consumers[d].push_back(static_cast<int>(i));
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (missing[i] == 0) {
      ready.push(static_cast<int>(i));
    }
  }
  std::vector<int> order;
  while (!ready.empty()) {
    int u = ready.top();
    ready.pop();
    order.push_back(u);
    for (int c : consumers[u]) {
      if (--missing[c] == 0) {
        ready.push(c);
      }
    }
  }
  return order;
}

}  // namespace

std::string OriginOf(const JsonReader& reader) {
  std::string where = reader.where();
  return where.substr(0, where.size() - reader.pointer().size() - 2);
}

Status ErrorAt(const std::string& at, const std::string& message) {
  return InvalidArgumentError(at + ": " + message);
}

Result<AppSpec> FinishAppDraft(AppDraft draft, const ModelManifest* manifest) {
  GLET_ASSIGN_OR_RETURN(NameTable names, BuildNames(draft));
  if (manifest != nullptr) {
    GLET_RETURN_IF_ERROR(CheckModels(draft, *manifest));
  }
  std::vector<std::vector<std::pair<int, size_t>>> deps;
  GLET_RETURN_IF_ERROR(CheckEdges(draft, names, &deps));
  GLET_RETURN_IF_ERROR(CheckOutputs(draft, names));
  GLET_RETURN_IF_ERROR(CheckAcyclic(draft, deps));
  GLET_RETURN_IF_ERROR(CheckEveryNodeUsed(draft));
  if (manifest != nullptr) {
    GLET_RETURN_IF_ERROR(CheckInputTypes(draft, names, *manifest));
  }

  AppSpec app;
  app.name = std::move(draft.name);
  app.slo_ms = draft.slo_ms;
  for (DraftInput& in : draft.inputs) {
    app.inputs.push_back(std::move(in.spec));
  }
  for (int i : TopologicalOrder(deps)) {
    app.stages.push_back(std::move(draft.stages[i].stage));
  }
  for (DraftOutput& out : draft.outputs) {
    app.outputs.push_back(std::move(out.id));
  }
  return app;
}

}  // namespace glet::model::internal
