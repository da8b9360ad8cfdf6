#include "serve/proxy.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "core/serial_executor.h"
#include "core/strings.h"

namespace glet::serve {
namespace {

// The default runner: a thread that only runs batches.
Result<std::unique_ptr<JobRunner>> StartExecutor(std::function<Status()> prepare) {
  GLET_ASSIGN_OR_RETURN(std::unique_ptr<SerialExecutor> executor,
                        SerialExecutor::Start("glet-runner", std::move(prepare)));
  return std::unique_ptr<JobRunner>(std::move(executor));
}

}  // namespace

Result<std::unique_ptr<Proxy>> Proxy::Create(std::unique_ptr<device::Slice> slice,
                                             model::ModelManifest manifest, std::string model_dir,
                                             Clock& clock, const RunnerFactory& runner_factory) {
  GLET_CHECK(slice != nullptr);
  const std::string where = "slice " + slice->spec().ToString();
  GLET_RETURN_IF_ERROR(slice->Activate().WithContext(where));
  device::Slice* raw = slice.get();
  Result<std::unique_ptr<JobRunner>> runner =
      (runner_factory ? runner_factory : StartExecutor)([raw] { return raw->PrepareThread(); });
  if (!runner.ok()) {
    return runner.status().WithContext(where + ": runner thread");
  }
  return std::unique_ptr<Proxy>(new Proxy(std::move(slice), std::move(manifest),
                                          std::move(model_dir), clock, std::move(*runner)));
}

Proxy::Proxy(std::unique_ptr<device::Slice> slice, model::ModelManifest manifest,
             std::string model_dir, Clock& clock, std::unique_ptr<JobRunner> runner)
    : slice_(std::move(slice)),
      manifest_(std::move(manifest)),
      model_dir_(std::move(model_dir)),
      clock_(clock),
      runner_(std::move(runner)) {}

Proxy::~Proxy() { Shutdown(); }

Result<double> Proxy::LoadModel(const std::string& name, int max_batch_size) {
  GLET_ASSIGN_OR_RETURN(const model::ModelSpec* spec, manifest_.Find(name));
  if (max_batch_size > spec->max_batch) {
    return InvalidArgumentError("model '" + name + "': max_batch_size " +
                                std::to_string(max_batch_size) + " exceeds the model's max_batch " +
                                std::to_string(spec->max_batch));
  }
  MutexLock load_lock(load_mu_);
  {
    MutexLock lock(mu_);
    if (models_.count(name) > 0) {
      return 0.0;
    }
  }
  const TimePoint start = clock_.Now();
  Result<std::unique_ptr<model::Model>> loaded = slice_->LoadModel(*spec, model_dir_);
  if (!loaded.ok()) {
    return loaded.status().WithContext("model '" + name + "'");
  }
  std::shared_ptr<model::Model> shared = std::move(loaded).value();
  if (max_batch_size > 0) {
    // On the runner, between batches: the glet still runs one batch at a time, and the warm-up
    // warms the thread pool the batches will use.
    Result<model::Tensor> warm = UnavailableError("glet is shutting down");
    GLET_RETURN_IF_ERROR(runner_->Run([&] {
      warm = shared->Run(model::MakeRandomInput(spec->input, max_batch_size, /*seed=*/1));
    }));
    if (!warm.ok()) {
      return warm.status().WithContext("model '" + name + "': warm-up batch");
    }
  }
  const double load_ms = ToMillis(clock_.Now() - start);
  MutexLock lock(mu_);
  models_.emplace(name, std::move(shared));
  return load_ms;
}

Status Proxy::UnloadModel(const std::string& name) {
  MutexLock lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) {
    return NotFoundError("model '" + name + "' is not loaded on this glet");
  }
  models_.erase(it);  // a running batch holds its own reference and finishes
  return Status::Ok();
}

std::vector<std::string> Proxy::LoadedModels() const {
  MutexLock lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, unused] : models_) {
    names.push_back(name);
  }
  return names;
}

Result<std::shared_ptr<model::Model>> Proxy::FindLoaded(const std::string& name) const {
  MutexLock lock(mu_);
  if (shut_down_) {
    return UnavailableError("glet is shutting down");
  }
  auto it = models_.find(name);
  if (it == models_.end()) {
    std::vector<std::string> names;
    for (const auto& [n, unused] : models_) {
      names.push_back(n);
    }
    return FailedPreconditionError("model '" + name + "' is not loaded on this glet (loaded: " +
                                   (names.empty() ? std::string("none") : Join(names, ", ")) + ")");
  }
  return it->second;
}

Result<std::shared_ptr<model::Model>> Proxy::CheckBatch(
    const std::string& model, const model::Tensor& input,
    const std::vector<ProxyBatchItem>& items) const {
  GLET_ASSIGN_OR_RETURN(std::shared_ptr<model::Model> loaded, FindLoaded(model));
  const std::string what = "model '" + model + "': batch input";
  GLET_RETURN_IF_ERROR(model::CheckTensorMatches(input, loaded->spec().input, what));
  if (items.empty()) {
    return InvalidArgumentError("model '" + model + "': batch has no items");
  }
  int64_t rows = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].n < 1) {
      return InvalidArgumentError("model '" + model + "': item " + std::to_string(i) +
                                  " (request " + std::to_string(items[i].request_id) +
                                  "): n must be >= 1 (got " + std::to_string(items[i].n) + ")");
    }
    rows += items[i].n;
  }
  if (rows != input.shape()[0]) {
    return InvalidArgumentError("model '" + model + "': items own " + std::to_string(rows) +
                                " rows but the batch input has " +
                                std::to_string(input.shape()[0]) + " (" +
                                model::ShapeToString(input.shape()) + ")");
  }
  return loaded;
}

Result<ProxyBatchResult> Proxy::RunBatch(const std::string& model, const model::Tensor& input,
                                         const std::vector<ProxyBatchItem>& items) {
  const TimePoint arrival = clock_.Now();
  GLET_ASSIGN_OR_RETURN(std::shared_ptr<model::Model> loaded, CheckBatch(model, input, items));
  std::optional<ProxyBatchResult> ran_batch;
  const Status queued = runner_->Run([&] {
    {
      MutexLock lock(mu_);
      if (shut_down_) {
        return;
      }
    }
    ran_batch = RunLocked(*loaded, input, items, arrival);
  });
  if (!queued.ok() || !ran_batch.has_value()) {
    return UnavailableError("glet is shutting down");
  }
  Account(*ran_batch, items);
  return std::move(*ran_batch);
}

Result<ProxyBatchResult> Proxy::RunBatchHere(const std::string& model, const model::Tensor& input,
                                             const std::vector<ProxyBatchItem>& items,
                                             Duration waited) {
  const TimePoint arrival = clock_.Now() - std::max(waited, Duration::zero());
  GLET_ASSIGN_OR_RETURN(std::shared_ptr<model::Model> loaded, CheckBatch(model, input, items));
  ProxyBatchResult result = RunLocked(*loaded, input, items, arrival);
  Account(result, items);
  return result;
}

void Proxy::Account(const ProxyBatchResult& result, const std::vector<ProxyBatchItem>& items) {
  MutexLock lock(mu_);
  bool ran = false;
  for (size_t i = 0; i < result.items.size(); ++i) {
    const ProxyItemResult& item = result.items[i];
    if (item.drop_reason.has_value()) {
      ++stats_.requests_dropped;
      continue;
    }
    ++(item.status.ok() ? stats_.requests_served : stats_.requests_failed);
    stats_.items += items[i].n;
    ran = true;
  }
  if (ran) {
    ++stats_.batches;
    stats_.queue_ms_sum += result.queue_ms;
    stats_.compute_ms_sum += result.compute_ms;
  }
}

ProxyBatchResult Proxy::RunLocked(model::Model& loaded, const model::Tensor& input,
                                  const std::vector<ProxyBatchItem>& items, TimePoint arrival) {
  const TimePoint start = clock_.Now();
  const double waited_ms = ToMillis(start - arrival);
  ProxyBatchResult result;
  result.queue_ms = waited_ms;
  const model::ModelSpec& spec = loaded.spec();
  std::vector<int64_t> out_shape = {input.shape()[0]};
  out_shape.insert(out_shape.end(), spec.output.shape.begin(), spec.output.shape.end());
  result.output = model::Tensor(spec.output.dtype, out_shape);

  // Which items are still alive when the batch starts.
  std::vector<bool> live(items.size(), true);
  int64_t live_rows = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const double left_ms = items[i].deadline_in_ms;
    live[i] = !(left_ms < 0 || (left_ms > 0 && waited_ms > left_ms));
    if (live[i]) {
      live_rows += items[i].n;
    }
  }
  const size_t in_row = input.shape()[0] > 0 ? input.byte_size() / input.shape()[0] : 0;
  const size_t out_row = result.output.byte_size() / out_shape[0];

  Status run_status;
  if (live_rows > 0) {
    // Run only the live rows (the whole input when every item is alive).
    const bool all_live = live_rows == input.shape()[0];
    model::Tensor gathered;
    if (!all_live) {
      std::vector<int64_t> shape = input.shape();
      shape[0] = live_rows;
      gathered = model::Tensor(input.dtype(), shape);
      size_t src_row = 0;
      size_t dst_row = 0;
      for (size_t i = 0; i < items.size(); ++i) {
        if (live[i]) {
          std::memcpy(gathered.mutable_data() + dst_row * in_row, input.data() + src_row * in_row,
                      items[i].n * in_row);
          dst_row += items[i].n;
        }
        src_row += items[i].n;
      }
    }
    const TimePoint t0 = clock_.Now();
    Result<model::Tensor> out = loaded.Run(all_live ? input : gathered);
    result.compute_ms = ToMillis(clock_.Now() - t0);
    if (!out.ok()) {
      run_status = out.status();
    } else if (out->byte_size() != static_cast<size_t>(live_rows) * out_row) {
      run_status = InternalError("model returned " + model::ShapeToString(out->shape()) +
                                 ", expected " + std::to_string(live_rows) + " rows of " +
                                 model::ShapeToString(spec.output.shape));
    } else {
      size_t src_row = 0;
      size_t dst_row = 0;
      for (size_t i = 0; i < items.size(); ++i) {
        if (live[i]) {
          std::memcpy(result.output.mutable_data() + dst_row * out_row,
                      out->data() + src_row * out_row, items[i].n * out_row);
          src_row += items[i].n;
        }
        dst_row += items[i].n;
      }
    }
  }

  const std::string prefix = "model " + spec.name + ": request ";
  for (size_t i = 0; i < items.size(); ++i) {
    ProxyItemResult r;
    r.request_id = items[i].request_id;
    if (!live[i]) {
      r.drop_reason = DropReason::kDeadlineExpired;
      r.status =
          DeadlineExceededError(prefix + std::to_string(r.request_id) + ": dropped (" +
                                std::string(DropReasonName(DropReason::kDeadlineExpired)) + ")");
    } else if (!run_status.ok()) {
      r.status = Status(run_status.code() == StatusCode::kInvalidArgument ? StatusCode::kInternal
                                                                          : run_status.code(),
                        prefix + std::to_string(r.request_id) + ": " + run_status.message());
    }
    result.items.push_back(std::move(r));
  }
  return result;
}

void Proxy::Shutdown() {
  {
    MutexLock lock(mu_);
    shut_down_ = true;
  }
  runner_->Stop();  // the running and queued batches finish (the queued ones refused)
}

ProxyStats Proxy::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

}  // namespace glet::serve
