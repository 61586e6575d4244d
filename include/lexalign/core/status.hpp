// lexalign/core/status.hpp - how an iterative algorithm ended: the one
// convergence record of the library.
//
// Every iterative algorithm's result holds a member
//
//     convergence_info convergence;
//
// (Sinkhorn in both methods, unbalanced and partial OT, the barycenters,
// Gromov-Wasserstein, emd, the free-support barycenter, every EM stage, every
// Gibbs chain).  `status` says why it stopped, `iterations` how many
// iterations (sweeps, pivots) it ran, and `error` the algorithm's stopping
// quantity at the end; what that quantity is, is documented in one line on
// the algorithm's result type and in its docs page.  Numerical trouble and
// non-convergence are reported here, never thrown.
#pragma once

#include <cstddef>
#include <limits>
#include <string_view>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

enum class solver_status {
  converged,            // the stopping criterion was met
  max_iterations,       // the iteration budget ran out first (also: a fixed schedule ran to its end)
  stopped_by_observer,  // the observer asked to stop; the result is the last complete iterate
  numerical_error,      // a non-finite value appeared; the result is the last finite iterate
};

constexpr std::string_view to_string(solver_status s) noexcept {
  switch (s) {
    case solver_status::converged: return "converged";
    case solver_status::max_iterations: return "max_iterations";
    case solver_status::stopped_by_observer: return "stopped_by_observer";
    case solver_status::numerical_error: return "numerical_error";
  }
  return "unknown";
}

// The convergence record.  `error` is NaN when the algorithm measured
// nothing (no iteration ran, or no stopping quantity is defined for it).
struct convergence_info {
  solver_status status = solver_status::max_iterations;
  std::size_t iterations = 0;
  double error = std::numeric_limits<double>::quiet_NaN();

  constexpr bool converged() const noexcept { return status == solver_status::converged; }
  // True when the result can be used as it is (converged or ran its budget).
  constexpr bool ok() const noexcept {
    return status == solver_status::converged || status == solver_status::max_iterations;
  }
  friend constexpr bool operator==(const convergence_info&, const convergence_info&) = default;
};

// The record of a multi-stage run from the records of its stages, in order:
// iterations add up; status and error are the last stage's, except that a
// stop or a numerical error in any stage is what the run reports (later
// stages do not run after either).
constexpr convergence_info& append_stage(convergence_info& run, const convergence_info& stage) noexcept {
  run.iterations += stage.iterations;
  if (run.ok()) {
    run.status = stage.status;
    run.error = stage.error;
  }
  return run;
}

LEXALIGN_NAMESPACE_END
