#include "testing/client_report.h"

#include <gtest/gtest.h>

namespace glet::testing {

Result<Json> JsonAfterBrace(const std::string& out, const std::string& what) {
  const size_t brace = out.find('{');
  if (brace == std::string::npos) {
    return InternalError(what + ": no JSON in the output");
  }
  return ParseJson(out.substr(brace), what);
}

void ExpectServedAndNoneFailed(const Json& report, const std::vector<std::string>& models) {
  EXPECT_EQ(report.value("sent", int64_t{-1}), report.value("served", int64_t{0}) +
                                                   report.value("dropped", int64_t{0}) +
                                                   report.value("failed", int64_t{0}))
      << report.dump(2);
  for (const std::string& model : models) {
    ASSERT_TRUE(report.contains("models") && report["models"].contains(model)) << report.dump(2);
    const Json& m = report["models"][model];
    EXPECT_GT(m.value("served", int64_t{0}), 0) << model << ": " << m.dump(2);
    EXPECT_EQ(m.value("failed", int64_t{-1}), 0) << model << ": " << m.dump(2);
  }
}

}  // namespace glet::testing
