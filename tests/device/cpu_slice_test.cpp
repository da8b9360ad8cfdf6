#include "device/cpu_slice.h"

#include <gtest/gtest.h>
#include <sched.h>

#include "device/cuda_mps_slice.h"
#include "model/torch_model.h"

namespace glet::device {
namespace {

// Restores the process's affinity and torch threads after a test pins them.
class CpuSliceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sched_getaffinity(0, sizeof(saved_), &saved_);
    threads_ = model::TorchIntraOpThreads();
  }
  void TearDown() override {
    sched_setaffinity(0, sizeof(saved_), &saved_);
    model::SetTorchIntraOpThreads(threads_);
  }
  cpu_set_t saved_;
  int threads_ = 1;
};

TEST_F(CpuSliceTest, ActivatePinsProcessAndSizesThreadPool) {
  std::vector<int> allowed = AllowedCores();
  ASSERT_FALSE(allowed.empty());
  SliceSpec spec = *SliceSpec::Parse("cpu:" + std::to_string(allowed.front()));
  auto slice = CpuSlice::Create(spec);
  ASSERT_TRUE(slice.ok()) << slice.status().ToString();
  EXPECT_EQ((*slice)->partition(), static_cast<int>(100 / allowed.size()));
  ASSERT_TRUE((*slice)->Activate().ok());
  EXPECT_EQ(AllowedCores(), std::vector<int>{allowed.front()});
  EXPECT_EQ(model::TorchIntraOpThreads(), 1);
}

TEST_F(CpuSliceTest, CoreThisMachineLacksIsInvalidArgumentNamingIt) {
  auto slice = CpuSlice::Create(*SliceSpec::Parse("cpu:0-4095"));
  ASSERT_FALSE(slice.ok());
  EXPECT_EQ(slice.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(slice.status().message().find("is not available"), std::string::npos);
}

TEST(CudaMpsSliceTest, ProcessEnvCarriesShareAndDevice) {
  CudaMpsSlice slice(*SliceSpec::Parse("cuda:1:30"));
  auto env = slice.ProcessEnv();
  ASSERT_EQ(env.size(), 2u);
  EXPECT_EQ(env[0],
            std::make_pair(std::string("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE"), std::string("30")));
  EXPECT_EQ(env[1], std::make_pair(std::string("CUDA_VISIBLE_DEVICES"), std::string("1")));
}

TEST(CudaMpsSliceTest, ActivateWithoutCudaIsFailedPrecondition) {
  if (model::TorchHasCuda()) {
    GTEST_SKIP() << "libtorch has CUDA here; covered by the GPU run";
  }
  CudaMpsSlice slice(*SliceSpec::Parse("cuda:0:50"));
  Status s = slice.Activate();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("cuda:0:50"), std::string::npos);
}

}  // namespace
}  // namespace glet::device
