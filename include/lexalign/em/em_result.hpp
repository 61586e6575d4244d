// lexalign/em/em_result.hpp - what one EM stage reports (em_result) and the
// bookkeeping every EM trainer does after an M-step: log-likelihood history,
// convergence record, observer call.
#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/status.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// The result of one EM stage (train_ibm1, train_hmm, train_fast_align).
struct em_result {
  // status max_iterations (EM runs its iteration budget; it has no tolerance)
  // or stopped_by_observer.  error = relative change of the corpus
  // log-likelihood between the last two iterations, |L_k - L_{k-1}| / |L_{k-1}|
  // (NaN after a single iteration).
  convergence_info convergence;
  std::vector<double> log_likelihood;  // corpus log-likelihood of each iteration's E-step (natural log)
};

namespace detail {

// Records iteration `it` (of `max_iterations`) with log-likelihood `ll` in
// `result` and tells the observer (stage `stage`, objective = ll).  Returns
// true when the observer asked to stop (the status is then set).
template <class Observer>
bool record_iteration(em_result& result, std::size_t it, std::size_t max_iterations, double ll, Observer& obs,
                      std::string_view stage) {
  const double previous = result.log_likelihood.empty() ? std::nan("") : result.log_likelihood.back();
  result.log_likelihood.push_back(ll);
  result.convergence.iterations = it;
  result.convergence.error = std::abs(ll - previous) / std::abs(previous);
  if (notify(obs, iteration_event{stage, it, result.convergence.error, ll, max_iterations}) == observer_action::stop) {
    result.convergence.status = solver_status::stopped_by_observer;
    return true;
  }
  return false;
}

}  // namespace detail
}  // namespace em
LEXALIGN_NAMESPACE_END
