// JsonReader: checked reading of user-supplied JSON (configs, specs, plans) so that every error
// names the file and the JSON pointer of the field at fault:
//   "models.json: /models/2/slo_ms: must be > 0 (got -5)".
// A JsonReader is a cursor: a borrowed node plus the text that locates it. Getters check presence
// and type; CheckKeys() rejects unknown keys. All errors are kInvalidArgument.
//
// Lifetime: a JsonReader borrows its node; the parsed document must outlive it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet {

using Json = nlohmann::json;

// Bounds checked on the text before anything is allocated for it (a DOM costs ~16 bytes per
// value, and nlohmann's parser and destructor recurse once per nesting level).
struct JsonLimits {
  int max_depth = 64;                                      // nested arrays/objects, >= 1
  size_t max_values = std::numeric_limits<size_t>::max();  // values in arrays and objects
};
// kInvalidArgument "<origin>: JSON nested deeper than N at byte B" / "holds more than N values"
// when `text` exceeds `limits`. A linear scan that skips strings; it does not validate syntax.
Status CheckJsonLimits(std::string_view text, const JsonLimits& limits, std::string_view origin);

// Checks `limits` (CheckJsonLimits), then parses `text`; errors read "<origin>: invalid JSON at
// byte N: ..." (syntax, invalid UTF-8) or "<origin>: invalid JSON: ..." (a number out of range).
// No exception escapes.
Result<Json> ParseJson(std::string_view text, std::string_view origin,
                       const JsonLimits& limits = {});
// Reads and parses a file; a missing/unreadable file is kInvalidArgument naming it.
Result<Json> ReadJsonFile(const std::string& path);

class JsonReader {
 public:
  // `origin` names the document (usually its file path).
  JsonReader(const Json& node, std::string origin, std::string pointer = "");

  const Json& node() const { return node_; }
  // "/models/2/slo_ms" ("/" for the root).
  std::string pointer() const { return pointer_.empty() ? "/" : pointer_; }
  // "file: /pointer"
  std::string where() const;

  // kInvalidArgument "origin: pointer: message".
  Status Error(std::string_view message) const;

  bool IsObject() const { return node_.is_object(); }
  bool IsArray() const { return node_.is_array(); }
  bool Has(std::string_view key) const;

  Status ExpectObject() const;
  Status ExpectArray() const;
  // Fails on the first key of this object that is not in `allowed`, listing the allowed keys.
  Status CheckKeys(std::initializer_list<std::string_view> allowed) const;

  // Child cursors. Missing keys are errors naming the key; wrong types name the expected type.
  Result<JsonReader> Child(std::string_view key) const;
  std::optional<JsonReader> OptionalChild(std::string_view key) const;
  // Elements of an array (error if not an array).
  Result<std::vector<JsonReader>> Elements() const;
  // Members of an object, in document order of the parser (sorted by key).
  Result<std::vector<std::pair<std::string, JsonReader>>> Members() const;

  // This node's value.
  Result<std::string> AsString() const;
  Result<double> AsDouble() const;
  Result<int64_t> AsInt() const;
  Result<bool> AsBool() const;

  // Required members.
  Result<std::string> GetString(std::string_view key) const;
  Result<double> GetDouble(std::string_view key) const;
  Result<int64_t> GetInt(std::string_view key) const;
  Result<bool> GetBool(std::string_view key) const;
  Result<std::vector<int64_t>> GetIntArray(std::string_view key) const;
  Result<std::vector<std::string>> GetStringArray(std::string_view key) const;

  // Optional members: `fallback` when absent; a present member of the wrong type is an error.
  Result<std::string> GetStringOr(std::string_view key, std::string fallback) const;
  Result<double> GetDoubleOr(std::string_view key, double fallback) const;
  Result<int64_t> GetIntOr(std::string_view key, int64_t fallback) const;
  Result<bool> GetBoolOr(std::string_view key, bool fallback) const;

  // Range helpers for already-read numbers: error "origin: pointer/key: must be > 0 (got -5)".
  Status RequirePositive(std::string_view key, double value) const;
  Status RequireNonNegative(std::string_view key, double value) const;

 private:
  static std::string EscapePointerToken(std::string_view token);

  const Json& node_;  // not owned; the parsed document outlives this reader
  std::string origin_;
  std::string pointer_;
};

}  // namespace glet
