#include "serve/tensor_proto.h"

#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

namespace glet::serve {
namespace {

std::string Prefix(std::string_view what) { return std::string(what) + ": "; }

std::vector<int64_t> ShapeOf(const google::protobuf::RepeatedField<int64_t>& dims) {
  return std::vector<int64_t>(dims.begin(), dims.end());
}

// Tensor from raw bytes after validating dtype name, shape and size.
Result<model::Tensor> FromRaw(std::string_view dtype_name, std::vector<int64_t> shape,
                              const std::string& raw, std::string_view what) {
  Result<model::DType> dtype = model::ParseDType(dtype_name);
  if (!dtype.ok()) {
    return dtype.status().WithContext(what);
  }
  GLET_ASSIGN_OR_RETURN(int64_t elements, CheckWireShape(shape, *dtype, what));
  const int64_t need = elements * static_cast<int64_t>(model::DTypeSize(*dtype));
  if (static_cast<int64_t>(raw.size()) != need) {
    return InvalidArgumentError(Prefix(what) + "raw holds " + std::to_string(raw.size()) +
                                " bytes, shape " + model::ShapeToString(shape) + " of " +
                                std::string(model::DTypeName(*dtype)) + " needs " +
                                std::to_string(need));
  }
  std::vector<std::byte> bytes(raw.size());
  if (!raw.empty()) {
    std::memcpy(bytes.data(), raw.data(), raw.size());
  }
  return model::Tensor(*dtype, std::move(shape), std::move(bytes));
}

template <typename Dst, typename Src>
Result<model::Tensor> FromTyped(model::DType dtype, std::vector<int64_t> shape, int64_t elements,
                                const google::protobuf::RepeatedField<Src>& values,
                                std::string_view field, std::string_view what) {
  if (static_cast<int64_t>(values.size()) != elements) {
    return InvalidArgumentError(Prefix(what) + std::string(field) + " holds " +
                                std::to_string(values.size()) + " values, shape " +
                                model::ShapeToString(shape) + " needs " + std::to_string(elements));
  }
  model::Tensor tensor(dtype, std::move(shape));
  Dst* out = tensor.mutable_data_as<Dst>();
  for (int i = 0; i < values.size(); ++i) {
    const Src v = values.Get(i);
    if constexpr (std::is_integral_v<Src> && std::is_integral_v<Dst> && sizeof(Dst) < sizeof(Src)) {
      if (v > static_cast<Src>(std::numeric_limits<Dst>::max())) {
        return InvalidArgumentError(Prefix(what) + std::string(field) + "[" + std::to_string(i) +
                                    "] = " + std::to_string(v) + " is out of range for " +
                                    std::string(model::DTypeName(dtype)));
      }
    }
    out[i] = static_cast<Dst>(v);
  }
  return tensor;
}

Result<model::Tensor> FromContents(std::string_view dtype_name, std::vector<int64_t> shape,
                                   const inference::InferTensorContents& contents,
                                   std::string_view what) {
  Result<model::DType> dtype = model::ParseDType(dtype_name);
  if (!dtype.ok()) {
    return dtype.status().WithContext(what);
  }
  GLET_ASSIGN_OR_RETURN(int64_t elements, CheckWireShape(shape, *dtype, what));
  switch (*dtype) {
    case model::DType::kFloat32:
      return FromTyped<float>(*dtype, std::move(shape), elements, contents.fp32_contents(),
                              "fp32_contents", what);
    case model::DType::kInt64:
      return FromTyped<int64_t>(*dtype, std::move(shape), elements, contents.int64_contents(),
                                "int64_contents", what);
    case model::DType::kInt32:
      return FromTyped<int32_t>(*dtype, std::move(shape), elements, contents.int_contents(),
                                "int_contents", what);
    case model::DType::kUint8:
      return FromTyped<uint8_t>(*dtype, std::move(shape), elements, contents.uint_contents(),
                                "uint_contents", what);
  }
  return InternalError(Prefix(what) + "unhandled dtype");
}

bool HasTypedContents(const inference::InferTensorContents& c) {
  return c.bool_contents_size() > 0 || c.int_contents_size() > 0 || c.int64_contents_size() > 0 ||
         c.uint_contents_size() > 0 || c.uint64_contents_size() > 0 || c.fp32_contents_size() > 0 ||
         c.fp64_contents_size() > 0 || c.bytes_contents_size() > 0;
}

std::string BytesOf(const model::Tensor& tensor) {
  return std::string(reinterpret_cast<const char*>(tensor.data()), tensor.byte_size());
}

// Shared reader for request inputs and response outputs.
template <typename T>
Result<model::Tensor> FromKServeTensor(const T& tensor, int index, int count,
                                       const google::protobuf::RepeatedPtrField<std::string>& raw,
                                       std::string_view kind) {
  const std::string what = std::string(kind) + " '" + tensor.name() + "'";
  if (raw.empty()) {
    return FromContents(tensor.datatype(), ShapeOf(tensor.shape()), tensor.contents(), what);
  }
  if (raw.size() != count) {
    return InvalidArgumentError(what + ": raw_" + std::string(kind) + "_contents has " +
                                std::to_string(raw.size()) + " entries, expected one per " +
                                std::string(kind) + " (" + std::to_string(count) + ")");
  }
  if (tensor.has_contents() && HasTypedContents(tensor.contents())) {
    return InvalidArgumentError(what + ": data given both in contents and in raw_" +
                                std::string(kind) + "_contents");
  }
  return FromRaw(tensor.datatype(), ShapeOf(tensor.shape()), raw.Get(index), what);
}

}  // namespace

Result<int64_t> CheckWireShape(const std::vector<int64_t>& shape, model::DType dtype,
                               std::string_view what) {
  const int64_t item = static_cast<int64_t>(model::DTypeSize(dtype));
  int64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      return InvalidArgumentError(Prefix(what) + "shape " + model::ShapeToString(shape) +
                                  ": dims must be >= 0");
    }
  }
  for (int64_t d : shape) {
    if (d == 0) {
      return int64_t{0};
    }
    if (elements > kMaxTensorBytes / item / d) {
      return InvalidArgumentError(Prefix(what) + "shape " + model::ShapeToString(shape) +
                                  ": too large (over " + std::to_string(kMaxTensorBytes >> 30) +
                                  " GiB)");
    }
    elements *= d;
  }
  return elements;
}

Result<model::Tensor> TensorFromProto(const control::TensorData& proto, std::string_view what) {
  return FromRaw(proto.dtype(), ShapeOf(proto.shape()), proto.raw(), what);
}

void TensorToProto(const model::Tensor& tensor, control::TensorData* out) {
  out->Clear();
  out->set_dtype(std::string(model::DTypeName(tensor.dtype())));
  for (int64_t d : tensor.shape()) {
    out->add_shape(d);
  }
  out->set_raw(BytesOf(tensor));
}

control::TensorData TensorToProto(const model::Tensor& tensor) {
  control::TensorData out;
  TensorToProto(tensor, &out);
  return out;
}

Result<model::Tensor> TensorFromKServeInput(const inference::ModelInferRequest& request,
                                            int index) {
  GLET_CHECK(index >= 0 && index < request.inputs_size()) << "input index " << index;
  return FromKServeTensor(request.inputs(index), index, request.inputs_size(),
                          request.raw_input_contents(), "input");
}

Result<model::Tensor> TensorFromKServeOutput(const inference::ModelInferResponse& response,
                                             int index) {
  GLET_CHECK(index >= 0 && index < response.outputs_size()) << "output index " << index;
  return FromKServeTensor(response.outputs(index), index, response.outputs_size(),
                          response.raw_output_contents(), "output");
}

void AppendKServeOutput(const model::Tensor& tensor, const std::string& name,
                        inference::ModelInferResponse* response) {
  inference::ModelInferResponse::InferOutputTensor* out = response->add_outputs();
  out->set_name(name);
  out->set_datatype(std::string(model::DTypeName(tensor.dtype())));
  for (int64_t d : tensor.shape()) {
    out->add_shape(d);
  }
  response->add_raw_output_contents(BytesOf(tensor));
}

void AppendKServeInput(const model::Tensor& tensor, const std::string& name,
                       inference::ModelInferRequest* request) {
  inference::ModelInferRequest::InferInputTensor* in = request->add_inputs();
  in->set_name(name);
  in->set_datatype(std::string(model::DTypeName(tensor.dtype())));
  for (int64_t d : tensor.shape()) {
    in->add_shape(d);
  }
  request->add_raw_input_contents(BytesOf(tensor));
}

}  // namespace glet::serve
