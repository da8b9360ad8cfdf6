// ReadyQueue: the list scheduler's ready set for priority-driven algorithms (CPOP, PEFT). A task
// is ready once every predecessor is done; Pop() returns the ready task of highest priority
// (priorities quantized with QuantizePriorities, so near-equal values tie) and, among equal
// priorities, the lowest index. Done(task) releases the task's successors.
//
// Thread safety: none; one scheduler owns it.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "dag/dag.h"

namespace glet::dag {

class ReadyQueue {
 public:
  // REQUIRES: priority.size() == dag.num_tasks(); `dag` outlives the queue.
  ReadyQueue(const Dag& dag, const std::vector<double>& priority);
  ReadyQueue(const ReadyQueue&) = delete;  // the heap's comparator points into key_
  ReadyQueue& operator=(const ReadyQueue&) = delete;

  bool empty() const { return ready_.empty(); }
  // REQUIRES: !empty().
  int Pop();
  // Marks `task` done: successors whose predecessors are all done become ready.
  void Done(int task);

 private:
  struct Lower {
    const std::vector<int64_t>* key;
    bool operator()(int a, int b) const {
      return (*key)[a] != (*key)[b] ? (*key)[a] < (*key)[b] : a > b;
    }
  };

  const Dag& dag_;
  std::vector<int64_t> key_;
  std::vector<int> waiting_;  // predecessors not yet done, per task
  std::priority_queue<int, std::vector<int>, Lower> ready_;
};

}  // namespace glet::dag
