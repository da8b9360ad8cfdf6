// Dag: a task graph to place on heterogeneous processors. Each task has a computation cost per
// processor (+infinity marks a processor that cannot run it); each edge carries a data volume
// from its source task to its destination task. Built only through Dag::Create(), which checks
// the graph (ids in range, no self loops or duplicate edges, no cycles, costs >= 0, at least one
// processor per task) so the algorithms never see a malformed graph.
//
// Adjacency is stored as compressed lists (successors and predecessors of a task are contiguous
// spans), and a topological order is computed once. Thread safety: immutable after Create();
// safe to share between threads.
#pragma once

#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace glet::dag {

inline constexpr double kInfCost = std::numeric_limits<double>::infinity();

struct Task {
  std::string name;
  std::vector<double> cost;  // one per processor; kInfCost = cannot run there
};

struct Edge {
  int src = 0;
  int dst = 0;
  double data = 0;  // data volume; communication time = startup + data / bandwidth
};

// One end of an edge as seen from a task: the other task and the edge's data volume.
struct Link {
  int task = 0;
  double data = 0;
};

class Dag {
 public:
  // Validates and indexes the graph. `origin` prefixes every error ("dag.json: ...").
  // Errors (kInvalidArgument): wrong number of costs, negative or NaN cost, a task with no finite
  // cost, edge endpoints out of range, self loops, duplicate edges, negative data, cycles (the
  // message lists the tasks on one cycle).
  static Result<Dag> Create(std::vector<Task> tasks, std::vector<Edge> edges, int num_processors,
                            const std::string& origin);

  int num_tasks() const { return static_cast<int>(tasks_.size()); }
  int num_processors() const { return num_processors_; }
  int num_edges() const { return static_cast<int>(edges_.size()); }
  const std::vector<Task>& tasks() const { return tasks_; }
  const Task& task(int i) const { return tasks_[i]; }
  const std::vector<Edge>& edges() const { return edges_; }
  double cost(int task, int proc) const { return tasks_[task].cost[proc]; }
  bool CanRun(int task, int proc) const { return tasks_[task].cost[proc] != kInfCost; }

  std::span<const Link> successors(int task) const {
    return {succ_.data() + succ_begin_[task], succ_.data() + succ_begin_[task + 1]};
  }
  std::span<const Link> predecessors(int task) const {
    return {pred_.data() + pred_begin_[task], pred_.data() + pred_begin_[task + 1]};
  }
  // Every task after all of its predecessors (Kahn's order, smallest index first among ties).
  const std::vector<int>& topological_order() const { return topo_; }

  // Mean cost over the processors that can run the task (infinite ones are left out).
  double MeanCost(int task) const;
  // Smallest cost over processors.
  double MinCost(int task) const;

 private:
  Dag() = default;

  std::vector<Task> tasks_;
  std::vector<Edge> edges_;
  int num_processors_ = 0;
  std::vector<int> succ_begin_, pred_begin_;
  std::vector<Link> succ_, pred_;
  std::vector<int> topo_;
};

}  // namespace glet::dag
