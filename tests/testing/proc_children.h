// ChildrenOf: the direct children of a process, read from /proc/<pid>/task/*/children (Linux).
// Tests use it to see which proxies a `glet backend` runs; benchmarks to account their CPU time.
// An unreadable or vanished process has no children (an empty list, never an error).
#pragma once

#include <sys/types.h>

#include <vector>

namespace glet::testing {

std::vector<pid_t> ChildrenOf(pid_t pid);

}  // namespace glet::testing
