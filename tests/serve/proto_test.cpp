// Pins proto/kserve.proto to the public KServe v2 field numbers, and checks the rule of
// proto/glet_control.proto that every request carries protocol_version as field 1.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "glet_control.grpc.pb.h"
#include "kserve.grpc.pb.h"

namespace glet::serve {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

void ExpectFields(const Descriptor* d, const std::vector<std::pair<std::string, int>>& fields) {
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->field_count(), static_cast<int>(fields.size())) << d->full_name();
  for (const auto& [name, number] : fields) {
    const FieldDescriptor* f = d->FindFieldByName(name);
    ASSERT_NE(f, nullptr) << d->full_name() << "." << name;
    EXPECT_EQ(f->number(), number) << d->full_name() << "." << name;
  }
}

TEST(ProtoTest, KServeMessagesUseSpecFieldNumbers) {
  ExpectFields(inference::ModelInferRequest::descriptor(), {{"model_name", 1},
                                                            {"model_version", 2},
                                                            {"id", 3},
                                                            {"parameters", 4},
                                                            {"inputs", 5},
                                                            {"outputs", 6},
                                                            {"raw_input_contents", 7}});
  ExpectFields(inference::ModelInferRequest::InferInputTensor::descriptor(),
               {{"name", 1}, {"datatype", 2}, {"shape", 3}, {"parameters", 4}, {"contents", 5}});
  ExpectFields(inference::ModelInferRequest::InferRequestedOutputTensor::descriptor(),
               {{"name", 1}, {"parameters", 2}});
  ExpectFields(inference::ModelInferResponse::descriptor(), {{"model_name", 1},
                                                             {"model_version", 2},
                                                             {"id", 3},
                                                             {"parameters", 4},
                                                             {"outputs", 5},
                                                             {"raw_output_contents", 6}});
  ExpectFields(inference::ModelInferResponse::InferOutputTensor::descriptor(),
               {{"name", 1}, {"datatype", 2}, {"shape", 3}, {"parameters", 4}, {"contents", 5}});
  ExpectFields(inference::InferParameter::descriptor(), {{"bool_param", 1},
                                                         {"int64_param", 2},
                                                         {"string_param", 3},
                                                         {"double_param", 4},
                                                         {"uint64_param", 5}});
  ExpectFields(inference::InferTensorContents::descriptor(), {{"bool_contents", 1},
                                                              {"int_contents", 2},
                                                              {"int64_contents", 3},
                                                              {"uint_contents", 4},
                                                              {"uint64_contents", 5},
                                                              {"fp32_contents", 6},
                                                              {"fp64_contents", 7},
                                                              {"bytes_contents", 8}});
  ExpectFields(inference::ServerLiveResponse::descriptor(), {{"live", 1}});
  ExpectFields(inference::ServerReadyResponse::descriptor(), {{"ready", 1}});
  ExpectFields(inference::ModelReadyRequest::descriptor(), {{"name", 1}, {"version", 2}});
  ExpectFields(inference::ModelReadyResponse::descriptor(), {{"ready", 1}});
  ExpectFields(inference::ServerMetadataResponse::descriptor(),
               {{"name", 1}, {"version", 2}, {"extensions", 3}});
  ExpectFields(inference::ModelMetadataRequest::descriptor(), {{"name", 1}, {"version", 2}});
  ExpectFields(inference::ModelMetadataResponse::descriptor(),
               {{"name", 1}, {"versions", 2}, {"platform", 3}, {"inputs", 4}, {"outputs", 5}});
  ExpectFields(inference::ModelMetadataResponse::TensorMetadata::descriptor(),
               {{"name", 1}, {"datatype", 2}, {"shape", 3}});
}

TEST(ProtoTest, KServeServiceHasTheKServeAndTritonCalls) {
  const auto* service = inference::GRPCInferenceService::service_full_name();
  EXPECT_STREQ(service, "inference.GRPCInferenceService");
  const google::protobuf::ServiceDescriptor* d =
      inference::ModelInferRequest::descriptor()->file()->FindServiceByName("GRPCInferenceService");
  ASSERT_NE(d, nullptr);
  for (const char* method :
       {"ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer",
        "ModelStreamInfer", "ModelConfig", "ModelStatistics"}) {
    EXPECT_NE(d->FindMethodByName(method), nullptr) << method;
  }
  // Triton's streaming call: a stream of requests, a stream of responses.
  const google::protobuf::MethodDescriptor* stream = d->FindMethodByName("ModelStreamInfer");
  ASSERT_NE(stream, nullptr);
  EXPECT_TRUE(stream->client_streaming());
  EXPECT_TRUE(stream->server_streaming());
  EXPECT_EQ(stream->input_type()->full_name(), "inference.ModelInferRequest");
  EXPECT_EQ(stream->output_type()->full_name(), "inference.ModelStreamInferResponse");
  ExpectFields(inference::ModelStreamInferResponse::descriptor(),
               {{"error_message", 1}, {"infer_response", 2}});
}

TEST(ProtoTest, EveryControlRequestCarriesProtocolVersionAsFieldOne) {
  const google::protobuf::FileDescriptor* file =
      glet::control::RunBatchRequest::descriptor()->file();
  ASSERT_GE(file->service_count(), 3);
  int checked = 0;
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    for (int m = 0; m < service->method_count(); ++m) {
      const Descriptor* input = service->method(m)->input_type();
      const FieldDescriptor* f = input->FindFieldByName("protocol_version");
      ASSERT_NE(f, nullptr) << input->full_name();
      EXPECT_EQ(f->number(), 1) << input->full_name();
      EXPECT_EQ(f->type(), FieldDescriptor::TYPE_UINT32) << input->full_name();
      ++checked;
    }
  }
  EXPECT_GE(checked, 10);
  EXPECT_EQ(glet::control::PROTOCOL_VERSION_CURRENT, 2);
}

TEST(ProtoTest, ReportMessagesKeepTheirFieldNumbers) {
  ExpectFields(glet::control::ReportRequest::descriptor(), {{"protocol_version", 1},
                                                            {"backend_id", 2},
                                                            {"window_ms", 3},
                                                            {"glets", 4},
                                                            {"counters", 5},
                                                            {"session", 6}});
  ExpectFields(glet::control::GletCounters::descriptor(),
               {{"glet_id", 1}, {"totals", 2}, {"restarts", 3}});
  ExpectFields(glet::control::ProxyStats::descriptor(), {{"batches", 1},
                                                         {"items", 2},
                                                         {"requests_served", 3},
                                                         {"requests_dropped", 4},
                                                         {"requests_failed", 5},
                                                         {"queue_ms_sum", 6},
                                                         {"compute_ms_sum", 7}});
}

TEST(ProtoTest, RunBatchRoundTripsThroughTheWire) {
  glet::control::RunBatchRequest request;
  request.set_protocol_version(glet::control::PROTOCOL_VERSION_CURRENT);
  request.set_model("resnet50");
  request.set_batch_id(9);
  request.mutable_input()->set_dtype("FP32");
  request.mutable_input()->add_shape(2);
  request.mutable_input()->add_shape(3);
  request.mutable_input()->set_raw(std::string(24, '\1'));
  for (uint64_t id : {5u, 6u}) {
    glet::control::BatchItem* item = request.add_items();
    item->set_request_id(id);
    item->set_n(1);
    item->set_deadline_in_ms(12.5);
  }
  glet::control::RunBatchRequest parsed;
  ASSERT_TRUE(parsed.ParseFromString(request.SerializeAsString()));
  EXPECT_EQ(parsed.model(), "resnet50");
  EXPECT_EQ(parsed.input().raw().size(), 24u);
  ASSERT_EQ(parsed.items_size(), 2);
  EXPECT_EQ(parsed.items(1).request_id(), 6u);
  EXPECT_DOUBLE_EQ(parsed.items(1).deadline_in_ms(), 12.5);
}

}  // namespace
}  // namespace glet::serve
