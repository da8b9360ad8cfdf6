#include "dag/layer_partition.h"

#include <gtest/gtest.h>

#include "dag/gantt_svg.h"
#include "dag/heft.h"
#include "dag/metrics.h"
#include "testing/test_util.h"

namespace glet::dag {
namespace {

DeviceTable Devices(bool with_source) {
  std::string text = R"({"speeds_gflops": {"slow": 1, "fast": 4},
      "processors": [{"name": "e", "class": "slow"}, {"name": "g", "class": "fast"}],
      "bandwidth_mb_s": 1000, "startup_ms": 0)";
  text += with_source ? R"(, "source": "e"})" : "}";
  auto doc = ParseJson(text, "dev.json");
  auto d = ParseDeviceTable(*doc, "dev.json");
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return std::move(d).value();
}

ModelLayers Layers(const std::string& text) {
  auto doc = ParseJson(text, "l.json");
  auto m = ParseModelLayers(*doc, "l.json", "l");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

// Input 1x4x4; conv 3x3, padding 1, 2 output channels -> 2x4x4 in two pieces of 2 rows.
// Piece 0 (rows 0-1) reads input rows 0-2, piece 1 (rows 2-3) reads rows 1-3: 3 rows x 4 x 4 B
// = 48 bytes each. FLOPs per piece: 2 * 1 * 9 * 2 * (2 rows * 4) = 288 -> 288 / (1e9 FLOP/s)
// = 2.88e-4 ms on "slow", a quarter of that on "fast".
// Then pool 2x2 stride 2 -> 2x2x2 in two pieces of 1 row; pool piece j reads conv rows
// 2j..2j+1, all in conv piece j: 2 rows x 2 ch x 4 x 4 B = 64 bytes. fc 3 outputs in 2 pieces
// (1 and 2 features) reading all 8 inputs.
TEST(LayerPartitionTest, HandComputedPiecesEdgesAndCosts) {
  ModelLayers m = Layers(R"({"input": {"channels": 1, "height": 4, "width": 4},
      "layers": [{"name": "c", "type": "conv", "out_channels": 2, "kernel": 3, "padding": 1},
                 {"name": "p", "type": "pool", "kernel": 2, "stride": 2},
                 {"name": "f", "type": "fc", "out_features": 3}]})");
  auto p = PartitionLayers(m, Devices(true), 2);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Dag& dag = p->dag;
  // input, c#0, c#1, p#0, p#1, f#0, f#1, output
  ASSERT_EQ(dag.num_tasks(), 8);
  EXPECT_EQ(dag.task(0).name, "input");
  EXPECT_EQ(dag.task(1).name, "c#0");
  EXPECT_EQ(dag.task(7).name, "output");
  EXPECT_FALSE(dag.CanRun(0, 1));  // the input is on the source only
  EXPECT_DOUBLE_EQ(dag.cost(1, 0), 288 / 1e6);
  EXPECT_DOUBLE_EQ(dag.cost(1, 1), 288 / 4e6);
  ASSERT_EQ(dag.successors(0).size(), 2u);
  EXPECT_DOUBLE_EQ(dag.successors(0)[0].data, 48 / 1e6);
  EXPECT_DOUBLE_EQ(dag.successors(0)[1].data, 48 / 1e6);
  ASSERT_EQ(dag.predecessors(3).size(), 1u);  // p#0 <- c#0 only
  EXPECT_EQ(dag.predecessors(3)[0].task, 1);
  EXPECT_DOUBLE_EQ(dag.predecessors(3)[0].data, 64 / 1e6);
  EXPECT_EQ(dag.predecessors(5).size(), 2u);  // fc reads both pool pieces
  EXPECT_DOUBLE_EQ(dag.predecessors(5)[0].data, 1 * 2 * 2 * 4 / 1e6);
  // fc piece 0 computes 1 feature from 8 inputs: 16 FLOPs.
  EXPECT_DOUBLE_EQ(dag.cost(5, 0), 16 / 1e6);
  EXPECT_EQ(dag.predecessors(7).size(), 2u);

  auto s = HeftScheduler().Run(*p, {});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(CheckSchedule(*p, {}, *s).ok());
  EXPECT_EQ(s->placements[0].processor, 0);
  EXPECT_EQ(s->placements[7].processor, 0);
  std::string svg = RenderGanttSvg(*p, *s, {});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("c#0"), std::string::npos);
}

TEST(LayerPartitionTest, MorePiecesThanRowsAndNoSource) {
  ModelLayers m = Layers(R"({"input": {"channels": 1, "height": 2, "width": 2},
      "layers": [{"name": "c", "type": "conv", "out_channels": 1, "kernel": 1}]})");
  auto p = PartitionLayers(m, Devices(false), 8);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->dag.num_tasks(), 2);  // two output rows
  EXPECT_EQ(p->dag.num_edges(), 0);
  EXPECT_EQ(PartitionLayers(m, Devices(false), 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(LayerPartitionTest, BadLayerSpecsNameThePointer) {
  auto parse = [](const std::string& text) {
    auto doc = ParseJson(text, "l.json");
    return ParseModelLayers(*doc, "l.json", "l").status().message();
  };
  EXPECT_EQ(parse(R"({"input": {"channels": 1, "height": 2, "width": 2},
                      "layers": [{"name": "x", "type": "lstm"}]})"),
            "l.json: /layers/0/type: unknown layer type 'lstm' (known: conv, pool, fc)");
  EXPECT_EQ(parse(R"({"input": {"channels": 1, "height": 2, "width": 2},
                      "layers": [{"name": "x", "type": "conv", "out_channels": 1,
                                  "kernel": 5}]})"),
            "l.json: /layers/0: output would be empty: input 2x2, kernel 5, padding 0");
  EXPECT_EQ(parse(R"({"input": {"channels": 0, "height": 2, "width": 2}, "layers": []})"),
            "l.json: /input/channels: must be between 1 and 16777216 (got 0)");
}

TEST(DeviceTableTest, UnknownClassAndSourceNameThePointer) {
  auto parse = [](const std::string& text) {
    auto doc = ParseJson(text, "dev.json");
    return ParseDeviceTable(*doc, "dev.json").status().message();
  };
  EXPECT_EQ(parse(R"({"speeds_gflops": {"cpu": 1}, "processors": [{"name": "a",
                      "class": "tpu"}]})"),
            "dev.json: /processors/0/class: unknown device class 'tpu' (speeds_gflops has: cpu)");
  EXPECT_EQ(parse(R"({"speeds_gflops": {"cpu": 1}, "processors": [{"name": "a",
                      "class": "cpu"}], "source": "b"})"),
            "dev.json: /source: unknown processor 'b' (have: a)");
  EXPECT_EQ(parse(R"({"speeds_gflops": {"cpu": 0}, "processors": []})"),
            "dev.json: /speeds_gflops/cpu: must be > 0 (got 0)");
}

TEST(LayerPartitionTest, ExampleInputsLoad) {
  auto d = LoadDeviceTable(::glet::testing::SourcePath("resource/dag/edge_devices.json"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  auto m = LoadModelLayers(::glet::testing::SourcePath("resource/dag/small_cnn_layers.json"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto p = PartitionLayers(*m, *d, 4);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "small-cnn");
}

}  // namespace
}  // namespace glet::dag
