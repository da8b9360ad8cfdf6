#include "dag/ready_queue.h"

#include "dag/ranks.h"

namespace glet::dag {

ReadyQueue::ReadyQueue(const Dag& dag, const std::vector<double>& priority)
    : dag_(dag), key_(QuantizePriorities(priority)), ready_(Lower{&key_}) {
  const int n = dag.num_tasks();
  waiting_.resize(n);
  for (int t = 0; t < n; ++t) {
    waiting_[t] = static_cast<int>(dag.predecessors(t).size());
    if (waiting_[t] == 0) {
      ready_.push(t);
    }
  }
}

int ReadyQueue::Pop() {
  const int task = ready_.top();
  ready_.pop();
  return task;
}

void ReadyQueue::Done(int task) {
  for (const Link& out : dag_.successors(task)) {
    if (--waiting_[out.task] == 0) {
      ready_.push(out.task);
    }
  }
}

}  // namespace glet::dag
