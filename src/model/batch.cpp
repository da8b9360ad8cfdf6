#include "model/batch.h"

#include <cstring>
#include <string>

namespace glet::model {

Result<Tensor> AssembleBatch(const std::vector<const Tensor*>& items, const TensorSpec& spec) {
  if (items.empty()) {
    return InvalidArgumentError("empty batch");
  }
  int64_t rows = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    GLET_RETURN_IF_ERROR(CheckTensorMatches(*items[i], spec, "request " + std::to_string(i)));
    rows += items[i]->shape()[0];
    bytes += items[i]->byte_size();
  }
  std::vector<int64_t> shape = {rows};
  shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
  std::vector<std::byte> data(bytes);
  size_t offset = 0;
  for (const Tensor* t : items) {
    if (t->byte_size() > 0) {
      std::memcpy(data.data() + offset, t->data(), t->byte_size());
    }
    offset += t->byte_size();
  }
  return Tensor(spec.dtype, std::move(shape), std::move(data));
}

Result<std::vector<Tensor>> SplitBatch(const Tensor& output, const std::vector<int64_t>& counts) {
  if (output.shape().empty()) {
    return InvalidArgumentError("output has no batch dimension: shape " +
                                ShapeToString(output.shape()));
  }
  int64_t total = 0;
  for (int64_t c : counts) {
    if (c < 1) {
      return InvalidArgumentError("split count must be >= 1 (got " + std::to_string(c) + ")");
    }
    total += c;
  }
  if (total != output.shape()[0]) {
    return InvalidArgumentError("split counts sum to " + std::to_string(total) +
                                " but output has " + std::to_string(output.shape()[0]) + " rows");
  }
  std::vector<int64_t> item_shape(output.shape().begin() + 1, output.shape().end());
  const size_t row_bytes = static_cast<size_t>(NumElements(item_shape)) * DTypeSize(output.dtype());
  std::vector<Tensor> out;
  out.reserve(counts.size());
  size_t offset = 0;
  for (int64_t c : counts) {
    std::vector<int64_t> shape = {c};
    shape.insert(shape.end(), item_shape.begin(), item_shape.end());
    const size_t n = row_bytes * static_cast<size_t>(c);
    std::vector<std::byte> data(output.data() + offset, output.data() + offset + n);
    offset += n;
    out.emplace_back(output.dtype(), std::move(shape), std::move(data));
  }
  return out;
}

}  // namespace glet::model
