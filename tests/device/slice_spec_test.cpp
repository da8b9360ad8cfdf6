#include "device/slice_spec.h"

#include <gtest/gtest.h>

namespace glet::device {
namespace {

TEST(SliceSpecTest, ParsesEachKindAndRoundTrips) {
  auto cpu = SliceSpec::Parse("cpu:0-1,3");
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  EXPECT_EQ(cpu->kind, SliceKind::kCpu);
  EXPECT_EQ(cpu->cores, (std::vector<int>{0, 1, 3}));
  auto cuda = SliceSpec::Parse("cuda:1:40");
  ASSERT_TRUE(cuda.ok());
  EXPECT_EQ(cuda->gpu, 1);
  EXPECT_EQ(cuda->partition, 40);
  auto emu = SliceSpec::Parse("emulated:ref-gpu:50");
  ASSERT_TRUE(emu.ok());
  EXPECT_EQ(emu->profile, "ref-gpu");
  for (const auto& s : {*cpu, *cuda, *emu}) {
    auto again = SliceSpec::Parse(s.ToString());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->ToString(), s.ToString());
  }
}

TEST(SliceSpecTest, BadTextNamesTheSliceAndTheProblem) {
  struct Case {
    const char* text;
    const char* expect;
  };
  for (const Case& c :
       {Case{"gpu:0", "unknown slice kind 'gpu'"}, Case{"cpu:", "expected cpu:CORES"},
        Case{"cpu:0-x", "cores: expected an integer"}, Case{"cpu:1,1", "listed twice"},
        Case{"cuda:0:0", "must be in 1..100"}, Case{"cuda:0:101", "must be in 1..100"},
        Case{"emulated:ref-gpu", "expected emulated:PROFILE:PERCENT"}}) {
    auto r = SliceSpec::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(std::string("slice '") + c.text + "'"), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace glet::device
