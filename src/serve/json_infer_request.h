// Parsing a KServe v2 JSON infer request body (the HTTP/JSON protocol's
// POST /v2/models/{name}/infer) into named tensors: what is accepted and how a bad body is named.
// Inputs: {"id"?, "inputs": [{"name", "shape", "datatype", "data", "parameters"?}], "outputs"?,
// "parameters"?}; "datatype" exactly one of KServe's FP32, INT64, INT32, UINT8; "data" flat
// (row-major) or nested exactly as the shape, each value in its type's range (FP32: finite).
// Pure: no I/O, no exceptions (fuzzed by fuzz/json_infer_request_fuzz.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"
#include "serve/frontend.h"

namespace glet::serve {

// An output the request asks for ("outputs"), and whether as binary data.
struct RequestedOutput {
  std::string name;
  bool binary = false;
};

struct JsonInferRequest {
  std::string id;  // "" when absent
  std::vector<NamedTensor> inputs;
  // Empty: every output of the model, as JSON unless `binary_outputs`.
  std::vector<RequestedOutput> outputs;
  bool binary_outputs = false;  // parameters.binary_data_output
  Duration timeout{};           // parameters.timeout (microseconds; 0: none)
};

// Parses a KServe v2 JSON infer request body into named tensors; kInvalidArgument naming the
// JSON path ("request body: /inputs/0/datatype: ..."), or the limit exceeded (checked before the
// JSON is parsed). A present `id` must be a string.
//
// The binary tensor data extension: with `header_length` (the request's
// Inference-Header-Content-Length), the JSON is the body's first header_length bytes and the rest
// is binary tensor data. An input with parameters.binary_data_size takes that many bytes of it,
// in input order, as little-endian row-major values (exactly its shape's size; FP32 values must
// be finite); every byte must be taken. An output may ask for binary data
// (parameters.binary_data, or the request's parameters.binary_data_output).
Result<JsonInferRequest> ParseJsonInferRequest(std::string_view body, const JsonLimits& limits = {},
                                               std::optional<size_t> header_length = {});

}  // namespace glet::serve
