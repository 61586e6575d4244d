// lexalign/ot/detail/iteration_driver.hpp - the one iteration driver of the
// entropic solvers (Sinkhorn in both methods and its epsilon-scaling stages,
// sinkhorn_unbalanced, partial, barycenter, gromov_wasserstein's outer loop
// and its inner Sinkhorn problems).
//
// As Boost.Graph builds Dijkstra on breadth-first visit plus a visitor, the
// driver owns what every solver shares, and a solver supplies only a policy:
//
//   struct policy {
//     step_outcome step(bool check);  // one iteration; `check`: measure the error
//     double error();                 // the stopping quantity (after a checked step)
//     bool finite();                  // is the current iterate usable?
//     void save();                    // remember the current iterate (finite)
//     void restore();                 // go back to the last saved iterate
//     double objective();             // reported to the observer (NaN if none)
//   };
//
// The driver runs at most `max_iterations` iterations; it checks every
// `check_every` iterations and at the last one: a non-finite error or
// iterate rolls back to the last finite iterate (saved at the previous
// check, or the start) with status numerical_error; otherwise the iterate is
// saved, the observer is called (stage, 1-based iteration, error, objective,
// max_iterations) and the run stops when the observer says stop or when the
// error is below `tolerance`.  A step may end the run at once (a component
// solver inside it failed or was stopped).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string_view>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/status.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot::detail {

enum class step_outcome {
  proceed,          // the iteration ran
  numerical_error,  // the step found a non-finite value: roll back and stop
  stopped,          // a component's observer asked to stop: keep this iterate and stop
};

struct drive_params {
  std::string_view stage;
  std::size_t max_iterations = 1000;
  double tolerance = 1e-9;
  std::size_t check_every = 10;
};

template <class Policy, class Obs>
convergence_info drive(Policy& policy, const drive_params& p, Obs& obs) {
  convergence_info c;
  c.status = solver_status::max_iterations;
  policy.save();
  for (std::size_t it = 1; it <= p.max_iterations; ++it) {
    const bool check = it % p.check_every == 0 || it == p.max_iterations;
    const step_outcome out = policy.step(check);
    c.iterations = it;
    if (out == step_outcome::numerical_error) {
      policy.restore();
      c.status = solver_status::numerical_error;
      return c;
    }
    if (out == step_outcome::stopped) {
      c.status = solver_status::stopped_by_observer;
      return c;
    }
    if (!check) continue;
    const double err = policy.error();
    if (!std::isfinite(err) || !policy.finite()) {
      policy.restore();
      c.status = solver_status::numerical_error;
      return c;
    }
    policy.save();
    c.error = err;
    if (notify(obs, iteration_event{p.stage, it, err, policy.objective(), p.max_iterations}) == observer_action::stop) {
      c.status = solver_status::stopped_by_observer;
      return c;
    }
    if (err < p.tolerance) {
      c.status = solver_status::converged;
      return c;
    }
  }
  return c;
}

}  // namespace ot::detail
LEXALIGN_NAMESPACE_END
