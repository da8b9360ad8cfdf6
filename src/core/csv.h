// CsvTable: a small reader for the comma-separated files glet consumes (profiles, rates, traces).
// No quoting (none of glet's formats need it); blank lines and lines starting with '#' are
// skipped; cells are trimmed. Errors name "file:line" and, for cells, the column header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet {

class CsvTable {
 public:
  struct Row {
    int line = 0;  // 1-based line number in the file
    std::vector<std::string> cells;
  };

  // Parses `text`. If `has_header`, the first non-blank line is the header and every row must
  // have the header's number of cells (a trailing empty cell from a final comma is dropped).
  static Result<CsvTable> Parse(std::string_view text, std::string origin, bool has_header);
  static Result<CsvTable> ReadFile(const std::string& path, bool has_header);

  const std::string& origin() const { return origin_; }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<Row>& rows() const { return rows_; }

  // Index of a header column, or kInvalidArgument "file: missing column 'x' (have: a, b)".
  Result<int> Column(std::string_view name) const;
  // Checks the header is exactly `expected` (in order).
  Status ExpectHeader(const std::vector<std::string>& expected) const;

  // Typed cell access; errors read "file:LINE: column 'NAME': expected a number (got 'x')".
  Result<double> Double(const Row& row, int col) const;
  Result<int64_t> Int(const Row& row, int col) const;
  std::string Where(const Row& row) const;
  std::string ColumnName(int col) const;

 private:
  std::string origin_;
  std::vector<std::string> header_;
  std::vector<Row> rows_;
};

}  // namespace glet
