// Fuzzes the DAG CSV loader (dag/dag_csv.h LoadDagCsv), whose input is three files: the input is
// split at its first two NUL bytes into the task execution times, the connectivity and the
// resource bandwidths, written to a private temporary folder.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "dag/dag_csv.h"

namespace {

std::string Folder() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/glet-dag-csv-fuzz-XXXXXX";
    const char* made = mkdtemp(tmpl);
    return std::string(made != nullptr ? made : "/tmp");
  }();
  return dir;
}

void Write(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    const size_t nul = text.find('\0');
    parts[i] = text.substr(0, nul);
    text = nul == std::string_view::npos ? std::string_view() : text.substr(nul + 1);
  }
  parts[2] = text;
  const std::string prefix = Folder() + "/dag";
  Write(prefix + "_task_exe_time.csv", parts[0]);
  Write(prefix + "_task_connectivity.csv", parts[1]);
  Write(prefix + "_resource_BW.csv", parts[2]);
  glet::Result<glet::dag::Problem> p = glet::dag::LoadDagCsv(prefix);
  if (!p.ok() && p.status().code() != glet::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  return 0;
}
