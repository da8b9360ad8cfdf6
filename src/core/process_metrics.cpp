#include "core/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/file_util.h"

namespace glet {

Result<ProcessSample> ParseProcStat(std::string_view stat, long ticks_per_second, long page_size,
                                    double boot_time_seconds) {
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos) {
    return InvalidArgumentError("/proc/self/stat: no ')' after the command name");
  }
  // Field 3 (state) onwards, split on spaces.
  std::vector<std::string_view> fields;
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) {
      break;
    }
    rest = rest.substr(start);
    const size_t end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  // proc(5) numbers fields from 1 (pid); fields[0] here is field 3.
  auto field = [&](int number) -> Result<double> {
    const size_t i = static_cast<size_t>(number - 3);
    if (i >= fields.size()) {
      return InvalidArgumentError("/proc/self/stat: field " + std::to_string(number) +
                                  " missing (" + std::to_string(fields.size() + 2) + " fields)");
    }
    const std::string text(fields[i]);
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0') {
      return InvalidArgumentError("/proc/self/stat: field " + std::to_string(number) + " '" + text +
                                  "' is not a number");
    }
    return v;
  };
  if (ticks_per_second <= 0 || page_size <= 0) {
    return InvalidArgumentError("ticks per second and page size must be > 0");
  }
  ProcessSample s;
  GLET_ASSIGN_OR_RETURN(const double utime, field(14));
  GLET_ASSIGN_OR_RETURN(const double stime, field(15));
  GLET_ASSIGN_OR_RETURN(const double threads, field(20));
  GLET_ASSIGN_OR_RETURN(const double start_ticks, field(22));
  GLET_ASSIGN_OR_RETURN(s.virtual_bytes, field(23));
  GLET_ASSIGN_OR_RETURN(const double rss_pages, field(24));
  s.cpu_seconds = (utime + stime) / static_cast<double>(ticks_per_second);
  s.threads = static_cast<int64_t>(threads);
  s.start_time_seconds = boot_time_seconds + start_ticks / static_cast<double>(ticks_per_second);
  s.resident_bytes = rss_pages * static_cast<double>(page_size);
  return s;
}

namespace {

double BootTimeSeconds() {
  Result<std::string> stat = ReadFileToString("/proc/stat");
  if (!stat.ok()) {
    return 0;
  }
  const size_t at = stat->find("\nbtime ");
  return at == std::string::npos ? 0 : std::strtod(stat->c_str() + at + 7, nullptr);
}

double OpenFds() {
  std::error_code ec;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n;
}

}  // namespace

int RegisterProcessMetrics(MetricsRegistry& metrics) {
  using T = MetricsRegistry::Type;
  metrics.Declare("process_cpu_seconds_total", T::kCounter,
                  "Total user and system CPU time spent in seconds.");
  metrics.Declare("process_resident_memory_bytes", T::kGauge, "Resident memory size in bytes.");
  metrics.Declare("process_virtual_memory_bytes", T::kGauge, "Virtual memory size in bytes.");
  metrics.Declare("process_start_time_seconds", T::kGauge,
                  "Start time of the process since unix epoch in seconds.");
  metrics.Declare("process_open_fds", T::kGauge, "Number of open file descriptors.");
  metrics.Declare("process_max_fds", T::kGauge, "Maximum number of open file descriptors.");
  metrics.Declare("process_threads", T::kGauge, "Number of OS threads in the process.");
  const long ticks = sysconf(_SC_CLK_TCK);
  const long page = sysconf(_SC_PAGESIZE);
  const double boot = BootTimeSeconds();
  return metrics.AddCollector([&metrics, ticks, page, boot] {
    Result<std::string> text = ReadFileToString("/proc/self/stat");
    if (text.ok()) {
      Result<ProcessSample> s = ParseProcStat(*text, ticks, page, boot);
      if (s.ok()) {
        metrics.Set("process_cpu_seconds_total", {}, s->cpu_seconds);
        metrics.Set("process_resident_memory_bytes", {}, s->resident_bytes);
        metrics.Set("process_virtual_memory_bytes", {}, s->virtual_bytes);
        metrics.Set("process_start_time_seconds", {}, s->start_time_seconds);
        metrics.Set("process_threads", {}, static_cast<double>(s->threads));
      }
    }
    metrics.Set("process_open_fds", {}, OpenFds());
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      metrics.Set("process_max_fds", {}, static_cast<double>(limit.rlim_cur));
    }
  });
}

}  // namespace glet
