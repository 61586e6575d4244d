// lexalign/em/ibm1.hpp - IBM Model 1 with NULL, trained by EM (GIZA++ conventions).
//
//   P(f | e) = prod_j 1/(l+1) * sum_{i=0..l} t(f_j | e_i),   e_0 = NULL
//
// E-step: q(i|j) = t(f_j|e_i) / sum_i' t(f_j|e_i'), with t raised to
// `probability_floor` (GIZA++'s PROB_SMOOTH = 1e-7); counts c(e_i,f_j) += q.
// M-step: t(f|e) = c(e,f) / sum_f' c(e,f').  The table starts uniform
// (1/|V_f|, only over co-occurring pairs), so the first E-step is uniform.
//
// Threads: sentence pairs are processed in fixed blocks; counts are summed in
// fixed point (fixed_point_counts.hpp) and per-block log-likelihoods in block
// order, so the model is bit-identical for any thread count (`parallel`).
#pragma once

#include <cmath>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/em_result.hpp"
#include "lexalign/em/estep_scratch.hpp"
#include "lexalign/em/fixed_point_counts.hpp"
#include "lexalign/em/lexical_prior.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/lookup_cache.hpp"
#include "lexalign/em/normalize_counts.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

struct ibm1_options {
  std::size_t iterations = 5;         // EM iterations (E-step + M-step each)
  double probability_floor = 1e-7;    // t below this is raised to it in the E-step (GIZA++ PROB_SMOOTH); in (0, 1)
  const lexical_prior* prior = nullptr;  // mixed into t after every M-step (embedding_prior.hpp)
  double vb_alpha = 0.0;              // > 0: variational-Bayes M-step with Dirichlet(vb_alpha) rows (normalize_counts.hpp)
  parallel_options parallel = {};     // threads or a caller's pool; results do not depend on it
  std::size_t block_size = 64;        // sentence pairs per work block (fixed: part of the result's definition)
  const lookup_cache* cache = nullptr;  // a cache built for this view and table structure (else one is built)
  bool cache_lookups = true;          // precompute table indices (4 bytes per cell, lookup_cache)
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const ibm1_options& o) {
  validation::open_unit("em::ibm1_options.probability_floor", o.probability_floor);
  validation::non_negative("em::ibm1_options.vb_alpha", o.vb_alpha);
  validation::at_least("em::ibm1_options.block_size", o.block_size, 1);
  validate(o.parallel);
}

namespace detail {

// Emission probabilities of one sentence pair, m x (l+1), column 0 = NULL:
// b[j*(l+1)+i] = max(t(f_j | e_i), floor), plus the table index of each cell
// (npos for pairs the table does not hold: unknown words in force alignment).
inline void emission_matrix(const lexical_table& t, std::span<const word_id> e, std::span<const word_id> f,
                            double floor, std::vector<double>& b, std::vector<std::size_t>* index) {
  const std::size_t cells = f.size() * (e.size() + 1);
  b.resize(cells);
  if (index) index->resize(cells);
  // The indices go to `index`, or (without one) into b itself as doubles
  // (exact: a table has fewer than 2^53 entries), then become emissions.
  const double* p = t.probabilities().data();
  if (index) {
    cell_indices(t, e, f, index->data(), lexical_table::npos);
    for (std::size_t c = 0; c < cells; ++c) {
      const std::size_t k = (*index)[c];
      const double v = k == lexical_table::npos ? 0.0 : p[k];
      b[c] = v < floor ? floor : v;
    }
  } else {
    cell_indices(t, e, f, b.data(), -1.0);
    for (std::size_t c = 0; c < cells; ++c) {
      const double v = b[c] < 0.0 ? 0.0 : p[static_cast<std::size_t>(b[c])];
      b[c] = v < floor ? floor : v;
    }
  }
}

// As emission_matrix, from a lookup_cache entry of sentence pair k.
inline void emission_matrix(const lexical_table& t, const lookup_cache& cache, std::size_t k, std::size_t cells,
                            double floor, std::vector<double>& b, std::vector<std::size_t>* index) {
  b.resize(cells);
  if (index) index->resize(cells);
  const std::uint32_t* in = cache.index.data() + cache.offsets[k];
  const double* p = t.probabilities().data();
  for (std::size_t c = 0; c < cells; ++c) {
    const std::uint32_t x = in[c];
    const double v = x == lookup_cache::missing ? 0.0 : p[x];
    b[c] = v < floor ? floor : v;
    if (index) (*index)[c] = x == lookup_cache::missing ? lexical_table::npos : std::size_t{x};
  }
}

// Emissions of pair k of `view`, from the cache when there is one.
inline void emission_matrix(const lexical_table& t, const lookup_cache* cache, const bitext_view& view,
                            std::size_t k, double floor, std::vector<double>& b, std::vector<std::size_t>* index) {
  const auto e = (*view.given)[k];
  const auto f = (*view.generated)[k];
  if (cache && !cache->empty()) emission_matrix(t, *cache, k, f.size() * (e.size() + 1), floor, b, index);
  else emission_matrix(t, e, f, floor, b, index);
}

}  // namespace detail

// IBM1 posteriors of one sentence pair: q[j*(l+1)+i] = P(a_j = i | e, f),
// column 0 = NULL.  Returns log P(f | e) (without the length term).
inline double ibm1_posteriors(const lexical_table& t, std::span<const word_id> e, std::span<const word_id> f,
                              double floor, std::vector<double>& q) {
  detail::emission_matrix(t, e, f, floor, q, nullptr);
  const std::size_t l1 = e.size() + 1;
  double ll = 0.0;
  for (std::size_t j = 0; j < f.size(); ++j) {
    double s = 0.0;
    for (std::size_t i = 0; i < l1; ++i) s += q[j * l1 + i];
    const double inv = 1.0 / s;
    for (std::size_t i = 0; i < l1; ++i) q[j * l1 + i] *= inv;
    ll += std::log(s / static_cast<double>(l1));
  }
  return ll;
}

// The E-step's buffers (estep_scratch.hpp): each worker's emission matrix.
using ibm1_estep_scratch = estep_scratch<emission_scratch>;

namespace detail {
// ibm1_expectation with progress events; false (and `ll` unset) when the
// observer said stop.
template <class Events>
bool ibm1_expectation(const bitext_view& view, const lexical_table& t, fixed_point_counts& counts, double floor,
                      const executor& ex, std::size_t block_size, const lookup_cache* cache,
                      ibm1_estep_scratch* scratch, const Events& events, double& ll_out) {
  counts.assign(t.size());
  const std::size_t blocks = block_count(view.size(), block_size);
  ibm1_estep_scratch local;
  ibm1_estep_scratch& sc = scratch ? *scratch : local;
  const unsigned workers = ex.workers_for(blocks);
  sc.prepare(blocks, workers, view.given->max_length(), view.generated->max_length());
  auto& block_ll = sc.block_ll;
  const bool concurrent = workers > 1;
  const bool done = for_each_block_with_progress(ex, view, block_size, [&](std::size_t blk, std::size_t begin, std::size_t end, unsigned w) {
    auto& s = sc.work[w];
    double ll = 0.0;
    for (std::size_t k = begin; k < end; ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      if (f.empty()) continue;
      detail::emission_matrix(t, cache, view, k, floor, s.b, &s.index);
      const std::size_t l1 = e.size() + 1;
      for (std::size_t j = 0; j < f.size(); ++j) {
        double sum = 0.0;
        for (std::size_t i = 0; i < l1; ++i) sum += s.b[j * l1 + i];
        const double inv = 1.0 / sum;
        for (std::size_t i = 0; i < l1; ++i)
          if (s.index[j * l1 + i] != lexical_table::npos)
            counts.add(s.index[j * l1 + i], s.b[j * l1 + i] * inv, concurrent);
        ll += std::log(sum / static_cast<double>(l1));
      }
    }
    block_ll[blk] = ll;
  }, events);
  if (done) ll_out = ordered_sum(block_ll);
  return done;
}
}  // namespace detail

// One E-step over the corpus: fills `counts` (size t.size()) and returns the
// corpus log-likelihood under `t`.  `scratch` (optional) is reused.
inline double ibm1_expectation(const bitext_view& view, const lexical_table& t, fixed_point_counts& counts,
                               double floor, const executor& ex, std::size_t block_size,
                               const lookup_cache* cache = nullptr, ibm1_estep_scratch* scratch = nullptr) {
  double ll = 0.0;
  detail::ibm1_expectation(view, t, counts, floor, ex, block_size, cache, scratch, detail::no_progress_events{}, ll);
  return ll;
}

namespace detail {

// train_ibm1 on a given executor, reporting under `stage` (the pipeline's entry).
template <class Obs>
em_result train_ibm1(const bitext_view& view, lexical_table& t, const ibm1_options& options, const executor& ex,
                     std::string_view stage, Obs& obs) {
  em_result result;
  result.log_likelihood.reserve(options.iterations);
  fixed_point_counts counts;
  ibm1_estep_scratch scratch;
  const lookup_cache own =
      options.cache_lookups && !options.cache ? lookup_cache::build(view, t, ex) : lookup_cache{};
  const lookup_cache& cache = options.cache ? *options.cache : own;
  for (std::size_t it = 1; it <= options.iterations; ++it) {
    double ll = 0.0;
    if (!ibm1_expectation(view, t, counts, options.probability_floor, ex, options.block_size, &cache, &scratch,
                          progress_events<Obs>{obs, stage, it, options.iterations}, ll)) {
      stopped_by_observer(result);
      return result;
    }
    normalize_counts(t, counts, options.vb_alpha);
    if (options.prior) options.prior->apply(t);
    if (record_iteration(result, it, options.iterations, ll, obs, stage)) return result;
  }
  result.convergence.status = solver_status::max_iterations;
  return result;
}

}  // namespace detail

// Trains `t` (normally lexical_table::from_cooccurrence(view), or a table from
// a previous stage) for options.iterations EM iterations.  The observer gets
// stage "em.ibm1", the iteration and the log-likelihood as objective (error:
// see em_result).
template <observer Obs = no_observer>
em_result train_ibm1(const bitext_view& view, lexical_table& t, const ibm1_options& options = {}, Obs&& obs = {}) {
  validate(options);
  const executor ex(options.parallel);
  return detail::train_ibm1(view, t, options, ex, "em.ibm1", obs);
}

}  // namespace em
LEXALIGN_NAMESPACE_END
