#include "dag/schedule_json.h"

#include "core/strings.h"
#include "dag/metrics.h"

namespace glet::dag {

Json ScheduleToJson(const Problem& problem, const Schedule& schedule) {
  Json tasks = Json::array();
  for (int t = 0; t < problem.dag.num_tasks(); ++t) {
    const Placement& p = schedule.placements[t];
    tasks.push_back(Json{{"task", problem.dag.task(t).name},
                         {"processor", problem.platform.names()[p.processor]},
                         {"start", p.start},
                         {"finish", p.finish}});
  }
  return Json{{"algorithm", schedule.algorithm},
              {"dag", problem.name},
              {"start_time", schedule.start_time},
              {"end_time", schedule.end_time()},
              {"makespan", schedule.makespan()},
              {"slr", ScheduleLengthRatio(problem, schedule)},
              {"speedup", Speedup(problem, schedule)},
              {"processors", problem.platform.names()},
              {"tasks", std::move(tasks)}};
}

Result<ScheduleContext> LoadScheduleContext(const std::string& path, const Platform& platform,
                                            double start_time) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  return ParseScheduleContext(doc, path, platform, start_time);
}

Result<ScheduleContext> ParseScheduleContext(const Json& doc, const std::string& origin,
                                             const Platform& platform, double start_time) {
  JsonReader root(doc, origin);
  GLET_RETURN_IF_ERROR(root.ExpectObject());
  GLET_ASSIGN_OR_RETURN(JsonReader tasks_r, root.Child("tasks"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> items, tasks_r.Elements());
  ScheduleContext context;
  context.start_time = start_time;
  context.busy.resize(platform.num_processors());
  for (const JsonReader& item : items) {
    GLET_ASSIGN_OR_RETURN(std::string task, item.GetString("task"));
    GLET_ASSIGN_OR_RETURN(std::string proc, item.GetString("processor"));
    GLET_ASSIGN_OR_RETURN(double start, item.GetDouble("start"));
    GLET_ASSIGN_OR_RETURN(double finish, item.GetDouble("finish"));
    int p = platform.Find(proc);
    if (p < 0) {
      GLET_ASSIGN_OR_RETURN(JsonReader pr, item.Child("processor"));
      return pr.Error("unknown processor '" + proc + "' (have: " + Join(platform.names(), ", ") +
                      ")");
    }
    GLET_RETURN_IF_ERROR(item.RequireNonNegative("start", start));
    if (finish < start) {
      GLET_ASSIGN_OR_RETURN(JsonReader fr, item.Child("finish"));
      return fr.Error("must be >= start (" + FormatDouble(start, 3) + ")");
    }
    context.busy[p].push_back(BusySlot{start, finish, task});
  }
  return context;
}

}  // namespace glet::dag
