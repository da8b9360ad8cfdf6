#include "serve/json_infer_request.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "core/strings.h"

namespace glet::serve {

namespace {

// One value of `dtype` from a JSON number: in the type's range (FP32: finite as a float).
Status AppendValue(const JsonReader& e, model::DType dtype, std::vector<double>* out) {
  if (dtype == model::DType::kFloat32) {
    GLET_ASSIGN_OR_RETURN(double v, e.AsDouble());
    if (!(std::abs(v) <= std::numeric_limits<float>::max())) {
      return e.Error("out of range for FP32 (" + FormatDouble(v, 6) + ")");
    }
    out->push_back(v);
    return Status::Ok();
  }
  GLET_ASSIGN_OR_RETURN(int64_t v, e.AsInt());
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = std::numeric_limits<int64_t>::max();
  if (dtype == model::DType::kInt32) {
    lo = std::numeric_limits<int32_t>::min();
    hi = std::numeric_limits<int32_t>::max();
  } else if (dtype == model::DType::kUint8) {
    lo = 0;
    hi = 255;
  }
  if (v < lo || v > hi) {
    return e.Error("out of range for " + std::string(model::DTypeName(dtype)) + " (" +
                   std::to_string(v) + ")");
  }
  out->push_back(static_cast<double>(v));
  return Status::Ok();
}

// KServe v2 "data": flat (row-major, shape's element count) or nested exactly as the shape (an
// array of shape[d] elements at depth d, numbers at depth shape.size()): never ragged, never
// deeper than the shape.
Status FlattenData(const JsonReader& data, const std::vector<int64_t>& shape, size_t depth,
                   model::DType dtype, std::vector<double>* out) {
  if (!data.IsArray()) {
    return AppendValue(data, dtype, out);
  }
  GLET_ASSIGN_OR_RETURN(auto elems, data.Elements());
  const bool flat = depth == 0 && std::none_of(elems.begin(), elems.end(),
                                               [](const JsonReader& e) { return e.IsArray(); });
  if (!flat) {
    if (depth >= shape.size()) {
      return data.Error("nested deeper than the shape " + model::ShapeToString(shape));
    }
    if (static_cast<int64_t>(elems.size()) != shape[depth]) {
      return data.Error("has " + std::to_string(elems.size()) + " elements, the shape " +
                        model::ShapeToString(shape) + " says " + std::to_string(shape[depth]) +
                        " (ragged data)");
    }
  }
  out->reserve(out->size() + elems.size());
  for (const JsonReader& e : elems) {
    if (flat || depth + 1 == shape.size()) {
      if (e.IsArray()) {
        return e.Error("nested deeper than the shape " + model::ShapeToString(shape));
      }
      GLET_RETURN_IF_ERROR(AppendValue(e, dtype, out));
    } else {
      if (!e.IsArray()) {
        return e.Error("a number where the shape " + model::ShapeToString(shape) +
                       " needs an array (ragged data)");
      }
      GLET_RETURN_IF_ERROR(FlattenData(e, shape, depth + 1, dtype, out));
    }
  }
  return Status::Ok();
}

// The KServe v2 datatype names this server takes, exactly as the protocol spells them.
Result<model::DType> KServeDType(const JsonReader& in, const std::string& name) {
  for (model::DType t :
       {model::DType::kFloat32, model::DType::kInt64, model::DType::kInt32, model::DType::kUint8}) {
    if (name == model::DTypeName(t)) {
      return t;
    }
  }
  return in.Error("datatype: unsupported '" + name +
                  "' (KServe v2 names: FP32, INT64, INT32, UINT8)");
}

// The binary part of a request (the binary tensor data extension): the bytes after the JSON
// header, taken in order by the inputs that carry "binary_data_size".
struct BinaryCursor {
  std::string_view rest;
  bool present = false;  // the request has a binary part (the header length was given)
};

Result<model::Tensor> ParseInput(const JsonReader& in, BinaryCursor& binary) {
  GLET_RETURN_IF_ERROR(in.CheckKeys({"name", "shape", "datatype", "data", "parameters"}));
  GLET_ASSIGN_OR_RETURN(std::string dtype_name, in.GetString("datatype"));
  GLET_ASSIGN_OR_RETURN(const model::DType dtype, KServeDType(in, dtype_name));
  GLET_ASSIGN_OR_RETURN(std::vector<int64_t> shape, in.GetIntArray("shape"));
  int64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 0 || d > (int64_t{1} << 31)) {
      return in.Error("shape: dims must be in 0..2^31 (got " + std::to_string(d) + ")");
    }
    // Checked before multiplying: the product of a few such dims overflows int64.
    if (d > 0 && elements > (int64_t{1} << 40) / d) {
      return in.Error("shape: " + model::ShapeToString(shape) + " holds more than 2^40 values");
    }
    elements *= d;
  }
  if (std::optional<JsonReader> params = in.OptionalChild("parameters");
      params && params->Has("binary_data_size")) {
    GLET_ASSIGN_OR_RETURN(const int64_t size, params->GetInt("binary_data_size"));
    if (in.Has("data")) {
      return in.Error("has both \"data\" and parameters.binary_data_size");
    }
    if (!binary.present) {
      return in.Error(
          "parameters.binary_data_size without binary data (no Inference-Header-Content-Length)");
    }
    const int64_t want = elements * static_cast<int64_t>(model::DTypeSize(dtype));
    if (size != want) {
      return in.Error("parameters.binary_data_size: " + std::to_string(size) + " bytes, shape " +
                      model::ShapeToString(shape) + " of " + std::string(model::DTypeName(dtype)) +
                      " needs " + std::to_string(want));
    }
    if (static_cast<int64_t>(binary.rest.size()) < size) {
      return in.Error("parameters.binary_data_size: " + std::to_string(size) + " bytes, but only " +
                      std::to_string(binary.rest.size()) + " bytes of binary data are left");
    }
    std::vector<std::byte> bytes(static_cast<size_t>(size));
    std::memcpy(bytes.data(), binary.rest.data(), bytes.size());
    binary.rest.remove_prefix(static_cast<size_t>(size));
    model::Tensor t(dtype, shape, std::move(bytes));
    if (dtype == model::DType::kFloat32) {
      const float* v = t.data_as<float>();
      for (int64_t i = 0; i < elements; ++i) {
        if (!std::isfinite(v[i])) {
          return in.Error("binary data: value " + std::to_string(i) + " is not finite");
        }
      }
    }
    return t;
  }
  GLET_ASSIGN_OR_RETURN(JsonReader data, in.Child("data"));
  std::vector<double> values;
  GLET_RETURN_IF_ERROR(FlattenData(data, shape, 0, dtype, &values));
  const int64_t n = elements;
  if (static_cast<int64_t>(values.size()) != n) {
    return in.Error("data: holds " + std::to_string(values.size()) + " values, shape " +
                    model::ShapeToString(shape) + " needs " + std::to_string(n));
  }
  model::Tensor t(dtype, shape);
  for (int64_t i = 0; i < n; ++i) {
    switch (dtype) {
      case model::DType::kFloat32:
        t.mutable_data_as<float>()[i] = static_cast<float>(values[i]);
        break;
      case model::DType::kInt64:
        t.mutable_data_as<int64_t>()[i] = static_cast<int64_t>(values[i]);
        break;
      case model::DType::kInt32:
        t.mutable_data_as<int32_t>()[i] = static_cast<int32_t>(values[i]);
        break;
      case model::DType::kUint8:
        t.mutable_data_as<uint8_t>()[i] = static_cast<uint8_t>(values[i]);
        break;
    }
  }
  return t;
}

}  // namespace

Result<JsonInferRequest> ParseJsonInferRequest(std::string_view body, const JsonLimits& limits,
                                               std::optional<size_t> header_length) {
  BinaryCursor binary;
  std::string_view json = body;
  if (header_length.has_value()) {
    if (*header_length > body.size()) {
      return InvalidArgumentError(
          "Inference-Header-Content-Length: " + std::to_string(*header_length) +
          " is more than the body's " + std::to_string(body.size()) + " bytes");
    }
    json = body.substr(0, *header_length);
    binary.rest = body.substr(*header_length);
    binary.present = true;
  }
  GLET_ASSIGN_OR_RETURN(Json doc, ParseJson(json, "request body", limits));
  JsonReader root(doc, "request body");
  GLET_RETURN_IF_ERROR(root.ExpectObject());
  GLET_RETURN_IF_ERROR(root.CheckKeys({"id", "inputs", "outputs", "parameters"}));
  JsonInferRequest out;
  GLET_ASSIGN_OR_RETURN(out.id, root.GetStringOr("id", ""));
  if (std::optional<JsonReader> params = root.OptionalChild("parameters")) {
    GLET_RETURN_IF_ERROR(params->ExpectObject());
    GLET_ASSIGN_OR_RETURN(out.binary_outputs, params->GetBoolOr("binary_data_output", false));
    GLET_ASSIGN_OR_RETURN(int64_t timeout_us, params->GetIntOr("timeout", 0));
    if (timeout_us < 0) {
      return InvalidArgumentError(
          "request body: /parameters/timeout: must be >= 0 microseconds, "
          "got " +
          std::to_string(timeout_us));
    }
    out.timeout = TimeoutFromMicros(static_cast<uint64_t>(timeout_us));
  }
  GLET_ASSIGN_OR_RETURN(JsonReader inputs, root.Child("inputs"));
  GLET_ASSIGN_OR_RETURN(auto elems, inputs.Elements());
  for (const JsonReader& in : elems) {
    GLET_RETURN_IF_ERROR(in.ExpectObject());
    GLET_ASSIGN_OR_RETURN(std::string name, in.GetStringOr("name", ""));
    GLET_ASSIGN_OR_RETURN(model::Tensor t, ParseInput(in, binary));
    out.inputs.push_back({name, std::move(t)});
  }
  if (!binary.rest.empty()) {
    return InvalidArgumentError("request body: " + std::to_string(binary.rest.size()) +
                                " bytes of binary data that no input's binary_data_size claims");
  }
  if (std::optional<JsonReader> outputs = root.OptionalChild("outputs")) {
    GLET_ASSIGN_OR_RETURN(auto wanted, outputs->Elements());
    for (const JsonReader& o : wanted) {
      GLET_RETURN_IF_ERROR(o.ExpectObject());
      GLET_RETURN_IF_ERROR(o.CheckKeys({"name", "parameters"}));
      RequestedOutput r;
      GLET_ASSIGN_OR_RETURN(r.name, o.GetString("name"));
      r.binary = out.binary_outputs;
      if (std::optional<JsonReader> params = o.OptionalChild("parameters")) {
        GLET_RETURN_IF_ERROR(params->ExpectObject());
        GLET_ASSIGN_OR_RETURN(r.binary, params->GetBoolOr("binary_data", out.binary_outputs));
      }
      out.outputs.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace glet::serve
