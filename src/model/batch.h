// Batch assembly and split: requests carry tensors [n_i, item...]; a batch is their concatenation
// along dimension 0, and the model's output [sum n_i, out...] is split back per request.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/tensor.h"

namespace glet::model {

// Checks every item against `spec` (kInvalidArgument "request <i>: ..." naming the first bad
// one) and concatenates them. REQUIRES: items non-empty, no null pointers.
Result<Tensor> AssembleBatch(const std::vector<const Tensor*>& items, const TensorSpec& spec);

// Splits `output` along dimension 0 into consecutive pieces of counts[i] rows. kInvalidArgument
// if the counts do not sum to output.shape()[0] or output has no batch dimension.
Result<std::vector<Tensor>> SplitBatch(const Tensor& output, const std::vector<int64_t>& counts);

}  // namespace glet::model
