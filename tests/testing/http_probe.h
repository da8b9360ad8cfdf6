// Small probes of running glet processes, for whole-process tests and benchmarks: plain HTTP
// calls to a frontend's KServe port, a process's resident memory from /proc, polling a condition
// with a deadline, and the node file of an emulated backend.
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace glet::testing {

struct HostPort {
  std::string host;
  int port = 0;  // 0 when the port does not parse
};
// "127.0.0.1:8000" -> {"127.0.0.1", 8000}.
HostPort SplitAddress(const std::string& address);

struct HttpReply {
  int status = 0;  // 0: no reply (connection failed or the read timed out)
  std::string body;
};

// One request on a fresh connection: 5 s to connect, `read_timeout_s` to read the reply.
HttpReply HttpGet(const std::string& address, const std::string& path, int read_timeout_s = 30);
HttpReply HttpPost(const std::string& address, const std::string& path, const std::string& body,
                   int read_timeout_s = 30, const std::string& content_type = "application/json");

// Polls `done` every 50 ms until it holds or `timeout` passes; returns whether it held.
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// VmRSS of `pid` in KiB (-1 if unreadable).
int64_t RssKib(pid_t pid);

// The node file of a backend whose devices (`device_ids`) are all emulated with `profile`.
std::string EmulatedNode(const std::string& node, const std::vector<std::string>& device_ids,
                         const std::string& profile);

}  // namespace glet::testing
