#include "model/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace glet::model {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(TensorTest, DTypeNamesRoundTrip) {
  for (DType d : {DType::kFloat32, DType::kInt64, DType::kInt32, DType::kUint8}) {
    auto parsed = ParseDType(DTypeName(d));
    ASSERT_TRUE(parsed.ok()) << DTypeName(d);
    EXPECT_EQ(*parsed, d);
  }
  EXPECT_EQ(DTypeName(DType::kFloat32), "FP32");
  EXPECT_EQ(*ParseDType("float32"), DType::kFloat32);
  EXPECT_EQ(*ParseDType("int64"), DType::kInt64);
  EXPECT_EQ(*ParseDType("fp32"), DType::kFloat32);
}

TEST(TensorTest, UnknownDTypeIsInvalidArgumentNamingIt) {
  auto parsed = ParseDType("FP16");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("'FP16'"));
}

TEST(TensorTest, SizesAndShapes) {
  EXPECT_EQ(DTypeSize(DType::kFloat32), 4u);
  EXPECT_EQ(DTypeSize(DType::kInt64), 8u);
  EXPECT_EQ(DTypeSize(DType::kInt32), 4u);
  EXPECT_EQ(DTypeSize(DType::kUint8), 1u);
  EXPECT_EQ(ShapeToString({8, 3, 224, 224}), "[8,3,224,224]");
  EXPECT_EQ(ShapeToString({}), "[]");
  EXPECT_EQ(NumElements({}), 1);
  EXPECT_EQ(NumElements({2, 3, 4}), 24);
  EXPECT_EQ(NumElements({2, 0}), 0);
}

TEST(TensorTest, ConstructorZeroFills) {
  Tensor t(DType::kInt64, {2, 3});
  EXPECT_EQ(t.num_elements(), 6);
  EXPECT_EQ(t.byte_size(), 48u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(t.data_as<int64_t>()[i], 0);
  }
  t.mutable_data_as<int64_t>()[5] = 7;
  EXPECT_EQ(t.data_as<int64_t>()[5], 7);
}

TEST(TensorTest, ConstructorTakesBytes) {
  std::vector<std::byte> bytes(4 * 2, std::byte{1});
  Tensor t(DType::kFloat32, {1, 2}, std::move(bytes));
  EXPECT_EQ(t.byte_size(), 8u);
  EXPECT_EQ(t.bytes()[7], std::byte{1});
}

TEST(TensorTest, CheckTensorMatchesAcceptsAnyBatch) {
  TensorSpec spec{"x", DType::kFloat32, {3, 4}};
  EXPECT_TRUE(CheckTensorMatches(Tensor(DType::kFloat32, {1, 3, 4}), spec, "r").ok());
  EXPECT_TRUE(CheckTensorMatches(Tensor(DType::kFloat32, {9, 3, 4}), spec, "r").ok());
}

TEST(TensorTest, CheckTensorMatchesNamesWhatAndBothShapes) {
  TensorSpec spec{"x", DType::kFloat32, {3, 4}};
  Status s = CheckTensorMatches(Tensor(DType::kFloat32, {2, 4, 3}), spec, "request 17: input 'x'");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "request 17: input 'x': wrong shape: expected FP32 [n,3,4] with n >= 1, got FP32 "
            "[2,4,3]");
}

TEST(TensorTest, CheckTensorMatchesRejectsDTypeRankAndEmptyBatch) {
  TensorSpec spec{"x", DType::kInt64, {5}};
  EXPECT_THAT(CheckTensorMatches(Tensor(DType::kInt32, {1, 5}), spec, "w").message(),
              StartsWith("w: wrong dtype: expected INT64 [n,5]"));
  EXPECT_THAT(CheckTensorMatches(Tensor(DType::kInt64, {5}), spec, "w").message(),
              StartsWith("w: wrong rank"));
  EXPECT_THAT(CheckTensorMatches(Tensor(DType::kInt64, {0, 5}), spec, "w").message(),
              StartsWith("w: empty batch"));
}

TEST(TensorTest, CheckTensorMatchesScalarItems) {
  TensorSpec spec{"s", DType::kFloat32, {}};
  EXPECT_TRUE(CheckTensorMatches(Tensor(DType::kFloat32, {4}), spec, "w").ok());
  EXPECT_THAT(CheckTensorMatches(Tensor(DType::kFloat32, {4, 1}), spec, "w").message(),
              HasSubstr("expected FP32 [n] with n >= 1"));
}

TEST(TensorTest, RandomInputIsDeterministicAndInRange) {
  TensorSpec spec{"x", DType::kFloat32, {3, 8, 8}};
  Tensor a = MakeRandomInput(spec, 2, 42);
  Tensor b = MakeRandomInput(spec, 2, 42);
  Tensor c = MakeRandomInput(spec, 2, 43);
  EXPECT_EQ(a.shape(), (std::vector<int64_t>{2, 3, 8, 8}));
  EXPECT_EQ(a.bytes(), b.bytes());
  EXPECT_NE(a.bytes(), c.bytes());
  EXPECT_TRUE(CheckTensorMatches(a, spec, "random").ok());
  bool varied = false;
  for (int64_t i = 0; i < a.num_elements(); ++i) {
    float v = a.data_as<float>()[i];
    EXPECT_GE(v, 0.0f);
    EXPECT_LT(v, 1.0f);
    varied |= v != a.data_as<float>()[0];
  }
  EXPECT_TRUE(varied);
}

TEST(TensorTest, RandomIntegerIdsStayBelowRange) {
  TensorSpec spec{"ids", DType::kInt64, {128}};
  Tensor t = MakeRandomInput(spec, 4, 7, 30522);
  int64_t max_seen = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    int64_t v = t.data_as<int64_t>()[i];
    EXPECT_GE(v, 0);
    EXPECT_LT(v, 30522);
    max_seen = std::max(max_seen, v);
  }
  EXPECT_GT(max_seen, 1000);  // uses the range, not the default
  Tensor bytes = MakeRandomInput({"b", DType::kUint8, {64}}, 1, 1, 100000);
  EXPECT_EQ(bytes.byte_size(), 64u);
  Tensor ints = MakeRandomInput({"i", DType::kInt32, {64}}, 1, 1, 3);
  for (int64_t i = 0; i < ints.num_elements(); ++i) {
    EXPECT_LT(ints.data_as<int32_t>()[i], 3);
  }
}

}  // namespace
}  // namespace glet::model
