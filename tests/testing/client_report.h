// Reading the JSON report `glet client --json`, `glet serve --json` and `glet simulate --json`
// print after their log lines, and the checks every whole-process test makes on it.
#pragma once

#include <string>
#include <vector>

#include "core/json_reader.h"
#include "core/status.h"

namespace glet::testing {

// The JSON document that starts at the first '{' of `out`; an error naming `what` when there is
// none or it does not parse.
Result<Json> JsonAfterBrace(const std::string& out, const std::string& what);

// Expects sent = served + dropped + failed over the whole report, and for each of `models`: an
// entry, at least one request served and none failed (gtest expectations; failures name the
// model and print its entry).
void ExpectServedAndNoneFailed(const Json& report, const std::vector<std::string>& models);

}  // namespace glet::testing
