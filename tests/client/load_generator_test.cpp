#include "client/load_generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/kserve_connection.h"
#include "client/kserve_test_server.h"
#include "client/model_inputs.h"

namespace glet::client {
namespace {

using serve::RequestOutcome;
using ::testing::HasSubstr;

struct Tally {
  int served = 0;
  int dropped = 0;
  int failed = 0;
  std::map<std::string, int> reasons;
};

Tally Count(const std::vector<RequestRecord>& records) {
  Tally t;
  for (const RequestRecord& r : records) {
    switch (r.outcome) {
      case RequestOutcome::kServed:
        ++t.served;
        break;
      case RequestOutcome::kDropped:
        ++t.dropped;
        ++t.reasons[r.reason];
        break;
      case RequestOutcome::kFailed:
        ++t.failed;
        ++t.reasons[r.reason];
        break;
    }
  }
  return t;
}

// `n` arrivals at time 0 per stream, round robin over the streams.
std::vector<Arrival> Burst(int n, int streams) {
  std::vector<Arrival> s;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < streams; ++k) {
      s.push_back({0, k});
    }
  }
  return s;
}

LoadTarget Target(const std::string& model, Duration timeout = std::chrono::seconds(10)) {
  LoadTarget t;
  t.model = model;
  model::TensorSpec spec{"x", model::DType::kFloat32, {2, 3}};
  t.request = MakeInferRequest(InputsFromSpec(model, spec, 1));
  t.timeout = timeout;
  return t;
}

Result<std::vector<RequestRecord>> RunAgainst(const std::string& target,
                                              const std::vector<Arrival>& schedule,
                                              const std::vector<LoadTarget>& targets,
                                              int64_t max_inflight = 10000) {
  auto conn = KServeConnection::Create(target);
  if (!conn.ok()) {
    return conn.status();
  }
  LoadGenerator gen((*conn)->channel(), SystemClock::Get());
  LoadOptions options;
  options.max_inflight = max_inflight;
  return gen.Run(schedule, targets, options);
}

TEST(LoadGeneratorTest, AccountsServedDroppedAndFailedExactly) {
  testing::KServeTestServer server;
  const std::vector<LoadTarget> targets = {Target("ok"), Target("drop"), Target("fail"),
                                           Target("alt")};
  auto records = RunAgainst(server.target(), Burst(25, 4), targets);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 100u);
  const Tally t = Count(*records);
  EXPECT_EQ(t.served, 25 + 13);
  EXPECT_EQ(t.dropped, 25 + 12);
  EXPECT_EQ(t.failed, 25);
  EXPECT_EQ(t.served + t.dropped + t.failed, 100);
  EXPECT_EQ(t.reasons.at("queue_full"), 25);
  EXPECT_EQ(t.reasons.at("slo_unreachable"), 12);
  EXPECT_EQ(t.reasons.at("invalid_argument"), 25);
  for (size_t i = 0; i < records->size(); ++i) {
    const RequestRecord& r = (*records)[i];
    EXPECT_EQ(r.id, static_cast<int64_t>(i));
    EXPECT_EQ(r.model, targets[i % 4].model);
    EXPECT_GE(r.done_ms, r.sent_ms);
  }
  const auto received = server.received();
  EXPECT_EQ(received.at("ok"), 25);
  EXPECT_EQ(received.at("alt"), 25);
  // What arrived is what the client built: one [1,2,3] FP32 input in raw_input_contents.
  const inference::ModelInferRequest req = server.last_request("ok");
  ASSERT_EQ(req.inputs_size(), 1);
  EXPECT_EQ(req.inputs(0).name(), "x");
  EXPECT_EQ(req.inputs(0).datatype(), "FP32");
  EXPECT_THAT(req.inputs(0).shape(), ::testing::ElementsAre(1, 2, 3));
  ASSERT_EQ(req.raw_input_contents_size(), 1);
  EXPECT_EQ(req.raw_input_contents(0).size(), 6 * sizeof(float));
}

TEST(LoadGeneratorTest, ServerThatNeverAnswersFailsByDeadline) {
  testing::KServeTestServer server;
  auto records =
      RunAgainst(server.target(), Burst(3, 1), {Target("hang", std::chrono::milliseconds(100))});
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  const Tally t = Count(*records);
  EXPECT_EQ(t.failed, 3);
  EXPECT_EQ(t.reasons.at("deadline_exceeded"), 3);
  // Not given up on before its deadline. gRPC's deadline (system clock) may fire up to a timer
  // tick before the client's steady-clock 100 ms (seen: 98.97 ms under ASan on a loaded host).
  for (const RequestRecord& r : *records) {
    EXPECT_GE(r.latency_ms(), 95);
  }
}

TEST(LoadGeneratorTest, RefusedConnectionFails) {
  std::string target;
  {
    testing::KServeTestServer gone;
    target = gone.target();
  }  // the port is closed now
  auto records = RunAgainst(target, Burst(5, 1), {Target("ok", std::chrono::seconds(5))});
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  const Tally t = Count(*records);
  EXPECT_EQ(t.failed, 5);
  EXPECT_EQ(t.reasons.at("unavailable"), 5);
}

TEST(LoadGeneratorTest, BeyondMaxInflightIsClientOverload) {
  testing::KServeTestServer server;
  // Two calls hang until their deadline; the other three find the in-flight limit reached.
  auto records = RunAgainst(server.target(), Burst(5, 1),
                            {Target("hang", std::chrono::milliseconds(1000))}, 2);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  const Tally t = Count(*records);
  EXPECT_EQ(t.failed, 5);
  EXPECT_EQ(t.reasons.at("deadline_exceeded"), 2);
  EXPECT_EQ(t.reasons.at("client_overload"), 3);
  EXPECT_EQ(server.received().at("hang"), 2);
}

TEST(LoadGeneratorTest, RejectsBadArguments) {
  testing::KServeTestServer server;
  auto no_target = RunAgainst(server.target(), {{0, 1}}, {Target("ok")});
  ASSERT_FALSE(no_target.ok());
  EXPECT_EQ(no_target.status().code(), StatusCode::kInvalidArgument);
  auto zero = RunAgainst(server.target(), {{0, 0}}, {Target("ok")}, 0);
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("--max-inflight"));
}

TEST(KServeConnectionTest, MetadataBuildsInputs) {
  testing::KServeTestServer server;
  auto conn = KServeConnection::Create(server.target());
  ASSERT_TRUE(conn.ok());
  auto md = (*conn)->Metadata("ok1", std::chrono::seconds(5));
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->slo_ms, 250.0);  // the glet-slo-ms trailer
  auto inputs = InputsFromMetadata(md->response, 9);
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  EXPECT_EQ(inputs->model, "ok1");
  ASSERT_EQ(inputs->inputs.size(), 1u);
  EXPECT_THAT(inputs->inputs[0].shape, ::testing::ElementsAre(1, 2, 3));
  EXPECT_EQ(inputs->inputs[0].raw.size(), 24u);

  auto no_slo = (*conn)->Metadata("fail", std::chrono::seconds(5));
  ASSERT_TRUE(no_slo.ok());
  EXPECT_EQ(no_slo->slo_ms, std::nullopt);

  auto unknown = (*conn)->Metadata("nope", std::chrono::seconds(5));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("model nope"));
}

TEST(KServeConnectionTest, WaitReadyPollsUntilReady) {
  testing::KServeTestServer server(/*ready_after=*/3);
  auto conn = KServeConnection::Create(server.target());
  ASSERT_TRUE(conn.ok());
  // A manual clock in auto-advance mode makes the waits between polls instant.
  ManualClock clock(/*auto_advance=*/true);
  EXPECT_TRUE(
      (*conn)->WaitReady(std::chrono::seconds(10), std::chrono::milliseconds(100), clock).ok());
}

TEST(KServeConnectionTest, WaitReadyGivesUp) {
  testing::KServeTestServer server(/*ready_after=*/1000000);
  auto conn = KServeConnection::Create(server.target());
  ASSERT_TRUE(conn.ok());
  ManualClock clock(/*auto_advance=*/true);
  Status s = (*conn)->WaitReady(std::chrono::seconds(1), std::chrono::milliseconds(100), clock);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr(server.target() + ": server not ready after 1.0 s"));
  EXPECT_THAT(s.message(), HasSubstr("answered not ready"));
}

TEST(KServeConnectionTest, ParsesSloTrailer) {
  EXPECT_EQ(ParseSloMs("108"), 108.0);
  EXPECT_EQ(ParseSloMs("12.5"), 12.5);
  EXPECT_EQ(ParseSloMs("0"), std::nullopt);
  EXPECT_EQ(ParseSloMs("-3"), std::nullopt);
  EXPECT_EQ(ParseSloMs("soon"), std::nullopt);
}

TEST(KServeConnectionTest, RejectsBadTargets) {
  for (const char* bad : {"", "localhost", "host:", "host:0", "host:99999", "host:x"}) {
    auto c = KServeConnection::Create(bad);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("--target"));
  }
}

}  // namespace
}  // namespace glet::client
