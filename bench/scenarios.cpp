#include "scenarios.h"

#include "model/model_spec.h"

namespace glet::bench {

sched::Workload UnitRateWorkload(const std::vector<std::pair<std::string, double>>& slo_ms) {
  sched::Workload out;
  for (const auto& [model, slo] : slo_ms) {
    out.models.push_back(sched::ModelDemand{model, 1, slo, 32});
  }
  return out;
}

std::vector<Scenario> StandardScenarios() {
  return {
      {"S1", "S1 resnet50/vgg16/mobilenet_v2",
       UnitRateWorkload({{"resnet50", 108}, {"vgg16", 142}, {"mobilenet_v2", 64}})},
      {"S2", "S2 googlenet/ssd-mobilenetv1/vgg16",
       UnitRateWorkload({{"googlenet", 112}, {"ssd-mobilenetv1", 90}, {"vgg16", 112}})},
      {"S3", "S3 lenet1..6 + resnet50",
       UnitRateWorkload({{"lenet1", 108},
                         {"lenet2", 108},
                         {"lenet3", 108},
                         {"lenet4", 108},
                         {"lenet5", 108},
                         {"lenet6", 108},
                         {"resnet50", 108}})},
  };
}

const perf::DeviceProfile& RefGpuProfile() {
  static const perf::DeviceProfile profile =
      perf::DeviceProfile::LoadDir(model::ResourceDir() + "/profiles/ref-gpu").value();
  return profile;
}

}  // namespace glet::bench
