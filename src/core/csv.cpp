#include "core/csv.h"

#include "core/file_util.h"
#include "core/strings.h"

namespace glet {

Result<CsvTable> CsvTable::Parse(std::string_view text, std::string origin, bool has_header) {
  CsvTable table;
  table.origin_ = std::move(origin);
  int line_no = 0;
  bool header_done = !has_header;
  for (const std::string& raw : Split(text, '\n')) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    std::vector<std::string> cells;
    for (const std::string& c : Split(line, ',')) {
      cells.emplace_back(Trim(c));
    }
    if (!header_done) {
      if (!cells.empty() && cells.back().empty()) {
        cells.pop_back();
      }
      table.header_ = std::move(cells);
      header_done = true;
      continue;
    }
    if (has_header) {
      if (cells.size() == table.header_.size() + 1 && cells.back().empty()) {
        cells.pop_back();
      }
      if (cells.size() != table.header_.size()) {
        return InvalidArgumentError(table.origin_ + ":" + std::to_string(line_no) + ": expected " +
                                    std::to_string(table.header_.size()) + " cells (" +
                                    Join(table.header_, ",") + "), got " +
                                    std::to_string(cells.size()));
      }
    }
    table.rows_.push_back(Row{line_no, std::move(cells)});
  }
  if (has_header && !header_done) {
    return InvalidArgumentError(table.origin_ + ": empty file, expected a header line");
  }
  return table;
}

Result<CsvTable> CsvTable::ReadFile(const std::string& path, bool has_header) {
  GLET_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return Parse(text, path, has_header);
}

Result<int> CsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) {
      return static_cast<int>(i);
    }
  }
  return InvalidArgumentError(origin_ + ": missing column '" + std::string(name) +
                              "' (have: " + Join(header_, ", ") + ")");
}

Status CsvTable::ExpectHeader(const std::vector<std::string>& expected) const {
  if (header_ != expected) {
    return InvalidArgumentError(origin_ + ":1: expected header '" + Join(expected, ",") +
                                "', got '" + Join(header_, ",") + "'");
  }
  return Status::Ok();
}

std::string CsvTable::Where(const Row& row) const {
  return origin_ + ":" + std::to_string(row.line);
}

std::string CsvTable::ColumnName(int col) const {
  if (col >= 0 && static_cast<size_t>(col) < header_.size()) {
    return header_[col];
  }
  return "#" + std::to_string(col + 1);
}

Result<double> CsvTable::Double(const Row& row, int col) const {
  if (col < 0 || static_cast<size_t>(col) >= row.cells.size()) {
    return InvalidArgumentError(Where(row) + ": missing column " + ColumnName(col));
  }
  return ParseDouble(row.cells[col], Where(row) + ": column '" + ColumnName(col) + "'");
}

Result<int64_t> CsvTable::Int(const Row& row, int col) const {
  if (col < 0 || static_cast<size_t>(col) >= row.cells.size()) {
    return InvalidArgumentError(Where(row) + ": missing column " + ColumnName(col));
  }
  return ParseInt(row.cells[col], Where(row) + ": column '" + ColumnName(col) + "'");
}

}  // namespace glet
