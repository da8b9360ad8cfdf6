#include "client/model_inputs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace glet::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

inference::ModelMetadataResponse Meta(const std::string& dtype, std::vector<int64_t> shape) {
  inference::ModelMetadataResponse m;
  m.set_name("m");
  auto* in = m.add_inputs();
  in->set_name("input");
  in->set_datatype(dtype);
  for (int64_t d : shape) {
    in->add_shape(d);
  }
  return m;
}

TEST(ModelInputsTest, LeadingMinusOneBecomesOneItem) {
  auto in = InputsFromMetadata(Meta("FP32", {-1, 3, 4}), 1);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->inputs.size(), 1u);
  EXPECT_THAT(in->inputs[0].shape, ElementsAre(1, 3, 4));
  EXPECT_EQ(in->inputs[0].raw.size(), 12 * 4u);
  EXPECT_EQ(in->inputs[0].datatype, "FP32");
}

TEST(ModelInputsTest, FixedShapeIsKept) {
  auto in = InputsFromMetadata(Meta("INT64", {2, 5}), 1);
  ASSERT_TRUE(in.ok());
  EXPECT_THAT(in->inputs[0].shape, ElementsAre(2, 5));
  EXPECT_EQ(in->inputs[0].raw.size(), 10 * 8u);
}

TEST(ModelInputsTest, DeterministicInSeed) {
  auto a = InputsFromMetadata(Meta("FP32", {-1, 8}), 1);
  auto b = InputsFromMetadata(Meta("FP32", {-1, 8}), 1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->inputs[0].raw, b->inputs[0].raw);
}

TEST(ModelInputsTest, RefusesWhatItCannotBuild) {
  struct Case {
    inference::ModelMetadataResponse meta;
    const char* message;
  };
  inference::ModelMetadataResponse none;
  none.set_name("m");
  for (const Case& c : {Case{Meta("BYTES", {-1, 1}), "model m: input 'input': datatype BYTES"},
                        Case{Meta("FP32", {-1, -1}), "dimension 1 is variable"},
                        Case{Meta("FP32", {}), "scalar inputs are not supported"},
                        Case{Meta("FP32", {0, 3}), "dimension 0 must be -1 or >= 1"},
                        Case{none, "model m: the server's metadata lists no inputs"}}) {
    auto in = InputsFromMetadata(c.meta, 1);
    ASSERT_FALSE(in.ok()) << c.message;
    EXPECT_EQ(in.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(in.status().message(), HasSubstr(c.message));
  }
}

TEST(ModelInputsTest, MakeInferRequestUsesRawContents) {
  model::TensorSpec spec{"input", model::DType::kFloat32, {1, 28, 28}};
  inference::ModelInferRequest req = MakeInferRequest(InputsFromSpec("lenet", spec, 3));
  EXPECT_EQ(req.model_name(), "lenet");
  ASSERT_EQ(req.inputs_size(), 1);
  EXPECT_THAT(req.inputs(0).shape(), ElementsAre(1, 1, 28, 28));
  ASSERT_EQ(req.raw_input_contents_size(), 1);
  EXPECT_EQ(req.raw_input_contents(0).size(), 28 * 28 * 4u);
  EXPECT_FALSE(req.inputs(0).has_contents());
}

}  // namespace
}  // namespace glet::client
