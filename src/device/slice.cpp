#include "device/slice.h"

#include "device/cpu_slice.h"
#include "device/cuda_mps_slice.h"
#include "device/emulated_slice.h"

namespace glet::device {

Result<std::unique_ptr<Slice>> CreateSlice(const SliceSpec& spec, const SliceOptions& options) {
  switch (spec.kind) {
    case SliceKind::kCpu: {
      GLET_ASSIGN_OR_RETURN(auto slice, CpuSlice::Create(spec));
      return std::unique_ptr<Slice>(std::move(slice));
    }
    case SliceKind::kCudaMps:
      return std::unique_ptr<Slice>(std::make_unique<CudaMpsSlice>(spec));
    case SliceKind::kEmulated: {
      GLET_ASSIGN_OR_RETURN(auto slice, EmulatedSlice::Create(spec, options));
      return std::unique_ptr<Slice>(std::move(slice));
    }
  }
  return InternalError("unknown slice kind");
}

}  // namespace glet::device
