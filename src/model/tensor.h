// Tensor: glet's own dense tensor (dtype, shape, bytes), so that no header outside src/model/
// needs torch. Requests carry one Tensor each with a leading batch dimension (KServe style:
// shape [n, ...item_shape], n >= 1); batches are Tensors whose first dimension is the sum of the
// requests' n (see batch.h).
//
// Thread safety: a value type; const access from many threads is safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet::model {

enum class DType { kFloat32, kInt64, kInt32, kUint8 };

// "FP32", "INT64", "INT32", "UINT8" (the KServe v2 datatype names).
std::string_view DTypeName(DType dtype);
// Accepts the KServe names and the lower-case torch-style names ("float32", "int64", ...).
Result<DType> ParseDType(std::string_view name);
size_t DTypeSize(DType dtype);

// "[8,3,224,224]"
std::string ShapeToString(const std::vector<int64_t>& shape);
// Product of dims; 1 for a scalar.
int64_t NumElements(const std::vector<int64_t>& shape);

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor.
  Tensor(DType dtype, std::vector<int64_t> shape);
  // Takes `bytes`; REQUIRES: bytes.size() == NumElements(shape) * DTypeSize(dtype).
  Tensor(DType dtype, std::vector<int64_t> shape, std::vector<std::byte> bytes);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t num_elements() const { return NumElements(shape_); }
  size_t byte_size() const { return bytes_.size(); }
  const std::byte* data() const { return bytes_.data(); }
  std::byte* mutable_data() { return bytes_.data(); }
  std::vector<std::byte>& bytes() { return bytes_; }
  const std::vector<std::byte>& bytes() const { return bytes_; }

  template <typename T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(bytes_.data());
  }
  template <typename T>
  T* mutable_data_as() {
    return reinterpret_cast<T*>(bytes_.data());
  }

 private:
  DType dtype_ = DType::kFloat32;
  std::vector<int64_t> shape_;
  std::vector<std::byte> bytes_;
};

// Per-item description of a model input or output: dtype and shape without the batch dimension.
struct TensorSpec {
  std::string name;
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;
};

// Checks that `t` is [n, spec.shape...] with n >= 1 and spec's dtype. The error (kInvalidArgument)
// names `what` (e.g. "request 17: input 'x'"), the expected and the actual shape/dtype.
Status CheckTensorMatches(const Tensor& t, const TensorSpec& spec, std::string_view what);

// A tensor of `batch` items filled with deterministic pseudo-random values valid for `spec`
// (floats in [0,1); integer ids in [0, int_range)). Used by clients, profilers and tests.
Tensor MakeRandomInput(const TensorSpec& spec, int64_t batch, uint64_t seed,
                       int64_t int_range = 1000);

}  // namespace glet::model
