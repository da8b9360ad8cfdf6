// Real TorchScript files exported by scripts/setup.sh (scripts/export_models.py) into
// $GLET_HOME/models, loaded and run through libtorch.
#include "model/torch_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/file_util.h"
#include "model/batch.h"
#include "testing/test_util.h"

namespace glet::model {
namespace {

ModelSpec SpecFor(const std::string& name) {
  auto manifest = ModelManifest::Load(testing::SourcePath("resource/models.json"));
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  auto spec = manifest->Find(name);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return **spec;
}

std::unique_ptr<Model> Load(const std::string& name) {
  ModelSpec spec = SpecFor(name);
  std::string path = ModelManifest::ResolveFile(spec, ModelCacheDir());
  EXPECT_TRUE(FileExists(path)) << path << " missing: run scripts/setup.sh (it exports models)";
  auto model = LoadTorchModel(spec, path, TorchOptions{});
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(*model) : nullptr;
}

bool AllFinite(const Tensor& t) {
  const float* p = t.data_as<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (!std::isfinite(p[i])) {
      return false;
    }
  }
  return true;
}

TEST(TorchModelTest, LenetRunsABatchAndSplitsPerRequest) {
  std::unique_ptr<Model> lenet = Load("lenet");
  ASSERT_NE(lenet, nullptr);
  Tensor a = MakeRandomInput(lenet->spec().input, 1, 1);
  Tensor b = MakeRandomInput(lenet->spec().input, 2, 2);
  auto batch = AssembleBatch({&a, &b}, lenet->spec().input);
  ASSERT_TRUE(batch.ok());
  auto out = lenet->Run(*batch);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->shape(), (std::vector<int64_t>{3, 10}));
  EXPECT_TRUE(AllFinite(*out));
  // Batching must not change a request's answer: run `a` alone and compare.
  auto alone = lenet->Run(a);
  ASSERT_TRUE(alone.ok());
  auto parts = SplitBatch(*out, {1, 2});
  ASSERT_TRUE(parts.ok());
  const float* x = alone->data_as<float>();
  const float* y = (*parts)[0].data_as<float>();
  for (int i = 0; i < 10; ++i) {
    EXPECT_NEAR(x[i], y[i], 1e-4);
  }
}

TEST(TorchModelTest, MobilenetV2RunsBatchOfFour) {
  std::unique_ptr<Model> m = Load("mobilenet_v2");
  ASSERT_NE(m, nullptr);
  auto out = m->Run(MakeRandomInput(m->spec().input, 4, 7));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->shape(), (std::vector<int64_t>{4, 1000}));
  EXPECT_TRUE(AllFinite(*out));
}

TEST(TorchModelTest, WrongShapeIsInvalidArgumentNamingShapes) {
  std::unique_ptr<Model> lenet = Load("lenet");
  ASSERT_NE(lenet, nullptr);
  auto out = lenet->Run(Tensor(DType::kFloat32, {1, 3, 28, 28}));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("[1,3,28,28]"), std::string::npos)
      << out.status().message();
}

TEST(TorchModelTest, MissingFileSaysHowToExport) {
  ModelSpec spec = SpecFor("lenet");
  auto model = LoadTorchModel(spec, "/nonexistent/lenet.pt", TorchOptions{});
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(model.status().message().find("scripts/export_models.py --models lenet"),
            std::string::npos);
}

TEST(TorchModelTest, CorruptFileIsInvalidArgument) {
  testing::TempDir dir;
  std::string path = dir.WriteFile("bad.pt", "not a zip archive");
  auto model = LoadTorchModel(SpecFor("lenet"), path, TorchOptions{});
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(model.status().message().find(path), std::string::npos);
}

TEST(TorchModelTest, CudaDeviceWithoutCudaIsFailedPrecondition) {
  if (TorchHasCuda()) {
    GTEST_SKIP() << "this libtorch has CUDA; the no-CUDA path is not reachable here";
  }
  auto model =
      LoadTorchModel(SpecFor("lenet"), testing::ModelPath("lenet.pt"), TorchOptions{"cuda:0"});
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace glet::model
