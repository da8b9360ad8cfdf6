// Tests for serve/tensor_proto.h: round trips through TensorData and KServe tensors, and every
// validation error naming the tensor and the size at fault.
#include "serve/tensor_proto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

model::Tensor Iota(model::DType dtype, std::vector<int64_t> shape) {
  model::Tensor t(dtype, std::move(shape));
  for (size_t i = 0; i < t.byte_size(); ++i) {
    t.mutable_data()[i] = static_cast<std::byte>(i % 251);
  }
  return t;
}

TEST(TensorProtoTest, RoundTripsThroughTensorData) {
  for (model::DType dtype :
       {model::DType::kFloat32, model::DType::kInt64, model::DType::kInt32, model::DType::kUint8}) {
    model::Tensor t = Iota(dtype, {2, 3, 4});
    control::TensorData proto = TensorToProto(t);
    EXPECT_EQ(proto.dtype(), model::DTypeName(dtype));
    Result<model::Tensor> back = TensorFromProto(proto, "input");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->dtype(), dtype);
    EXPECT_EQ(back->shape(), t.shape());
    EXPECT_EQ(back->bytes(), t.bytes());
  }
}

TEST(TensorProtoTest, ParsesEmptyBatchAndScalar) {
  control::TensorData proto;
  proto.set_dtype("FP32");
  proto.add_shape(0);
  proto.add_shape(4);
  Result<model::Tensor> empty = TensorFromProto(proto, "x");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->byte_size(), 0u);
  control::TensorData scalar;
  scalar.set_dtype("INT64");
  scalar.set_raw(std::string(8, '\0'));
  EXPECT_TRUE(TensorFromProto(scalar, "x").ok());
}

TEST(TensorProtoTest, RejectsRawSizeMismatchNamingSizes) {
  control::TensorData proto = TensorToProto(Iota(model::DType::kFloat32, {2, 3}));
  proto.set_raw(std::string(12, '\0'));
  Result<model::Tensor> t = TensorFromProto(proto, "batch 7 input");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("batch 7 input: raw holds 12 bytes"));
  EXPECT_THAT(t.status().message(), HasSubstr("[2,3] of FP32 needs 24"));
}

TEST(TensorProtoTest, RejectsUnknownDtypeNegativeDimAndHugeShape) {
  control::TensorData proto;
  proto.set_dtype("BYTES");
  Result<model::Tensor> t = TensorFromProto(proto, "in");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("in: unknown dtype 'BYTES'"));

  proto.set_dtype("FP32");
  proto.add_shape(2);
  proto.add_shape(-1);
  t = TensorFromProto(proto, "in");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("in: shape [2,-1]: dims must be >= 0"));

  proto.clear_shape();
  for (int i = 0; i < 4; ++i) {
    proto.add_shape(int64_t{1} << 20);
  }
  t = TensorFromProto(proto, "in");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("too large"));
}

TEST(TensorProtoTest, KServeRawInputRoundTrips) {
  inference::ModelInferRequest request;
  model::Tensor a = Iota(model::DType::kFloat32, {1, 4});
  model::Tensor b = Iota(model::DType::kInt64, {2});
  AppendKServeInput(a, "a", &request);
  AppendKServeInput(b, "b", &request);
  Result<model::Tensor> got = TensorFromKServeInput(request, 1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->dtype(), model::DType::kInt64);
  EXPECT_EQ(got->bytes(), b.bytes());
}

TEST(TensorProtoTest, KServeTypedContentsForEachDtype) {
  inference::ModelInferRequest request;
  auto* in = request.add_inputs();
  in->set_name("x");
  in->add_shape(1);
  in->add_shape(2);
  in->set_datatype("FP32");
  in->mutable_contents()->add_fp32_contents(1.5f);
  in->mutable_contents()->add_fp32_contents(-2.0f);
  Result<model::Tensor> f = TensorFromKServeInput(request, 0);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->data_as<float>()[1], -2.0f);

  in->set_datatype("UINT8");
  in->mutable_contents()->Clear();
  in->mutable_contents()->add_uint_contents(7);
  in->mutable_contents()->add_uint_contents(255);
  Result<model::Tensor> u = TensorFromKServeInput(request, 0);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->data_as<uint8_t>()[1], 255);

  in->mutable_contents()->set_uint_contents(1, 256);
  u = TensorFromKServeInput(request, 0);
  ASSERT_FALSE(u.ok());
  EXPECT_THAT(u.status().message(),
              HasSubstr("input 'x': uint_contents[1] = 256 is out of range for UINT8"));

  in->set_datatype("INT64");
  in->mutable_contents()->Clear();
  in->mutable_contents()->add_int64_contents(1);
  Result<model::Tensor> l = TensorFromKServeInput(request, 0);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(l.status().message(),
              HasSubstr("input 'x': int64_contents holds 1 values, shape [1,2] needs 2"));
}

TEST(TensorProtoTest, KServeRejectsRawCountMismatchAndBothForms) {
  inference::ModelInferRequest request;
  AppendKServeInput(Iota(model::DType::kInt32, {1, 2}), "a", &request);
  auto* b = request.add_inputs();
  b->set_name("b");
  b->set_datatype("INT32");
  b->add_shape(1);
  Result<model::Tensor> t = TensorFromKServeInput(request, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("input 'b': raw_input_contents has 1 entries, expected one per input (2)"));

  request.add_raw_input_contents(std::string(4, '\0'));
  b->mutable_contents()->add_int_contents(3);
  t = TensorFromKServeInput(request, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("input 'b': data given both"));
}

TEST(TensorProtoTest, KServeOutputRoundTrips) {
  inference::ModelInferResponse response;
  model::Tensor t = Iota(model::DType::kFloat32, {3, 10});
  AppendKServeOutput(t, "output", &response);
  ASSERT_EQ(response.outputs_size(), 1);
  EXPECT_EQ(response.outputs(0).datatype(), "FP32");
  Result<model::Tensor> back = TensorFromKServeOutput(response, 0);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_EQ(back->bytes(), t.bytes());
}

}  // namespace
}  // namespace glet::serve
