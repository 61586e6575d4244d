// lexalign/em/em_result.hpp - what one EM stage reports (em_result) and the
// bookkeeping every EM trainer does after an M-step: log-likelihood history,
// convergence record, observer call, and the progress events within an
// E-step (core/observer.hpp, "Progress within an iteration").
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/em/bitext_view.hpp"

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

// Marks `result` as stopped by the observer within an iteration (the
// partial iteration is not counted).
inline void stopped_by_observer(em_result& result) {
  result.convergence.status = solver_status::stopped_by_observer;
}

// Sends progress events of one iteration of a stage to an observer that asks
// for them (progress_interval() > 0).
template <class Observer>
struct progress_events {
  Observer& obs;
  std::string_view stage;
  std::size_t iteration, max_iterations;

  std::size_t interval() const { return progress_interval_of(obs); }
  // Tells the observer that `done` of `total` pairs are done; false: stop.
  bool operator()(std::size_t done, std::size_t total) const {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    return notify(obs, iteration_event{stage, iteration, nan, nan, max_iterations, done, total}) ==
           observer_action::proceed;
  }
};

// No progress events (the E-step functions called on their own).
struct no_progress_events {
  constexpr std::size_t interval() const noexcept { return 0; }
  constexpr bool operator()(std::size_t, std::size_t) const noexcept { return true; }
};

// ex.for_each_block(view.size(), block_size, body), but when `events` asks
// for progress, run as consecutive chunks of whole blocks of at least
// events.interval() alignment cells (m x (l+1) per pair) each, with a
// progress event before the first chunk (0 pairs done: the iteration's
// work starts) and after every chunk but the last.  The blocks, their indices
// and so the result are the same either way; the chunks depend only on the
// data, never on the thread count.  Returns false when the observer said
// stop (the remaining chunks are not run).
template <class Body, class Events>
bool for_each_block_with_progress(const executor& ex, const bitext_view& view, std::size_t block_size, Body&& body,
                                  const Events& events) {
  const std::size_t n = view.size(), interval = events.interval();
  if (interval == 0 || n == 0) {  // no progress events (an empty corpus has no work to report)
    ex.for_each_block(n, block_size, body);
    return true;
  }
  if (!events(0, n)) return false;
  const std::size_t blocks = block_count(n, block_size);
  for (std::size_t b0 = 0; b0 < blocks;) {
    std::size_t b1 = b0, cells = 0;
    while (b1 < blocks && cells < interval) {
      for (std::size_t k = b1 * block_size, e = std::min(n, (b1 + 1) * block_size); k < e; ++k)
        cells += (*view.generated)[k].size() * ((*view.given)[k].size() + 1);
      ++b1;
    }
    const std::size_t begin = b0 * block_size, end = std::min(n, b1 * block_size);
    ex.for_each_block(end - begin, block_size, [&](std::size_t blk, std::size_t s, std::size_t e, unsigned w) {
      body(b0 + blk, begin + s, begin + e, w);
    });
    b0 = b1;
    if (b0 < blocks && !events(end, n)) return false;
  }
  return true;
}

}  // namespace detail
}  // namespace em
LEXALIGN_NAMESPACE_END
