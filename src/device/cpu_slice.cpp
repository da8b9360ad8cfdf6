#include "device/cpu_slice.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/strings.h"
#include "model/torch_model.h"

namespace glet::device {

std::vector<int> AllowedCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cores;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) {
    return cores;
  }
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &set)) {
      cores.push_back(i);
    }
  }
  return cores;
}

namespace {

// The machine's usable cores: the affinity mask of the process when it first asked. A slice that
// pins the process narrows its mask, so later slices are checked against the first reading.
const std::vector<int>& MachineCores() {
  static const std::vector<int> cores = AllowedCores();
  return cores;
}

}  // namespace

Result<std::unique_ptr<CpuSlice>> CpuSlice::Create(const SliceSpec& spec) {
  const std::vector<int>& machine = MachineCores();
  if (spec.cores.empty()) {
    return InvalidArgumentError("slice '" + spec.ToString() + "': no cores");
  }
  for (int core : spec.cores) {
    if (!std::binary_search(machine.begin(), machine.end(), core)) {
      std::vector<std::string> have;
      for (int c : machine) {
        have.push_back(std::to_string(c));
      }
      return InvalidArgumentError("slice '" + spec.ToString() + "': core " + std::to_string(core) +
                                  " is not available (this process may " + "use cores " +
                                  Join(have, ",") + ")");
    }
  }
  int partition = static_cast<int>(100 * spec.cores.size() / machine.size());
  return std::unique_ptr<CpuSlice>(new CpuSlice(spec, std::max(1, partition)));
}

Status CpuSlice::Activate() {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int core : spec().cores) {
    CPU_SET(core, &set);
  }
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    return InvalidArgumentError("slice '" + spec().ToString() +
                                "': sched_setaffinity failed: " + std::strerror(errno));
  }
  model::SetTorchIntraOpThreads(static_cast<int>(spec().cores.size()));
  return Status::Ok();
}

Result<std::unique_ptr<model::Model>> CpuSlice::LoadModel(const model::ModelSpec& spec,
                                                          const std::string& model_dir) {
  return model::LoadTorchModel(spec, model::ModelManifest::ResolveFile(spec, model_dir),
                               model::TorchOptions{"cpu"});
}

}  // namespace glet::device
