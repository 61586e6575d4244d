// lexalign/multilingual/csls.hpp - cross-domain similarity local scaling
// (Conneau, Lample, Ranzato, Denoyer & Jegou 2018, "Word translation without
// parallel data"): nearest neighbours with the hubness penalty.
//
//   auto r = lexalign::multilingual::csls(mapped_source, target, {.search = {.k = 10}});
//   r.neighbours.index(i, 0)   // CSLS translation of source word i
//
// CSLS(x, y) = 2 cos(x, y) - r_T(x) - r_S(y), where r_T(x) is the mean cosine
// of x to its `neighborhood` nearest targets and r_S(y) that of y to its
// `neighborhood` nearest sources (both over the whole other vocabulary).  The
// search ranks by cos(x, y) - r_S(y) / 2 (knn.hpp's scored search; halving
// and doubling are exact in binary floating point, so the reported score
// 2 * that - r_T(x) is CSLS to the last bit of that float computation).
// Ties: target index ascending.  Cost: three blocked k-NN searches.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/multilingual/knn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

struct csls_options {
  std::size_t neighborhood = 10;  // k of the r_T / r_S mean similarities (Conneau et al. 2018: 10), >= 1
  knn_options search{};           // search.k = candidates kept per query; block sizes; threads (for all three searches)
};

inline void validate(const csls_options& o) {
  validation::at_least("csls_options.neighborhood", o.neighborhood, 1);
  validate(o.search);
}

// r_source[i] = r_T(source i), r_target[j] = r_S(target j).
struct csls_terms {
  std::vector<float> r_source;
  std::vector<float> r_target;
};

struct csls_result {
  csls_terms terms;
  knn_result neighbours;  // scores are CSLS values
};

// Mean of the `neighborhood` best cosines of every query among the targets
// (summed in double, best first).
template <class A>
std::vector<float> mean_similarity(matrix_view<const float> queries, matrix_view<const float> targets,
                                   std::size_t neighborhood, const knn_options& search, knn_workspace<A>& ws) {
  knn_options o = search;
  o.k = neighborhood;
  knn_result r;
  knn_into(queries, targets, o, ws, r);
  std::vector<float> mean(queries.rows(), 0.0f);
  for (std::size_t i = 0; i < queries.rows(); ++i) {
    double s = 0;
    for (std::size_t c = 0; c < r.k; ++c) s += r.score(i, c);
    mean[i] = static_cast<float>(s / static_cast<double>(r.k));
  }
  return mean;
}

template <class A>
csls_terms compute_csls_terms(matrix_view<const float> sources, matrix_view<const float> targets,
                              const csls_options& options, knn_workspace<A>& ws) {
  validate(options);
  validation::check_not_empty("sources", sources.rows(), sources.cols());
  csls_terms t;
  t.r_source = mean_similarity(sources, targets, options.neighborhood, options.search, ws);
  t.r_target = mean_similarity(targets, sources, options.neighborhood, options.search, ws);
  return t;
}

// CSLS search for `queries` (any rows of the source space, r_queries their
// r_T terms) among `targets` (r_targets = their r_S terms).
template <class A>
void csls_knn_into(matrix_view<const float> queries, std::span<const float> r_queries,
                   matrix_view<const float> targets, std::span<const float> r_targets, const csls_options& options,
                   knn_workspace<A>& ws, knn_result& out) {
  validate(options);
  validation::check_size("r_queries", r_queries.size(), queries.rows(),
                         "there are " + std::to_string(queries.rows()) + " queries");
  std::vector<float> half(r_targets.begin(), r_targets.end());
  for (float& h : half) h *= 0.5f;
  scored_knn_into(queries, targets, std::span<const float>(half), options.search, ws, out);
  for (std::size_t i = 0; i < out.score.rows(); ++i)
    for (std::size_t c = 0; c < out.k; ++c) out.score(i, c) = 2.0f * out.score(i, c) - r_queries[i];
}

// CSLS neighbours of every source among the targets.
inline csls_result csls(matrix_view<const float> sources, matrix_view<const float> targets,
                        const csls_options& options = {}) {
  knn_workspace<> ws;
  csls_result r;
  r.terms = compute_csls_terms(sources, targets, options, ws);
  csls_knn_into(sources, std::span<const float>(r.terms.r_source), targets, std::span<const float>(r.terms.r_target),
                options, ws, r.neighbours);
  return r;
}

inline csls_result csls(const dense_matrix<float>& sources, const dense_matrix<float>& targets,
                        const csls_options& options = {}) {
  return csls(sources.view(), targets.view(), options);
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
