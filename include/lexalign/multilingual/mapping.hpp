// lexalign/multilingual/mapping.hpp - two embedding spaces: normalisation,
// applying an orthogonal map, and orthogonal Procrustes with iterative
// refinement (Conneau et al. 2018, as MUSE's supervised mode).
//
//   namespace ml = lexalign::multilingual;
//   ml::normalize_embeddings(x.vectors, ml::normalization::both);   // centre, then unit length
//   ml::normalize_embeddings(z.vectors, ml::normalization::both);
//   auto seed = ml::dictionary_rows(x.words, z.words, ml::read_dictionary_file("train.dict"));
//   auto r = ml::refine_procrustes(x.vectors, z.vectors, seed, {.iterations = 5});
//   auto mapped = ml::apply_map(x.vectors, r.w);                     // rows x W, in z's space
//
// refine_procrustes: W_0 = procrustes(X[seed], Z[seed]); then `iterations`
// times: map the `max_rank` first (most frequent) source words, induce the
// dictionary of mutual CSLS nearest neighbours between them and the
// `max_rank` first target words, refit W on it.  Stops early when the induced
// dictionary no longer changes (converged).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/multilingual/bli.hpp"
#include "lexalign/multilingual/csls.hpp"
#include "lexalign/multilingual/procrustes.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

enum class normalization {
  none,
  center,            // subtract the mean vector
  unit,              // scale every row to length 1 (zero rows stay zero)
  both,              // center, then unit (Lian et al. 2020's "both"; MUSE's "center,renorm")
  unit_center_unit,  // unit, center, unit (MUSE's "renorm,center,renorm")
};

// Applies `how` to the rows of x in place (means and norms in double).
inline void normalize_embeddings(dense_matrix<float>& x, normalization how) {
  const std::size_t n = x.rows(), d = x.cols();
  auto unit = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0;
      for (std::size_t k = 0; k < d; ++k) s += double(x(i, k)) * x(i, k);
      if (!(s > 0)) continue;
      const double inv = 1.0 / std::sqrt(s);
      for (std::size_t k = 0; k < d; ++k) x(i, k) = static_cast<float>(x(i, k) * inv);
    }
  };
  auto center = [&] {
    if (n == 0) return;
    std::vector<double> mean(d, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < d; ++k) mean[k] += x(i, k);
    for (double& m : mean) m /= double(n);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < d; ++k) x(i, k) = static_cast<float>(x(i, k) - mean[k]);
  };
  switch (how) {
    case normalization::none: break;
    case normalization::center: center(); break;
    case normalization::unit: unit(); break;
    case normalization::both: center(); unit(); break;
    case normalization::unit_center_unit: unit(); center(); unit(); break;
    default:
      throw invalid_option("normalization", std::to_string(static_cast<int>(how)),
                           "one of none, center, unit, both, unit_center_unit");
  }
}

// Rows x W (n x d times d x d), accumulated in double; rows in parallel.
inline dense_matrix<float> apply_map(const dense_matrix<float>& x, const dense_matrix<double>& w,
                                     const parallel_options& parallel = {}) {
  validate(parallel);
  const std::size_t n = x.rows(), d = x.cols();
  validation::check_shape("w", w.rows(), w.cols(), d, d, "the vectors have dimension " + std::to_string(d));
  dense_matrix<float> out(n, d, 0.0f);
  executor ex(parallel);
  ex.for_each_block(n, 64, [&](std::size_t, std::size_t i0, std::size_t i1, unsigned) {
    std::vector<double> acc(d);
    for (std::size_t i = i0; i < i1; ++i) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::size_t k = 0; k < d; ++k) {
        const double a = x(i, k);
        if (a == 0.0) continue;
        const double* wr = w.data() + k * d;
        for (std::size_t j = 0; j < d; ++j) acc[j] += a * wr[j];
      }
      for (std::size_t j = 0; j < d; ++j) out(i, j) = static_cast<float>(acc[j]);
    }
  });
  return out;
}

// A dictionary as (source row, target row) pairs.
using row_pairs = std::vector<std::pair<std::size_t, std::size_t>>;

// The pairs of `dict` whose two words are in the vocabularies, in file order
// (duplicates kept once).
inline row_pairs dictionary_rows(const vocabulary& source, const vocabulary& target, const dictionary& dict) {
  row_pairs out;
  for (const auto& [s, t] : dict) {
    const auto a = source.find(s);
    const auto b = target.find(t);
    if (!a || !b) continue;
    const std::pair<std::size_t, std::size_t> p{*a, *b};
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

// W minimising ||X[pairs] W - Z[pairs]||_F over orthogonal W.
inline procrustes_result procrustes_on_pairs(const dense_matrix<float>& x, const dense_matrix<float>& z,
                                             const row_pairs& pairs, const procrustes_options& options = {}) {
  const std::size_t d = x.cols();
  if (pairs.empty()) throw invalid_argument("the dictionary has no pair with vectors on both sides");
  dense_matrix<double> a(pairs.size(), d), b(pairs.size(), d);
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    if (pairs[k].first >= x.rows() || pairs[k].second >= z.rows())
      throw invalid_argument("dictionary pair " + std::to_string(k) + " names a row outside the vectors");
    for (std::size_t i = 0; i < d; ++i) {
      a(k, i) = x(pairs[k].first, i);
      b(k, i) = z(pairs[k].second, i);
    }
  }
  return procrustes(a, b, options);
}

// Mutual CSLS nearest neighbours between the first `max_rank` rows of two
// spaces already in one space (MUSE's "S2T&T2S" dictionary), sorted by source row.
inline row_pairs mutual_csls_pairs(const dense_matrix<float>& mapped_source, const dense_matrix<float>& target,
                                   std::size_t max_rank, const csls_options& options) {
  const std::size_t ns = std::min(max_rank, mapped_source.rows()), nt = std::min(max_rank, target.rows());
  const matrix_view<const float> s(mapped_source.data(), ns, mapped_source.cols());
  const matrix_view<const float> t(target.data(), nt, target.cols());
  csls_options o = options;
  o.search.k = 1;
  knn_workspace<> ws;
  const csls_terms terms = compute_csls_terms(s, t, o, ws);
  knn_result st, ts;
  csls_knn_into(s, std::span<const float>(terms.r_source), t, std::span<const float>(terms.r_target), o, ws, st);
  csls_knn_into(t, std::span<const float>(terms.r_target), s, std::span<const float>(terms.r_source), o, ws, ts);
  row_pairs out;
  for (std::size_t i = 0; i < ns; ++i) {
    const std::size_t j = st.index(i, 0);
    if (ts.index(j, 0) == i) out.emplace_back(i, j);
  }
  return out;
}

struct refinement_options {
  std::size_t iterations = 5;     // re-induce + refit rounds after the seed fit (MUSE's n_refinement 5); 0 = plain Procrustes
  std::size_t max_rank = 15000;   // only the first (most frequent) words induce the dictionary (MUSE's dico_max_rank), >= 1
  csls_options csls{};            // neighbourhood (10) and block sizes of the mutual-neighbour search; threads: `parallel`
  procrustes_options procrustes{};
  parallel_options parallel{};    // for the searches and the mapping
};

inline void validate(const refinement_options& o) {
  validation::at_least("refinement_options.max_rank", o.max_rank, 1);
  validate(o.csls);
  validation::require(o.csls.search.parallel.threads == 1 && o.csls.search.parallel.pool == nullptr,
                      "refinement_options.csls.search.parallel", "non-default",
                      "default (set refinement_options.parallel)");
  validate(o.procrustes);
  validate(o.parallel);
}

struct mapping_result {
  dense_matrix<double> w;   // d x d orthogonal: source rows x W are in the target space
  row_pairs dictionary;     // the dictionary of the last fit
  double residual = 0;      // ||X[dictionary] W - Z[dictionary]||_F of the last fit
  // iterations = refinement rounds run; error = |induced symmetric-difference
  // previous dictionary| / |induced| of the last round (converged when 0).
  convergence_info convergence;
};

namespace detail {
inline double dictionary_change(const row_pairs& now, const row_pairs& before) {
  // |now symmetric-difference before| / |now|, both sorted.
  std::size_t common = 0;
  for (const auto& p : now)
    if (std::binary_search(before.begin(), before.end(), p)) ++common;
  const std::size_t diff = (now.size() - common) + (before.size() - common);
  return double(diff) / double(std::max<std::size_t>(now.size(), 1));
}
}  // namespace detail

// Iterative refinement from a fitted map.  Observer stage "refinement", one
// event per round (error = dictionary change, objective = the fit's residual).
inline mapping_result refine_map(const dense_matrix<float>& x, const dense_matrix<float>& z, mapping_result r,
                                 const refinement_options& options, observer_ref obs = {}) {
  validate(options);
  csls_options co = options.csls;
  co.search.parallel = options.parallel;
  std::sort(r.dictionary.begin(), r.dictionary.end());
  r.convergence = {};
  r.convergence.status = options.iterations == 0 ? solver_status::converged : solver_status::max_iterations;
  for (std::size_t it = 1; it <= options.iterations; ++it) {
    const std::size_t ns = std::min(options.max_rank, x.rows());
    dense_matrix<float> head(ns, x.cols());
    std::copy_n(x.data(), ns * x.cols(), head.data());
    const dense_matrix<float> mapped = apply_map(head, r.w, options.parallel);
    row_pairs induced = mutual_csls_pairs(mapped, z, options.max_rank, co);
    if (induced.size() < 2) break;  // nothing to refit on: keep the last map
    const double change = detail::dictionary_change(induced, r.dictionary);
    const auto fit = procrustes_on_pairs(x, z, induced, options.procrustes);
    r.w = fit.w;
    r.residual = fit.residual;
    r.dictionary = std::move(induced);
    r.convergence.iterations = it;
    r.convergence.error = change;
    const bool converged = change == 0.0;
    if (converged) r.convergence.status = solver_status::converged;
    if (notify(obs, iteration_event{"refinement", it, change, fit.residual, options.iterations}) ==
        observer_action::stop) {
      r.convergence.status = solver_status::stopped_by_observer;
      break;
    }
    if (converged) break;
  }
  return r;
}

// Supervised mapping: Procrustes on `seed` (rows of x and z), then refinement.
inline mapping_result refine_procrustes(const dense_matrix<float>& x, const dense_matrix<float>& z,
                                        const row_pairs& seed, const refinement_options& options = {},
                                        observer_ref obs = {}) {
  validate(options);
  validation::check_not_empty("source vectors", x.rows(), x.cols());
  validation::check_not_empty("target vectors", z.rows(), z.cols());
  if (x.cols() != z.cols())
    throw invalid_argument("source vectors have dimension " + std::to_string(x.cols()) + " but target vectors have " +
                           std::to_string(z.cols()));
  mapping_result r;
  const auto fit = procrustes_on_pairs(x, z, seed, options.procrustes);
  r.w = fit.w;
  r.residual = fit.residual;
  r.dictionary = seed;
  return refine_map(x, z, std::move(r), options, obs);
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
