// Problem: one placement instance, a Dag plus the Platform it runs on. Several DAGs (several
// DNNs) placed together become one Problem whose DAG is their disjoint union (MergeProblems).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "dag/dag.h"
#include "dag/platform.h"

namespace glet::dag {

struct Problem {
  std::string name;  // for reports: the DAG's name, or the names joined with '+'
  Dag dag;
  Platform platform;
};

// Disjoint union of `parts`. With one part it is returned unchanged; with more, task names get
// the prefix "<part name>/" (parts with equal names are numbered). All parts must have the same
// platform; otherwise kInvalidArgument naming the first part that differs.
// REQUIRES: !parts.empty().
Result<Problem> MergeProblems(std::vector<Problem> parts);

}  // namespace glet::dag
