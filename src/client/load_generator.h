// LoadGenerator: sends a precomputed arrival schedule to a KServe v2 gRPC server, open loop.
// The calling thread walks the schedule and sleeps (on the injected Clock) until each send time;
// every ModelInfer is asynchronous (gRPC callback API), so a slow server never delays later sends.
// Each call carries a deadline (the model's timeout). When `max_inflight` calls are already
// outstanding, a request is not sent but recorded at once as failed with reason
// kClientOverloadReason, so the schedule never blocks. Run() returns when every request has
// ended: gRPC calls the completion of every call by its deadline at the latest.
//
// Times in the records are milliseconds from the start of Run() on the injected clock.
//
// Thread safety: Run() may be called from one thread at a time; completions arrive on gRPC's
// threads and touch only their own record.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/arrival_schedule.h"
#include "client/request_record.h"
#include "core/clock.h"
#include "core/status.h"
#include "kserve.grpc.pb.h"

namespace glet::client {

struct LoadTarget {
  std::string model;                     // name sent as model_name
  inference::ModelInferRequest request;  // sent as is for each of this stream's arrivals
  Duration timeout = std::chrono::seconds(10);
};

struct LoadOptions {
  int64_t max_inflight = 10000;  // >= 1
};

class LoadGenerator {
 public:
  // `channel` is shared with the caller (gRPC's own ownership model). `clock` is not owned and
  // must outlive this.
  LoadGenerator(std::shared_ptr<grpc::Channel> channel, Clock& clock);

  // `targets[i]` serves `schedule[k].stream == i`. Returns one record per arrival, in schedule
  // order, ids 0..n-1. kInvalidArgument if an arrival names a stream without a target or
  // max_inflight < 1. Aborts (GLET_CHECK) if a call ends twice or never: a bug.
  Result<std::vector<RequestRecord>> Run(const std::vector<Arrival>& schedule,
                                         const std::vector<LoadTarget>& targets,
                                         const LoadOptions& options);

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  Clock& clock_;  // not owned; outlives this
};

}  // namespace glet::client
