// DeviceProfile: everything the scheduler knows about one device type, loaded from a profile
// directory such as resource/profiles/ref-gpu/:
//   latency.csv        model,partition,batch,latency_ms (required)
//   interference.csv   the five constants of the interference model (optional, with util.csv)
//   util.csv           per model/batch SM, L2 and DRAM utilisation (optional, with the above)
//   mem-config.json    {"models": [{"name": "resnet50", "mem": 1820}, ...]} in MiB (optional)
//   load.csv           model,load_ms: a model's cold start on this device type, from starting
//                      to load it until its first batch is answered (optional; `glet profile`
//                      measures it). The simulator delays a plan switch that starts new glets
//                      by their load time, as the controller waits for them to be ready.
//   device.json        optional device facts:
//     {"mem_mib": 11264,            device memory (default 11264: an RTX 2080 Ti's 11 GiB)
//      "context_mem_mib": 300,      memory every glet (MPS context) takes besides its models
//      "net_mbps": 1250,            input bandwidth into the device, MB/s (0 or absent: unlimited)
//      "cost": 1,                   price of one device (> 0, default 1) in a unit common to the
//        fleet: the planner serves each model on the device type where it costs least
//        (sched/fleet.h) and --min-devices minimises the total
//      "aliases": {"lenet2": "lenet1"},  a model with no row of its own uses another's rows
//      "inputs": {"resnet50": "3_224_224"},  input shape per model (C_H_W of FP32): sets the
//        bytes per request and, when <shape>.txt exists beside it (`batch,ms` rows), the
//        host-side cost of assembling a batch.
//      "base": "ref-gpu",           derive from another profile directory (a sibling name or a
//        path): files this directory lacks and device.json keys it does not set come from it
//      "time_scale": 10}            a device k times slower: every time of the profile (latency
//        rows, batch costs) multiplied by k, net_mbps divided by k. Emulated slices of this
//        profile run k times slower too (perf/emulation.h), so a dilated copy of a device —
//        {"base": "ref-gpu", "time_scale": 10} in profiles/ref-gpu-x10/device.json — serves
//        rates / k with SLOs x k on a small host (docs/simulator.md, "Fidelity").
//
// Lookups resolve aliases per table: a model missing from a table is looked up under its alias,
// and so on (lenet2 -> lenet1 -> lenet reaches lenet1's latency and lenet's utilisation). A
// lookup never invents a value: a missing entry is kNotFound naming model, partition and batch.
//
// Thread safety: immutable after loading; const methods are safe from many threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "perf/interference_model.h"
#include "perf/latency_profile.h"
#include "perf/workload_type.h"

namespace glet::perf {

inline constexpr double kDefaultDeviceMemMib = 11264;  // RTX 2080 Ti
inline constexpr double kDefaultContextMemMib = 300;

struct DeviceProfile {
  std::string type;  // "ref-gpu": the directory name unless given
  LatencyProfile latency;
  std::optional<InterferenceModel> interference;  // absent: glets never slow each other
  std::map<std::string, double> model_mem_mib;    // absent model: memory unknown (error)
  double mem_mib = kDefaultDeviceMemMib;
  double context_mem_mib = kDefaultContextMemMib;
  double net_mbps = 0;                                      // 0: unlimited
  double cost = 1;                                          // price of one device, > 0
  std::map<std::string, std::string> aliases;               // model -> stand-in
  std::map<std::string, double> input_bytes;                // per request
  std::map<std::string, std::map<int, double>> batch_cost;  // model -> batch -> ms
  std::map<std::string, double> load_ms;                    // model -> cold start (load.csv)

  // Loads `dir` as described above; `type` empty means the directory's base name. Errors are
  // kInvalidArgument naming the file (and row/field) at fault.
  static Result<DeviceProfile> LoadDir(const std::string& dir, const std::string& type = "");

  // True if the model (or an alias of it) has latency rows.
  bool Knows(const std::string& model) const;
  std::vector<int> Partitions(const std::string& model) const;
  // kNotFound "no latency for model 'm' at partition p batch b (...)".
  Result<double> LatencyMs(const std::string& model, int partition, int batch) const;
  // kNotFound naming the model when no utilisation profile exists (none when interference is
  // absent: then this is an error too; callers check `interference` first).
  Result<UtilSample> Util(const std::string& model, int batch) const;
  WorkloadType TypeOf(const std::string& model) const;
  // kNotFound when mem-config.json does not list the model.
  Result<double> ModelMemMib(const std::string& model) const;
  // 0 when the model's input shape or its batch-cost table is unknown.
  double BatchCostMs(const std::string& model, int batch) const;
  // 0 when unknown (network limit then not enforced for it).
  double InputBytes(const std::string& model) const;
  // The model's cold start (load.csv, following aliases); nullopt when the profile lacks it.
  std::optional<double> LoadMs(const std::string& model) const;

  // The name under which `table_has` finds `model`, following aliases; nullopt if none.
  template <typename Pred>
  std::optional<std::string> Resolve(const std::string& model, Pred table_has) const {
    std::string name = model;
    for (int hops = 0; hops < 16; ++hops) {
      if (table_has(name)) {
        return name;
      }
      auto it = aliases.find(name);
      if (it == aliases.end()) {
        return std::nullopt;
      }
      name = it->second;
    }
    return std::nullopt;
  }
};

// Reads a load.csv (model,load_ms; see above). kInvalidArgument naming the file and row.
Result<std::map<std::string, double>> ReadLoadTimes(const std::string& path);

}  // namespace glet::perf
