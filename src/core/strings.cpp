#include "core/strings.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace glet {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      break;
    }
    out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += parts[i];
  }
  return out;
}

Result<int64_t> ParseInt(std::string_view s, std::string_view what) {
  std::string str(Trim(s));
  if (str.empty()) {
    return InvalidArgumentError(std::string(what) + ": expected an integer (got '')");
  }
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(str.c_str(), &end, 10);
  if (errno != 0 || end != str.c_str() + str.size()) {
    return InvalidArgumentError(std::string(what) + ": expected an integer (got '" + str + "')");
  }
  return static_cast<int64_t>(v);
}

Result<double> ParseDouble(std::string_view s, std::string_view what) {
  std::string str(Trim(s));
  if (str.empty()) {
    return InvalidArgumentError(std::string(what) + ": expected a number (got '')");
  }
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (errno != 0 || end != str.c_str() + str.size() || !std::isfinite(v)) {
    return InvalidArgumentError(std::string(what) + ": expected a number (got '" + str + "')");
  }
  return v;
}

Result<std::vector<int64_t>> ParseIntList(std::string_view s, std::string_view what) {
  std::vector<int64_t> out;
  for (const std::string& part : Split(s, ',')) {
    GLET_ASSIGN_OR_RETURN(int64_t v, ParseInt(part, what));
    out.push_back(v);
  }
  return out;
}

Result<std::vector<int>> ParseRangeList(std::string_view s, std::string_view what) {
  std::vector<int> out;
  for (const std::string& part : Split(s, ',')) {
    auto dash = part.find('-');
    if (dash == std::string::npos) {
      GLET_ASSIGN_OR_RETURN(int64_t v, ParseInt(part, what));
      if (v < 0) {
        return InvalidArgumentError(std::string(what) + ": must be >= 0 (got " + part + ")");
      }
      out.push_back(static_cast<int>(v));
      continue;
    }
    GLET_ASSIGN_OR_RETURN(int64_t lo, ParseInt(part.substr(0, dash), what));
    GLET_ASSIGN_OR_RETURN(int64_t hi, ParseInt(part.substr(dash + 1), what));
    if (lo < 0 || hi < lo || hi - lo > 4096) {
      return InvalidArgumentError(std::string(what) + ": bad range '" + part + "'");
    }
    for (int64_t v = lo; v <= hi; ++v) {
      out.push_back(static_cast<int>(v));
    }
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatDouble(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

}  // namespace glet
