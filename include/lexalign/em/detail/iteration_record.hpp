// lexalign/em/detail/iteration_record.hpp - the bookkeeping every EM trainer
// does after an M-step: log-likelihood history, convergence info, observer.
#pragma once

#include <cstddef>
#include <string_view>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/status.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em::detail {

// Records iteration `it` with log-likelihood `ll` in `result` (which has
// `log_likelihood` and `info`); error = change of the per-token
// log-likelihood.  Returns true when the observer asked to stop (the status
// is then set).
template <class Result, class Observer>
bool record_iteration(Result& result, std::size_t it, double ll, double& previous, double tokens, Observer& obs,
                      std::string_view stage) {
  result.log_likelihood.push_back(ll);
  result.info.iterations = it;
  result.info.error = (ll - previous) / tokens;
  previous = ll;
  if (notify(obs, iteration_event{stage, it, result.info.error, ll}) == observer_action::stop) {
    result.info.status = solver_status::stopped_by_observer;
    return true;
  }
  return false;
}

}  // namespace em::detail
LEXALIGN_NAMESPACE_END
