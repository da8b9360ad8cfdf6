#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "model/app_spec.h"
#include "testing/test_util.h"

namespace glet::model {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Models "a" (FP32 [3] -> [2], max_batch 8) and "b" (FP32 [2] -> [2]).
ModelManifest SmallManifest() {
  auto json = ParseJson(R"({"models": [
    {"name": "a", "file": "a.pt", "input": {"name": "in", "dtype": "FP32", "shape": [3]},
     "output": {"name": "out", "dtype": "FP32", "shape": [2]}, "slo_ms": 10, "mem_mib": 1,
     "max_batch": 8},
    {"name": "b", "file": "b.pt", "input": {"name": "in", "dtype": "FP32", "shape": [2]},
     "output": {"name": "out", "dtype": "FP32", "shape": [2]}, "slo_ms": 10, "mem_mib": 1}]})",
                        "small.json");
  GLET_CHECK(json.ok());
  auto manifest = ModelManifest::FromJson(JsonReader(*json, "small.json"));
  GLET_CHECK(manifest.ok()) << manifest.status().message();
  return *manifest;
}

ModelManifest ZooManifest() {
  auto manifest = ModelManifest::Load(testing::SourcePath("resource/models.json"));
  GLET_CHECK(manifest.ok()) << manifest.status().message();
  return *manifest;
}

Result<AppSpec> ParseText(const std::string& text, const std::string& origin,
                          const ModelManifest* manifest) {
  GLET_ASSIGN_OR_RETURN(Json json, ParseJson(text, origin));
  return ParseAppSpec(JsonReader(json, origin), manifest);
}

// x -> s1 -> {s2, s3}; outputs s2, s3.
constexpr char kPipe[] = R"({"name": "pipe", "slo_ms": 50,
  "inputs": [{"name": "x", "dtype": "FP32", "shape": [3]}],
  "stages": [{"id": "s1", "model": "a", "inputs": ["x"]},
             {"id": "s2", "model": "b", "inputs": ["s1"], "max_batch": 4},
             {"id": "s3", "model": "b", "inputs": ["s1"], "fanout": 2.5}],
  "outputs": ["s2", "s3"]})";

std::string Edit(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// The error message of parsing kPipe with one edit, against SmallManifest() ("" if it loads).
std::string PipeError(const std::string& from, const std::string& to) {
  ModelManifest manifest = SmallManifest();
  auto app = ParseText(Edit(kPipe, from, to), "app.json", &manifest);
  if (app.ok()) {
    return "";
  }
  EXPECT_EQ(app.status().code(), StatusCode::kInvalidArgument);
  return app.status().message();
}

TEST(SpecAppTest, LoadsGletFormat) {
  ModelManifest manifest = SmallManifest();
  auto app = ParseText(kPipe, "app.json", &manifest);
  ASSERT_TRUE(app.ok()) << app.status().message();
  EXPECT_EQ(app->name, "pipe");
  EXPECT_EQ(app->slo_ms, 50);
  ASSERT_EQ(app->inputs.size(), 1u);
  EXPECT_EQ(app->inputs[0].name, "x");
  EXPECT_EQ(app->inputs[0].shape, (std::vector<int64_t>{3}));
  ASSERT_EQ(app->stages.size(), 3u);
  EXPECT_EQ(app->stages[0].id, "s1");
  EXPECT_EQ(app->stages[0].model, "a");
  EXPECT_EQ(app->stages[0].max_batch, 0);
  EXPECT_EQ(app->stages[1].max_batch, 4);
  EXPECT_EQ(app->stages[2].fanout, 2.5);
  EXPECT_THAT(app->outputs, ElementsAre("s2", "s3"));
  EXPECT_THAT(app->Consumers("s1"), ElementsAre("s2", "s3"));
  EXPECT_THAT(app->Consumers("x"), ElementsAre("s1"));
  EXPECT_TRUE(app->Consumers("s2").empty());
  EXPECT_EQ(app->StageIndex("s3"), 2);
  EXPECT_EQ(app->StageIndex("x"), -1);
}

TEST(SpecAppTest, StagesComeOutInTopologicalOrder) {
  // A diamond listed backwards: x -> a -> {b, c} -> d.
  auto app = ParseText(R"({"name": "diamond", "slo_ms": 10,
    "inputs": [{"name": "x", "dtype": "FP32", "shape": [3]}],
    "stages": [{"id": "d", "model": "m", "inputs": ["b", "c"]},
               {"id": "c", "model": "m", "inputs": ["a"]},
               {"id": "b", "model": "m", "inputs": ["a"]},
               {"id": "a", "model": "m", "inputs": ["x"]}],
    "outputs": ["d"]})",
                       "d.json", nullptr);
  ASSERT_TRUE(app.ok()) << app.status().message();
  std::vector<std::string> order;
  for (const AppStage& s : app->stages) {
    order.push_back(s.id);
  }
  // Ties between ready stages keep the file's order (c before b).
  EXPECT_THAT(order, ElementsAre("a", "c", "b", "d"));
  for (size_t i = 0; i < app->stages.size(); ++i) {
    for (const std::string& in : app->stages[i].inputs) {
      int j = app->StageIndex(in);
      EXPECT_LT(j, static_cast<int>(i)) << in << " must come before " << app->stages[i].id;
    }
  }
  EXPECT_THAT(app->stages[0].inputs, ElementsAre("x"));
  EXPECT_THAT(app->stages[3].inputs, ElementsAre("b", "c"));
}

// Each stage's time after it: the longest path of the later stages' least latencies.
TEST(SpecAppTest, TimeAfterStagesIsTheLongestPathOfTheLaterStages) {
  // x -> a -> {b (model mb: 5 ms), c (mc: 7 ms)} -> d (md: 3 ms).
  auto app = ParseText(R"({"name": "diamond", "slo_ms": 100,
    "inputs": [{"name": "x", "dtype": "FP32", "shape": [3]}],
    "stages": [{"id": "a", "model": "ma", "inputs": ["x"]},
               {"id": "b", "model": "mb", "inputs": ["a"]},
               {"id": "c", "model": "mc", "inputs": ["a"]},
               {"id": "d", "model": "md", "inputs": ["b", "c"]}],
    "outputs": ["d"]})",
                       "d.json", nullptr);
  ASSERT_TRUE(app.ok()) << app.status().message();
  const std::map<std::string, Duration> least = {{"ma", std::chrono::milliseconds(1)},
                                                 {"mb", std::chrono::milliseconds(5)},
                                                 {"mc", std::chrono::milliseconds(7)},
                                                 {"md", std::chrono::milliseconds(3)}};
  const std::vector<Duration> after =
      TimeAfterStages(*app, [&](const std::string& m) { return least.at(m); });
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after[app->StageIndex("a")], std::chrono::milliseconds(10));  // via c, then d
  EXPECT_EQ(after[app->StageIndex("b")], std::chrono::milliseconds(3));
  EXPECT_EQ(after[app->StageIndex("c")], std::chrono::milliseconds(3));
  EXPECT_EQ(after[app->StageIndex("d")], Duration::zero());  // an exit stage
}

TEST(SpecAppTest, UnknownKeyNamesPointer) {
  EXPECT_THAT(PipeError(R"("slo_ms": 50,)", R"("slo_ms": 50, "slo": 1,)"),
              StartsWith("app.json: /slo: unknown key"));
  EXPECT_THAT(PipeError(R"("model": "a",)", R"("modle": "a",)"),
              StartsWith("app.json: /stages/0/modle: unknown key"));
  EXPECT_THAT(PipeError(R"("shape": [3])", R"("shape": [3], "layout": "C")"),
              StartsWith("app.json: /inputs/0/layout: unknown key"));
}

TEST(SpecAppTest, WrongTypeNamesPointer) {
  EXPECT_THAT(PipeError(R"("slo_ms": 50)", R"("slo_ms": "50")"),
              StartsWith("app.json: /slo_ms: must be a number"));
  EXPECT_THAT(PipeError(R"("inputs": ["x"])", R"("inputs": "x")"),
              StartsWith("app.json: /stages/0/inputs: must be an array"));
  EXPECT_THAT(PipeError(R"("outputs": ["s2", "s3"])", R"("outputs": ["s2", 3])"),
              StartsWith("app.json: /outputs/1: must be a string"));
  EXPECT_THAT(PipeError(R"("max_batch": 4)", R"("max_batch": 4.5)"),
              StartsWith("app.json: /stages/1/max_batch: must be an integer"));
}

TEST(SpecAppTest, MissingFieldNamesPointer) {
  EXPECT_EQ(PipeError(R"(,
  "outputs": ["s2", "s3"])",
                      ""),
            "app.json: /outputs: missing required field");
  EXPECT_EQ(PipeError(R"({"id": "s2", "model": "b", )", R"({"id": "s2", )"),
            "app.json: /stages/1/model: missing required field");
}

TEST(SpecAppTest, NegativeSloNamesPointer) {
  EXPECT_EQ(PipeError(R"("slo_ms": 50)", R"("slo_ms": -5)"),
            "app.json: /slo_ms: must be > 0 (got -5)");
  EXPECT_EQ(PipeError(R"("fanout": 2.5)", R"("fanout": 0)"),
            "app.json: /stages/2/fanout: must be > 0 (got 0)");
}

TEST(SpecAppTest, DuplicateIdNamesBothPlaces) {
  EXPECT_EQ(PipeError(R"({"id": "s3")", R"({"id": "s2")"),
            "app.json: /stages/2/id: duplicate id 's2' (first at /stages/1/id)");
  EXPECT_EQ(PipeError(R"({"id": "s1", "model": "a", "inputs": ["x"]})",
                      R"({"id": "x", "model": "a", "inputs": ["x"]})"),
            "app.json: /stages/0/id: duplicate id 'x' (first at /inputs/0/name)");
  EXPECT_EQ(PipeError(R"("outputs": ["s2", "s3"])", R"("outputs": ["s2", "s3", "s2"])"),
            "app.json: /outputs/2: output 's2' listed twice (first at /outputs/0)");
}

TEST(SpecAppTest, UnknownModelNamesPointer) {
  EXPECT_EQ(PipeError(R"("model": "b", "inputs": ["s1"], "max_batch")",
                      R"("model": "c", "inputs": ["s1"], "max_batch")"),
            "app.json: /stages/1/model: unknown model 'c' (known: a, b)");
  // Without a manifest, model names are not checked.
  auto app = ParseText(Edit(kPipe, R"("model": "a")", R"("model": "zz")"), "app.json", nullptr);
  EXPECT_TRUE(app.ok()) << app.status().message();
}

TEST(SpecAppTest, DanglingEdgeNamesPointer) {
  EXPECT_EQ(PipeError(R"("inputs": ["s1"], "max_batch")", R"("inputs": ["s9"], "max_batch")"),
            "app.json: /stages/1/inputs/0: dangling edge: 's9' is neither an app input nor a "
            "stage");
  EXPECT_EQ(PipeError(R"("outputs": ["s2", "s3"])", R"("outputs": ["s2", "s3", "zz"])"),
            "app.json: /outputs/2: dangling edge: unknown stage 'zz'");
  EXPECT_EQ(PipeError(R"("outputs": ["s2", "s3"])", R"("outputs": ["s2", "s3", "x"])"),
            "app.json: /outputs/2: 'x' is an app input; outputs must be stages");
}

TEST(SpecAppTest, CycleNamesTheEdgeThatClosesIt) {
  EXPECT_EQ(PipeError(R"("inputs": ["x"])", R"("inputs": ["x", "s3"])"),
            "app.json: /stages/2/inputs/0: cycle: s1 -> s3 -> s1");
  EXPECT_EQ(PipeError(R"("inputs": ["s1"], "max_batch")", R"("inputs": ["s2"], "max_batch")"),
            "app.json: /stages/1/inputs/0: cycle: stage 's2' takes its own output");
}

TEST(SpecAppTest, LongerCycleListsEveryStage) {
  auto app = ParseText(R"({"name": "ring", "slo_ms": 10,
    "inputs": [{"name": "x", "dtype": "FP32", "shape": [3]}],
    "stages": [{"id": "a", "model": "m", "inputs": ["x", "c"]},
               {"id": "b", "model": "m", "inputs": ["a"]},
               {"id": "c", "model": "m", "inputs": ["b"]}],
    "outputs": ["c"]})",
                       "ring.json", nullptr);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().message(), "ring.json: /stages/1/inputs/0: cycle: a -> b -> c -> a");
}

TEST(SpecAppTest, StructuralProblemsNamePointer) {
  EXPECT_EQ(PipeError(R"("outputs": ["s2", "s3"])", R"("outputs": [])"),
            "app.json: /outputs: the app has no outputs");
  EXPECT_EQ(PipeError(R"("outputs": ["s2", "s3"])", R"("outputs": ["s2"])"),
            "app.json: /stages/2: the output of stage 's3' goes nowhere (no stage takes it and "
            "it is not an app output)");
  EXPECT_EQ(PipeError(R"("shape": [3]})", R"("shape": [3]}, {"name": "y", "dtype": "FP32",
                      "shape": [3]})"),
            "app.json: /inputs/1: app input 'y' is not consumed by any stage");
  EXPECT_EQ(PipeError(R"("inputs": ["x"])", R"("inputs": [])"),
            "app.json: /stages/0/inputs: must list at least one app input or stage");
  EXPECT_EQ(PipeError(R"("inputs": ["s1"], "max_batch")", R"("inputs": ["s1", "s1"], "max_batch")"),
            "app.json: /stages/1/inputs/1: input 's1' listed twice");
  EXPECT_THAT(PipeError(R"("name": "pipe")", R"("name": "")"),
              StartsWith("app.json: /name: must not be empty"));
}

TEST(SpecAppTest, ModelLimitsAreChecked) {
  EXPECT_EQ(PipeError(R"("inputs": ["x"])", R"("inputs": ["x"], "max_batch": 16)"),
            "app.json: /stages/0/max_batch: max_batch 16 exceeds model 'a' max_batch 8");
  EXPECT_EQ(PipeError(R"("shape": [3])", R"("shape": [4])"),
            "app.json: /stages/0/inputs/0: app input 'x' is FP32 [4] but model 'a' takes FP32 "
            "[3]");
}

TEST(SpecAppTest, FormatsAreToldApartByTheirKeys) {
  // A gpu-let key in a glet-format file is an unknown key, not a switch of format.
  EXPECT_THAT(PipeError(R"("slo_ms": 50,)", R"("slo_ms": 50, "Models": [],)"),
              StartsWith("app.json: /Models: unknown key (allowed: name, slo_ms,"));
  auto gpulet = ParseText(R"({"Name": "x"})", "g.json", nullptr);
  ASSERT_FALSE(gpulet.ok());
  EXPECT_EQ(gpulet.status().message(), "g.json: /Input: missing required field");
  auto empty = ParseText("{}", "e.json", nullptr);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "e.json: /name: missing required field");
}

TEST(SpecAppTest, NotAnObjectOrMissingFile) {
  auto app = ParseText("[1, 2]", "app.json", nullptr);
  ASSERT_FALSE(app.ok());
  EXPECT_THAT(app.status().message(), StartsWith("app.json: /: must be an object"));
  auto missing = LoadAppSpec("/nonexistent/app.json", nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/app.json"));
}

// ---- gpu-let application format ----

TEST(SpecAppTest, LoadsGpuLetGameApp) {
  ModelManifest zoo = ZooManifest();
  auto app = LoadAppSpec(testing::SourcePath("resource/apps/game.json"), &zoo);
  ASSERT_TRUE(app.ok()) << app.status().message();
  EXPECT_EQ(app->name, "game");
  EXPECT_EQ(app->slo_ms, 95);
  ASSERT_EQ(app->inputs.size(), 2u);
  EXPECT_EQ(app->inputs[0].name, "input0");
  EXPECT_EQ(app->inputs[0].shape, (std::vector<int64_t>{3, 224, 224}));
  EXPECT_EQ(app->inputs[1].name, "input1");
  EXPECT_EQ(app->inputs[1].dtype, DType::kFloat32);
  EXPECT_EQ(app->inputs[1].shape, (std::vector<int64_t>{1, 28, 28}));
  std::vector<std::string> ids;
  for (const AppStage& s : app->stages) {
    ids.push_back(s.id);
    EXPECT_EQ(s.max_batch, 32);
  }
  EXPECT_THAT(ids,
              ElementsAre("lenet1", "lenet2", "lenet3", "lenet4", "lenet5", "lenet6", "resnet50"));
  EXPECT_THAT(app->stages[0].inputs, ElementsAre("input1"));
  EXPECT_THAT(app->stages[6].inputs, ElementsAre("input0"));
  EXPECT_EQ(app->outputs, ids);
  EXPECT_EQ(app->Consumers("input1").size(), 6u);
}

TEST(SpecAppTest, LoadsGpuLetTrafficApp) {
  ModelManifest zoo = ZooManifest();
  auto app = LoadAppSpec(testing::SourcePath("resource/apps/traffic.json"), &zoo);
  ASSERT_TRUE(app.ok()) << app.status().message();
  EXPECT_EQ(app->name, "traffic");
  EXPECT_EQ(app->slo_ms, 69);
  ASSERT_EQ(app->inputs.size(), 1u);
  EXPECT_EQ(app->inputs[0].shape, (std::vector<int64_t>{3, 300, 300}));
  ASSERT_EQ(app->stages.size(), 3u);
  EXPECT_EQ(app->stages[0].id, "ssd-mobilenetv1");
  EXPECT_THAT(app->stages[0].inputs, ElementsAre("input0"));
  EXPECT_THAT(app->stages[1].inputs, ElementsAre("ssd-mobilenetv1"));
  EXPECT_THAT(app->Consumers("ssd-mobilenetv1"), ElementsAre("googlenet", "vgg16"));
  EXPECT_THAT(app->outputs, ElementsAre("googlenet", "vgg16"));
}

// traffic.json, compacted, for edits.
constexpr char kTraffic[] = R"({"Name": "traffic",
  "Input": [{"ID": 0, "InputDim": [3, 300, 300], "InputType": "FP32", "output": [1]}],
  "Models": [
    {"ID": 1, "input": [0], "output": [2, 3], "model": "ssd-mobilenetv1", "max_batch": 32, "SLO": 69},
    {"ID": 2, "input": [1], "output": [4], "model": "googlenet", "max_batch": 32, "SLO": 67},
    {"ID": 3, "input": [1], "output": [4], "model": "vgg16", "max_batch": 32, "SLO": 67}],
  "Output": [{"ID": 4, "input": [2, 3], "Comp": "None"}]})";

std::string TrafficError(const std::string& from, const std::string& to) {
  ModelManifest zoo = ZooManifest();
  auto app = ParseText(Edit(kTraffic, from, to), "traffic.json", &zoo);
  if (app.ok()) {
    return "";
  }
  EXPECT_EQ(app.status().code(), StatusCode::kInvalidArgument);
  return app.status().message();
}

TEST(SpecAppTest, GpuLetRepeatedModelGetsIdSuffix) {
  ModelManifest zoo = ZooManifest();
  auto app = ParseText(Edit(kTraffic, R"("model": "vgg16")", R"("model": "googlenet")"),
                       "traffic.json", &zoo);
  ASSERT_TRUE(app.ok()) << app.status().message();
  EXPECT_EQ(app->stages[0].id, "ssd-mobilenetv1");
  EXPECT_EQ(app->stages[1].id, "googlenet#2");
  EXPECT_EQ(app->stages[2].id, "googlenet#3");
  EXPECT_EQ(app->stages[2].model, "googlenet");
  EXPECT_THAT(app->outputs, ElementsAre("googlenet#2", "googlenet#3"));
}

TEST(SpecAppTest, GpuLetUnknownIdNamesPointer) {
  EXPECT_EQ(TrafficError(R"("ID": 2, "input": [1])", R"("ID": 2, "input": [42])"),
            "traffic.json: /Models/1/input/0: unknown id 42");
  EXPECT_EQ(TrafficError(R"("input": [2, 3], "Comp")", R"("input": [2, 7], "Comp")"),
            "traffic.json: /Output/0/input/1: unknown id 7");
}

TEST(SpecAppTest, GpuLetDuplicateIdNamesBothPlaces) {
  EXPECT_EQ(TrafficError(R"({"ID": 4, "input")", R"({"ID": 3, "input")"),
            "traffic.json: /Output/0/ID: duplicate id 3 (first at /Models/2/ID)");
}

TEST(SpecAppTest, GpuLetCycleNamesPointer) {
  // googlenet and vgg16 feed each other.
  std::string text = Edit(kTraffic, R"("ID": 2, "input": [1], "output": [4])",
                          R"("ID": 2, "input": [1, 3], "output": [3, 4])");
  text = Edit(text, R"("ID": 3, "input": [1], "output": [4])",
              R"("ID": 3, "input": [1, 2], "output": [2, 4])");
  ModelManifest zoo = ZooManifest();
  auto app = ParseText(text, "traffic.json", &zoo);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().message(),
            "traffic.json: /Models/2/input/1: cycle: googlenet -> vgg16 -> googlenet");
}

TEST(SpecAppTest, GpuLetEdgeSidesMustAgree) {
  EXPECT_EQ(TrafficError(R"("input": [2, 3], "Comp")", R"("input": [2], "Comp")"),
            "traffic.json: /Models/2/output/0: id 4 does not list 3 in its \"input\"");
  EXPECT_EQ(TrafficError(R"("ID": 2, "input": [1])", R"("ID": 2, "input": [4])"),
            "traffic.json: /Models/1/input/0: id 4 is an output, which cannot be an input of a "
            "model");
}

TEST(SpecAppTest, GpuLetFieldErrorsNamePointer) {
  EXPECT_EQ(TrafficError(R"("SLO": 69)", R"("SLO": -1)"),
            "traffic.json: /Models/0/SLO: must be > 0 (got -1)");
  EXPECT_THAT(TrafficError(R"("SLO": 69)", R"("SLO": "fast")"),
              StartsWith("traffic.json: /Models/0/SLO: must be a number"));
  EXPECT_THAT(TrafficError(R"("SLO": 69)", R"("SLO": 69, "slo": 1)"),
              StartsWith("traffic.json: /Models/0/slo: unknown key"));
  EXPECT_EQ(TrafficError(R"("InputType": "FP32", )", ""),
            "traffic.json: /Input/0/InputType: missing required field");
  EXPECT_THAT(TrafficError(R"("InputType": "FP32")", R"("InputType": "FP8")"),
              StartsWith("traffic.json: /Input/0/InputType: unknown dtype 'FP8'"));
  EXPECT_THAT(TrafficError(R"("model": "vgg16")", R"("model": "vgg17")"),
              StartsWith("traffic.json: /Models/2/model: unknown model 'vgg17' (known: lenet,"));
  EXPECT_EQ(TrafficError(R"("InputDim": [3, 300, 300])", R"("InputDim": [3, 224, 224])"),
            "traffic.json: /Models/0/input/0: app input 'input0' is FP32 [3,224,224] but model "
            "'ssd-mobilenetv1' takes FP32 [3,300,300]");
}

}  // namespace
}  // namespace glet::model
