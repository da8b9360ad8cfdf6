#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>

#include "model/model_spec.h"
#include "testing/test_util.h"

namespace glet::model {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kGood[] = R"({"name": "a", "file": "a.pt",
  "input": {"name": "input", "dtype": "FP32", "shape": [3, 4]},
  "output": {"name": "output", "dtype": "FP32", "shape": [10]},
  "slo_ms": 20, "mem_mib": 100})";

// Parses a manifest from text under the name "m.json" and returns its error message ("" if OK).
std::string ManifestError(const std::string& text) {
  auto json = ParseJson(text, "m.json");
  if (!json.ok()) {
    return json.status().message();
  }
  auto manifest = ModelManifest::FromJson(JsonReader(*json, "m.json"));
  if (manifest.ok()) {
    return "";
  }
  EXPECT_EQ(manifest.status().code(), StatusCode::kInvalidArgument);
  return manifest.status().message();
}

// kGood with `from` replaced by `to` (once), as a one-model manifest.
std::string WithEdit(const std::string& from, const std::string& to) {
  std::string model = kGood;
  size_t pos = model.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  model.replace(pos, from.size(), to);
  return R"({"models": [)" + model + "]}";
}

TEST(SpecModelTest, ParsesOneModelWithDefaults) {
  EXPECT_EQ(ManifestError(R"({"models": [)" + std::string(kGood) + "]}"), "");
  auto json = ParseJson(kGood, "m.json");
  ASSERT_TRUE(json.ok());
  auto spec = ParseModelSpec(JsonReader(*json, "m.json"));
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->name, "a");
  EXPECT_EQ(spec->input.shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(spec->output.dtype, DType::kFloat32);
  EXPECT_EQ(spec->slo_ms, 20);
  EXPECT_EQ(spec->mem_mib, 100);
  EXPECT_EQ(spec->max_batch, 32);
}

TEST(SpecModelTest, UnknownKeyNamesPointer) {
  EXPECT_THAT(ManifestError(WithEdit(R"("slo_ms": 20)", R"("slo_ms": 20, "slo": 5)")),
              StartsWith("m.json: /models/0/slo: unknown key"));
  EXPECT_THAT(ManifestError(WithEdit(R"("shape": [10])", R"("shape": [10], "layout": "NC")")),
              StartsWith("m.json: /models/0/output/layout: unknown key"));
  EXPECT_THAT(ManifestError(R"({"models": [], "extra": 1})"),
              StartsWith("m.json: /extra: unknown key"));
}

TEST(SpecModelTest, WrongTypeNamesPointer) {
  EXPECT_THAT(ManifestError(WithEdit(R"("slo_ms": 20)", R"("slo_ms": "fast")")),
              StartsWith("m.json: /models/0/slo_ms: must be a number"));
  EXPECT_THAT(ManifestError(WithEdit(R"("shape": [3, 4])", R"("shape": [3, "4"])")),
              StartsWith("m.json: /models/0/input/shape/1: must be an integer"));
  EXPECT_THAT(ManifestError(R"({"models": {}})"), StartsWith("m.json: /models: must be an array"));
}

TEST(SpecModelTest, MissingFieldNamesPointer) {
  EXPECT_EQ(ManifestError(WithEdit(R"("file": "a.pt",)", "")),
            "m.json: /models/0/file: missing required field");
  EXPECT_EQ(ManifestError(WithEdit(R"("dtype": "FP32", "shape": [10])", R"("dtype": "FP32")")),
            "m.json: /models/0/output/shape: missing required field");
}

TEST(SpecModelTest, NegativeSloNamesPointerAndValue) {
  EXPECT_EQ(ManifestError(WithEdit(R"("slo_ms": 20)", R"("slo_ms": -5)")),
            "m.json: /models/0/slo_ms: must be > 0 (got -5)");
  EXPECT_EQ(ManifestError(WithEdit(R"("mem_mib": 100)", R"("mem_mib": 0)")),
            "m.json: /models/0/mem_mib: must be > 0 (got 0)");
}

TEST(SpecModelTest, BadValuesNamePointer) {
  EXPECT_THAT(
      ManifestError(WithEdit(R"("dtype": "FP32", "shape": [3)", R"("dtype": "FP16", "shape": [3)")),
      StartsWith("m.json: /models/0/input/dtype: unknown dtype 'FP16'"));
  EXPECT_THAT(ManifestError(WithEdit("[3, 4]", "[3, 0]")),
              StartsWith("m.json: /models/0/input/shape/1: dimension must be >= 1"));
  EXPECT_THAT(ManifestError(WithEdit(R"("mem_mib": 100)", R"("mem_mib": 100, "max_batch": 0)")),
              StartsWith("m.json: /models/0/max_batch: must be in [1, 65536]"));
  EXPECT_THAT(ManifestError(WithEdit(R"("name": "a")", R"("name": "res net")")),
              StartsWith("m.json: /models/0/name: model name must be"));
  EXPECT_THAT(ManifestError(WithEdit(R"("file": "a.pt")", R"("file": "")")),
              StartsWith("m.json: /models/0/file: must not be empty"));
}

TEST(SpecModelTest, DuplicateNameNamesSecondDefinition) {
  std::string text = R"({"models": [)" + std::string(kGood) + ", " + kGood + "]}";
  EXPECT_EQ(ManifestError(text),
            "m.json: /models/1/name: duplicate model name 'a' (first at /models/0)");
}

TEST(SpecModelTest, LoadsTheZooManifest) {
  auto manifest = ModelManifest::Load(testing::SourcePath("resource/models.json"));
  ASSERT_TRUE(manifest.ok()) << manifest.status().message();
  for (const char* name : {"lenet", "lenet1", "lenet6", "googlenet", "resnet50", "mobilenet_v2",
                           "mnasnet1_0", "vgg16", "densenet161", "bert", "ssd-mobilenetv1"}) {
    EXPECT_TRUE(manifest->Find(name).ok()) << name;
  }
  const ModelSpec* lenet = *manifest->Find("lenet");
  EXPECT_EQ(lenet->slo_ms, 5);
  EXPECT_EQ(lenet->input.shape, (std::vector<int64_t>{1, 28, 28}));
  EXPECT_EQ(lenet->output.shape, (std::vector<int64_t>{10}));
  EXPECT_EQ((*manifest->Find("lenet4"))->file, "lenet.pt");
  const ModelSpec* resnet = *manifest->Find("resnet50");
  EXPECT_EQ(resnet->file, "resnet50.pt");
  EXPECT_EQ(resnet->slo_ms, 108);
  EXPECT_EQ(resnet->mem_mib, 1820);
  EXPECT_EQ(resnet->max_batch, 32);
  EXPECT_EQ(resnet->input.shape, (std::vector<int64_t>{3, 224, 224}));
  const ModelSpec* bert = *manifest->Find("bert");
  EXPECT_EQ(bert->input.dtype, DType::kInt64);
  EXPECT_EQ(bert->input.shape, (std::vector<int64_t>{128}));
  EXPECT_EQ(bert->output.shape, (std::vector<int64_t>{128, 768}));
  EXPECT_EQ(bert->slo_ms, 22);
  EXPECT_EQ((*manifest->Find("ssd-mobilenetv1"))->input.shape, (std::vector<int64_t>{3, 300, 300}));
}

TEST(SpecModelTest, FindUnknownIsNotFoundListingKnown) {
  auto json = ParseJson(R"({"models": [)" + std::string(kGood) + "]}", "m.json");
  auto manifest = ModelManifest::FromJson(JsonReader(*json, "m.json"));
  ASSERT_TRUE(manifest.ok());
  auto found = manifest->Find("b");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(found.status().message(), "unknown model 'b' (known: a)");
}

TEST(SpecModelTest, LoadMissingFileIsInvalidArgumentNamingIt) {
  auto manifest = ModelManifest::Load("/nonexistent/models.json");
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(manifest.status().message(), HasSubstr("/nonexistent/models.json"));
}

TEST(SpecModelTest, LoadNamesTheFileInFieldErrors) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("zoo.json", WithEdit(R"("slo_ms": 20)", R"("slo_ms": -1)"));
  auto manifest = ModelManifest::Load(path);
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().message(), path + ": /models/0/slo_ms: must be > 0 (got -1)");
}

TEST(SpecModelTest, ResolveFile) {
  ModelSpec spec;
  spec.file = "a.pt";
  EXPECT_EQ(ModelManifest::ResolveFile(spec, "/cache/models"), "/cache/models/a.pt");
  EXPECT_EQ(ModelManifest::ResolveFile(spec, ""), "a.pt");
  spec.file = "/abs/a.pt";
  EXPECT_EQ(ModelManifest::ResolveFile(spec, "/cache/models"), "/abs/a.pt");
}

// Sets an environment variable for one scope and restores the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = getenv(name);
    if (old != nullptr) {
      old_ = old;
    }
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(SpecModelTest, ResourceDirFollowsEnvironment) {
  ScopedEnv env("GLET_RESOURCE_DIR", "/opt/glet/resource");
  EXPECT_EQ(ResourceDir(), "/opt/glet/resource");
  EXPECT_EQ(DefaultManifestPath(), "/opt/glet/resource/models.json");
}

TEST(SpecModelTest, ResourceDirFoundAboveTheBinary) {
  ScopedEnv env("GLET_RESOURCE_DIR", nullptr);
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  std::filesystem::path source = std::filesystem::canonical(testing::SourcePath(""));
  if (exe.string().rfind(source.string() + "/", 0) != 0) {
    GTEST_SKIP() << "the test binary " << exe << " is not under the source tree " << source;
  }
  std::filesystem::path found = ResourceDir();
  EXPECT_TRUE(std::filesystem::equivalent(found, testing::SourcePath("resource")))
      << found.string();
  EXPECT_TRUE(std::filesystem::exists(DefaultManifestPath()));
}

TEST(SpecModelTest, FindResourceDirAboveWalksUp) {
  testing::TempDir dir;
  dir.WriteFile("resource/models.json", "{}");
  std::filesystem::create_directories(dir.path() + "/build/tests/model");
  EXPECT_EQ(FindResourceDirAbove(dir.path() + "/build/tests/model"), dir.path() + "/resource");
  EXPECT_EQ(FindResourceDirAbove(dir.path()), dir.path() + "/resource");
  testing::TempDir empty;
  EXPECT_THAT(FindResourceDirAbove(empty.path()), Not(StartsWith(empty.path())));
}

}  // namespace
}  // namespace glet::model
