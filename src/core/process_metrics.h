// Process metrics: the standard Prometheus `process_*` families that client libraries export,
// for this process, read from /proc at each scrape (a MetricsRegistry collector):
//   process_cpu_seconds_total      user + system CPU time (counter)
//   process_resident_memory_bytes  resident set size
//   process_virtual_memory_bytes   virtual memory size
//   process_start_time_seconds     start time since the Unix epoch
//   process_open_fds, process_max_fds
//   process_threads                threads of the process
// A Prometheus user's dashboards and alerts on these (memory growth, fd exhaustion, restarts)
// then work on glet as on any other exporter.
//
// Thread safety: ParseProcStat() is pure; the collector runs on the scraping thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/metrics.h"
#include "core/status.h"

namespace glet {

struct ProcessSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;
  int64_t threads = 0;
};

// Parses the text of /proc/<pid>/stat (proc(5): fields after the parenthesised command name,
// which may itself hold spaces and parentheses). `boot_time_seconds` is /proc/stat's btime.
// kInvalidArgument naming what is missing or malformed.
Result<ProcessSample> ParseProcStat(std::string_view stat, long ticks_per_second, long page_size,
                                    double boot_time_seconds);

// Declares the families above in `metrics` and adds the collector that sets them. Returns the
// collector's id (RemoveCollector() it before `metrics` if the process keeps running).
int RegisterProcessMetrics(MetricsRegistry& metrics);

}  // namespace glet
