// GletChannel: the frontend's connection to one glet. RunBatch() sends one batch of one model and
// blocks until the glet answers; RunBatchAsync() sends it and returns, and the answer reaches a
// callback. Each frontend lane (model x glet) has up to FrontendOptions::max_batches_in_flight
// batches in flight: one per lane thread over a blocking channel, sent one after the other by
// one lane thread over a non-blocking one.
// Implementations: ProxyChannel (proxy_channel.h, gRPC to a `glet proxy` process) and
// LocalGletChannel (local_glet_channel.h, a model in this process: the frontend's unit tests).
//
// Thread safety: RunBatch() and RunBatchAsync() may be called from several threads (a pipelined
// lane, the lanes of a time-shared glet); the glet queues their batches and runs them one at a
// time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "model/tensor.h"

namespace glet::serve {

struct BatchItemInfo {
  uint64_t request_id = 0;
  int n = 1;  // rows of the batch tensor this request owns
};

struct BatchResult {
  model::Tensor output;   // [sum n, out...]
  double queue_ms = 0;    // waiting at the glet before running
  double compute_ms = 0;  // model execution
};

class GletChannel {
 public:
  virtual ~GletChannel() = default;
  // kUnavailable when the glet cannot be reached or died mid-batch (the frontend marks it down
  // and retries the requests elsewhere); kDeadlineExceeded past `deadline`; any other code is a
  // failure of these requests (bad input, model error) and is passed to their clients.
  virtual Result<BatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                                       const std::vector<BatchItemInfo>& items,
                                       TimePoint deadline) = 0;
  // Sends the batch and returns at once if the channel is non-blocking (blocking() false);
  // `done` then gets RunBatch()'s result later, exactly once, on the channel's completion thread
  // (ProxyChannel: the loop that drives its completion queue). `input` and `items` may be
  // released when this returns. The default (a blocking channel) runs RunBatch() and calls
  // `done` before returning.
  virtual void RunBatchAsync(const std::string& model, const model::Tensor& input,
                             const std::vector<BatchItemInfo>& items, TimePoint deadline,
                             std::function<void(Result<BatchResult>)> done) {
    done(RunBatch(model, input, items, deadline));
  }
  // Whether RunBatchAsync() waits for the answer (then a lane keeps one thread per batch it
  // may have in flight).
  virtual bool blocking() const { return true; }
  // For logs and metrics: where the glet lives ("127.0.0.1:40123", "local").
  virtual std::string address() const = 0;
};

}  // namespace glet::serve
