#include "dag/dag_csv.h"

#include "core/csv.h"
#include "core/strings.h"
#include "dag/dag_json.h"

namespace glet::dag {

namespace {

struct Matrix {
  std::vector<std::string> col_names;  // header cells after the corner
  std::vector<std::string> row_names;
  std::vector<int> lines;
  std::vector<std::vector<std::string>> cells;  // row-major, without the row name
};

std::string At(const CsvTable& t, int line, const std::string& row, const std::string& col) {
  return t.origin() + ":" + std::to_string(line) + ": row '" + row + "', column '" + col + "'";
}

// Reads a table whose first row and column are labels; every row must have the header's width.
Result<Matrix> ReadMatrix(const CsvTable& table, const std::string& what) {
  const std::string& path = table.origin();
  if (table.rows().empty()) {
    return InvalidArgumentError(path + ": empty file, expected a header line (" + what + ")");
  }
  Matrix m;
  const auto& header = table.rows().front().cells;
  m.col_names.assign(header.begin() + 1, header.end());
  if (!m.col_names.empty() && m.col_names.back().empty()) {
    m.col_names.pop_back();  // a trailing comma
  }
  if (m.col_names.empty()) {
    return InvalidArgumentError(path + ":" + std::to_string(table.rows().front().line) +
                                ": header has no columns (" + what + ")");
  }
  for (size_t r = 1; r < table.rows().size(); ++r) {
    const CsvTable::Row& row = table.rows()[r];
    std::vector<std::string> cells(row.cells.begin() + 1, row.cells.end());
    if (cells.size() == m.col_names.size() + 1 && cells.back().empty()) {
      cells.pop_back();
    }
    if (cells.size() != m.col_names.size()) {
      return InvalidArgumentError(path + ":" + std::to_string(row.line) + ": row '" + row.cells[0] +
                                  "' has " + std::to_string(cells.size()) + " values, expected " +
                                  std::to_string(m.col_names.size()) + " (one per header column)");
    }
    m.row_names.push_back(row.cells[0]);
    m.lines.push_back(row.line);
    m.cells.push_back(std::move(cells));
  }
  return m;
}

Result<double> ParseCell(const std::string& cell, const std::string& where, bool allow_inf) {
  if (allow_inf && (cell == "inf" || cell == "Inf" || cell == "INF" || cell == "infinity")) {
    return kInfCost;
  }
  return ParseDouble(cell, where);
}

}  // namespace

Result<Problem> LoadDagCsv(const std::string& prefix) {
  const std::string exe_path = prefix + "_task_exe_time.csv";
  const std::string conn_path = prefix + "_task_connectivity.csv";
  const std::string bw_path = prefix + "_resource_BW.csv";

  // Computation costs.
  GLET_ASSIGN_OR_RETURN(CsvTable exe_table, CsvTable::ReadFile(exe_path, false));
  GLET_ASSIGN_OR_RETURN(Matrix exe, ReadMatrix(exe_table, "TP,P_0,...,P_m"));
  const std::vector<std::string>& procs = exe.col_names;
  const size_t num_procs = procs.size();
  std::vector<Task> tasks;
  for (size_t r = 0; r < exe.cells.size(); ++r) {
    Task task{exe.row_names[r], {}};
    bool any_finite = false;
    for (size_t c = 0; c < num_procs; ++c) {
      const std::string where = At(exe_table, exe.lines[r], exe.row_names[r], procs[c]);
      GLET_ASSIGN_OR_RETURN(double v, ParseCell(exe.cells[r][c], where, true));
      if (v < 0) {
        return InvalidArgumentError(where + ": cost must be >= 0 (got " + exe.cells[r][c] + ")");
      }
      any_finite = any_finite || v != kInfCost;
      task.cost.push_back(v);
    }
    if (!any_finite) {
      return InvalidArgumentError(exe_path + ":" + std::to_string(exe.lines[r]) + ": row '" +
                                  exe.row_names[r] +
                                  "': infinite cost on every processor; nothing can run it");
    }
    tasks.push_back(std::move(task));
  }

  // Connectivity: a square matrix over the same tasks.
  GLET_ASSIGN_OR_RETURN(CsvTable conn_table, CsvTable::ReadFile(conn_path, false));
  GLET_ASSIGN_OR_RETURN(Matrix conn, ReadMatrix(conn_table, "T,T0,...,Tn"));
  const size_t n = conn.col_names.size();
  if (conn.cells.size() != n) {
    return InvalidArgumentError(conn_path + ": " + std::to_string(conn.cells.size()) +
                                " rows but " + std::to_string(n) +
                                " columns; the matrix must be square (one row and one column "
                                "per task)");
  }
  if (n != tasks.size()) {
    return InvalidArgumentError(conn_path + ": " + std::to_string(n) + " tasks, but " + exe_path +
                                " has " + std::to_string(tasks.size()));
  }
  std::vector<Edge> edges;
  for (size_t r = 0; r < n; ++r) {
    if (conn.row_names[r] != conn.col_names[r]) {
      return InvalidArgumentError(conn_path + ":" + std::to_string(conn.lines[r]) +
                                  ": unknown task '" + conn.row_names[r] + "' here; expected '" +
                                  conn.col_names[r] + "' (rows follow the header's order)");
    }
    for (size_t c = 0; c < n; ++c) {
      const std::string where = At(conn_table, conn.lines[r], conn.row_names[r], conn.col_names[c]);
      GLET_ASSIGN_OR_RETURN(double v, ParseCell(conn.cells[r][c], where, false));
      if (v < 0) {
        return InvalidArgumentError(where + ": data volume must be >= 0 (got " + conn.cells[r][c] +
                                    ")");
      }
      if (v > 0 && r == c) {
        return InvalidArgumentError(where + ": a task cannot depend on itself (cycle)");
      }
      if (v > 0) {
        edges.push_back(Edge{static_cast<int>(r), static_cast<int>(c), v});
      }
    }
  }

  // Bandwidth and start-up latency.
  GLET_ASSIGN_OR_RETURN(CsvTable bw_table, CsvTable::ReadFile(bw_path, false));
  GLET_ASSIGN_OR_RETURN(Matrix bw, ReadMatrix(bw_table, "P,P_0,...,P_m"));
  if (bw.col_names.size() != num_procs) {
    return InvalidArgumentError(bw_path + ": " + std::to_string(bw.col_names.size()) +
                                " processors in the header, but " + exe_path + " has " +
                                std::to_string(num_procs));
  }
  std::vector<double> startup;
  size_t bw_rows = bw.cells.size();
  if (bw_rows > 0 && (bw.row_names.back() == "Startup" || bw.row_names.back() == "startup")) {
    --bw_rows;
    for (size_t c = 0; c < num_procs; ++c) {
      const std::string where = At(bw_table, bw.lines.back(), bw.row_names.back(), procs[c]);
      GLET_ASSIGN_OR_RETURN(double v, ParseCell(bw.cells.back()[c], where, false));
      if (v < 0) {
        return InvalidArgumentError(where + ": startup must be >= 0 (got " + bw.cells.back()[c] +
                                    ")");
      }
      startup.push_back(v);
    }
  }
  if (bw_rows != num_procs) {
    return InvalidArgumentError(bw_path + ": " + std::to_string(bw_rows) + " rows but " +
                                std::to_string(num_procs) +
                                " columns; the matrix must be square (plus an optional final "
                                "Startup row)");
  }
  std::vector<double> bandwidth;
  for (size_t r = 0; r < num_procs; ++r) {
    for (size_t c = 0; c < num_procs; ++c) {
      const std::string where = At(bw_table, bw.lines[r], bw.row_names[r], bw.col_names[c]);
      GLET_ASSIGN_OR_RETURN(double v, ParseCell(bw.cells[r][c], where, true));
      if (r != c && !(v > 0)) {
        return InvalidArgumentError(where + ": bandwidth must be > 0 (got " + bw.cells[r][c] + ")");
      }
      bandwidth.push_back(v);
    }
  }
  GLET_ASSIGN_OR_RETURN(Platform platform,
                        Platform::Create(procs, std::move(bandwidth), std::move(startup), bw_path));
  GLET_ASSIGN_OR_RETURN(Dag dag, Dag::Create(std::move(tasks), std::move(edges),
                                             static_cast<int>(num_procs), conn_path));
  return Problem{FileStem(prefix), std::move(dag), std::move(platform)};
}

}  // namespace glet::dag
