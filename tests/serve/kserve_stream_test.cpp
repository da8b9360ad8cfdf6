// The KServe gRPC server's streaming call (ModelStreamInfer) over a real Frontend with an
// in-process glet (an emulated ref-gpu slice timed in real time): several clients stream at once,
// each request is answered exactly once with its id, a client that goes away mid-stream leaves
// the server serving, and the server shuts down with streams open. In-process, so the
// ThreadSanitizer run of the serve tests covers the stream's hand-offs between the frontend's
// threads and the completion-queue loops.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "kserve.grpc.pb.h"
#include "perf/emulation.h"
#include "serve/frontend.h"
#include "serve/kserve_service.h"
#include "serve/local_glet_channel.h"
#include "testing/kserve_request.h"
#include "testing/test_util.h"

namespace glet::serve {
namespace {

using glet::testing::LenetGrpcRequest;
using std::chrono::seconds;
using ::testing::HasSubstr;

class KServeStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto manifest = model::ModelManifest::Load(testing::SourcePath("resource/models.json"));
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    // A generous SLO: the subject is the stream, not a busy machine's scheduling delays.
    ASSERT_TRUE(manifest->SetSlo("lenet1", 2000).ok());
    FrontendOptions o;
    o.metrics = &metrics_;
    auto frontend = Frontend::Create(*manifest, {}, o);
    ASSERT_TRUE(frontend.ok()) << frontend.status().ToString();
    frontend_ = std::move(*frontend);

    auto channel = std::make_shared<LocalGletChannel>(SystemClock::Get());
    auto slice = perf::MakeSlice(*device::SliceSpec::Parse("emulated:ref-gpu:100"));
    ASSERT_TRUE(slice.ok()) << slice.status().ToString();
    auto model = (*slice)->LoadModel(**manifest->Find("lenet1"), "");
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    channel->AddModel(std::move(*model));
    GletRoute route;
    route.glet_id = "g0";
    route.rate_rps = 100;
    route.batch_size = 8;
    route.duty_cycle = FromMillis(5);
    route.batch_latency.assign(8, FromMillis(2));
    route.channel = std::move(channel);
    ASSERT_TRUE(frontend_->ApplyRoutes({{"lenet1", {route}}}, 1).ok());

    auto server = KServeGrpcServer::Start(*frontend_, metrics_, "127.0.0.1:0", "--grpc", 2);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    stub_ = inference::GRPCInferenceService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + seconds(2));
    }
    if (frontend_ != nullptr) {
      frontend_->Shutdown(SystemClock::Get().Now());
    }
  }

  MetricsRegistry metrics_;
  std::unique_ptr<Frontend> frontend_;
  std::unique_ptr<KServeGrpcServer> server_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
};

TEST_F(KServeStreamTest, ConcurrentStreamsAnswerEachRequestOnceWithItsId) {
  constexpr int kStreams = 4;
  constexpr int kRequests = 25;
  std::vector<std::map<std::string, std::string>> answers(kStreams);  // id -> error ("": served)
  std::vector<grpc::Status> ends(kStreams);
  std::vector<std::thread> clients;
  for (int c = 0; c < kStreams; ++c) {
    clients.emplace_back([&, c] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + seconds(60));
      auto stream = stub_->ModelStreamInfer(&ctx);
      // Reads while it writes: answers come back while requests are still being sent.
      std::thread reader([&] {
        inference::ModelStreamInferResponse response;
        while (stream->Read(&response)) {
          const std::string& id = response.infer_response().id();
          EXPECT_EQ(answers[c].count(id), 0u) << "answered twice: " << id;
          answers[c][id] = response.error_message();
          if (response.error_message().empty()) {
            EXPECT_EQ(response.infer_response().outputs_size(), 1) << id;
          }
        }
      });
      for (int i = 0; i < kRequests; ++i) {
        const bool bad = i % 10 == 9;
        EXPECT_TRUE(stream->Write(LenetGrpcRequest(bad ? "nosuch" : "lenet1",
                                                   std::to_string(c) + "-" + std::to_string(i))));
      }
      stream->WritesDone();
      reader.join();
      ends[c] = stream->Finish();
    });
  }
  for (std::thread& t : clients) {
    t.join();
  }
  for (int c = 0; c < kStreams; ++c) {
    EXPECT_TRUE(ends[c].ok()) << c << ": " << ends[c].error_message();
    ASSERT_EQ(answers[c].size(), static_cast<size_t>(kRequests)) << c;
    for (int i = 0; i < kRequests; ++i) {
      const std::string id = std::to_string(c) + "-" + std::to_string(i);
      ASSERT_EQ(answers[c].count(id), 1u) << id;
      if (i % 10 == 9) {
        EXPECT_THAT(answers[c][id], HasSubstr("nosuch")) << id;
      } else {
        EXPECT_EQ(answers[c][id], "") << id;
      }
    }
  }
}

TEST_F(KServeStreamTest, ClientThatGoesAwayMidStreamLeavesTheServerServing) {
  for (int round = 0; round < 3; ++round) {
    grpc::ClientContext ctx;
    auto stream = stub_->ModelStreamInfer(&ctx);
    for (int i = 0; i < 10; ++i) {
      stream->Write(LenetGrpcRequest("lenet1", "gone-" + std::to_string(i)));
    }
    ctx.TryCancel();  // with answers still to come
    stream->Finish();
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(30));
  auto stream = stub_->ModelStreamInfer(&ctx);
  ASSERT_TRUE(stream->Write(LenetGrpcRequest("lenet1", "after")));
  stream->WritesDone();
  inference::ModelStreamInferResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.infer_response().id(), "after");
  EXPECT_EQ(response.error_message(), "");
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(KServeStreamTest, ServerShutsDownWithStreamsOpen) {
  grpc::ClientContext idle_ctx;
  auto idle = stub_->ModelStreamInfer(&idle_ctx);
  grpc::ClientContext busy_ctx;
  auto busy = stub_->ModelStreamInfer(&busy_ctx);
  for (int i = 0; i < 5; ++i) {
    busy->Write(LenetGrpcRequest("lenet1", "b" + std::to_string(i)));
  }
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  frontend_->Shutdown(SystemClock::Get().Now());
  // Both streams end (cancelled by the shutdown, or finished): no read blocks forever.
  inference::ModelStreamInferResponse response;
  while (busy->Read(&response)) {
  }
  while (idle->Read(&response)) {
  }
  busy->Finish();
  idle->Finish();
}

}  // namespace
}  // namespace glet::serve
