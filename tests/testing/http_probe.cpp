#include "testing/http_probe.h"

#include <httplib.h>

#include <fstream>
#include <thread>

#include "core/status.h"
#include "core/strings.h"

namespace glet::testing {

HostPort SplitAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  HostPort a;
  a.host = address.substr(0, colon);
  Result<int64_t> port = ParseInt(address.substr(colon + 1), "port");
  a.port = port.ok() ? static_cast<int>(*port) : 0;
  return a;
}

namespace {

HttpReply Reply(const httplib::Result& res) {
  if (!res) {
    return {};
  }
  return {res->status, res->body};
}

}  // namespace

HttpReply HttpGet(const std::string& address, const std::string& path, int read_timeout_s) {
  const HostPort a = SplitAddress(address);
  httplib::Client client(a.host, a.port);
  client.set_connection_timeout(5);
  client.set_read_timeout(read_timeout_s);
  return Reply(client.Get(path));
}

HttpReply HttpPost(const std::string& address, const std::string& path, const std::string& body,
                   int read_timeout_s, const std::string& content_type) {
  const HostPort a = SplitAddress(address);
  httplib::Client client(a.host, a.port);
  client.set_connection_timeout(5);
  client.set_read_timeout(read_timeout_s);
  return Reply(client.Post(path, body, content_type));
}

bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling, not synchronisation
  }
}

int64_t RssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      Result<int64_t> kib = ParseInt(Trim(line.substr(6, line.size() - 6 - 3)), "VmRSS");
      return kib.ok() ? *kib : -1;
    }
  }
  return -1;
}

std::string EmulatedNode(const std::string& node, const std::vector<std::string>& device_ids,
                         const std::string& profile) {
  std::string devices;
  for (const std::string& id : device_ids) {
    devices += std::string(devices.empty() ? "" : ",\n") + R"(  {"id": ")" + id +
               R"(", "kind": "emulated", "profile": ")" + profile + R"(", "mem_mib": 11264})";
  }
  return R"({"node": ")" + node + "\", \"devices\": [\n" + devices + "]}\n";
}

}  // namespace glet::testing
