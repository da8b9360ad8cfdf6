// The pipeline-scaling experiment (issue 14): one stage of ssd-mobilenetv1 (batch latency 1:69,
// 2:117, 4:209, 8:396, 16:771, 32:1544 ms), SLO 500 ms, a worker cold start of 2.9 s, under a
// rate that swings between about 60 and 250 rps: the prototype's generator, two sines plus noise
// (x = sin(5t) + sin(10t) + 0.3 N(0,1) on 1000 points over [0, 5 pi]; rate = k1 x[i] +
// k2 x[i + 500] + k3 + k4, k1, k2 in 20..60 and k3 in 120..150 drawn per pass over the points,
// k4 in 1..10 per 10 ms; point i advances every --step seconds), Poisson arrivals.
//
// Three systems run on the same arrivals, on simulated time, in this process:
//   reference         the prototype: its rate estimator and sizing rule (ReferenceStageScale:
//                     largest b with d(b) + (b-1) d(b)/r <= SLO, ceil(r d(b)/b x 1.2 + 5)
//                     workers, checked every 10 ms), its dispatcher (every 10 ms: b queued ->
//                     one batch; else the whole queue once SLO - d(b) passed since the last
//                     batch; to the first idle ready worker, or the batch is dropped); new
//                     workers ready 2.9 s after the scale-up, removed ones at once.
//   reference sizing  the same sizing on glet's dispatcher (below): what the dispatcher gives.
//   glet              StageScaler (sched/stage_scaler.h) every 100 ms on glet's dispatcher: one
//                     serve::Batcher per worker (work-conserving, deadline-aware batching,
//                     overload shed at admission), each arrival admitted to the worker where it
//                     finishes first (serve::SpareLane) or shed; new workers ready after the cold
//                     start, removed ones finish their queue first (idle ones starting up first).
// Reported: SLO attainment (served within the SLO over all arrivals; shed and dropped requests
// miss), worker-seconds (every worker from its start to its release, cold start included) and
// its ratio to the reference's. Goal (issue 14): >= 99% attainment at <= 0.8x the reference's
// worker-seconds.
//
//   build/bench/pipeline_scaling_bench [--duration S] [--seed N] [--step S]... [--sweep]
//
// --step defaults to 0.1 s (the prototype's pacing: swings of 4 and 8 s, faster than a worker
// starts) and 1 s (swings of 40 and 80 s). Each step also gets a row for the fewest workers that,
// held all along, keep >= 99% (an oracle's static size). --sweep adds StageScaler's
// utilisation x quiet-period grid.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <numbers>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "sched/stage_scaler.h"
#include "serve/batcher.h"

namespace glet {
namespace {

using sched::StagePoint;
using std::chrono::milliseconds;

constexpr Duration kSlo = milliseconds(500);
constexpr Duration kColdStart = milliseconds(2900);
constexpr int kInitialWorkers = 30;  // warm at the start, as the prototype's frontend marks them

std::vector<StagePoint> Profile() {
  return {{1, milliseconds(69)},  {2, milliseconds(117)},  {4, milliseconds(209)},
          {8, milliseconds(396)}, {16, milliseconds(771)}, {32, milliseconds(1544)}};
}

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }
TimePoint At(double s) {
  return TimePoint{} + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

// Arrival times of the prototype's rate process, Poisson within each 10 ms piece.
std::vector<TimePoint> Arrivals(double duration_s, double step_s, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  constexpr int kPoints = 1000;
  std::vector<double> x(kPoints);
  for (int i = 0; i < kPoints; ++i) {
    const double t = 5 * std::numbers::pi * i / (kPoints - 1);
    x[i] = std::sin(5 * t) + std::sin(10 * t) + 0.3 * normal(rng);
  }
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int k1 = 0, k2 = 0, k3 = 0;
  int64_t pass = -1;
  std::vector<TimePoint> out;
  std::exponential_distribution<double> gap(1.0);
  for (double piece = 0; piece < duration_s; piece += 0.01) {
    const int64_t step_index = static_cast<int64_t>(piece / step_s);
    if (step_index / kPoints != pass) {
      pass = step_index / kPoints;
      k1 = uniform(20, 60);
      k2 = uniform(20, 60);
      k3 = uniform(120, 150);
    }
    const int i = static_cast<int>(step_index % kPoints);
    const int k4 = uniform(1, 10);
    const double rate =
        std::max(1.0, std::floor(k1 * x[i] + k2 * x[(i + kPoints / 2) % kPoints] + k3 + k4));
    for (double t = piece + gap(rng) / rate; t < piece + 0.01; t += gap(rng) / rate) {
      out.push_back(At(t));
    }
  }
  return out;
}

struct Result {
  int64_t starts = 0;  // workers started (each pays a cold start)
  double attainment = 0;
  double worker_seconds = 0;
  double mean_workers = 0;
  int64_t shed = 0;
};

// The prototype's rate estimator: one sample b / (t_{b-1} - t_0) per b arrivals, the last 10
// kept, a linearly weighted mean of the older ones blended 1/3 : 2/3 with the newest.
class ReferenceRate {
 public:
  void OnArrival(TimePoint t, int batch) {
    times_.push_back(t);
    if (static_cast<int>(times_.size()) >= std::max(batch, 2)) {
      const double span = Seconds(times_.back() - times_.front());
      if (span > 0) {
        samples_.push_back(static_cast<double>(times_.size()) / span);
        if (samples_.size() > 10) {
          samples_.pop_front();
        }
      }
      times_.clear();
    }
  }
  double Estimate() const {
    if (samples_.empty()) {
      return 1;
    }
    const size_t k = samples_.size();
    if (k == 1) {
      return std::ceil(2.0 / 3 * samples_[0]);
    }
    double weights = 0;
    for (size_t j = 1; j < k; ++j) {
      weights += static_cast<double>(j);
    }
    double older = 0;
    for (size_t i = 0; i + 1 < k; ++i) {
      older += std::ceil(samples_[i] * static_cast<double>(i + 1) / weights);
    }
    return std::max(1.0, std::ceil(older / 3 + 2.0 / 3 * samples_[k - 1]));
  }

 private:
  std::vector<TimePoint> times_;
  std::deque<double> samples_;
};

// Worker-seconds: the integral of the workers held.
class Meter {
 public:
  void Set(TimePoint now, int held) {
    if (last_) {
      seconds_ += held_ * Seconds(now - *last_);
    }
    last_ = now;
    held_ = held;
  }
  double seconds() const { return seconds_; }

 private:
  std::optional<TimePoint> last_;
  int held_ = 0;
  double seconds_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The prototype's own system.

Result RunReference(const std::vector<TimePoint>& arrivals, double duration_s) {
  const std::vector<StagePoint> profile = Profile();
  struct Worker {
    TimePoint ready_at = TimePoint::max();  // max: not started
    TimePoint busy_until{};
  };
  std::vector<Worker> workers(kInitialWorkers, Worker{TimePoint{}, TimePoint{}});
  int n = kInitialWorkers;
  ReferenceRate rate;
  std::deque<TimePoint> queue;  // arrival times
  TimePoint last_dispatch{};
  int batch = 8;
  int64_t good = 0;
  int64_t starts = 0;
  Meter meter;
  size_t next = 0;
  const TimePoint end = At(duration_s);
  auto held = [&](TimePoint now) {
    int h = n;
    for (int i = n; i < static_cast<int>(workers.size()); ++i) {
      h += workers[i].busy_until > now ? 1 : 0;  // removed, finishing its batch
    }
    return h;
  };
  for (TimePoint now{}; now < end + kSlo; now += milliseconds(10)) {
    while (next < arrivals.size() && arrivals[next] <= now) {
      queue.push_back(arrivals[next]);
      rate.OnArrival(arrivals[next], batch);
      ++next;
    }
    const sched::StageScale s = sched::ReferenceStageScale(profile, kSlo, rate.Estimate());
    batch = s.batch;
    if (s.workers > n) {
      workers.resize(std::max<size_t>(workers.size(), s.workers));
      for (int i = n; i < s.workers; ++i) {
        workers[i].ready_at = now + kColdStart;
        ++starts;
      }
    } else {
      for (int i = s.workers; i < n; ++i) {
        workers[i].ready_at = TimePoint::max();
      }
    }
    n = s.workers;
    meter.Set(now, held(now));
    const Duration d = sched::StageLatency(profile, batch);
    auto dispatch = [&](int k) {
      std::vector<TimePoint> items(queue.begin(), queue.begin() + k);
      queue.erase(queue.begin(), queue.begin() + k);
      last_dispatch = now;
      for (int i = 0; i < n; ++i) {
        Worker& w = workers[i];
        if (w.ready_at <= now && w.busy_until <= now) {
          w.busy_until = now + sched::StageLatency(profile, k);
          for (TimePoint a : items) {
            good += w.busy_until - a <= kSlo ? 1 : 0;
          }
          return;
        }
      }
      // No idle ready worker: the batch is dropped.
    };
    while (static_cast<int>(queue.size()) >= batch) {
      dispatch(batch);
    }
    if (!queue.empty() && now - last_dispatch >= kSlo - d) {
      dispatch(static_cast<int>(queue.size()));
    }
  }
  Result r;
  r.attainment = static_cast<double>(good) / static_cast<double>(arrivals.size());
  r.worker_seconds = meter.seconds();
  r.mean_workers = r.worker_seconds / (duration_s + Seconds(kSlo));
  r.shed = 0;
  r.starts = starts;
  return r;
}

// ---------------------------------------------------------------------------------------------
// glet's dispatcher, with either sizing.

class GletStage {
 public:
  // `static_workers` > 0: that many workers all along, no scaling.
  explicit GletStage(bool reference_sizing, int static_workers = 0, double down_after_s = 10,
                     double utilization = 0.85, double dwell_s = 0)
      : reference_sizing_(reference_sizing), static_workers_(static_workers) {
    sched::StageScalerConfig c;
    c.scale_down_after =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(down_after_s));
    c.utilization = utilization;
    c.down_dwell = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(dwell_s));
    c.profile = Profile();
    c.slo = kSlo;
    c.cold_start = kColdStart;
    c.initial_workers = kInitialWorkers;
    scaler_.emplace(std::move(sched::StageScaler::Create(c)).value());
  }

  Result Run(const std::vector<TimePoint>& arrivals, double duration_s) {
    for (int i = 0; i < (static_workers_ > 0 ? static_workers_ : kInitialWorkers); ++i) {
      Worker w;
      w.batcher.emplace(std::move(serve::Batcher::Create(BatcherFor(batch_))).value());
      w.ready_at = TimePoint{};
      workers_.push_back(std::move(w));
    }
    const TimePoint end = At(duration_s) + kSlo;
    size_t next = 0;
    TimePoint tick{};
    while (true) {
      TimePoint now = end;
      if (next < arrivals.size()) {
        now = std::min(now, arrivals[next]);
      }
      now = std::min(now, tick);
      if (!events_.empty()) {
        now = std::min(now, events_.top().at);
      }
      if (now >= end) {
        break;
      }
      meter_.Set(now, Held());
      if (now == tick) {
        Scale(now);
        tick += reference_sizing_ ? milliseconds(10) : milliseconds(100);
      } else if (!events_.empty() && events_.top().at == now) {
        const Event e = events_.top();
        events_.pop();
        OnEvent(e, now);
      } else {
        Arrive(arrivals[next++], now);
      }
    }
    meter_.Set(end, Held());
    Result r;
    r.attainment = static_cast<double>(good_) / static_cast<double>(arrivals.size());
    r.worker_seconds = meter_.seconds();
    r.mean_workers = r.worker_seconds / Seconds(end - TimePoint{});
    r.shed = shed_;
    r.starts = starts_;
    return r;
  }

 private:
  enum class Kind { kReady, kDone, kWake };
  struct Event {
    TimePoint at;
    Kind kind;
    int worker;
    uint64_t gen;
    bool operator>(const Event& o) const { return at > o.at; }
  };
  struct Worker {
    std::optional<serve::Batcher> batcher;  // while started
    TimePoint ready_at;
    bool retiring = false;
    std::deque<std::pair<TimePoint, std::vector<serve::PendingRequest>>> running;  // (end, batch)
    TimePoint free_at{};
    uint64_t wake_gen = 0;
  };

  serve::BatcherConfig BatcherFor(int b) const {
    serve::BatcherConfig c;
    c.model = "ssd";
    c.batch_size = b;
    c.duty_cycle = sched::StageLatency(Profile(), b);
    for (int k = 1; k <= b; ++k) {
      c.batch_latency.push_back(sched::StageLatency(Profile(), k));
    }
    c.max_queue_requests = 4096;
    return c;
  }

  int Held() const {
    int h = 0;
    for (const Worker& w : workers_) {
      h += w.batcher ? 1 : 0;
    }
    return h;
  }

  void Scale(TimePoint now) {
    sched::StageScale s;
    if (static_workers_ > 0) {
      s = scaler_->Decide(now);
      s.workers = static_workers_;
    } else if (reference_sizing_) {
      s = sched::ReferenceStageScale(Profile(), kSlo, rate_.Estimate());
    } else {
      s = scaler_->Decide(now);
    }
    if (s.batch != batch_) {
      batch_ = s.batch;
      for (size_t i = 0; i < workers_.size(); ++i) {
        if (workers_[i].batcher) {
          Settle(workers_[i].batcher->UpdateConfig(BatcherFor(batch_)).value());
          Pump(static_cast<int>(i), now);
        }
      }
    }
    int active = 0;
    for (const Worker& w : workers_) {
      active += w.batcher && !w.retiring ? 1 : 0;
    }
    // Up: take back retiring workers first (warm), then start new ones.
    for (size_t i = 0; i < workers_.size() && active < s.workers; ++i) {
      if (workers_[i].batcher && workers_[i].retiring) {
        workers_[i].retiring = false;
        ++active;
      }
    }
    while (active < s.workers) {
      Worker w;
      w.batcher.emplace(std::move(serve::Batcher::Create(BatcherFor(batch_))).value());
      w.ready_at = now + kColdStart;
      workers_.push_back(std::move(w));
      events_.push({now + kColdStart, Kind::kReady, static_cast<int>(workers_.size()) - 1, 0});
      ++starts_;
      ++active;
    }
    // Down: workers still starting first (the most recent), then the ready ones with the least
    // work; a retiring worker leaves once its queue and batches are done.
    for (int i = static_cast<int>(workers_.size()) - 1; i >= 0 && active > s.workers; --i) {
      Worker& w = workers_[i];
      if (w.batcher && !w.retiring && w.ready_at > now) {
        w.batcher.reset();
        --active;
      }
    }
    while (active > s.workers) {
      int pick = -1;
      for (size_t i = 0; i < workers_.size(); ++i) {
        const Worker& w = workers_[i];
        if (w.batcher && !w.retiring &&
            (pick < 0 || w.batcher->queued_items() < workers_[pick].batcher->queued_items())) {
          pick = static_cast<int>(i);
        }
      }
      workers_[pick].retiring = true;
      MaybeRelease(pick);
      --active;
    }
  }

  void Arrive(TimePoint t, TimePoint now) {
    scaler_->OnArrivals(t);
    rate_.OnArrival(t, batch_);
    serve::PendingRequest r;
    r.id = next_id_++;
    r.model = "ssd";
    r.arrival = t;
    r.deadline = t + kSlo;
    r.n = 1;
    std::vector<const serve::Batcher*> lanes;
    std::vector<int> index;
    for (size_t i = 0; i < workers_.size(); ++i) {
      const Worker& w = workers_[i];
      if (w.batcher && !w.retiring && w.ready_at <= now) {
        lanes.push_back(&*w.batcher);
        index.push_back(static_cast<int>(i));
      }
    }
    const int pick = serve::SpareLane(lanes, r, now);
    if (pick < 0) {
      ++shed_;
      return;
    }
    const int w = index[pick];
    if (!workers_[w].batcher->Enqueue(r, now).queued) {
      ++shed_;
      return;
    }
    Pump(w, now);
  }

  void OnEvent(const Event& e, TimePoint now) {
    Worker& w = workers_[e.worker];
    switch (e.kind) {
      case Kind::kReady:
        break;
      case Kind::kWake:
        if (e.gen != w.wake_gen) {
          return;
        }
        break;
      case Kind::kDone: {
        auto [end, batch] = std::move(w.running.front());
        w.running.pop_front();
        for (const serve::PendingRequest& r : batch) {
          good_ += now <= r.deadline ? 1 : 0;
        }
        if (w.batcher) {
          w.batcher->BatchAnswered(now);
        }
        break;
      }
    }
    if (w.batcher) {
      Pump(e.worker, now);
      MaybeRelease(e.worker);
    }
  }

  // Cuts and starts the worker's due batches (at most 2 cut ahead, as the frontend's lanes).
  void Pump(int i, TimePoint now) {
    Worker& w = workers_[i];
    while (w.running.size() < 2) {
      serve::BatchDecision d = w.batcher->Decide(now);
      Settle(std::move(d.dropped));
      if (!d.batch) {
        if (d.wake_at != TimePoint::max()) {
          events_.push({d.wake_at, Kind::kWake, i, ++w.wake_gen});
        }
        return;
      }
      const TimePoint start = std::max(now, w.free_at);
      w.free_at = start + sched::StageLatency(Profile(), d.batch->items);
      w.running.emplace_back(w.free_at, std::move(d.batch->requests));
      events_.push({w.free_at, Kind::kDone, i, 0});
    }
  }

  void MaybeRelease(int i) {
    Worker& w = workers_[i];
    if (w.retiring && w.running.empty() && w.batcher->queued_requests() == 0) {
      w.batcher.reset();
      w.retiring = false;
    }
  }

  void Settle(std::vector<serve::DroppedRequest> dropped) {
    shed_ += static_cast<int64_t>(dropped.size());
  }

  const bool reference_sizing_;
  const int static_workers_;
  std::optional<sched::StageScaler> scaler_;
  ReferenceRate rate_;
  int batch_ = 1;
  std::vector<Worker> workers_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  Meter meter_;
  uint64_t next_id_ = 1;
  int64_t good_ = 0;
  int64_t shed_ = 0;
  int64_t starts_ = 0;
};

int Main(int argc, char** argv) {
  double duration_s = 300;
  uint32_t seed = 7;
  std::vector<double> steps;
  bool sweep = false;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--duration") == 0 && has_value) {
      duration_s = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--seed") == 0 && has_value) {
      seed = static_cast<uint32_t>(std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--sweep") == 0) {
      sweep = true;
    } else if (std::strcmp(argv[i], "--step") == 0 && has_value) {
      steps.push_back(std::atof(argv[++i]));
    } else {
      std::fprintf(
          stderr,
          "usage: pipeline_scaling_bench [--duration S] [--seed N] [--step S]... [--sweep]\n"
          "bad or incomplete argument: %s\n",
          argv[i]);
      return 2;
    }
  }
  if (!(duration_s > 0) ||
      std::any_of(steps.begin(), steps.end(), [](double s) { return !(s > 0); })) {
    std::fprintf(stderr, "pipeline_scaling_bench: --duration and --step must be > 0\n");
    return 2;
  }
  if (steps.empty()) {
    steps = {0.1, 1.0};
  }
  std::printf(
      "| trace step | system | attainment | shed | worker-seconds | mean workers | "
      "worker starts | worker-seconds / reference's |\n|---|---|---|---|---|---|---|---|\n");
  for (double step : steps) {
    const std::vector<TimePoint> arrivals = Arrivals(duration_s, step, seed);
    const Result ref = RunReference(arrivals, duration_s);
    const Result ref_sizing = GletStage(true).Run(arrivals, duration_s);
    const Result glet = GletStage(false).Run(arrivals, duration_s);
    auto row = [&](const char* name, const Result& r) {
      std::printf("| %.1f s (%zu requests) | %s | %.4f | %lld | %.0f | %.2f | %lld | %.3f |\n",
                  step, arrivals.size(), name, r.attainment, static_cast<long long>(r.shed),
                  r.worker_seconds, r.mean_workers, static_cast<long long>(r.starts),
                  r.worker_seconds / ref.worker_seconds);
    };
    row("reference", ref);
    row("reference sizing, glet dispatcher", ref_sizing);
    row("glet", glet);
    if (sweep) {
      for (double down : {5.0, 10.0, 20.0}) {
        for (double u : {0.7, 0.8, 0.85, 0.9}) {
          char name[80];
          std::snprintf(name, sizeof(name), "glet, scale_down_after %.0f s, utilization %.2f", down,
                        u);
          row(name, GletStage(false, 0, down, u).Run(arrivals, duration_s));
        }
      }
      for (double dwell : {1.0, 2.0, 5.0}) {
        char name[80];
        std::snprintf(name, sizeof(name), "glet, down_dwell %.0f s", dwell);
        row(name, GletStage(false, 0, 10, 0.85, dwell).Run(arrivals, duration_s));
      }
    }
    // The fewest workers that, held all along, keep >= 99% (glet's dispatcher): what a
    // provisioning for the peak costs.
    for (int n = 8; n <= 40; ++n) {
      const Result fixed = GletStage(false, n).Run(arrivals, duration_s);
      if (fixed.attainment >= 0.99) {
        char name[64];
        std::snprintf(name, sizeof(name), "%d workers all along (fewest for >= 99%%)", n);
        row(name, fixed);
        break;
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace glet

int main(int argc, char** argv) { return glet::Main(argc, argv); }
