#include "device/emulated_slice.h"

#include <gtest/gtest.h>

#include <thread>

namespace glet::device {
namespace {

model::ModelSpec ResnetSpec() {
  model::ModelSpec spec;
  spec.name = "resnet50";
  spec.input = {"input", model::DType::kFloat32, {3, 4, 4}};
  spec.output = {"output", model::DType::kFloat32, {10}};
  return spec;
}

SliceOptions Options(Clock* clock, InterferenceFn interference = nullptr) {
  SliceOptions o;
  o.clock = clock;
  o.latency = [](const std::string& model, int partition, int batch) -> Result<double> {
    if (model != "resnet50") {
      return NotFoundError("no latency for model '" + model + "'");
    }
    return 2.0 * batch + 100.0 / partition;  // ms
  };
  o.interference = std::move(interference);
  return o;
}

TEST(EmulatedSliceTest, BatchTakesProfiledLatencyOnTheInjectedClock) {
  ManualClock clock(/*auto_advance=*/true);
  auto slice = EmulatedSlice::Create(*SliceSpec::Parse("emulated:x:50"), Options(&clock));
  ASSERT_TRUE(slice.ok());
  auto model = (*slice)->LoadModel(ResnetSpec(), "");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const TimePoint start = clock.Now();
  auto out = (*model)->Run(model::Tensor(model::DType::kFloat32, {4, 3, 4, 4}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(clock.Now() - start, FromMillis(2.0 * 4 + 100.0 / 50));  // 10 ms exactly
  EXPECT_EQ(out->shape(), (std::vector<int64_t>{4, 10}));
}

TEST(EmulatedSliceTest, InterferenceScalesLatencyAndIsFlooredAtOne) {
  ManualClock clock(/*auto_advance=*/true);
  auto slowed = EmulatedSlice::Create(*SliceSpec::Parse("emulated:x:100"),
                                      Options(&clock, [](const std::string&, int) { return 1.5; }));
  auto model = (*slowed)->LoadModel(ResnetSpec(), "");
  ASSERT_TRUE(model.ok());
  TimePoint start = clock.Now();
  ASSERT_TRUE((*model)->Run(model::Tensor(model::DType::kFloat32, {1, 3, 4, 4})).ok());
  EXPECT_EQ(clock.Now() - start, FromMillis((2.0 + 1.0) * 1.5));

  auto faster = EmulatedSlice::Create(*SliceSpec::Parse("emulated:x:100"),
                                      Options(&clock, [](const std::string&, int) { return 0.2; }));
  auto model2 = (*faster)->LoadModel(ResnetSpec(), "");
  start = clock.Now();
  ASSERT_TRUE((*model2)->Run(model::Tensor(model::DType::kFloat32, {1, 3, 4, 4})).ok());
  EXPECT_EQ(clock.Now() - start, FromMillis(3.0));
}

TEST(EmulatedSliceTest, RunBlocksUntilManualClockReachesCompletion) {
  ManualClock clock;  // no auto-advance: the batch finishes only when time is moved
  auto slice = EmulatedSlice::Create(*SliceSpec::Parse("emulated:x:100"), Options(&clock));
  auto model = (*slice)->LoadModel(ResnetSpec(), "");
  ASSERT_TRUE(model.ok());
  std::atomic<bool> done{false};
  std::thread runner([&] {
    ASSERT_TRUE((*model)->Run(model::Tensor(model::DType::kFloat32, {2, 3, 4, 4})).ok());
    done = true;
  });
  while (clock.sleepers() == 0) {
    std::this_thread::yield();
  }
  clock.Advance(FromMillis(4.9));  // needs 2*2 + 1 = 5 ms
  EXPECT_FALSE(done.load());
  clock.Advance(FromMillis(0.1));
  runner.join();
  EXPECT_TRUE(done.load());
}

TEST(EmulatedSliceTest, ModelMissingFromProfileFailsAtLoad) {
  ManualClock clock(true);
  auto slice = EmulatedSlice::Create(*SliceSpec::Parse("emulated:x:50"), Options(&clock));
  model::ModelSpec other = ResnetSpec();
  other.name = "vgg16";
  auto model = (*slice)->LoadModel(other, "");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_NE(model.status().message().find("vgg16"), std::string::npos);
}

TEST(EmulatedSliceTest, WrongInputShapeIsRejected) {
  ManualClock clock(true);
  auto slice = EmulatedSlice::Create(*SliceSpec::Parse("emulated:x:50"), Options(&clock));
  auto model = (*slice)->LoadModel(ResnetSpec(), "");
  auto out = (*model)->Run(model::Tensor(model::DType::kFloat32, {2, 3, 4, 5}));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

TEST(EmulatedSliceTest, CreateWithoutLatencySourceIsAnError) {
  auto slice = EmulatedSlice::Create(*SliceSpec::Parse("emulated:x:50"), SliceOptions{});
  ASSERT_FALSE(slice.ok());
  EXPECT_EQ(slice.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace glet::device
