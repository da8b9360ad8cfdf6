#include "dag/dag.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <unordered_set>

#include "core/strings.h"

namespace glet::dag {

namespace {

std::string Num(double v) {
  std::string s = FormatDouble(v, 6);
  while (!s.empty() && s.back() == '0') {
    s.pop_back();
  }
  if (!s.empty() && s.back() == '.') {
    s.pop_back();
  }
  return s;
}

// Lists the tasks on one cycle among the tasks Kahn's algorithm could not order.
std::string DescribeCycle(const std::vector<Task>& tasks, const std::vector<int>& succ_begin,
                          const std::vector<Link>& succ, const std::vector<int>& indegree) {
  int n = static_cast<int>(tasks.size());
  // Every unordered task has a predecessor that is also unordered; walking successors among
  // unordered tasks that still have an unordered successor eventually repeats a task.
  std::vector<int> pos(n, -1);
  std::vector<int> path;
  int cur = -1;
  for (int i = 0; i < n; ++i) {
    if (indegree[i] > 0) {
      cur = i;
      break;
    }
  }
  while (cur >= 0 && pos[cur] < 0) {
    pos[cur] = static_cast<int>(path.size());
    path.push_back(cur);
    int next = -1;
    for (int e = succ_begin[cur]; e < succ_begin[cur + 1]; ++e) {
      if (indegree[succ[e].task] > 0) {
        next = succ[e].task;
        break;
      }
    }
    cur = next;
  }
  if (cur < 0) {
    return "";
  }
  std::string out;
  for (size_t i = pos[cur]; i < path.size(); ++i) {
    out += tasks[path[i]].name + " -> ";
  }
  return out + tasks[cur].name;
}

}  // namespace

Result<Dag> Dag::Create(std::vector<Task> tasks, std::vector<Edge> edges, int num_processors,
                        const std::string& origin) {
  const int n = static_cast<int>(tasks.size());
  if (num_processors <= 0) {
    return InvalidArgumentError(origin + ": no processors");
  }
  for (int i = 0; i < n; ++i) {
    const Task& t = tasks[i];
    if (static_cast<int>(t.cost.size()) != num_processors) {
      return InvalidArgumentError(origin + ": task '" + t.name + "': has " +
                                  std::to_string(t.cost.size()) + " costs, expected one per " +
                                  "processor (" + std::to_string(num_processors) + ")");
    }
    bool any_finite = false;
    for (int p = 0; p < num_processors; ++p) {
      double c = t.cost[p];
      if (std::isnan(c) || c < 0) {
        return InvalidArgumentError(origin + ": task '" + t.name + "': processor " +
                                    std::to_string(p) + ": cost must be >= 0 (got " + Num(c) + ")");
      }
      any_finite = any_finite || c != kInfCost;
    }
    if (!any_finite) {
      return InvalidArgumentError(origin + ": task '" + t.name +
                                  "': infinite cost on every processor; nothing can run it");
    }
  }
  std::unordered_set<uint64_t> seen;
  seen.reserve(edges.size() * 2);
  for (const Edge& e : edges) {
    if (e.src < 0 || e.src >= n || e.dst < 0 || e.dst >= n) {
      return InvalidArgumentError(origin + ": edge " + std::to_string(e.src) + " -> " +
                                  std::to_string(e.dst) + ": task index out of range (" +
                                  std::to_string(n) + " tasks)");
    }
    const std::string label = origin + ": edge " + tasks[e.src].name + " -> " + tasks[e.dst].name;
    if (e.src == e.dst) {
      return InvalidArgumentError(label + ": a task cannot depend on itself (cycle)");
    }
    if (std::isnan(e.data) || e.data < 0) {
      return InvalidArgumentError(label + ": data must be >= 0 (got " + Num(e.data) + ")");
    }
    uint64_t key = (static_cast<uint64_t>(e.src) << 32) | static_cast<uint32_t>(e.dst);
    if (!seen.insert(key).second) {
      return InvalidArgumentError(label + ": duplicate edge");
    }
  }

  Dag dag;
  dag.num_processors_ = num_processors;
  dag.succ_begin_.assign(n + 1, 0);
  dag.pred_begin_.assign(n + 1, 0);
  for (const Edge& e : edges) {
    ++dag.succ_begin_[e.src + 1];
    ++dag.pred_begin_[e.dst + 1];
  }
  for (int i = 0; i < n; ++i) {
    dag.succ_begin_[i + 1] += dag.succ_begin_[i];
    dag.pred_begin_[i + 1] += dag.pred_begin_[i];
  }
  dag.succ_.resize(edges.size());
  dag.pred_.resize(edges.size());
  {
    std::vector<int> sfill(dag.succ_begin_.begin(), dag.succ_begin_.end() - 1);
    std::vector<int> pfill(dag.pred_begin_.begin(), dag.pred_begin_.end() - 1);
    for (const Edge& e : edges) {
      dag.succ_[sfill[e.src]++] = Link{e.dst, e.data};
      dag.pred_[pfill[e.dst]++] = Link{e.src, e.data};
    }
  }

  // Kahn's algorithm with a min-heap so the order is deterministic and index-stable.
  std::vector<int> indegree(n);
  for (int i = 0; i < n; ++i) {
    indegree[i] = dag.pred_begin_[i + 1] - dag.pred_begin_[i];
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i) {
    if (indegree[i] == 0) {
      ready.push(i);
    }
  }
  dag.topo_.reserve(n);
  while (!ready.empty()) {
    int t = ready.top();
    ready.pop();
    dag.topo_.push_back(t);
    for (int e = dag.succ_begin_[t]; e < dag.succ_begin_[t + 1]; ++e) {
      if (--indegree[dag.succ_[e].task] == 0) {
        ready.push(dag.succ_[e].task);
      }
    }
  }
  if (static_cast<int>(dag.topo_.size()) != n) {
    return InvalidArgumentError(origin + ": the graph has a cycle: " +
                                DescribeCycle(tasks, dag.succ_begin_, dag.succ_, indegree));
  }
  dag.tasks_ = std::move(tasks);
  dag.edges_ = std::move(edges);
  return dag;
}

double Dag::MeanCost(int task) const {
  double sum = 0;
  int count = 0;
  for (double c : tasks_[task].cost) {
    if (c != kInfCost) {
      sum += c;
      ++count;
    }
  }
  return count == 0 ? kInfCost : sum / count;
}

double Dag::MinCost(int task) const {
  return *std::min_element(tasks_[task].cost.begin(), tasks_[task].cost.end());
}

}  // namespace glet::dag
