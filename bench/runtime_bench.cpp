// Runtime overhead: throughput of glet's Model::Run (glet Tensor in, checks, output copy) against
// a bare libtorch forward loop on the same TorchScript file, batch and thread count, in one
// process. Prints `ratio_<model>_b<batch>: X` (glet / bare; goal >= 0.97) and the peak resident
// memory of a process holding resnet50.
//
// Run: build/bench/runtime_bench [--threads N] [--iters N]   (models from $GLET_HOME/models)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/file_util.h"
#include "model/model_spec.h"
#include "model/torch_model.h"

namespace {

using Clock = std::chrono::steady_clock;

double MaxRssMib() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

template <typename F>
double TimeIters(int iters, F&& f) {
  auto start = Clock::now();
  for (int i = 0; i < iters; ++i) {
    f();
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int Measure(const glet::model::ModelManifest& manifest, const std::string& name, int batch,
            int iters, int rounds) {
  auto spec = manifest.Find(name);
  if (!spec.ok()) {
    std::fprintf(stderr, "%s\n", spec.status().ToString().c_str());
    return 1;
  }
  const std::string path = glet::model::ModelManifest::ResolveFile(**spec, glet::ModelCacheDir());
  auto bare = glet::model::BareTorchLoop::Create(**spec, path, batch);
  auto model = glet::model::LoadTorchModel(**spec, path, {});
  if (!bare.ok() || !model.ok()) {
    std::fprintf(stderr, "load failed: %s %s\n", bare.status().ToString().c_str(),
                 model.status().ToString().c_str());
    return 1;
  }
  glet::model::Tensor input = glet::model::MakeRandomInput((*spec)->input, batch, 1);
  // Warm both paths, then alternate rounds so drift in machine load hits both alike.
  for (int i = 0; i < 2; ++i) {
    (void)(*bare)->Forward();
    (void)(*model)->Run(input);
  }
  double bare_s = 0;
  double glet_s = 0;
  for (int r = 0; r < rounds; ++r) {
    bare_s += TimeIters(iters, [&] { (void)(*bare)->Forward(); });
    glet_s += TimeIters(iters, [&] { (void)(*model)->Run(input); });
  }
  const double n = static_cast<double>(iters) * rounds * batch;
  std::printf("%s_b%d_bare_items_per_s: %.2f\n", name.c_str(), batch, n / bare_s);
  std::printf("%s_b%d_glet_items_per_s: %.2f\n", name.c_str(), batch, n / glet_s);
  std::printf("ratio_%s_b%d: %.3f\n", name.c_str(), batch, bare_s / glet_s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  int iters = 3;
  int rounds = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) {
      threads = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--iters") == 0) {
      iters = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--rounds") == 0) {
      rounds = std::atoi(argv[i + 1]);
    }
  }
  auto manifest = glet::model::ModelManifest::Load(glet::model::DefaultManifestPath());
  if (!manifest.ok()) {
    std::fprintf(stderr, "%s\n", manifest.status().ToString().c_str());
    return 1;
  }
  glet::model::SetTorchIntraOpThreads(threads);
  std::printf("threads: %d\n", threads);
  const double rss_before = MaxRssMib();
  int rc = Measure(*manifest, "resnet50", 8, iters, rounds);
  std::printf("peak_rss_mib_holding_resnet50: %.1f\n", MaxRssMib());
  std::printf("rss_before_load_mib: %.1f\n", rss_before);
  rc |= Measure(*manifest, "mobilenet_v2", 8, iters * 4, rounds);
  return rc;
}
