#include "model/tensor.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "core/check.h"

namespace glet::model {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// SplitMix64: a tiny generator whose sequence is fixed by its definition, so "random" inputs are
// the same on every platform and standard library.
uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "FP32";
    case DType::kInt64:
      return "INT64";
    case DType::kInt32:
      return "INT32";
    case DType::kUint8:
      return "UINT8";
  }
  return "UNKNOWN";
}

Result<DType> ParseDType(std::string_view name) {
  std::string n = Lower(name);
  if (n == "fp32" || n == "float32" || n == "float") {
    return DType::kFloat32;
  }
  if (n == "int64" || n == "long") {
    return DType::kInt64;
  }
  if (n == "int32" || n == "int") {
    return DType::kInt32;
  }
  if (n == "uint8") {
    return DType::kUint8;
  }
  return InvalidArgumentError("unknown dtype '" + std::string(name) +
                              "' (known: FP32, INT64, INT32, UINT8)");
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return 4;
    case DType::kInt64:
      return 8;
    case DType::kInt32:
      return 4;
    case DType::kUint8:
      return 1;
  }
  return 0;
}

std::string ShapeToString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) {
      out += ",";
    }
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    n *= d;
  }
  return n;
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape) : dtype_(dtype), shape_(std::move(shape)) {
  int64_t n = NumElements(shape_);
  GLET_CHECK(n >= 0) << "negative dimension in " << ShapeToString(shape_);
  bytes_.assign(static_cast<size_t>(n) * DTypeSize(dtype_), std::byte{0});
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape, std::vector<std::byte> bytes)
    : dtype_(dtype), shape_(std::move(shape)), bytes_(std::move(bytes)) {
  GLET_CHECK(NumElements(shape_) >= 0 &&
             bytes_.size() == static_cast<size_t>(NumElements(shape_)) * DTypeSize(dtype_))
      << "tensor of " << DTypeName(dtype_) << " " << ShapeToString(shape_) << " given "
      << bytes_.size() << " bytes";
}

Status CheckTensorMatches(const Tensor& t, const TensorSpec& spec, std::string_view what) {
  // The message is built only on a mismatch: this runs once per served request.
  auto mismatch = [&](std::string_view why) {
    std::string dims = ShapeToString(spec.shape);  // "[3,224,224]" -> "[n,3,224,224]"
    std::string expected = std::string(DTypeName(spec.dtype)) + " [n" +
                           (spec.shape.empty() ? "" : ",") + dims.substr(1);
    std::string actual = std::string(DTypeName(t.dtype())) + " " + ShapeToString(t.shape());
    return InvalidArgumentError(std::string(what) + ": " + std::string(why) + ": expected " +
                                expected + " with n >= 1, got " + actual);
  };
  if (t.dtype() != spec.dtype) {
    return mismatch("wrong dtype");
  }
  if (t.shape().size() != spec.shape.size() + 1) {
    return mismatch("wrong rank");
  }
  if (t.shape()[0] < 1) {
    return mismatch("empty batch");
  }
  if (!std::equal(spec.shape.begin(), spec.shape.end(), t.shape().begin() + 1)) {
    return mismatch("wrong shape");
  }
  return Status::Ok();
}

Tensor MakeRandomInput(const TensorSpec& spec, int64_t batch, uint64_t seed, int64_t int_range) {
  std::vector<int64_t> shape = {batch};
  shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
  Tensor t(spec.dtype, std::move(shape));
  uint64_t state = seed;
  int64_t n = t.num_elements();
  uint64_t range = static_cast<uint64_t>(std::max<int64_t>(int_range, 1));
  switch (spec.dtype) {
    case DType::kFloat32: {
      float* p = t.mutable_data_as<float>();
      for (int64_t i = 0; i < n; ++i) {
        // 24 random bits -> exactly representable floats in [0, 1).
        p[i] = static_cast<float>(SplitMix64(state) >> 40) * (1.0f / 16777216.0f);
      }
      break;
    }
    case DType::kInt64: {
      int64_t* p = t.mutable_data_as<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        p[i] = static_cast<int64_t>(SplitMix64(state) % range);
      }
      break;
    }
    case DType::kInt32: {
      int32_t* p = t.mutable_data_as<int32_t>();
      uint64_t r = std::min<uint64_t>(range, uint64_t{1} << 31);
      for (int64_t i = 0; i < n; ++i) {
        p[i] = static_cast<int32_t>(SplitMix64(state) % r);
      }
      break;
    }
    case DType::kUint8: {
      uint8_t* p = t.mutable_data_as<uint8_t>();
      uint64_t r = std::min<uint64_t>(range, 256);
      for (int64_t i = 0; i < n; ++i) {
        p[i] = static_cast<uint8_t>(SplitMix64(state) % r);
      }
      break;
    }
  }
  return t;
}

}  // namespace glet::model
