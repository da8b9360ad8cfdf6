#include "client/load_generator.h"

#include <atomic>
#include <chrono>

#include "core/check.h"
#include "core/mutex.h"

namespace glet::client {

namespace {

// One outstanding call: what gRPC needs alive until the completion runs.
struct Call {
  grpc::ClientContext ctx;
  inference::ModelInferResponse response;
};

std::string TrailerValue(const grpc::ClientContext& ctx, std::string_view key) {
  const auto& md = ctx.GetServerTrailingMetadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) {
    return "";
  }
  return std::string(it->second.data(), it->second.size());
}

// Shared between the sending thread and gRPC's completion threads for one Run().
struct RunState {
  explicit RunState(size_t n) : records(n), calls(n) {}

  // Frees the calls whose completions have run. Called by the sender only: a completion never
  // destroys its own context, so nothing depends on what gRPC does after the callback returns.
  void ReapFinished() {
    std::vector<size_t> done;
    {
      MutexLock lock(mu);
      done.swap(finished);
    }
    for (size_t i : done) {
      calls[i].reset();
    }
  }

  std::vector<RequestRecord> records;        // slot i written by the sender, then by i's completion
  std::vector<std::unique_ptr<Call>> calls;  // slot i created and freed by the sender
  std::atomic<int64_t> inflight{0};
  Mutex mu;
  CondVar cv;
  int64_t pending GLET_GUARDED_BY(mu) = 0;           // requests sent and not yet completed
  std::vector<size_t> finished GLET_GUARDED_BY(mu);  // completed calls not yet freed
};

}  // namespace

LoadGenerator::LoadGenerator(std::shared_ptr<grpc::Channel> channel, Clock& clock)
    : channel_(std::move(channel)),
      stub_(inference::GRPCInferenceService::NewStub(channel_)),
      clock_(clock) {}

Result<std::vector<RequestRecord>> LoadGenerator::Run(const std::vector<Arrival>& schedule,
                                                      const std::vector<LoadTarget>& targets,
                                                      const LoadOptions& options) {
  if (options.max_inflight < 1) {
    return InvalidArgumentError("--max-inflight: must be >= 1 (got " +
                                std::to_string(options.max_inflight) + ")");
  }
  for (const Arrival& a : schedule) {
    if (a.stream < 0 || static_cast<size_t>(a.stream) >= targets.size()) {
      return InvalidArgumentError("schedule names stream " + std::to_string(a.stream) + " but " +
                                  std::to_string(targets.size()) + " targets were given");
    }
  }
  RunState state(schedule.size());
  const TimePoint start = clock_.Now();
  auto since_start_ms = [&](TimePoint t) { return ToMillis(t - start); };

  for (size_t i = 0; i < schedule.size(); ++i) {
    const Arrival& a = schedule[i];
    const LoadTarget& target = targets[a.stream];
    state.ReapFinished();
    clock_.SleepUntil(start + FromMillis(a.offset_s * 1000.0));
    RequestRecord& rec = state.records[i];
    rec.id = static_cast<int64_t>(i);
    rec.model = target.model;
    rec.scheduled_ms = a.offset_s * 1000.0;
    const TimePoint now = clock_.Now();
    rec.sent_ms = since_start_ms(now);
    if (state.inflight.load() >= options.max_inflight) {
      rec.done_ms = rec.sent_ms;
      rec.outcome = serve::RequestOutcome::kFailed;
      rec.reason = std::string(kClientOverloadReason);
      continue;
    }
    state.inflight.fetch_add(1);
    {
      MutexLock lock(state.mu);
      ++state.pending;
    }
    state.calls[i] = std::make_unique<Call>();
    Call& call = *state.calls[i];
    call.ctx.set_deadline(
        std::chrono::system_clock::now() +
        std::chrono::duration_cast<std::chrono::system_clock::duration>(target.timeout));
    stub_->async()->ModelInfer(&call.ctx, &target.request, &call.response,
                               [&state, i, &since_start_ms, this](grpc::Status status) {
                                 RequestRecord& r = state.records[i];
                                 r.done_ms = since_start_ms(clock_.Now());
                                 const grpc::ClientContext& ctx = state.calls[i]->ctx;
                                 Outcome o = ClassifyOutcome(
                                     static_cast<int>(status.error_code()), status.error_message(),
                                     TrailerValue(ctx, kOutcomeMetadataKey),
                                     TrailerValue(ctx, kDropReasonMetadataKey));
                                 r.outcome = o.outcome;
                                 r.reason = std::move(o.reason);
                                 state.inflight.fetch_sub(1);
                                 MutexLock lock(state.mu);
                                 state.finished.push_back(i);  // the sender frees the call
                                 --state.pending;
                                 GLET_CHECK(state.pending >= 0) << "a call completed twice";
                                 state.cv.notify_all();
                               });
  }
  // Every call has a deadline, and gRPC runs each completion by then at the latest.
  UniqueMutexLock lock(state.mu);
  state.cv.wait(lock, [&state]() GLET_REQUIRES(state.mu) { return state.pending == 0; });
  GLET_CHECK(state.inflight.load() == 0) << "in-flight count broken";
  lock.unlock();
  state.ReapFinished();
  return std::move(state.records);
}

}  // namespace glet::client
