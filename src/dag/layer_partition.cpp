#include "dag/layer_partition.h"

#include <algorithm>

#include "dag/dag_json.h"

namespace glet::dag {

namespace {

struct Shape {
  int64_t c = 0, h = 0, w = 0;
};

// A piece of a layer's output: rows [r0, r1) x channels [c0, c1) x all columns.
struct Piece {
  int task = -1;
  int64_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
};

Shape OutputShape(const LayerSpec& l, const Shape& in) {
  if (l.type == LayerType::kFc) {
    return Shape{l.out_channels, 1, 1};
  }
  Shape out;
  out.c = l.type == LayerType::kConv ? l.out_channels : in.c;
  out.h = (in.h + 2 * l.padding - l.kernel) / l.stride + 1;
  out.w = (in.w + 2 * l.padding - l.kernel) / l.stride + 1;
  if (in.h + 2 * l.padding < l.kernel || in.w + 2 * l.padding < l.kernel) {
    out.h = out.w = 0;
  }
  return out;
}

Result<int> PositiveInt(const JsonReader& r, std::string_view key, std::optional<int> fallback) {
  int64_t v = 0;
  if (fallback.has_value()) {
    GLET_ASSIGN_OR_RETURN(v, r.GetIntOr(key, *fallback));
  } else {
    GLET_ASSIGN_OR_RETURN(v, r.GetInt(key));
  }
  if (v < 1 || v > (1 << 24)) {
    return InvalidArgumentError(r.where() + "/" + std::string(key) +
                                ": must be between 1 and 16777216 (got " + std::to_string(v) + ")");
  }
  return static_cast<int>(v);
}

}  // namespace

Result<ModelLayers> LoadModelLayers(const std::string& path) {
  GLET_ASSIGN_OR_RETURN(Json doc, ReadJsonFile(path));
  return ParseModelLayers(doc, path, FileStem(path));
}

Result<ModelLayers> ParseModelLayers(const Json& doc, const std::string& origin,
                                     const std::string& default_name) {
  JsonReader root(doc, origin);
  GLET_RETURN_IF_ERROR(root.CheckKeys({"name", "input", "bytes_per_element", "layers"}));
  ModelLayers model;
  GLET_ASSIGN_OR_RETURN(model.name, root.GetStringOr("name", default_name));
  GLET_ASSIGN_OR_RETURN(JsonReader in, root.Child("input"));
  GLET_RETURN_IF_ERROR(in.CheckKeys({"channels", "height", "width"}));
  GLET_ASSIGN_OR_RETURN(model.channels, PositiveInt(in, "channels", std::nullopt));
  GLET_ASSIGN_OR_RETURN(model.height, PositiveInt(in, "height", std::nullopt));
  GLET_ASSIGN_OR_RETURN(model.width, PositiveInt(in, "width", std::nullopt));
  GLET_ASSIGN_OR_RETURN(model.bytes_per_element, PositiveInt(root, "bytes_per_element", 4));
  GLET_ASSIGN_OR_RETURN(JsonReader layers_r, root.Child("layers"));
  GLET_ASSIGN_OR_RETURN(std::vector<JsonReader> items, layers_r.Elements());
  if (items.empty()) {
    return layers_r.Error("must list at least one layer");
  }
  Shape shape{model.channels, model.height, model.width};
  for (const JsonReader& item : items) {
    GLET_RETURN_IF_ERROR(item.CheckKeys(
        {"name", "type", "out_channels", "out_features", "kernel", "stride", "padding", "groups"}));
    LayerSpec l;
    GLET_ASSIGN_OR_RETURN(l.name, item.GetString("name"));
    GLET_ASSIGN_OR_RETURN(std::string type, item.GetString("type"));
    if (type == "conv") {
      l.type = LayerType::kConv;
      GLET_ASSIGN_OR_RETURN(l.out_channels, PositiveInt(item, "out_channels", std::nullopt));
      GLET_ASSIGN_OR_RETURN(l.kernel, PositiveInt(item, "kernel", std::nullopt));
      GLET_ASSIGN_OR_RETURN(l.groups, PositiveInt(item, "groups", 1));
      if (shape.c % l.groups != 0 || l.out_channels % l.groups != 0) {
        GLET_ASSIGN_OR_RETURN(JsonReader g, item.Child("groups"));
        return g.Error("must divide the input channels (" + std::to_string(shape.c) +
                       ") and out_channels (" + std::to_string(l.out_channels) + ")");
      }
    } else if (type == "pool") {
      l.type = LayerType::kPool;
      GLET_ASSIGN_OR_RETURN(l.kernel, PositiveInt(item, "kernel", std::nullopt));
    } else if (type == "fc") {
      l.type = LayerType::kFc;
      GLET_ASSIGN_OR_RETURN(l.out_channels, PositiveInt(item, "out_features", std::nullopt));
    } else {
      GLET_ASSIGN_OR_RETURN(JsonReader t, item.Child("type"));
      return t.Error("unknown layer type '" + type + "' (known: conv, pool, fc)");
    }
    if (l.type != LayerType::kFc) {
      GLET_ASSIGN_OR_RETURN(l.stride, PositiveInt(item, "stride", 1));
      GLET_ASSIGN_OR_RETURN(int64_t pad, item.GetIntOr("padding", 0));
      GLET_RETURN_IF_ERROR(item.RequireNonNegative("padding", static_cast<double>(pad)));
      l.padding = static_cast<int>(std::min<int64_t>(pad, 1 << 20));
    }
    Shape out = OutputShape(l, shape);
    if (out.h < 1 || out.w < 1) {
      return item.Error("output would be empty: input " + std::to_string(shape.h) + "x" +
                        std::to_string(shape.w) + ", kernel " + std::to_string(l.kernel) +
                        ", padding " + std::to_string(l.padding));
    }
    shape = out;
    model.layers.push_back(std::move(l));
  }
  return model;
}

Result<Problem> PartitionLayers(const ModelLayers& model, const DeviceTable& devices, int pieces) {
  if (pieces < 1) {
    return InvalidArgumentError("--pieces: must be >= 1 (got " + std::to_string(pieces) + ")");
  }
  const int num_procs = devices.platform.num_processors();
  const double bytes = model.bytes_per_element;
  std::vector<Task> tasks;
  std::vector<Edge> edges;
  auto cost_row = [&](double flops) {
    std::vector<double> cost(num_procs);
    for (int p = 0; p < num_procs; ++p) {
      cost[p] = flops / (devices.gflops[p] * 1e6);  // GFLOP/s -> FLOP per ms
    }
    return cost;
  };
  auto endpoint_row = [&]() {
    std::vector<double> cost(num_procs, kInfCost);
    cost[devices.source] = 0;
    return cost;
  };

  Shape in{model.channels, model.height, model.width};
  std::vector<Piece> prev;
  if (devices.source >= 0) {
    tasks.push_back(Task{"input", endpoint_row()});
    prev.push_back(Piece{0, 0, in.h, 0, in.c});
  }
  for (const LayerSpec& l : model.layers) {
    const Shape out = OutputShape(l, in);
    const bool fc = l.type == LayerType::kFc;
    const int64_t extent = fc ? out.c : out.h;  // what is split
    const int64_t k = std::min<int64_t>(pieces, extent);
    std::vector<Piece> cur;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t a = j * extent / k;
      const int64_t b = (j + 1) * extent / k;
      Piece piece{static_cast<int>(tasks.size()), 0, out.h, 0, out.c};
      double flops = 0;
      int64_t need_lo = 0, need_hi = in.h - 1;  // input rows read, inclusive
      if (fc) {
        piece.c0 = a;
        piece.c1 = b;
        flops = 2.0 * static_cast<double>(in.c * in.h * in.w) * static_cast<double>(b - a);
      } else {
        piece.r0 = a;
        piece.r1 = b;
        need_lo = std::max<int64_t>(0, a * l.stride - l.padding);
        need_hi = std::min<int64_t>(in.h - 1, (b - 1) * l.stride - l.padding + l.kernel - 1);
        const double window = static_cast<double>(l.kernel) * l.kernel;
        const double outputs = static_cast<double>(b - a) * static_cast<double>(out.w);
        flops = l.type == LayerType::kConv
                    ? 2.0 * static_cast<double>(in.c / l.groups) * window * l.out_channels * outputs
                    : static_cast<double>(in.c) * window * outputs;
      }
      tasks.push_back(Task{l.name + "#" + std::to_string(j), cost_row(flops)});
      for (const Piece& p : prev) {
        const int64_t lo = std::max(need_lo, p.r0);
        const int64_t hi = std::min(need_hi + 1, p.r1);
        if (hi > lo) {
          double mb = static_cast<double>(hi - lo) * static_cast<double>(p.c1 - p.c0) *
                      static_cast<double>(in.w) * bytes / 1e6;
          edges.push_back(Edge{p.task, piece.task, mb});
        }
      }
      cur.push_back(piece);
    }
    prev = std::move(cur);
    in = out;
  }
  if (devices.source >= 0) {
    const int out_task = static_cast<int>(tasks.size());
    tasks.push_back(Task{"output", endpoint_row()});
    for (const Piece& p : prev) {
      double mb = static_cast<double>(p.r1 - p.r0) * static_cast<double>(p.c1 - p.c0) *
                  static_cast<double>(in.w) * bytes / 1e6;
      edges.push_back(Edge{p.task, out_task, mb});
    }
  }
  GLET_ASSIGN_OR_RETURN(Dag dag,
                        Dag::Create(std::move(tasks), std::move(edges), num_procs, model.name));
  return Problem{model.name, std::move(dag), devices.platform};
}

}  // namespace glet::dag
