// Proxy: the core of one glet process (`glet proxy`). It owns the glet's Slice (activated once,
// in Create) and the models loaded on it, and runs batches on it one at a time, as a glet does:
// a RunBatch() that arrives while another batch runs waits, and that wait is reported as the
// batch's queue time. No gRPC here (proxy_service.h is the thin gRPC layer over it).
//
// Request fate inside a batch: each item carries the time it had left until its deadline when
// the batch was sent (deadline_in_ms, 0 = none). Items already past it when the batch starts are
// dropped (kDeadlineExceeded, DropReason::kDeadlineExpired) and not run; their output rows are
// zero. The other items are served together.
//
// Thread safety: all methods may be called from any thread, except RunBatchHere() (the runner's
// own thread only). Batches (and load warm-ups) run one at a time, in arrival order, on one
// long-lived runner thread prepared for the slice (Slice::PrepareThread), whichever thread calls
// RunBatch(): the same torch intra-op pool runs every batch, as in `glet infer`. The runner is a
// SerialExecutor unless Create() is given another JobRunner: `glet proxy` gives it a CqRunLoop
// (cq_run_loop.h) that receives and answers its gRPC calls on that same thread and runs them
// with RunBatchHere(). Loading and unloading may overlap with a running batch (an unloaded model
// finishes its running batch).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/job_runner.h"
#include "core/mutex.h"
#include "core/status.h"
#include "device/slice.h"
#include "model/model.h"
#include "model/model_spec.h"
#include "model/tensor.h"
#include "serve/proxy_stats.h"
#include "serve/request.h"

namespace glet::serve {

// One client request inside a batch: it owns `n` consecutive rows of the batch tensor.
struct ProxyBatchItem {
  RequestId request_id = 0;
  int n = 1;                  // >= 1
  double deadline_in_ms = 0;  // time left when sent; 0 = no deadline; < 0 already past
};

// Fate of one item: OK (served) or the error, with the drop reason when it was dropped.
struct ProxyItemResult {
  RequestId request_id = 0;
  Status status;
  std::optional<DropReason> drop_reason;
};

struct ProxyBatchResult {
  model::Tensor output;   // [sum n, output shape...]; rows of items not served are zero
  double queue_ms = 0;    // from the call's arrival to the start of execution
  double compute_ms = 0;  // model execution (0 when no item was left to run)
  std::vector<ProxyItemResult> items;  // one per item, same order
};

class Proxy {
 public:
  // Starts the runner thread; it must run `prepare` first and fail with its error.
  using RunnerFactory =
      std::function<Result<std::unique_ptr<JobRunner>>(std::function<Status()> prepare)>;

  // Activates `slice` for this process (errors from Slice::Activate pass through, e.g.
  // kInvalidArgument for cores this machine lacks). Models come from `manifest`; their files
  // from `model_dir`. `clock` times queue and compute; not owned, outlives the Proxy. A null
  // `runner` starts a SerialExecutor.
  static Result<std::unique_ptr<Proxy>> Create(std::unique_ptr<device::Slice> slice,
                                               model::ModelManifest manifest, std::string model_dir,
                                               Clock& clock, const RunnerFactory& runner = nullptr);

  // Loads `name` on the slice (loading a loaded model is OK and does nothing). Returns the time
  // it took in ms. kNotFound for a model not in the manifest; the slice's load errors pass
  // through (kInvalidArgument for a missing/bad file, kResourceExhausted when it does not fit).
  // `max_batch_size` > 0 runs one warm-up batch of that size; it must not exceed the model's
  // max_batch (kInvalidArgument).
  Result<double> LoadModel(const std::string& name, int max_batch_size = 0);
  // Unloads `name`; a batch of it already running finishes first. kNotFound if not loaded.
  Status UnloadModel(const std::string& name);
  // Names of the loaded models, sorted.
  std::vector<std::string> LoadedModels() const;

  // Runs one batch of `model`. `input` holds the items' rows concatenated: [sum n, input shape].
  // Errors (no item ran): kFailedPrecondition "model 'x' is not loaded on this glet (loaded:
  // ...)"; kInvalidArgument for no items, an item with n < 1, rows that do not add up to
  // input.shape[0], or an input whose dtype/shape does not match the model; kUnavailable after
  // Shutdown(). A model failure while running is reported per item (kInternal), not as the
  // call's error, so the caller learns which requests failed.
  Result<ProxyBatchResult> RunBatch(const std::string& model, const model::Tensor& input,
                                    const std::vector<ProxyBatchItem>& items);
  // RunBatch() for a caller already on the runner thread (a CqRunLoop's tag): runs the batch
  // right here. `waited`: how long the batch already waited before this call (e.g. in the
  // socket, behind the running batch); it counts as queueing. REQUIRES: called on the runner
  // thread.
  Result<ProxyBatchResult> RunBatchHere(const std::string& model, const model::Tensor& input,
                                        const std::vector<ProxyBatchItem>& items,
                                        Duration waited = Duration::zero());

  // Refuses new batches (kUnavailable), waits for the running one to finish and stops the
  // runner thread. Idempotent; the destructor calls it.
  void Shutdown();
  ~Proxy();

  // Counters since Create (for reports and tests).
  ProxyStats stats() const;
  const device::Slice& slice() const { return *slice_; }

 private:
  Proxy(std::unique_ptr<device::Slice> slice, model::ModelManifest manifest, std::string model_dir,
        Clock& clock, std::unique_ptr<JobRunner> runner);

  Result<std::shared_ptr<model::Model>> FindLoaded(const std::string& name) const;
  // The loaded model for a batch of `model`, once its input and items are checked.
  Result<std::shared_ptr<model::Model>> CheckBatch(const std::string& model,
                                                   const model::Tensor& input,
                                                   const std::vector<ProxyBatchItem>& items) const;
  // Adds a finished batch to the counters.
  void Account(const ProxyBatchResult& result, const std::vector<ProxyBatchItem>& items);
  // Runs the live items of a validated batch on `loaded`. REQUIRES: on the runner thread.
  ProxyBatchResult RunLocked(model::Model& loaded, const model::Tensor& input,
                             const std::vector<ProxyBatchItem>& items, TimePoint arrival);

  const std::unique_ptr<device::Slice> slice_;
  const model::ModelManifest manifest_;
  const std::string model_dir_;
  Clock& clock_;  // not owned; outlives this

  Mutex load_mu_;                      // serializes Slice::LoadModel (a Slice is not thread-safe)
  std::unique_ptr<JobRunner> runner_;  // runs every batch, one at a time

  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<model::Model>> models_ GLET_GUARDED_BY(mu_);
  bool shut_down_ GLET_GUARDED_BY(mu_) = false;
  ProxyStats stats_ GLET_GUARDED_BY(mu_);
};

}  // namespace glet::serve
