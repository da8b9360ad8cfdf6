// Conversions between glet's model::Tensor and the two wire forms of a tensor:
//   - glet.control.TensorData (dtype name, shape, raw bytes), used between frontend and proxy;
//   - KServe v2 tensors (ModelInferRequest inputs / ModelInferResponse outputs), where data sits
//     either in the request's raw_input_contents (at the input's index) or in typed `contents`.
// Every conversion from the wire validates before building a Tensor: a known dtype (the KServe
// names FP32, INT64, INT32, UINT8; ParseDType also accepts torch-style lower-case names), dims
// >= 0, a size that does not overflow, and a byte size (or element count) equal to
// NumElements(shape) * DTypeSize(dtype). Errors are kInvalidArgument and start with `what`
// (e.g. "input 'x'"), then say what is wrong with expected and actual sizes.
// Raw bytes are little-endian row-major (glet runs on little-endian hosts only).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "glet_control.pb.h"
#include "kserve.pb.h"
#include "model/tensor.h"

namespace glet::serve {

// Largest tensor accepted from the wire, in bytes (guards shape products against overflow).
inline constexpr int64_t kMaxTensorBytes = int64_t{1} << 34;  // 16 GiB

// Checks a wire shape and returns its element count: kInvalidArgument "what: shape [2,-1]: dims
// must be >= 0" or "...: too large (over 16 GiB)" for `dtype`.
Result<int64_t> CheckWireShape(const std::vector<int64_t>& shape, model::DType dtype,
                               std::string_view what);

// --- glet.control.TensorData ---------------------------------------------------------------

// TensorData -> Tensor. kInvalidArgument naming `what` for an unknown dtype, a bad shape or
// `raw` whose size differs from the shape's ("what: raw holds 12 bytes, shape [2,3] of FP32
// needs 24").
Result<model::Tensor> TensorFromProto(const control::TensorData& proto, std::string_view what);
// Tensor -> TensorData (dtype as its KServe name). Overwrites `out`.
void TensorToProto(const model::Tensor& tensor, control::TensorData* out);
control::TensorData TensorToProto(const model::Tensor& tensor);

// --- KServe v2 ------------------------------------------------------------------------------

// The tensor of input `index` of `request`, from raw_input_contents[index] when the request uses
// raw contents (then raw_input_contents must have one entry per input and this input's typed
// `contents` must be empty), else from the typed contents field that matches the datatype
// (FP32: fp32_contents, INT64: int64_contents, INT32: int_contents, UINT8: uint_contents, each
// value in range). kInvalidArgument "input 'name': ..." for any mismatch.
// REQUIRES: 0 <= index < request.inputs_size().
Result<model::Tensor> TensorFromKServeInput(const inference::ModelInferRequest& request, int index);

// Appends `tensor` as output `name` to `response`, its bytes in raw_output_contents (the form
// stock Triton/KServe clients read). The caller must not mix this with typed output contents in
// the same response.
void AppendKServeOutput(const model::Tensor& tensor, const std::string& name,
                        inference::ModelInferResponse* response);

// Reads output `index` of a response back into a Tensor (raw or typed contents), with the same
// validation as TensorFromKServeInput; for clients and tests. "output 'name': ...".
Result<model::Tensor> TensorFromKServeOutput(const inference::ModelInferResponse& response,
                                             int index);

// Appends `tensor` as input `name` of `request` with its bytes in
// raw_input_contents; for clients and tests.
void AppendKServeInput(const model::Tensor& tensor, const std::string& name,
                       inference::ModelInferRequest* request);

}  // namespace glet::serve
