#include "perf/interference_model.h"

#include <algorithm>
#include <iterator>

#include "core/csv.h"
#include "core/file_util.h"
#include "core/strings.h"

namespace glet::perf {

Result<InterferenceModel> InterferenceModel::Load(const std::string& constants_csv,
                                                  const std::string& util_csv) {
  GLET_ASSIGN_OR_RETURN(std::string constants_text, ReadFileToString(constants_csv));
  GLET_ASSIGN_OR_RETURN(std::string util_text, ReadFileToString(util_csv));
  return Parse(constants_text, constants_csv, util_text, util_csv);
}

Result<InterferenceModel> InterferenceModel::Parse(const std::string& constants_text,
                                                   const std::string& constants_origin,
                                                   const std::string& util_text,
                                                   const std::string& util_origin) {
  InterferenceModel model;
  GLET_ASSIGN_OR_RETURN(CsvTable constants,
                        CsvTable::Parse(constants_text, constants_origin, /*has_header=*/true));
  if (constants.header().size() != 5) {
    return InvalidArgumentError(
        constants_origin + ":1: expected 5 columns (l2_util_m1,l2_util_m2,dram_util_m1," +
        "dram_util_m2,constant), got " + std::to_string(constants.header().size()));
  }
  if (constants.rows().size() != 1) {
    return InvalidArgumentError(constants_origin + ": expected exactly one row of constants, got " +
                                std::to_string(constants.rows().size()));
  }
  for (int i = 0; i < 5; ++i) {
    GLET_ASSIGN_OR_RETURN(model.constants_[i], constants.Double(constants.rows()[0], i));
  }

  GLET_ASSIGN_OR_RETURN(CsvTable util, CsvTable::Parse(util_text, util_origin, true));
  GLET_ASSIGN_OR_RETURN(int name_col, util.Column("bench"));
  GLET_ASSIGN_OR_RETURN(int batch_col, util.Column("batch"));
  GLET_ASSIGN_OR_RETURN(int sm_col, util.Column("SM_util(%)"));
  GLET_ASSIGN_OR_RETURN(int l2_col, util.Column("l2_util(%)"));
  GLET_ASSIGN_OR_RETURN(int mem_col, util.Column("mem_util(%)"));
  for (const CsvTable::Row& row : util.rows()) {
    const std::string& name = row.cells[name_col];
    if (name.empty()) {
      return InvalidArgumentError(util.Where(row) + ": column 'bench': empty model name");
    }
    GLET_ASSIGN_OR_RETURN(int64_t batch, util.Int(row, batch_col));
    if (batch < 1) {
      return InvalidArgumentError(util.Where(row) + ": column 'batch': must be >= 1 (got " +
                                  std::to_string(batch) + ")");
    }
    UtilSample s;
    const std::pair<int, double*> cols[] = {{sm_col, &s.sm}, {l2_col, &s.l2}, {mem_col, &s.dram}};
    for (const auto& [col, out] : cols) {
      GLET_ASSIGN_OR_RETURN(double pct, util.Double(row, col));
      if (pct < 0 || pct > 100) {
        return InvalidArgumentError(util.Where(row) + ": column '" + util.ColumnName(col) +
                                    "': must be a percentage in 0..100 (got " +
                                    FormatDouble(pct, 3) + ")");
      }
      *out = pct / 100.0;
    }
    if (!model.util_[name].emplace(static_cast<int>(batch), s).second) {
      return InvalidArgumentError(util.Where(row) + ": duplicate row for model " + name +
                                  " batch " + std::to_string(batch));
    }
  }
  return model;
}

InterferenceModel InterferenceModel::FromParts(
    std::array<double, 5> constants, std::map<std::string, std::map<int, UtilSample>> util) {
  InterferenceModel model;
  model.constants_ = constants;
  model.util_ = std::move(util);
  return model;
}

std::vector<std::string> InterferenceModel::models() const {
  std::vector<std::string> out;
  for (const auto& [m, _] : util_) {
    out.push_back(m);
  }
  return out;
}

Result<UtilSample> InterferenceModel::Util(const std::string& model, int batch) const {
  auto it = util_.find(model);
  if (it == util_.end() || it->second.empty()) {
    return NotFoundError("no utilisation profile for model '" + model +
                         "' (util.csv has: " + Join(models(), ", ") + ")");
  }
  const auto& by_batch = it->second;
  auto hi = by_batch.lower_bound(batch);
  if (hi == by_batch.end()) {
    return std::prev(hi)->second;
  }
  if (hi->first == batch || hi == by_batch.begin()) {
    return hi->second;
  }
  auto lo = std::prev(hi);
  double t = static_cast<double>(batch - lo->first) / static_cast<double>(hi->first - lo->first);
  UtilSample s;
  s.sm = lo->second.sm + t * (hi->second.sm - lo->second.sm);
  s.l2 = lo->second.l2 + t * (hi->second.l2 - lo->second.l2);
  s.dram = lo->second.dram + t * (hi->second.dram - lo->second.dram);
  return s;
}

double InterferenceModel::Alpha(const GletLoad& me, const std::vector<GletLoad>& others) const {
  if (others.empty()) {
    return 1.0;
  }
  const double me_frac = me.partition / 100.0;
  double l2_other = 0;
  double dram_other = 0;
  for (const GletLoad& o : others) {
    l2_other += o.util.l2 * o.partition / 100.0;
    dram_other += o.util.dram * o.partition / 100.0;
  }
  const auto& c = constants_;
  double alpha = c[0] * me.util.l2 * me_frac + c[1] * l2_other + c[2] * me.util.dram * me_frac +
                 c[3] * dram_other + c[4];
  return std::max(1.0, alpha);
}

}  // namespace glet::perf
