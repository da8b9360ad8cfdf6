#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace glet {

namespace {

std::string Escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  std::ostringstream s;
  s.precision(12);
  s << v;
  return s.str();
}

const char* TypeName(MetricsRegistry::Type t) {
  switch (t) {
    case MetricsRegistry::Type::kCounter:
      return "counter";
    case MetricsRegistry::Type::kGauge:
      return "gauge";
    case MetricsRegistry::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

std::string WithExtraLabel(const std::string& key, const std::string& extra) {
  if (key.empty()) {
    return "{" + extra + "}";
  }
  return key.substr(0, key.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string MetricsRegistry::Key(const Labels& labels) {
  if (labels.empty()) {
    return "";
  }
  size_t size = 1;
  for (const auto& [name, value] : labels) {
    size += name.size() + value.size() + 4;
  }
  std::string out;
  out.reserve(size + 8);
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += labels[i].first;
    out += "=\"";
    const std::string& v = labels[i].second;
    if (v.find_first_of("\\\"\n") == std::string::npos) {
      out += v;
    } else {
      out += Escape(v);
    }
    out += '"';
  }
  out += '}';
  return out;
}

MetricsRegistry::Sample& MetricsRegistry::SampleLocked(Family& f, const Labels& labels) {
  std::string key = Key(labels);
  auto it = f.samples.find(key);
  if (it != f.samples.end()) {
    return it->second;
  }
  f.labels.emplace(key, labels);
  return f.samples.emplace(std::move(key), Sample{}).first->second;
}

void MetricsRegistry::Declare(const std::string& name, Type type, const std::string& help,
                              std::vector<double> buckets) {
  MutexLock lock(mu_);
  if (families_.count(name) > 0) {
    return;
  }
  Family& f = families_[name];
  f.type = type;
  f.help = help;
  std::sort(buckets.begin(), buckets.end());
  f.buckets = std::move(buckets);
}

MetricsRegistry::Family& MetricsRegistry::FamilyLocked(const std::string& name, Type type) {
  auto it = families_.find(name);
  if (it != families_.end()) {
    return it->second;
  }
  Family& f = families_[name];
  f.type = type;
  if (type == Type::kHistogram) {
    f.buckets = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
  }
  return f;
}

void MetricsRegistry::Add(const std::string& name, const Labels& labels, double delta) {
  MutexLock lock(mu_);
  SampleLocked(FamilyLocked(name, Type::kCounter), labels).value += delta;
}

void MetricsRegistry::Set(const std::string& name, const Labels& labels, double value) {
  MutexLock lock(mu_);
  SampleLocked(FamilyLocked(name, Type::kGauge), labels).value = value;
}

void MetricsRegistry::Observe(const std::string& name, const Labels& labels, double value) {
  MutexLock lock(mu_);
  Family& f = FamilyLocked(name, Type::kHistogram);
  Sample& s = SampleLocked(f, labels);
  if (s.bucket_counts.size() != f.buckets.size()) {
    s.bucket_counts.assign(f.buckets.size(), 0);
  }
  for (size_t i = 0; i < f.buckets.size(); ++i) {
    if (value <= f.buckets[i]) {
      s.bucket_counts[i] += 1;
      break;
    }
  }
  s.value += value;
  s.count += 1;
}

double MetricsRegistry::Value(const std::string& name, const Labels& labels) const {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    return 0;
  }
  auto s = it->second.samples.find(Key(labels));
  if (s == it->second.samples.end()) {
    return 0;
  }
  return it->second.type == Type::kHistogram ? s->second.count : s->second.value;
}

double MetricsRegistry::HistogramSum(const std::string& name, const Labels& labels) const {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != Type::kHistogram) {
    return 0;
  }
  auto s = it->second.samples.find(Key(labels));
  return s == it->second.samples.end() ? 0 : s->second.value;
}

double MetricsRegistry::Sum(const std::string& name, const Labels& match) const {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    return 0;
  }
  double total = 0;
  for (const auto& [key, sample] : it->second.samples) {
    const Labels& labels = it->second.labels.at(key);
    bool ok = std::all_of(match.begin(), match.end(), [&](const auto& m) {
      return std::find(labels.begin(), labels.end(), m) != labels.end();
    });
    if (ok) {
      total += it->second.type == Type::kHistogram ? sample.count : sample.value;
    }
  }
  return total;
}

int MetricsRegistry::AddCollector(std::function<void()> collect) {
  MutexLock lock(collectors_mu_);
  collectors_.emplace(next_collector_, std::move(collect));
  return next_collector_++;
}

void MetricsRegistry::RemoveCollector(int id) {
  MutexLock lock(collectors_mu_);
  collectors_.erase(id);
}

std::string MetricsRegistry::RenderPrometheus() const {
  {
    MutexLock collecting(collectors_mu_);
    for (const auto& [id, collect] : collectors_) {
      collect();
    }
  }
  MutexLock lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) {
      out += "# HELP " + name + " " + f.help + "\n";
    }
    out += "# TYPE " + name + " " + TypeName(f.type) + "\n";
    for (const auto& [key, s] : f.samples) {
      if (f.type != Type::kHistogram) {
        out += name + key + " " + FormatValue(s.value) + "\n";
        continue;
      }
      double cumulative = 0;
      for (size_t i = 0; i < f.buckets.size(); ++i) {
        cumulative += i < s.bucket_counts.size() ? s.bucket_counts[i] : 0;
        out += name + "_bucket" + WithExtraLabel(key, "le=\"" + FormatValue(f.buckets[i]) + "\"") +
               " " + FormatValue(cumulative) + "\n";
      }
      out +=
          name + "_bucket" + WithExtraLabel(key, "le=\"+Inf\"") + " " + FormatValue(s.count) + "\n";
      out += name + "_sum" + key + " " + FormatValue(s.value) + "\n";
      out += name + "_count" + key + " " + FormatValue(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace glet
