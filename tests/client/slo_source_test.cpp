#include "client/slo_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace glet::client {
namespace {

using ::testing::HasSubstr;

TEST(SloSourceTest, ParsesFlags) {
  auto m = ParseSloFlags({"lenet=5", "traffic = 202.5"});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->at("lenet"), 5);
  EXPECT_EQ(m->at("traffic"), 202.5);
}

TEST(SloSourceTest, FlagErrorsNameTheEntry) {
  for (const auto& [entry, message] : std::vector<std::pair<std::string, std::string>>{
           {"lenet", "--slo lenet: expected NAME=MS"},
           {"=5", "--slo =5: model name is empty"},
           {"lenet=0", "--slo lenet=0: must be > 0"},
           {"lenet=x", "--slo lenet=x: expected a number"}}) {
    auto m = ParseSloFlags({entry});
    ASSERT_FALSE(m.ok()) << entry;
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr(message));
  }
  auto twice = ParseSloFlags({"a=1", "a=2"});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("--slo a=2: model 'a' given twice"));
}

TEST(SloSourceTest, OrderIsFlagServerManifestApp) {
  auto manifest = model::ModelManifest::Load(glet::testing::SourcePath("resource/models.json"));
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  SloSources sources;
  sources.manifest = &*manifest;
  sources.apps = LoadAppSpecsQuietly(glet::testing::SourcePath("resource/apps"));
  sources.flags = {{"lenet", 7}};

  auto flag = ResolveSlo("lenet", 9.0, sources);
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->slo_ms, 7);
  EXPECT_EQ(flag->source, "--slo");

  sources.flags.clear();
  auto server = ResolveSlo("lenet", 9.0, sources);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server->slo_ms, 9);
  EXPECT_EQ(server->source, "server");

  auto from_manifest = ResolveSlo("lenet", std::nullopt, sources);
  ASSERT_TRUE(from_manifest.ok());
  EXPECT_EQ(from_manifest->slo_ms, 5);  // resource/models.json
  EXPECT_EQ(from_manifest->source, "manifest");

  auto app = ResolveSlo("traffic", std::nullopt, sources);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_GT(app->slo_ms, 0);
  EXPECT_EQ(app->source, "app");

  auto none = ResolveSlo("mystery", std::nullopt, sources);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("pass --slo mystery=MS"));
}

TEST(SloSourceTest, MissingAppDirIsEmpty) {
  EXPECT_TRUE(LoadAppSpecsQuietly("/nonexistent/apps").empty());
}

}  // namespace
}  // namespace glet::client
