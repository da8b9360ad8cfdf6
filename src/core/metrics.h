// MetricsRegistry: counters, gauges and histograms with labels, rendered in the Prometheus text
// exposition format (served by the frontend at /metrics). Families are declared once with their
// help text; samples are keyed by their label values.
//
// Thread safety: all methods may be called from any thread (one internal mutex; updates are a
// map lookup and an add).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"

namespace glet {

using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // Declares a family. Histogram `buckets` are upper bounds, ascending (+Inf is implicit).
  // Declaring a name twice keeps the first declaration.
  void Declare(const std::string& name, Type type, const std::string& help,
               std::vector<double> buckets = {});

  // Updates; a family used before Declare() is declared on the fly with no help text.
  void Add(const std::string& name, const Labels& labels, double delta = 1);
  void Set(const std::string& name, const Labels& labels, double value);
  void Observe(const std::string& name, const Labels& labels, double value);

  // Current value of a counter or gauge sample (0 if absent); a histogram's count.
  double Value(const std::string& name, const Labels& labels) const;
  // A histogram sample's sum of observations (0 if absent).
  double HistogramSum(const std::string& name, const Labels& labels) const;
  // Sum of a counter/gauge over every label set whose labels include `match`.
  double Sum(const std::string& name, const Labels& match) const;

  // Renders every family, after running the collectors (which Set the gauges they own).
  std::string RenderPrometheus() const;

  // A collector updates gauges that are cheaper to read on demand than to keep current (e.g. a
  // queue length): it runs at every RenderPrometheus(), on the rendering thread. Returns its id.
  // RemoveCollector() returns only once no run of it is in progress: call it before what the
  // collector reads goes away.
  int AddCollector(std::function<void()> collect);
  void RemoveCollector(int id);

 private:
  struct Sample {
    double value = 0;                   // counter/gauge value, histogram sum
    double count = 0;                   // histogram count
    std::vector<double> bucket_counts;  // histogram, cumulative at render time
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<std::string, Sample> samples;  // key: rendered label set
    std::map<std::string, Labels> labels;
  };

  Family& FamilyLocked(const std::string& name, Type type) GLET_REQUIRES(mu_);
  // The sample of `labels` in `f`, created (with its labels kept) on first use.
  Sample& SampleLocked(Family& f, const Labels& labels) GLET_REQUIRES(mu_);
  static std::string Key(const Labels& labels);

  mutable Mutex mu_;
  std::map<std::string, Family> families_ GLET_GUARDED_BY(mu_);
  // Lock order: collectors_mu_ -> mu_ (a collector calls Set()).
  mutable Mutex collectors_mu_;
  std::map<int, std::function<void()>> collectors_ GLET_GUARDED_BY(collectors_mu_);
  int next_collector_ GLET_GUARDED_BY(collectors_mu_) = 0;
};

}  // namespace glet
