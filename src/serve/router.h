// Router: spreads one model's batches (or requests) over the glets serving it, in proportion to
// each glet's planned throughput. Deterministic apportionment (Tijdeman's solution of the
// "chairman assignment" problem): with n up glets of shares p_i = rate_i / total, after every
// prefix of t picks each glet has been picked t * p_i times within 1 - 1/(2n - 2) (< 1), and its
// picks are spread out, not bunched. Pick t goes, among the glets with t * p_i - picks_i >=
// 1/(2n - 2), to the one whose lag would run out first (least (picks_i + 1 - 1/(2n-2)) / p_i;
// ties: the glet added first).
//
// Failure handling: MarkDown() takes a glet out of the rotation without forgetting it, MarkUp()
// puts it back. Any change of membership, weight or up/down state restarts the rotation (all
// counts zero), so the proportions hold for the new set from then on.
//
// Pure policy: no clock, no threads. Thread safety: none; the owner serialises calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace glet::serve {

class Router {
 public:
  explicit Router(std::string model) : model_(std::move(model)) {}

  // Adds a glet with its planned throughput. kInvalidArgument naming the glet if rate_rps is not
  // a finite number > 0; kAlreadyExists if the id is present.
  Status AddGlet(std::string glet_id, double rate_rps);
  // kNotFound if unknown.
  Status RemoveGlet(std::string_view glet_id);
  // New planned throughput (re-planning). Errors as AddGlet / RemoveGlet.
  Status SetRate(std::string_view glet_id, double rate_rps);
  // kNotFound if unknown. Marking a down glet down (or an up one up) is OK and changes nothing.
  Status MarkDown(std::string_view glet_id);
  Status MarkUp(std::string_view glet_id);

  // The glet for the next batch. kUnavailable naming the model when it has no glet, or when
  // every glet is down (the message says how many are down).
  Result<std::string> Pick();

  const std::string& model() const { return model_; }
  size_t glet_count() const { return glets_.size(); }
  size_t up_count() const;
  // kNotFound if unknown.
  Result<bool> IsUp(std::string_view glet_id) const;

 private:
  struct Entry {
    std::string glet_id;
    double rate_rps = 0;
    bool up = true;
    long long picks = 0;  // since the last restart
  };
  Entry* Find(std::string_view glet_id);
  const Entry* Find(std::string_view glet_id) const;
  Status NotFound(std::string_view glet_id) const;
  Status CheckRate(std::string_view glet_id, double rate_rps) const;
  void Restart();

  const std::string model_;
  std::vector<Entry> glets_;  // in order of addition
  long long picks_ = 0;       // since the last restart
};

}  // namespace glet::serve
