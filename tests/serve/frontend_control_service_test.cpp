// FrontendControlService over a BackendRegistry, called directly (no network): a Report's proxy
// counters are kept as the backend's latest and exported on /metrics; refusals name the cause.
#include "serve/frontend_control_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "serve/backend_proto.h"

namespace glet::serve {
namespace {

using ::testing::HasSubstr;

class FrontendControlServiceTest : public ::testing::Test {
 protected:
  FrontendControlServiceTest() : registry_(clock_), service_(registry_, metrics_, 500) {}

  std::string Register(const std::string& address) {
    control::RegisterBackendRequest req;
    req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    req.set_address(address);
    DeviceInfo d;
    d.device_id = "gpu0";
    DeviceInfoToProto(d, req.add_devices());
    control::RegisterBackendResponse resp;
    grpc::Status s = service_.RegisterBackend(nullptr, &req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    sessions_[resp.backend_id()] = resp.session();
    return resp.backend_id();
  }

  control::ReportRequest MakeReport(const std::string& backend_id, int64_t batches, int restarts) {
    control::ReportRequest req;
    req.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
    req.set_backend_id(backend_id);
    req.set_session(sessions_[backend_id]);
    GletCounters c;
    c.glet_id = "e1g0";
    c.totals.batches = batches;
    c.totals.items = batches * 4;
    c.totals.requests_served = batches * 3;
    c.totals.requests_dropped = 1;
    c.totals.requests_failed = 2;
    c.totals.queue_ms_sum = 1.5;
    c.totals.compute_ms_sum = 10.0 * static_cast<double>(batches);
    c.restarts = restarts;
    GletCountersToProto(c, req.add_counters());
    return req;
  }

  double Proxy(const std::string& name, const std::string& backend, Labels extra = {}) {
    Labels labels = {{"backend", backend}, {"glet", "e1g0"}};
    labels.insert(labels.end(), extra.begin(), extra.end());
    return metrics_.Value(name, labels);
  }

  ManualClock clock_;
  std::map<std::string, std::string> sessions_;  // backend id -> its registration's session
  BackendRegistry registry_;
  MetricsRegistry metrics_;
  FrontendControlService service_;
};

TEST_F(FrontendControlServiceTest, KeepsTheLatestReportPerBackendAndExportsItsTotals) {
  const std::string b1 = Register("127.0.0.1:9001");
  const std::string b2 = Register("127.0.0.1:9002");
  control::ReportResponse resp;
  control::ReportRequest first = MakeReport(b1, 5, 0);
  ASSERT_TRUE(service_.Report(nullptr, &first, &resp).ok());
  control::ReportRequest other = MakeReport(b2, 1, 0);
  ASSERT_TRUE(service_.Report(nullptr, &other, &resp).ok());
  // Totals replace the previous report; they are not added to it.
  control::ReportRequest second = MakeReport(b1, 7, 1);
  ASSERT_TRUE(service_.Report(nullptr, &second, &resp).ok());

  for (const BackendRecord& rec : registry_.Snapshot()) {
    ASSERT_EQ(rec.counters.size(), 1u) << rec.backend_id;
    EXPECT_EQ(rec.counters[0].glet_id, "e1g0");
    EXPECT_EQ(rec.counters[0].totals.batches, rec.backend_id == b1 ? 7 : 1);
    EXPECT_EQ(rec.counters[0].restarts, rec.backend_id == b1 ? 1 : 0);
  }
  EXPECT_EQ(Proxy("glet_proxy_batches_total", b1), 7);
  EXPECT_EQ(Proxy("glet_proxy_batches_total", b2), 1);
  EXPECT_EQ(Proxy("glet_proxy_items_total", b1), 28);
  EXPECT_EQ(Proxy("glet_proxy_requests_total", b1, {{"outcome", "served"}}), 21);
  EXPECT_EQ(Proxy("glet_proxy_requests_total", b1, {{"outcome", "dropped"}}), 1);
  EXPECT_EQ(Proxy("glet_proxy_requests_total", b1, {{"outcome", "failed"}}), 2);
  EXPECT_DOUBLE_EQ(Proxy("glet_proxy_queue_seconds_total", b1), 0.0015);
  EXPECT_DOUBLE_EQ(Proxy("glet_proxy_compute_seconds_total", b1), 0.07);
  EXPECT_EQ(Proxy("glet_proxy_restarts_total", b1), 1);
  const std::string text = metrics_.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE glet_proxy_batches_total counter"));
  EXPECT_THAT(text, HasSubstr("glet_proxy_batches_total{backend=\"" + b1 + "\",glet=\"e1g0\"} 7"));
}

TEST_F(FrontendControlServiceTest, ReportFromAnUnknownBackendOrVersionIsRefused) {
  control::ReportResponse resp;
  control::ReportRequest unknown = MakeReport("b9", 1, 0);
  grpc::Status s = service_.Report(nullptr, &unknown, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("unknown backend 'b9'"));
  const std::string b1 = Register("127.0.0.1:9001");
  control::ReportRequest old = MakeReport(b1, 1, 0);
  old.set_protocol_version(0);
  s = service_.Report(nullptr, &old, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("version 0"));
  EXPECT_EQ(Proxy("glet_proxy_batches_total", b1), 0);
  EXPECT_TRUE(registry_.Snapshot().at(0).counters.empty());
}

TEST_F(FrontendControlServiceTest, AnExpiredBackendMustRegisterAgainBeforeItReports) {
  const std::string b1 = Register("127.0.0.1:9001");
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(registry_.ExpireStale(std::chrono::seconds(3)).size(), 1u);
  control::ReportResponse resp;
  control::ReportRequest report = MakeReport(b1, 1, 0);
  EXPECT_EQ(service_.Report(nullptr, &report, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

// Issue 17: a forged Heartbeat (backend and glet ids read from /metrics) moved glets to an
// impostor proxy. Heartbeats and reports must now carry the session of the backend's
// registration; a re-registration (a restarted backend) replaces it.
TEST_F(FrontendControlServiceTest, HeartbeatsAndReportsMustCarryTheRegistrationsSession) {
  const std::string b1 = Register("127.0.0.1:9001");
  const std::string first = sessions_[b1];
  EXPECT_EQ(first.size(), 32u);
  control::HeartbeatRequest beat;
  beat.set_protocol_version(control::PROTOCOL_VERSION_CURRENT);
  beat.set_backend_id(b1);
  control::HeartbeatResponse resp;
  for (const std::string& forged : {std::string(), std::string("0123"), first + "0"}) {
    beat.set_session(forged);
    grpc::Status s = service_.Heartbeat(nullptr, &beat, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << forged;
    EXPECT_THAT(s.error_message(), HasSubstr("not the one of its registration"));
  }
  control::ReportRequest forged_report = MakeReport(b1, 3, 0);
  forged_report.set_session("forged");
  control::ReportResponse report_resp;
  EXPECT_EQ(service_.Report(nullptr, &forged_report, &report_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(registry_.Snapshot().at(0).counters.empty());

  beat.set_session(first);
  EXPECT_TRUE(service_.Heartbeat(nullptr, &beat, &resp).ok());
  ASSERT_EQ(Register("127.0.0.1:9001"), b1);  // restarted: same address, same id
  EXPECT_NE(sessions_[b1], first);
  EXPECT_EQ(service_.Heartbeat(nullptr, &beat, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  beat.set_session(sessions_[b1]);
  EXPECT_TRUE(service_.Heartbeat(nullptr, &beat, &resp).ok());
}

}  // namespace
}  // namespace glet::serve
