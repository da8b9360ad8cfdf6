#include "dag/problem.h"

#include <map>

namespace glet::dag {

Result<Problem> MergeProblems(std::vector<Problem> parts) {
  GLET_CHECK(!parts.empty()) << "MergeProblems needs at least one part";
  if (parts.size() == 1) {
    return std::move(parts.front());
  }
  std::map<std::string, int> name_count;
  for (const Problem& part : parts) {
    ++name_count[part.name];
  }
  std::map<std::string, int> name_seen;
  std::vector<Task> tasks;
  std::vector<Edge> edges;
  std::string merged_name;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Problem& part = parts[i];
    if (!part.platform.SameAs(parts[0].platform)) {
      return InvalidArgumentError(part.name + ": processors, bandwidth or startup differ from " +
                                  parts[0].name +
                                  "'s; DAGs placed together must share one "
                                  "platform");
    }
    std::string prefix = part.name;
    if (name_count[part.name] > 1) {
      prefix += "#" + std::to_string(name_seen[part.name]++);
    }
    merged_name += (i == 0 ? "" : "+") + prefix;
    const int offset = static_cast<int>(tasks.size());
    for (const Task& t : part.dag.tasks()) {
      tasks.push_back(Task{prefix + "/" + t.name, t.cost});
    }
    for (const Edge& e : part.dag.edges()) {
      edges.push_back(Edge{e.src + offset, e.dst + offset, e.data});
    }
  }
  GLET_ASSIGN_OR_RETURN(Dag dag, Dag::Create(std::move(tasks), std::move(edges),
                                             parts[0].platform.num_processors(), merged_name));
  return Problem{merged_name, std::move(dag), parts[0].platform};
}

}  // namespace glet::dag
