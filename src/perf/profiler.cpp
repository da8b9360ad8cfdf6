#include "perf/profiler.h"

#include <algorithm>
#include <map>

#include "core/file_util.h"
#include "core/strings.h"
#include "perf/device_profile.h"

namespace glet::perf {

namespace {

Result<LatencyProfile> LoadExisting(const std::string& path) {
  if (!FileExists(path)) {
    GLET_RETURN_IF_ERROR(WriteFileAtomic(path, "model,partition,batch,latency_ms\n"));
    return LatencyProfile();
  }
  return LatencyProfile::Load(path);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Result<ProfileResult> ProfileSlice(device::Slice& slice, const ProfileRequest& request,
                                   Clock& clock,
                                   const std::function<void(const ProfileProgress&)>& progress) {
  GLET_ASSIGN_OR_RETURN(LatencyProfile existing, LoadExisting(request.out_path));
  std::map<std::string, double> loads;
  if (!request.load_out_path.empty()) {
    if (!FileExists(request.load_out_path)) {
      GLET_RETURN_IF_ERROR(WriteFileAtomic(request.load_out_path, "model,load_ms\n"));
    }
    GLET_ASSIGN_OR_RETURN(loads, ReadLoadTimes(request.load_out_path));
  }
  ProfileResult result;
  ProfileProgress p;
  p.total = static_cast<int>(request.models.size() * request.batches.size());
  const int partition = slice.partition();
  for (const model::ModelSpec& spec : request.models) {
    std::unique_ptr<model::Model> loaded;
    const std::string& profile_name = spec.profile_name();
    if (!request.load_out_path.empty() && loads.count(profile_name) == 0) {
      // The cold start a new glet pays: load, then answer a first batch of 1.
      const TimePoint t0 = clock.Now();
      GLET_ASSIGN_OR_RETURN(loaded, slice.LoadModel(spec, request.model_dir));
      GLET_RETURN_IF_ERROR(loaded->Run(model::MakeRandomInput(spec.input, 1, 1)).status());
      const double ms = ToMillis(clock.Now() - t0);
      loads[profile_name] = ms;
      GLET_RETURN_IF_ERROR(
          AppendToFile(request.load_out_path, profile_name + "," + FormatDouble(ms, 3) + "\n"));
      ++result.loads_measured;
    }
    for (int batch : request.batches) {
      const std::string& name = spec.profile_name();
      LatencyRow row{name, partition, batch, 0};
      if (existing.Has(name, partition, batch)) {
        row.latency_ms = *existing.LatencyMs(name, partition, batch);
        ++result.skipped;
        ++p.done;
        p.row = &row;
        p.skipped = true;
        progress(p);
        continue;
      }
      if (loaded == nullptr) {
        GLET_ASSIGN_OR_RETURN(loaded, slice.LoadModel(spec, request.model_dir));
      }
      model::Tensor input = model::MakeRandomInput(spec.input, batch, /*seed=*/batch);
      for (int i = 0; i < request.warmup; ++i) {
        GLET_RETURN_IF_ERROR(loaded->Run(input).status());
      }
      std::vector<double> samples;
      for (int i = 0; i < std::max(1, request.repeats); ++i) {
        const TimePoint t0 = clock.Now();
        GLET_RETURN_IF_ERROR(loaded->Run(input).status());
        samples.push_back(ToMillis(clock.Now() - t0));
      }
      row.latency_ms = std::max(Median(samples), 1e-4);
      GLET_RETURN_IF_ERROR(
          AppendToFile(request.out_path, row.model + "," + std::to_string(row.partition) + "," +
                                             std::to_string(row.batch) + "," +
                                             FormatDouble(row.latency_ms, 4) + "\n"));
      ++result.measured;
      ++p.done;
      p.row = &row;
      p.skipped = false;
      progress(p);
    }
  }
  return result;
}

}  // namespace glet::perf
