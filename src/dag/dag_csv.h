// Reading the CSV trio used by common HEFT/PEFT reference implementations. For PREFIX:
//   PREFIX_task_exe_time.csv     header "TP,P_0,...,P_m"; one row per task: name, cost per
//                                processor ("inf" = cannot run there)
//   PREFIX_task_connectivity.csv header "T,T0,...,Tn"; a square matrix: row i, column j is the
//                                data volume from task i to task j (0 = no edge); rows in the
//                                header's order
//   PREFIX_resource_BW.csv       header "P,P_0,...,P_m"; a square bandwidth matrix (diagonal
//                                ignored, "inf" allowed), optionally a final "Startup" row with
//                                each processor's start-up latency
// Task names come from the exe-time rows, processor names from its header. Communication
// convention: platform.h. Errors are kInvalidArgument "file:LINE: row 'R', column 'C': ...".
#pragma once

#include <string>

#include "core/status.h"
#include "dag/problem.h"

namespace glet::dag {

Result<Problem> LoadDagCsv(const std::string& prefix);

}  // namespace glet::dag
