// SliceSpec: the text form of a glet's slice of a device, as users write it on command lines:
//   cpu:CORES            a set of CPU cores, e.g. cpu:0-1, cpu:0,2 (one slice per process)
//   cuda:GPU:PERCENT     an MPS share of a CUDA GPU, e.g. cuda:0:50
//   emulated:PROFILE:PERCENT  a timed stand-in following a latency profile, e.g.
//   emulated:ref-gpu:50
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet::device {

enum class SliceKind { kCpu, kCudaMps, kEmulated };

std::string_view SliceKindName(SliceKind kind);  // "cpu", "cuda", "emulated"

struct SliceSpec {
  SliceKind kind = SliceKind::kCpu;
  std::vector<int> cores;  // cpu: the cores, ascending, unique
  int gpu = 0;             // cuda: device index
  int partition = 100;     // cuda, emulated: percent of the device, 1..100
  std::string profile;     // emulated: profile name (a folder under resource/profiles) or path

  // kInvalidArgument naming the text and what is wrong ("cpu:0-x: expected an integer ...").
  static Result<SliceSpec> Parse(std::string_view text);
  // Round-trips through Parse().
  std::string ToString() const;
};

}  // namespace glet::device
