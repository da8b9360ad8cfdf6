#include "perf/latency_profile.h"

#include <gtest/gtest.h>

#include "testing/test_util.h"

namespace glet::perf {
namespace {

TEST(LatencyProfileTest, LoadsReferenceProfileWithoutHeader) {
  auto p = LatencyProfile::Load(testing::SourcePath("resource/profiles/ref-gpu/latency.csv"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->partitions("resnet50"), (std::vector<int>{20, 40, 50, 60, 80, 100}));
  // L(1,100) = l1 = 6 ms for resnet50 in the reference formula.
  EXPECT_NEAR(*p->LatencyMs("resnet50", 100, 1), 6.0, 1e-3);
}

TEST(LatencyProfileTest, InterpolatesBetweenMeasuredBatchesOnly) {
  auto p = LatencyProfile::Parse("model,partition,batch,latency_ms\nm,50,1,2\nm,50,4,8\n", "p");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_DOUBLE_EQ(*p->LatencyMs("m", 50, 2), 4.0);
  auto beyond = p->LatencyMs("m", 50, 8);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.status().code(), StatusCode::kNotFound);
  EXPECT_NE(beyond.status().message().find("batch 8 (has batches 1,4)"), std::string::npos);
  auto part = p->LatencyMs("m", 30, 1);
  EXPECT_NE(part.status().message().find("partition 30 (has partitions 50)"), std::string::npos);
  EXPECT_EQ(p->LatencyMs("x", 50, 1).status().code(), StatusCode::kNotFound);
}

TEST(LatencyProfileTest, RejectsBadRowsNamingLineAndColumn) {
  auto neg = LatencyProfile::Parse("m,50,1,-2\n", "p.csv");
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.status().message(), "p.csv:1: column 'latency_ms': must be > 0 (got -2.0000)");
  auto dup = LatencyProfile::Parse("m,50,1,2\nm,50,1,3\n", "p.csv");
  EXPECT_NE(dup.status().message().find("p.csv:2: duplicate row"), std::string::npos);
  auto part = LatencyProfile::Parse("m,150,1,2\n", "p.csv");
  EXPECT_NE(part.status().message().find("column 'partition': must be in 1..100"),
            std::string::npos);
  auto text = LatencyProfile::Parse("m,50,x,2\n", "p.csv");
  EXPECT_NE(text.status().message().find("p.csv:1: column 'batch'"), std::string::npos);
}

TEST(LatencyProfileTest, CsvRoundTrip) {
  auto p = LatencyProfile::Parse("m,50,1,2.5\nm,100,2,1.25\n", "p");
  ASSERT_TRUE(p.ok());
  auto q = LatencyProfile::Parse(p->ToCsv(), "q");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_DOUBLE_EQ(*q->LatencyMs("m", 100, 2), 1.25);
  EXPECT_EQ(q->rows().size(), 2u);
}

}  // namespace
}  // namespace glet::perf
