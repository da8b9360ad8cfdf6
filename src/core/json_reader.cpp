#include "core/json_reader.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "core/file_util.h"

namespace glet {

namespace {

std::string TypeName(const Json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer() || j.is_number_unsigned()) return "an integer";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  return "an unknown type";
}

std::string Shorten(const Json& j) {
  std::string s = j.dump();
  if (s.size() > 40) {
    s = s.substr(0, 37) + "...";
  }
  return s;
}

}  // namespace

Status CheckJsonLimits(std::string_view text, const JsonLimits& limits, std::string_view origin) {
  int depth = 0;
  size_t values = 0;
  bool in_string = false;
  bool escaped = false;
  bool empty = false;  // just after '[' or '{': a ',' is what separates values
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limits.max_depth) {
          return InvalidArgumentError(std::string(origin) + ": JSON nested deeper than " +
                                      std::to_string(limits.max_depth) + " levels at byte " +
                                      std::to_string(i));
        }
        empty = true;
        continue;
      case ']':
      case '}':
        if (!empty && depth > 0) {
          ++values;  // the container's last (or only) value
        }
        --depth;
        break;
      case ',':
        ++values;
        break;
      default:
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
          continue;  // whitespace leaves `empty` as it was
        }
        break;
    }
    empty = false;
    if (values > limits.max_values) {
      return InvalidArgumentError(std::string(origin) + ": JSON holds more than " +
                                  std::to_string(limits.max_values) + " values (at byte " +
                                  std::to_string(i) + ")");
    }
  }
  return Status::Ok();
}

namespace {

// nlohmann quotes the token it stopped at, which may be the whole input (a 300 MB number): an
// error message keeps at most this much of it.
constexpr size_t kMaxParseMessage = 200;

std::string Clipped(std::string what) {
  if (what.size() > kMaxParseMessage) {
    what.resize(kMaxParseMessage);
    what += "... (cut)";
  }
  return what;
}

}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view origin, const JsonLimits& limits) {
  GLET_RETURN_IF_ERROR(CheckJsonLimits(text, limits, origin));
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ": invalid JSON at byte " << e.byte << ": ";
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    auto pos = what.find("parse error");
    msg << Clipped(pos == std::string::npos ? what : what.substr(pos));
    return InvalidArgumentError(msg.str());
  } catch (const Json::exception& e) {
    // E.g. out_of_range 406, a number too large for a double ("1e400"): strip nlohmann's
    // "[json.exception.out_of_range.406] " prefix.
    std::string what = e.what();
    auto pos = what.find("] ");
    return InvalidArgumentError(std::string(origin) + ": invalid JSON: " +
                                Clipped(pos == std::string::npos ? what : what.substr(pos + 2)));
  }
}

Result<Json> ReadJsonFile(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseJson(text, path);
}

JsonReader::JsonReader(const Json& node, std::string origin, std::string pointer)
    : node_(node), origin_(std::move(origin)), pointer_(std::move(pointer)) {}

std::string JsonReader::where() const { return origin_ + ": " + pointer(); }

Status JsonReader::Error(std::string_view message) const {
  return InvalidArgumentError(where() + ": " + std::string(message));
}

bool JsonReader::Has(std::string_view key) const {
  return node_.is_object() && node_.contains(std::string(key));
}

Status JsonReader::ExpectObject() const {
  if (!node_.is_object()) {
    return Error("must be an object (got " + TypeName(node_) + ")");
  }
  return Status::Ok();
}

Status JsonReader::ExpectArray() const {
  if (!node_.is_array()) {
    return Error("must be an array (got " + TypeName(node_) + ")");
  }
  return Status::Ok();
}

Status JsonReader::CheckKeys(std::initializer_list<std::string_view> allowed) const {
  GLET_RETURN_IF_ERROR(ExpectObject());
  for (const auto& [key, value] : node_.items()) {
    bool ok = false;
    for (std::string_view a : allowed) {
      if (a == key) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      std::string list;
      for (std::string_view a : allowed) {
        list += list.empty() ? "" : ", ";
        list += a;
      }
      return InvalidArgumentError(origin_ + ": " + pointer_ + "/" + EscapePointerToken(key) +
                                  ": unknown key (allowed: " + list + ")");
    }
  }
  return Status::Ok();
}

std::string JsonReader::EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Result<JsonReader> JsonReader::Child(std::string_view key) const {
  GLET_RETURN_IF_ERROR(ExpectObject());
  auto it = node_.find(std::string(key));
  if (it == node_.end()) {
    return InvalidArgumentError(origin_ + ": " + pointer_ + "/" + EscapePointerToken(key) +
                                ": missing required field");
  }
  return JsonReader(*it, origin_, pointer_ + "/" + EscapePointerToken(key));
}

std::optional<JsonReader> JsonReader::OptionalChild(std::string_view key) const {
  if (!node_.is_object()) {
    return std::nullopt;
  }
  auto it = node_.find(std::string(key));
  if (it == node_.end()) {
    return std::nullopt;
  }
  return JsonReader(*it, origin_, pointer_ + "/" + EscapePointerToken(key));
}

Result<std::vector<JsonReader>> JsonReader::Elements() const {
  GLET_RETURN_IF_ERROR(ExpectArray());
  std::vector<JsonReader> out;
  out.reserve(node_.size());
  for (size_t i = 0; i < node_.size(); ++i) {
    out.emplace_back(node_[i], origin_, pointer_ + "/" + std::to_string(i));
  }
  return out;
}

Result<std::vector<std::pair<std::string, JsonReader>>> JsonReader::Members() const {
  GLET_RETURN_IF_ERROR(ExpectObject());
  std::vector<std::pair<std::string, JsonReader>> out;
  for (const auto& [key, value] : node_.items()) {
    out.emplace_back(key, JsonReader(value, origin_, pointer_ + "/" + EscapePointerToken(key)));
  }
  return out;
}

Result<std::string> JsonReader::AsString() const {
  if (!node_.is_string()) {
    return Error("must be a string (got " + TypeName(node_) + " " + Shorten(node_) + ")");
  }
  return node_.get<std::string>();
}

Result<double> JsonReader::AsDouble() const {
  if (!node_.is_number()) {
    return Error("must be a number (got " + TypeName(node_) + " " + Shorten(node_) + ")");
  }
  return node_.get<double>();
}

Result<int64_t> JsonReader::AsInt() const {
  if (node_.is_number_unsigned()) {
    // Beyond int64 it would wrap (18446744073709551615 read as -1).
    const uint64_t u = node_.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Error("out of range for a 64-bit integer (got " + Shorten(node_) + ")");
    }
    return static_cast<int64_t>(u);
  }
  if (node_.is_number_integer()) {
    return node_.get<int64_t>();
  }
  if (node_.is_number_float()) {
    const double d = node_.get<double>();
    // Range first: converting a double outside int64 is undefined behaviour (found by fuzzing:
    // 9.0072e22 as an INT64 value).
    constexpr double kTwo63 = 9223372036854775808.0;
    if (!(d >= -kTwo63 && d < kTwo63)) {
      return Error("out of range for a 64-bit integer (got " + Shorten(node_) + ")");
    }
    if (d == std::trunc(d)) {
      return static_cast<int64_t>(d);
    }
  }
  return Error("must be an integer (got " + TypeName(node_) + " " + Shorten(node_) + ")");
}

Result<bool> JsonReader::AsBool() const {
  if (!node_.is_boolean()) {
    return Error("must be true or false (got " + TypeName(node_) + " " + Shorten(node_) + ")");
  }
  return node_.get<bool>();
}

Result<std::string> JsonReader::GetString(std::string_view key) const {
  GLET_ASSIGN_OR_RETURN(JsonReader c, Child(key));
  return c.AsString();
}

Result<double> JsonReader::GetDouble(std::string_view key) const {
  GLET_ASSIGN_OR_RETURN(JsonReader c, Child(key));
  return c.AsDouble();
}

Result<int64_t> JsonReader::GetInt(std::string_view key) const {
  GLET_ASSIGN_OR_RETURN(JsonReader c, Child(key));
  return c.AsInt();
}

Result<bool> JsonReader::GetBool(std::string_view key) const {
  GLET_ASSIGN_OR_RETURN(JsonReader c, Child(key));
  return c.AsBool();
}

Result<std::vector<int64_t>> JsonReader::GetIntArray(std::string_view key) const {
  GLET_ASSIGN_OR_RETURN(JsonReader c, Child(key));
  GLET_ASSIGN_OR_RETURN(auto elems, c.Elements());
  std::vector<int64_t> out;
  for (const auto& e : elems) {
    GLET_ASSIGN_OR_RETURN(int64_t v, e.AsInt());
    out.push_back(v);
  }
  return out;
}

Result<std::vector<std::string>> JsonReader::GetStringArray(std::string_view key) const {
  GLET_ASSIGN_OR_RETURN(JsonReader c, Child(key));
  GLET_ASSIGN_OR_RETURN(auto elems, c.Elements());
  std::vector<std::string> out;
  for (const auto& e : elems) {
    GLET_ASSIGN_OR_RETURN(std::string v, e.AsString());
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::string> JsonReader::GetStringOr(std::string_view key, std::string fallback) const {
  auto c = OptionalChild(key);
  return c ? c->AsString() : Result<std::string>(std::move(fallback));
}

Result<double> JsonReader::GetDoubleOr(std::string_view key, double fallback) const {
  auto c = OptionalChild(key);
  return c ? c->AsDouble() : Result<double>(fallback);
}

Result<int64_t> JsonReader::GetIntOr(std::string_view key, int64_t fallback) const {
  auto c = OptionalChild(key);
  return c ? c->AsInt() : Result<int64_t>(fallback);
}

Result<bool> JsonReader::GetBoolOr(std::string_view key, bool fallback) const {
  auto c = OptionalChild(key);
  return c ? c->AsBool() : Result<bool>(fallback);
}

namespace {
std::string FormatNumber(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace

Status JsonReader::RequirePositive(std::string_view key, double value) const {
  if (!(value > 0)) {
    return InvalidArgumentError(origin_ + ": " + pointer_ + "/" + EscapePointerToken(key) +
                                ": must be > 0 (got " + FormatNumber(value) + ")");
  }
  return Status::Ok();
}

Status JsonReader::RequireNonNegative(std::string_view key, double value) const {
  if (!(value >= 0)) {
    return InvalidArgumentError(origin_ + ": " + pointer_ + "/" + EscapePointerToken(key) +
                                ": must be >= 0 (got " + FormatNumber(value) + ")");
  }
  return Status::Ok();
}

}  // namespace glet
