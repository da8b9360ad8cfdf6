// KServe v2 JSON infer requests (serve/json_infer_request.h, ParseJsonInferRequest): what is
// accepted and how a bad body is named (issue 17: lowercase dtypes, ragged data and out-of-range
// values were accepted; 1e400 was a 500).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "serve/json_infer_request.h"

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

std::string Body(const std::string& datatype, const std::string& shape, const std::string& data) {
  return R"({"inputs": [{"name": "input", "datatype": ")" + datatype + R"(", "shape": )" + shape +
         R"(, "data": )" + data + "}]}";
}

TEST(HttpRequestTest, FlatAndShapedDataGiveTheSameTensor) {
  Result<JsonInferRequest> flat = ParseJsonInferRequest(Body("FP32", "[2, 2]", "[1, 2, 3, 4]"));
  Result<JsonInferRequest> shaped =
      ParseJsonInferRequest(Body("FP32", "[2, 2]", "[[1, 2], [3, 4]]"));
  ASSERT_TRUE(flat.ok()) << flat.status().ToString();
  ASSERT_TRUE(shaped.ok()) << shaped.status().ToString();
  ASSERT_EQ(flat->inputs.size(), 1u);
  EXPECT_EQ(flat->inputs[0].tensor.shape(), (std::vector<int64_t>{2, 2}));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(flat->inputs[0].tensor.data_as<float>()[i], i + 1);
    EXPECT_EQ(shaped->inputs[0].tensor.data_as<float>()[i], i + 1);
  }
  Result<JsonInferRequest> u8 = ParseJsonInferRequest(Body("UINT8", "[3]", "[0, 128, 255]"));
  ASSERT_TRUE(u8.ok()) << u8.status().ToString();
  EXPECT_EQ(u8->inputs[0].tensor.data_as<uint8_t>()[2], 255);
}

TEST(HttpRequestTest, BadBodiesAreInvalidArgumentNamingTheFault) {
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {Body("fp32", "[1]", "[1]"),
       "unsupported 'fp32' (KServe v2 names: FP32, INT64, INT32, UINT8)"},
      {Body("FLOAT", "[1]", "[1]"), "unsupported 'FLOAT'"},
      {Body("FP32", "[2, 2]", "[[1, 2, 3], [4]]"), "ragged data"},
      {Body("FP32", "[2, 2]", "[[1, 2], 3, 4]"), "ragged data"},
      {Body("FP32", "[2]", "[[1], [2]]"), "nested deeper than the shape [2]"},
      {Body("FP32", "[1]", "[1e39]"), "out of range for FP32"},
      {Body("FP32", "[1]", "[1e400]"), "number overflow"},
      {Body("UINT8", "[1]", "[256]"), "out of range for UINT8 (256)"},
      {Body("UINT8", "[1]", "[-1]"), "out of range for UINT8 (-1)"},
      {Body("INT32", "[1]", "[2147483648]"), "out of range for INT32"},
      {Body("FP32", "[3]", "[1, 2]"), "holds 2 values, shape [3] needs 3"},
      {R"({"id": 7, "inputs": []})", "/id: must be a string"},
      // The element count overflowed int64 (undefined behaviour) before it was checked.
      {Body("FP32", "[2147483648, 2147483648, 2147483648]", "[1]"), "holds more than 2^40 values"},
      {"[1, 2]", "must be an object"},
      {"{\"inputs\": [{\"name\": \"\xff\"}]}", "invalid JSON at byte"},  // invalid UTF-8
  };
  for (const Case& c : cases) {
    Result<JsonInferRequest> r = ParseJsonInferRequest(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_THAT(r.status().message(), HasSubstr(c.message)) << c.body;
    EXPECT_THAT(r.status().message(), HasSubstr("request body")) << c.body;
  }
}

TEST(HttpRequestTest, IdIsEchoedAsGiven) {
  Result<JsonInferRequest> r =
      ParseJsonInferRequest(R"({"id": "req-7", "inputs": [{"name": "x", "datatype": "INT64",
                                "shape": [1], "data": [3]}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, "req-7");
  EXPECT_EQ(r->inputs[0].name, "x");
}

// Issue 16: request parameters were ignored. Triton's `timeout` (microseconds) is read; a bad one
// is named.
TEST(HttpRequestTest, TimeoutParameterIsReadInMicroseconds) {
  const std::string inputs = R"("inputs": [{"name": "x", "datatype": "INT64", "shape": [1],
                                 "data": [3]}])";
  Result<JsonInferRequest> r =
      ParseJsonInferRequest(R"({"parameters": {"timeout": 2500}, )" + inputs + "}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->timeout, std::chrono::microseconds(2500));
  r = ParseJsonInferRequest("{" + inputs + "}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->timeout, Duration::zero());
  r = ParseJsonInferRequest(R"({"parameters": {"timeout": 99999999999999999}, )" + inputs + "}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->timeout, TimeoutFromMicros(99999999999999999ull)) << "capped, not overflowed";
  EXPECT_GT(r->timeout, std::chrono::hours(24 * 364));
  r = ParseJsonInferRequest(R"({"parameters": {"timeout": -1}, )" + inputs + "}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/parameters/timeout: must be >= 0"), std::string::npos)
      << r.status().message();
  r = ParseJsonInferRequest(R"({"parameters": {"timeout": "soon"}, )" + inputs + "}");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("timeout"), std::string::npos) << r.status().message();
}

// Issue 17: a 60 KB body nested 30,000 deep cost 1.07 GB (parse and destruction recurse per
// level); element counts were unbounded. Both are refused before anything is parsed.
TEST(HttpRequestTest, DeepAndHugeBodiesAreRefusedBeforeParsing) {
  const std::string deep =
      Body("FP32", "[1]", std::string(30000, '[') + "1" + std::string(30000, ']'));
  Result<JsonInferRequest> r = ParseJsonInferRequest(deep, {.max_depth = 32});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("nested deeper than 32 levels"));

  std::string values = "[0";
  for (int i = 1; i < 1001; ++i) {
    values += ",0";
  }
  values += "]";
  r = ParseJsonInferRequest(Body("FP32", "[1001]", values), {.max_values = 1000});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than 1000 values"));
  EXPECT_TRUE(ParseJsonInferRequest(Body("FP32", "[1001]", values), {.max_values = 1010}).ok());
}

// Issue 16: tritonclient.http sends tensors as binary data by default (the binary tensor data
// extension); that was a 500.
TEST(HttpRequestTest, BinaryTensorDataFollowsTheJsonHeader) {
  const std::string json = R"({"inputs": [
      {"name": "a", "datatype": "FP32", "shape": [2], "parameters": {"binary_data_size": 8}},
      {"name": "b", "datatype": "INT32", "shape": [1], "data": [7]},
      {"name": "c", "datatype": "UINT8", "shape": [3], "parameters": {"binary_data_size": 3}}],
    "outputs": [{"name": "y", "parameters": {"binary_data": true}}, {"name": "z"}]})";
  const float a[2] = {1.5f, -2.0f};
  std::string body = json;
  body.append(reinterpret_cast<const char*>(a), sizeof(a));
  body.append("\x01\x02\xff", 3);
  Result<JsonInferRequest> r = ParseJsonInferRequest(body, {}, json.size());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->inputs.size(), 3u);
  EXPECT_EQ(r->inputs[0].tensor.data_as<float>()[0], 1.5f);
  EXPECT_EQ(r->inputs[0].tensor.data_as<float>()[1], -2.0f);
  EXPECT_EQ(r->inputs[1].tensor.data_as<int32_t>()[0], 7);
  EXPECT_EQ(r->inputs[2].tensor.data_as<uint8_t>()[2], 255);
  ASSERT_EQ(r->outputs.size(), 2u);
  EXPECT_TRUE(r->outputs[0].binary);
  EXPECT_FALSE(r->outputs[1].binary);

  struct Case {
    std::string body;
    std::optional<size_t> header;
    std::string message;
  };
  const std::string one = R"({"inputs": [{"name": "a", "datatype": "FP32", "shape": [1],
      "parameters": {"binary_data_size": 4}}]})";
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<Case> cases = {
      {one + "abcd", std::nullopt, "invalid JSON"},  // no header: the bytes are not JSON
      {one, std::nullopt, "binary_data_size without binary data"},
      {one + "abc", one.size(), "only 3 bytes of binary data are left"},
      {one + "abcdef", one.size(),
       "2 bytes of binary data that no input's binary_data_size claims"},
      {one + std::string(reinterpret_cast<const char*>(&nan), 4), one.size(), "is not finite"},
      {one + "abcd", one.size() + 100, "is more than the body's"},
  };
  const std::string two = R"({"inputs": [{"name": "a", "datatype": "FP32", "shape": [2],
      "parameters": {"binary_data_size": 4}}]})";
  std::vector<Case> all = cases;
  all.push_back({two + "abcd", two.size(), "binary_data_size: 4 bytes, shape [2] of FP32 needs 8"});
  for (const Case& c : all) {
    Result<JsonInferRequest> bad = ParseJsonInferRequest(c.body, {}, c.header);
    ASSERT_FALSE(bad.ok()) << c.message;
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(bad.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace glet::serve
