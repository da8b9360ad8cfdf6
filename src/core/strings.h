// String helpers with checked number parsing (no exceptions, no silent zero).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet {

std::vector<std::string> Split(std::string_view s, char sep);
std::string_view Trim(std::string_view s);
// Equality in time independent of where the strings first differ (for secrets).
bool ConstantTimeEquals(std::string_view a, std::string_view b);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// Whole-string parses; errors are kInvalidArgument "<what>: expected an integer (got 'x')".
Result<int64_t> ParseInt(std::string_view s, std::string_view what);
Result<double> ParseDouble(std::string_view s, std::string_view what);
// "1,2,4" -> {1,2,4}; each element must parse.
Result<std::vector<int64_t>> ParseIntList(std::string_view s, std::string_view what);
// "0-3,6" -> {0,1,2,3,6}; used for cpu core sets.
Result<std::vector<int>> ParseRangeList(std::string_view s, std::string_view what);

// Escapes &, <, > and " for XML/SVG text and attribute values.
std::string XmlEscape(std::string_view text);

// printf-style double formatting with a fixed number of decimals.
std::string FormatDouble(double v, int decimals);

}  // namespace glet
