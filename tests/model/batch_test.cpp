#include "model/batch.h"

#include <gtest/gtest.h>

namespace glet::model {
namespace {

TensorSpec ItemSpec() { return TensorSpec{"x", DType::kFloat32, {2, 3}}; }

Tensor Filled(int64_t n, float base) {
  Tensor t(DType::kFloat32, {n, 2, 3});
  float* p = t.mutable_data_as<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    p[i] = base + static_cast<float>(i);
  }
  return t;
}

TEST(BatchTest, AssembleThenSplitRoundTrips) {
  Tensor a = Filled(1, 0);
  Tensor b = Filled(3, 100);
  Tensor c = Filled(2, 1000);
  auto batch = AssembleBatch({&a, &b, &c}, ItemSpec());
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(batch->shape(), (std::vector<int64_t>{6, 2, 3}));
  auto parts = SplitBatch(*batch, {1, 3, 2});
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].bytes(), a.bytes());
  EXPECT_EQ((*parts)[1].bytes(), b.bytes());
  EXPECT_EQ((*parts)[2].bytes(), c.bytes());
  EXPECT_EQ((*parts)[1].shape(), (std::vector<int64_t>{3, 2, 3}));
}

TEST(BatchTest, AssembleNamesTheBadRequest) {
  Tensor good = Filled(1, 0);
  Tensor bad(DType::kFloat32, {1, 3, 2});
  auto batch = AssembleBatch({&good, &bad}, ItemSpec());
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(batch.status().message().find("request 1"), std::string::npos)
      << batch.status().message();
  Tensor wrong_type(DType::kInt64, {1, 2, 3});
  auto typed = AssembleBatch({&wrong_type}, ItemSpec());
  ASSERT_FALSE(typed.ok());
  EXPECT_NE(typed.status().message().find("request 0"), std::string::npos);
}

TEST(BatchTest, SplitRejectsCountsThatDoNotSum) {
  Tensor out(DType::kFloat32, {4, 10});
  auto parts = SplitBatch(out, {1, 2});
  ASSERT_FALSE(parts.ok());
  EXPECT_NE(parts.status().message().find("sum to 3 but output has 4 rows"), std::string::npos);
  EXPECT_FALSE(SplitBatch(out, {4, 0}).ok());
}

}  // namespace
}  // namespace glet::model
