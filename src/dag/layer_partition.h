// Piece-wise partitioning of a DNN into a task DAG. Each layer of a chain of conv / pool / fc
// layers is cut into k pieces: conv and pool layers by output rows, fc layers by output
// features. A piece depends on exactly the pieces of the previous layer whose output it reads
// (for a conv/pool piece making rows [r0, r1): input rows r0*stride - padding up to
// (r1 - 1)*stride - padding + kernel - 1; an fc piece reads everything), and the edge carries
// that overlap in megabytes. A piece's cost on a processor is its FLOPs divided by the speed of
// the processor's device class (DeviceTable), in milliseconds:
//   conv: 2 * in_channels/groups * kernel^2 * out_channels * rows * out_width
//   pool: channels * kernel^2 * rows * out_width
//   fc:   2 * in_features * features of the piece
// With a DeviceTable source, an "input" task (cost 0, runs only on the source) feeds the first
// layer and an "output" task (likewise) collects the last layer's pieces.
//
// Layer spec JSON:
//   {
//     "name": "small-cnn",                                  optional; default: file stem
//     "input": {"channels": 3, "height": 224, "width": 224},
//     "bytes_per_element": 4,                               optional; default 4
//     "layers": [
//       {"name": "conv1", "type": "conv", "out_channels": 64, "kernel": 3, "stride": 1,
//        "padding": 1, "groups": 1},                        stride/padding/groups optional
//       {"name": "pool1", "type": "pool", "kernel": 2, "stride": 2},
//       {"name": "fc1", "type": "fc", "out_features": 1000}
//     ]
//   }
// (Reading the layer list from a TorchScript model is not supported here: src/dag/ may not use
// torch. Export the layer spec instead.)
#pragma once

#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"
#include "dag/device_table.h"
#include "dag/problem.h"

namespace glet::dag {

enum class LayerType { kConv, kPool, kFc };

struct LayerSpec {
  std::string name;
  LayerType type = LayerType::kConv;
  int out_channels = 0;  // conv: output channels; fc: output features
  int kernel = 1;
  int stride = 1;
  int padding = 0;
  int groups = 1;
};

struct ModelLayers {
  std::string name;
  int channels = 0, height = 0, width = 0;  // input shape
  int bytes_per_element = 4;
  std::vector<LayerSpec> layers;
};

// Errors (kInvalidArgument) name the file and JSON pointer: unknown type, a missing or
// non-positive size, a layer whose output would be empty, groups that do not divide channels.
Result<ModelLayers> LoadModelLayers(const std::string& path);
Result<ModelLayers> ParseModelLayers(const Json& doc, const std::string& origin,
                                     const std::string& default_name);

// The DAG of `model` cut into `pieces` pieces per layer (fewer where a layer has fewer rows or
// features). kInvalidArgument if pieces < 1.
Result<Problem> PartitionLayers(const ModelLayers& model, const DeviceTable& devices, int pieces);

}  // namespace glet::dag
