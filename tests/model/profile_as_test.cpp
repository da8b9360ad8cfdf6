#include <gtest/gtest.h>

#include "model/model_spec.h"
#include "testing/test_util.h"

namespace glet::model {
namespace {

TEST(ProfileAsTest, ModelsSharingANetworkUseItsProfileName) {
  auto manifest = ModelManifest::Load(testing::SourcePath("resource/models.json"));
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ((*manifest->Find("lenet3"))->profile_name(), "lenet1");
  EXPECT_EQ((*manifest->Find("resnet50"))->profile_name(), "resnet50");
}

TEST(ProfileAsTest, WrongTypeNamesTheField) {
  auto doc = ParseJson(R"({"models": [{"name": "a", "file": "a.pt", "profile_as": 3,
      "input": {"name": "x", "dtype": "FP32", "shape": [1]},
      "output": {"name": "y", "dtype": "FP32", "shape": [1]}, "slo_ms": 5, "mem_mib": 1}]})",
                       "m.json");
  ASSERT_TRUE(doc.ok());
  auto manifest = ModelManifest::FromJson(JsonReader(*doc, "m.json"));
  ASSERT_FALSE(manifest.ok());
  EXPECT_NE(manifest.status().message().find("m.json: /models/0/profile_as: must be a string"),
            std::string::npos)
      << manifest.status().message();
}

}  // namespace
}  // namespace glet::model
