#include "testing/proc_children.h"

#include <filesystem>
#include <fstream>
#include <string>

namespace glet::testing {

std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(task_dir, ec)) {
    std::ifstream in(task.path() / "children");
    pid_t child = 0;
    while (in >> child) {
      out.push_back(child);
    }
  }
  return out;
}

}  // namespace glet::testing
