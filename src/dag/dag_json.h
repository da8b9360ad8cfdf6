// Reading and writing a placement Problem as JSON:
//   {
//     "name": "heft-paper",                       optional; default: the file name's stem
//     "processors": ["P1", "P2", "P3"],
//     "bandwidth": 1 | [[0, 1, 1], [1, 0, 1], [1, 1, 0]],   data units per time unit; the
//                                                 diagonal is ignored; default 1
//     "startup": 0 | [0, 0, 0],                   per sending processor; default 0
//     "tasks": [{"id": "T1", "cost": [14, 16, 9]}, ...],   a cost of null or "inf": that
//                                                 processor cannot run the task
//     "edges": [{"from": "T1", "to": "T2", "data": 18}, ...]
//   }
// Communication convention: platform.h. Errors are kInvalidArgument naming the file and the
// JSON pointer of the field at fault ("dag.json: /edges/3/to: unknown task 'T11'").
#pragma once

#include <string>

#include "core/json_reader.h"
#include "core/status.h"
#include "dag/problem.h"

namespace glet::dag {

Result<Problem> LoadDagJson(const std::string& path);
// `origin` names the document in errors; `default_name` is used when "name" is absent.
Result<Problem> ParseDagJson(const Json& doc, const std::string& origin,
                             const std::string& default_name);
// The inverse of ParseDagJson (infinite costs written as "inf").
Json DagToJson(const Problem& problem);

// The file name without folders and extension: "resource/dag/a.json" -> "a".
std::string FileStem(const std::string& path);

}  // namespace glet::dag
