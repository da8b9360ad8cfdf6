#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/device_spec.h"
#include "testing/test_util.h"

namespace glet::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kNode[] = R"({"node": "n0", "devices": [
  {"id": "cpu0", "kind": "cpu", "cores": "0-1"},
  {"id": "gpu0", "kind": "emulated", "profile": "ref-gpu", "mem_mib": 11264},
  {"id": "gpu1", "kind": "cuda-mps", "cuda_device": 0, "mem_mib": 11264}]})";

Result<NodeSpec> ParseText(const std::string& text) {
  GLET_ASSIGN_OR_RETURN(Json json, ParseJson(text, "node.json"));
  return ParseNodeSpec(JsonReader(json, "node.json"));
}

// The error of kNode with one edit ("" when it loads).
std::string NodeError(const std::string& from, const std::string& to) {
  std::string text = kNode;
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) {
    text.replace(pos, from.size(), to);
  }
  auto node = ParseText(text);
  if (node.ok()) {
    return "";
  }
  EXPECT_EQ(node.status().code(), StatusCode::kInvalidArgument);
  return node.status().message();
}

TEST(SpecDeviceTest, ParsesEveryKind) {
  auto node = ParseText(kNode);
  ASSERT_TRUE(node.ok()) << node.status().message();
  EXPECT_EQ(node->node, "n0");
  ASSERT_EQ(node->devices.size(), 3u);
  EXPECT_EQ(node->devices[0].kind, DeviceKind::kCpu);
  EXPECT_THAT(node->devices[0].cores, ElementsAre(0, 1));
  EXPECT_EQ(node->devices[1].kind, DeviceKind::kEmulated);
  EXPECT_EQ(node->devices[1].profile, "ref-gpu");
  EXPECT_EQ(node->devices[1].mem_mib, 11264);
  EXPECT_EQ(node->devices[2].kind, DeviceKind::kCudaMps);
  EXPECT_EQ(node->devices[2].cuda_device, 0);
  EXPECT_EQ(node->Find("gpu1"), &node->devices[2]);
  EXPECT_EQ(node->Find("gpu9"), nullptr);
}

TEST(SpecDeviceTest, KindNamesRoundTrip) {
  for (DeviceKind k : {DeviceKind::kCpu, DeviceKind::kEmulated, DeviceKind::kCudaMps}) {
    EXPECT_EQ(*ParseDeviceKind(DeviceKindName(k)), k);
  }
}

TEST(SpecDeviceTest, LoadsTheExamples) {
  auto cpu = LoadNodeSpec(testing::SourcePath("resource/devices/local-cpu.json"));
  ASSERT_TRUE(cpu.ok()) << cpu.status().message();
  ASSERT_EQ(cpu->devices.size(), 1u);
  EXPECT_EQ(cpu->devices[0].kind, DeviceKind::kCpu);
  auto gpus = LoadNodeSpec(testing::SourcePath("resource/devices/ref-gpu-x4.json"));
  ASSERT_TRUE(gpus.ok()) << gpus.status().message();
  ASSERT_EQ(gpus->devices.size(), 4u);
  for (const DeviceSpec& d : gpus->devices) {
    EXPECT_EQ(d.kind, DeviceKind::kEmulated);
    EXPECT_EQ(d.profile, "ref-gpu");
  }
}

TEST(SpecDeviceTest, UnknownKindNamesPointer) {
  EXPECT_EQ(NodeError(R"("kind": "cuda-mps")", R"("kind": "tpu")"),
            "node.json: /devices/2/kind: unknown device kind 'tpu' (known: cpu, emulated, "
            "cuda-mps)");
}

TEST(SpecDeviceTest, BadCoreRangeNamesPointer) {
  EXPECT_THAT(NodeError(R"("0-1")", R"("3-1")"),
              StartsWith("node.json: /devices/0/cores: bad core range '3-1' in '3-1': range ends "
                         "before it starts"));
  EXPECT_THAT(NodeError(R"("0-1")", R"("0-x")"),
              StartsWith("node.json: /devices/0/cores: bad core range '0-x'"));
  EXPECT_THAT(NodeError(R"("0-1")", R"("")"),
              StartsWith("node.json: /devices/0/cores: bad core range ''"));
  EXPECT_THAT(NodeError(R"("0-1")", R"("0-99999")"),
              StartsWith("node.json: /devices/0/cores: bad core range '0-99999'"));
  EXPECT_EQ(NodeError(R"("0-1")", R"("0-2,1")"),
            "node.json: /devices/0/cores: core 1 listed twice in '0-2,1'");
  EXPECT_THAT(NodeError(R"("0-1")", "[0, 1]"),
              StartsWith("node.json: /devices/0/cores: must be a string"));
}

TEST(SpecDeviceTest, DuplicateIdNamesBothPlaces) {
  EXPECT_EQ(NodeError(R"("id": "gpu1")", R"("id": "gpu0")"),
            "node.json: /devices/2/id: duplicate device id 'gpu0' (first at /devices/1/id)");
}

TEST(SpecDeviceTest, SharedHardwareIsRejected) {
  EXPECT_EQ(
      NodeError(R"({"id": "gpu0", "kind": "emulated", "profile": "ref-gpu", "mem_mib": 11264})",
                R"({"id": "cpu1", "kind": "cpu", "cores": "1-3"})"),
      "node.json: /devices/1/cores: core 1 already belongs to device 'cpu0'");
  EXPECT_EQ(
      NodeError(R"({"id": "gpu0", "kind": "emulated", "profile": "ref-gpu", "mem_mib": 11264})",
                R"({"id": "gpu0", "kind": "cuda-mps", "cuda_device": 0, "mem_mib": 1})"),
      "node.json: /devices/2/cuda_device: CUDA device 0 already belongs to device 'gpu0'");
}

TEST(SpecDeviceTest, FieldsDependOnKind) {
  EXPECT_THAT(NodeError(R"("profile": "ref-gpu")", R"("profile": "ref-gpu", "cores": "0")"),
              StartsWith("node.json: /devices/1/cores: unknown key"));
  EXPECT_EQ(NodeError(R"("cuda_device": 0, "mem_mib": 11264)", R"("cuda_device": 0)"),
            "node.json: /devices/2/mem_mib: missing required field");
  EXPECT_EQ(NodeError(R"("cores": "0-1")", R"("cores_": "0-1")"),
            "node.json: /devices/0/cores_: unknown key (allowed: id, kind, cores)");
}

TEST(SpecDeviceTest, BadValuesNamePointer) {
  EXPECT_EQ(NodeError(R"("mem_mib": 11264})", R"("mem_mib": -1})"),
            "node.json: /devices/1/mem_mib: must be > 0 (got -1)");
  EXPECT_THAT(NodeError(R"("cuda_device": 0)", R"("cuda_device": -2)"),
              StartsWith("node.json: /devices/2/cuda_device: must be a CUDA device ordinal"));
  EXPECT_THAT(NodeError(R"("cuda_device": 0)", R"("cuda_device": "0")"),
              StartsWith("node.json: /devices/2/cuda_device: must be an integer"));
  EXPECT_THAT(NodeError(R"("profile": "ref-gpu")", R"("profile": "../etc")"),
              StartsWith("node.json: /devices/1/profile: profile must be a folder name"));
  EXPECT_THAT(NodeError(R"("id": "cpu0")", R"("id": "cpu 0")"),
              StartsWith("node.json: /devices/0/id: device id must be"));
  EXPECT_EQ(NodeError(R"("id": "cpu0", )", ""), "node.json: /devices/0/id: missing required field");
}

TEST(SpecDeviceTest, NodeLevelErrorsNamePointer) {
  auto empty = ParseText(R"({"node": "n0", "devices": []})");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "node.json: /devices: must list at least one device");
  EXPECT_THAT(NodeError(R"("node": "n0")", R"("node": "n0", "name": "x")"),
              StartsWith("node.json: /name: unknown key"));
  auto missing = LoadNodeSpec("/nonexistent/node.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/node.json"));
}

}  // namespace
}  // namespace glet::model
