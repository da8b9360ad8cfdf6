// Parsing a KServe v2 JSON infer request body (the HTTP/JSON protocol's
// POST /v2/models/{name}/infer) into named tensors: what is accepted and how a bad body is named.
// Inputs: {"id"?, "inputs": [{"name", "shape", "datatype", "data", "parameters"?}], "outputs"?,
// "parameters"?}; "datatype" exactly one of KServe's FP32, INT64, INT32, UINT8; "data" flat
// (row-major) or nested exactly as the shape, each value in its type's range (FP32: finite).
// Pure: no I/O, no exceptions (fuzzed by fuzz/json_infer_request_fuzz.cpp).
#pragma once

#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"
#include "serve/frontend.h"

namespace glet::serve {

struct JsonInferRequest {
  std::string id;  // "" when absent
  std::vector<NamedTensor> inputs;
};
// Parses a KServe v2 JSON infer request body into named tensors; kInvalidArgument naming the
// JSON path ("request body: /inputs/0/datatype: ..."), or the limit exceeded (checked before the
// body is parsed). A present `id` must be a string.
Result<JsonInferRequest> ParseJsonInferRequest(const std::string& body,
                                               const JsonLimits& limits = {});

}  // namespace glet::serve
