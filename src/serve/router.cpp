#include "serve/router.h"

#include <cmath>
#include <utility>

namespace glet::serve {

Router::Entry* Router::Find(std::string_view glet_id) {
  for (Entry& e : glets_) {
    if (e.glet_id == glet_id) {
      return &e;
    }
  }
  return nullptr;
}

const Router::Entry* Router::Find(std::string_view glet_id) const {
  for (const Entry& e : glets_) {
    if (e.glet_id == glet_id) {
      return &e;
    }
  }
  return nullptr;
}

Status Router::NotFound(std::string_view glet_id) const {
  return NotFoundError("model " + model_ + ": no glet '" + std::string(glet_id) + "' in its route");
}

Status Router::CheckRate(std::string_view glet_id, double rate_rps) const {
  if (!std::isfinite(rate_rps) || rate_rps <= 0) {
    return InvalidArgumentError("model " + model_ + ": glet '" + std::string(glet_id) +
                                "': rate_rps: must be > 0 (got " + std::to_string(rate_rps) + ")");
  }
  return Status::Ok();
}

void Router::Restart() {
  for (Entry& e : glets_) {
    e.picks = 0;
  }
  picks_ = 0;
}

Status Router::AddGlet(std::string glet_id, double rate_rps) {
  GLET_RETURN_IF_ERROR(CheckRate(glet_id, rate_rps));
  if (Find(glet_id) != nullptr) {
    return AlreadyExistsError("model " + model_ + ": glet '" + glet_id + "' is already routed");
  }
  glets_.push_back({std::move(glet_id), rate_rps, true, 0});
  Restart();
  return Status::Ok();
}

Status Router::RemoveGlet(std::string_view glet_id) {
  for (auto it = glets_.begin(); it != glets_.end(); ++it) {
    if (it->glet_id == glet_id) {
      glets_.erase(it);
      Restart();
      return Status::Ok();
    }
  }
  return NotFound(glet_id);
}

Status Router::SetRate(std::string_view glet_id, double rate_rps) {
  Entry* e = Find(glet_id);
  if (e == nullptr) {
    return NotFound(glet_id);
  }
  GLET_RETURN_IF_ERROR(CheckRate(glet_id, rate_rps));
  e->rate_rps = rate_rps;
  Restart();
  return Status::Ok();
}

Status Router::MarkDown(std::string_view glet_id) {
  Entry* e = Find(glet_id);
  if (e == nullptr) {
    return NotFound(glet_id);
  }
  if (e->up) {
    e->up = false;
    Restart();
  }
  return Status::Ok();
}

Status Router::MarkUp(std::string_view glet_id) {
  Entry* e = Find(glet_id);
  if (e == nullptr) {
    return NotFound(glet_id);
  }
  if (!e->up) {
    e->up = true;
    Restart();
  }
  return Status::Ok();
}

size_t Router::up_count() const {
  size_t n = 0;
  for (const Entry& e : glets_) {
    n += e.up ? 1 : 0;
  }
  return n;
}

Result<bool> Router::IsUp(std::string_view glet_id) const {
  const Entry* e = Find(glet_id);
  if (e == nullptr) {
    return NotFound(glet_id);
  }
  return e->up;
}

Result<std::string> Router::Pick() {
  if (glets_.empty()) {
    return UnavailableError("model " + model_ + ": no glet serves it");
  }
  double total = 0;
  int up = 0;
  for (const Entry& e : glets_) {
    if (e.up) {
      total += e.rate_rps;
      ++up;
    }
  }
  if (up == 0) {
    return UnavailableError("model " + model_ + ": all " + std::to_string(glets_.size()) +
                            " glets serving it are down");
  }
  // Tijdeman: candidates have lag >= 1/(2n-2); among them the least (picks + sigma) / share.
  const double t = static_cast<double>(picks_ + 1);
  const double floor_lag = up > 1 ? 1.0 / (2.0 * up - 2.0) : 0.0;
  const double sigma = 1.0 - floor_lag;
  constexpr double kSlack = 1e-9;  // absorbs rounding in t * share
  Entry* best = nullptr;
  double best_key = 0;
  Entry* most_behind = nullptr;  // fallback, should rounding ever leave no candidate
  double most_lag = 0;
  for (Entry& e : glets_) {
    if (!e.up) {
      continue;
    }
    const double share = e.rate_rps / total;
    const double lag = t * share - static_cast<double>(e.picks);
    if (most_behind == nullptr || lag > most_lag) {
      most_behind = &e;
      most_lag = lag;
    }
    if (lag < floor_lag - kSlack) {
      continue;
    }
    const double key = (static_cast<double>(e.picks) + sigma) / share;
    if (best == nullptr || key < best_key) {
      best = &e;
      best_key = key;
    }
  }
  if (best == nullptr) {
    best = most_behind;
  }
  ++best->picks;
  ++picks_;
  return best->glet_id;
}

}  // namespace glet::serve
