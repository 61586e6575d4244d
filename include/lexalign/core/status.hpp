// lexalign/core/status.hpp - how an iterative solver ended.
#pragma once

#include <string_view>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

enum class solver_status {
  converged,            // the stopping criterion was met
  max_iterations,       // the iteration budget ran out first
  stopped_by_observer,  // the observer asked to stop
  numerical_error,      // a non-finite value appeared; results are the last finite iterate
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

// Common tail of every iterative result struct.
struct convergence_info {
  solver_status status = solver_status::max_iterations;
  std::size_t iterations = 0;
  double error = 0.0;  // the solver's stopping quantity at the end (documented per solver)

  constexpr bool converged() const noexcept { return status == solver_status::converged; }
};

LEXALIGN_NAMESPACE_END
