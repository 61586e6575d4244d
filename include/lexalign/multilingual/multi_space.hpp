// lexalign/multilingual/multi_space.hpp - K embedding spaces in one space:
// a hub language, the Wasserstein-barycenter "mean language" (Lian, Jain,
// Truszkowski, Poupart & Yu 2020), translation through it, and a
// transitivity measure.
//
//   namespace ml = lexalign::multilingual;
//   std::vector<lexalign::dense_matrix<float>> x = ...;        // K normalised spaces
//   auto hub = ml::hub_map(x, 0, {});                            // unsupervised maps into language 0
//   auto bar = ml::barycenter_map(x, hub.w, {.words = 5000});    // refined onto the mean language
//   auto y = ml::apply_map(x[2], bar.w[2]);                      // language 2 in the shared space
//   auto t = ml::composed_translation(bar, 2, 3);                // word i of 2 -> word t[i] of 3 via the barycenter
//
// barycenter_map alternates, `iterations` times:
//   1. Y_l = first `words` rows of X_l, mapped by W_l;
//   2. B = free-support Wasserstein barycenter of the Y_l (uniform masses and
//      weights, squared Euclidean cost, exact inner OT; started from the
//      previous B, the first time from Y_0);
//   3. for every l: the exact plan T_l between (B, a) and (Y_l, b_l); every
//      word i of l gets the barycentric target t_i = sum_j T_l(j, i) B_j / b_i
//      and W_l = procrustes(X_l, t): each language rotated onto the mean.
// Stops when no W_l moved by more than `tolerance` (max entry) in a round.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/multilingual/bli.hpp"
#include "lexalign/multilingual/csls.hpp"
#include "lexalign/multilingual/mapping.hpp"
#include "lexalign/multilingual/procrustes.hpp"
#include "lexalign/multilingual/unsupervised.hpp"
#include "lexalign/ot/emd.hpp"
#include "lexalign/ot/free_support_barycenter.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

// Maps of K languages into one shared space: rows of language l times w[l].
struct multi_mapping_result {
  std::vector<dense_matrix<double>> w;  // K maps, d x d orthogonal
  // Hub: the per-language records (the hub's is converged, 0 iterations).
  // Barycenter: iterations = rounds; error = max entry change of any W_l in the last round.
  std::vector<convergence_info> languages;
  convergence_info convergence;
  // Barycenter only: the support (k x d, in the shared space) and, for each
  // language, the exact plan support point -> word of the last round.
  dense_matrix<double> support;
  std::vector<std::vector<ot::transport_entry<double>>> plans;
};

namespace detail {
inline dense_matrix<double> identity(std::size_t d) {
  dense_matrix<double> w(d, d, 0.0);
  for (std::size_t i = 0; i < d; ++i) w(i, i) = 1.0;
  return w;
}
inline void check_spaces(const std::vector<dense_matrix<float>>& x, std::size_t at_least) {
  if (x.size() < at_least)
    throw invalid_argument("need at least " + std::to_string(at_least) + " embedding spaces, got " +
                           std::to_string(x.size()));
  for (std::size_t l = 0; l < x.size(); ++l) {
    validation::check_not_empty(validation::entry_name("spaces", l), x[l].rows(), x[l].cols());
    if (x[l].cols() != x[0].cols())
      throw invalid_argument("spaces[" + std::to_string(l) + "] has dimension " + std::to_string(x[l].cols()) +
                             " but spaces[0] has " + std::to_string(x[0].cols()));
  }
}
}  // namespace detail

namespace detail {
// The hub driver shared by hub_map and hub_map_supervised: fit(l, obs) maps
// language l != hub onto the hub (a result with `w` and `convergence`),
// reporting under "hub.<l>"; the hub's own map is the identity.  The record
// is the last failed (or the stopped) language's, else converged; a stop
// ends the call.
template <class Fit>
multi_mapping_result hub_maps(const std::vector<dense_matrix<float>>& x, std::size_t hub, observer_ref obs, Fit&& fit) {
  validation::require(hub < x.size(), "hub", std::to_string(hub), "< the number of spaces");
  multi_mapping_result r;
  r.convergence.status = solver_status::converged;
  for (std::size_t l = 0; l < x.size(); ++l) {
    if (l == hub) {
      r.w.push_back(identity(x[l].cols()));
      r.languages.push_back({solver_status::converged, 0, 0.0});
      continue;
    }
    prefixed_observer<observer_ref> pobs("hub." + std::to_string(l), obs);
    auto u = fit(l, observer_ref(pobs));
    r.w.push_back(std::move(u.w));
    r.languages.push_back(u.convergence);
    const bool stopped = u.convergence.status == solver_status::stopped_by_observer;
    if (!u.convergence.ok() || stopped) r.convergence = u.convergence;
    if (stopped) break;
  }
  return r;
}
}  // namespace detail

// Hub: every language l != hub mapped onto the hub by unsupervised_map (the
// hub's own map is the identity).  Observer stages "hub.<l>.unsupervised...".
inline multi_mapping_result hub_map(const std::vector<dense_matrix<float>>& x, std::size_t hub,
                                    const unsupervised_options& options = {}, observer_ref obs = {}) {
  validate(options);
  detail::check_spaces(x, 2);
  return detail::hub_maps(x, hub, obs, [&](std::size_t l, observer_ref o) {
    return unsupervised_map(x[l], x[hub], options, o);
  });
}

// Hub with dictionaries: seeds[l] = (row of l, row of the hub) pairs
// (ignored for the hub), each map fitted by refine_procrustes.  Observer
// stages "hub.<l>.<refine_procrustes' stages>".
inline multi_mapping_result hub_map_supervised(const std::vector<dense_matrix<float>>& x, std::size_t hub,
                                               const std::vector<row_pairs>& seeds,
                                               const refinement_options& options = {}, observer_ref obs = {}) {
  validate(options);
  detail::check_spaces(x, 2);
  validation::check_size("seeds", seeds.size(), x.size(), "there are " + std::to_string(x.size()) + " spaces");
  return detail::hub_maps(x, hub, obs, [&](std::size_t l, observer_ref o) {
    return refine_procrustes(x[l], x[hub], seeds[l], options, o);
  });
}

struct barycenter_mapping_options {
  std::size_t words = 5000;        // first (most frequent) words of each language in the barycenter (Lian et al.'s maxs 5000), >= 1
  std::size_t support_size = 0;    // barycenter points; 0 = words (Lian et al. use 2 x words: see docs)
  std::size_t iterations = 5;      // outer rounds (Lian et al.'s convergeiter 5), >= 1
  double tolerance = 1e-6;         // stop when no W_l entry moved by more than this in a round, >= 0
  // Inner barycenter: support updates per round (Lian et al.'s maxiter 10-20)
  // and their tolerance; the metric must stay sqeuclidean or euclidean.
  ot::free_support_barycenter_options barycenter{.max_iterations = 10, .tolerance = 1e-8};
  procrustes_options procrustes{};
};

inline void validate(const barycenter_mapping_options& o) {
  validation::at_least("barycenter_mapping_options.words", o.words, 1);
  validation::at_least("barycenter_mapping_options.iterations", o.iterations, 1);
  validation::non_negative("barycenter_mapping_options.tolerance", o.tolerance);
  validate(o.barycenter);
  validation::require(o.barycenter.barycenter_weights.empty() && o.barycenter.measure_weights.empty(),
                      "barycenter_mapping_options.barycenter weights", "given", "empty (uniform)");
  validate(o.procrustes);
}

// The mean-language alternation from initial maps `w0` (one per language,
// e.g. hub_map's).  Observer: stage "barycenter_map" once per round (error =
// max W change, objective = the barycenter's cost), and the inner
// "barycenter_map.free_support_barycenter" events.
inline multi_mapping_result barycenter_map(const std::vector<dense_matrix<float>>& x,
                                           const std::vector<dense_matrix<double>>& w0,
                                           const barycenter_mapping_options& options = {}, observer_ref obs = {}) {
  validate(options);
  detail::check_spaces(x, 2);
  const std::size_t K = x.size(), d = x[0].cols();
  validation::check_size("w0", w0.size(), K, "there are " + std::to_string(K) + " spaces");
  for (std::size_t l = 0; l < K; ++l)
    validation::check_shape(validation::entry_name("w0", l), w0[l].rows(), w0[l].cols(), d, d,
                            "the vectors have dimension " + std::to_string(d));
  std::vector<std::size_t> n(K);
  for (std::size_t l = 0; l < K; ++l) n[l] = std::min(options.words, x[l].rows());
  const std::size_t k = options.support_size ? options.support_size : n[0];
  multi_mapping_result r;
  r.w = w0;
  r.languages.assign(K, {});
  r.plans.assign(K, {});
  std::vector<dense_matrix<float>> heads(K);
  for (std::size_t l = 0; l < K; ++l) {
    heads[l] = dense_matrix<float>(n[l], d);
    std::copy_n(x[l].data(), n[l] * d, heads[l].data());
  }
  std::vector<dense_matrix<double>> y(K);
  std::vector<std::vector<double>> b(K);
  for (std::size_t l = 0; l < K; ++l) b[l].assign(n[l], 1.0 / double(n[l]));
  const std::vector<double> a(k, 1.0 / double(k));
  prefixed_observer<observer_ref> pobs("barycenter_map", obs);
  r.convergence.status = solver_status::max_iterations;
  ot::emd_workspace<double> ews;
  ot::emd_result<double> plan;
  for (std::size_t it = 1; it <= options.iterations; ++it) {
    for (std::size_t l = 0; l < K; ++l) {
      const auto m = apply_map(heads[l], r.w[l]);
      y[l] = dense_matrix<double>(n[l], d);
      for (std::size_t i = 0; i < n[l] * d; ++i) y[l].data()[i] = m.data()[i];
    }
    if (it == 1) {
      // Start from the first language's points (cycled to k rows).
      r.support = dense_matrix<double>(k, d);
      for (std::size_t i = 0; i < k; ++i)
        for (std::size_t c = 0; c < d; ++c) r.support(i, c) = y[0](i % n[0], c);
    }
    bool stopped = false;
    auto inner_obs = [&](const iteration_event& ev) {
      const observer_action act = pobs(ev);
      if (act == observer_action::stop) stopped = true;
      return act;
    };
    const auto bar = ot::free_support_barycenter(y, b, r.support, options.barycenter, inner_obs);
    r.support = bar.support;
    if (stopped) {
      r.convergence.status = solver_status::stopped_by_observer;
      return r;
    }
    double change = 0;
    for (std::size_t l = 0; l < K; ++l) {
      dense_matrix<double> cost(k, n[l]);
      for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < n[l]; ++j) {
          double s = 0;
          for (std::size_t c = 0; c < d; ++c) {
            const double t = r.support(i, c) - y[l](j, c);
            s += t * t;
          }
          cost(i, j) = s;
        }
      ot::emd_into(a, b[l], cost, {.dense_plan = false}, ews, plan);
      r.languages[l] = plan.convergence;
      r.plans[l].assign(plan.entries.begin(), plan.entries.end());
      dense_matrix<double> target(n[l], d, 0.0), src(n[l], d);
      for (const auto& e : plan.entries)
        for (std::size_t c = 0; c < d; ++c) target(e.j, c) += e.mass * r.support(e.i, c) / b[l][e.j];
      for (std::size_t i = 0; i < n[l] * d; ++i) src.data()[i] = heads[l].data()[i];
      auto fit = procrustes(src, target, options.procrustes);
      for (std::size_t i = 0; i < d * d; ++i) change = std::max(change, std::abs(fit.w.data()[i] - r.w[l].data()[i]));
      r.w[l] = std::move(fit.w);
    }
    r.convergence.iterations = it;
    r.convergence.error = change;
    const bool converged = change <= options.tolerance;
    if (converged) r.convergence.status = solver_status::converged;
    if (pobs(iteration_event{"round", it, change, bar.cost, options.iterations}) == observer_action::stop) {
      r.convergence.status = solver_status::stopped_by_observer;
      break;
    }
    if (converged) break;
  }
  return r;
}

// Translation of language `from`'s first words into language `to`'s through
// the barycenter: the composed coupling T_from^T T_to (from's word i ->
// support point -> to's word j); out[i] = argmax_j (smallest j on ties), or
// npos for a word without mass.  Uses the plans of barycenter_map's last round.
inline std::vector<std::size_t> composed_translation(const multi_mapping_result& r, std::size_t from, std::size_t to) {
  validation::require(from < r.plans.size() && to < r.plans.size(), "from / to", std::to_string(from) + ", " + std::to_string(to),
                      "< the number of languages with plans");
  std::size_t nf = 0, nt = 0, k = r.support.rows();
  for (const auto& e : r.plans[from]) nf = std::max(nf, e.j + 1);
  for (const auto& e : r.plans[to]) nt = std::max(nt, e.j + 1);
  std::vector<std::vector<std::pair<std::size_t, double>>> by_support(k);  // support -> (to word, mass)
  for (const auto& e : r.plans[to]) by_support[e.i].emplace_back(e.j, e.mass);
  std::vector<std::vector<std::pair<std::size_t, double>>> by_word(nf);  // from word -> (support, mass)
  for (const auto& e : r.plans[from]) by_word[e.j].emplace_back(e.i, e.mass);
  constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::vector<std::size_t> out(nf, npos);
  std::vector<double> score(nt, 0.0);
  std::vector<std::size_t> touched;
  for (std::size_t i = 0; i < nf; ++i) {
    touched.clear();
    for (auto [s, m1] : by_word[i])
      for (auto [j, m2] : by_support[s]) {
        if (score[j] == 0.0) touched.push_back(j);
        score[j] += m1 * m2;
      }
    double best = 0;
    for (std::size_t j : touched)
      if (score[j] > best || (score[j] == best && j < out[i])) best = score[j], out[i] = j;
    for (std::size_t j : touched) score[j] = 0.0;
  }
  return out;
}

// How often X -> Y agrees with X -> P -> Y, for the first `queries` rows of
// x: y1 = best of x_i in y, p = best of x_i in p, y2 = best of p in y
// (nearest neighbour or CSLS over the whole vocabularies; the three spaces
// must already be in one space).  Returns the fraction with y1 == y2.
inline double transitivity(const dense_matrix<float>& x, const dense_matrix<float>& p, const dense_matrix<float>& y,
                           std::size_t queries, retrieval method = retrieval::csls, const csls_options& options = {}) {
  validate(options);
  const std::size_t nq = std::min(queries, x.rows());
  if (nq == 0) return 0.0;
  csls_options o = options;
  o.search.k = 1;
  knn_workspace<> ws;
  auto best = [&](const dense_matrix<float>& src, const dense_matrix<float>& tgt) {
    knn_result kr;
    if (method == retrieval::nearest_neighbor) {
      knn_into(src.view(), tgt.view(), o.search, ws, kr);
    } else {
      const auto t = compute_csls_terms(src.view(), tgt.view(), o, ws);
      csls_knn_into(src.view(), std::span<const float>(t.r_source), tgt.view(), std::span<const float>(t.r_target), o,
                    ws, kr);
    }
    std::vector<std::size_t> out(src.rows());
    for (std::size_t i = 0; i < src.rows(); ++i) out[i] = kr.index(i, 0);
    return out;
  };
  const auto xy = best(x, y), xp = best(x, p), py = best(p, y);
  std::size_t agree = 0;
  for (std::size_t i = 0; i < nq; ++i) agree += xy[i] == py[xp[i]];
  return double(agree) / double(nq);
}

// Transitivity of all K spaces at once (they must already be in one space).
// Every language takes part with its first `words` rows (0 = all): these are
// the queries and the candidates of every retrieval.  For each ordered triple
// (x, p, y) of distinct languages, the fraction of x's words whose best y
// word (direct) is the best y word of their best p word (x -> p -> y): the
// quantity `transitivity` computes for one triple, with the K (K - 1) best-
// word lists computed once (CSLS terms once per unordered pair).
struct transitivity_options {
  std::size_t words = 5000;            // first words of each language (queries and candidates), 0 = all
  retrieval method = retrieval::csls;  // csls (k = csls.neighborhood) or nearest_neighbor
  csls_options csls{};                 // neighbourhood, blocks, threads (csls.search.k is ignored: 1)
};

inline void validate(const transitivity_options& o) { validate(o.csls); }

struct transitivity_table {
  std::size_t languages = 0;
  std::vector<std::size_t> queries;  // words taking part, per language
  std::vector<double> agreement;     // K^3 entries, (x, p, y) at (x * K + p) * K + y; NaN unless all distinct
  double operator()(std::size_t x, std::size_t p, std::size_t y) const { return agreement[(x * languages + p) * languages + y]; }
  // Mean over the pivots p of (x, p, y), and over all distinct triples.
  double mean_over_pivots(std::size_t x, std::size_t y) const {
    double s = 0;
    std::size_t n = 0;
    for (std::size_t p = 0; p < languages; ++p)
      if (p != x && p != y && x != y) s += (*this)(x, p, y), ++n;
    return n ? s / double(n) : std::numeric_limits<double>::quiet_NaN();
  }
  double mean() const {
    double s = 0;
    std::size_t n = 0;
    for (double v : agreement)
      if (!std::isnan(v)) s += v, ++n;
    return n ? s / double(n) : std::numeric_limits<double>::quiet_NaN();
  }
};

inline transitivity_table transitivity_all(const std::vector<dense_matrix<float>>& spaces,
                                           const transitivity_options& options = {}) {
  validate(options);
  detail::check_spaces(spaces, 3);
  const std::size_t K = spaces.size(), d = spaces[0].cols();
  transitivity_table t;
  t.languages = K;
  std::vector<matrix_view<const float>> head;
  for (const auto& s : spaces) {
    const std::size_t n = options.words ? std::min(options.words, s.rows()) : s.rows();
    head.emplace_back(s.data(), n, d);
    t.queries.push_back(n);
  }
  csls_options o = options.csls;
  o.search.k = 1;
  knn_workspace<> ws;
  knn_result kr;
  std::vector<std::vector<std::size_t>> best(K * K);  // best[a * K + b][i]: best b word of a's word i
  auto keep = [&](std::size_t a, std::size_t b) {
    auto& out = best[a * K + b];
    out.resize(head[a].rows());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = kr.index(i, 0);
  };
  for (std::size_t a = 0; a < K; ++a)
    for (std::size_t b = a + 1; b < K; ++b) {
      if (options.method == retrieval::nearest_neighbor) {
        knn_into(head[a], head[b], o.search, ws, kr);
        keep(a, b);
        knn_into(head[b], head[a], o.search, ws, kr);
        keep(b, a);
      } else {
        const auto terms = compute_csls_terms(head[a], head[b], o, ws);
        csls_knn_into(head[a], std::span<const float>(terms.r_source), head[b], std::span<const float>(terms.r_target),
                      o, ws, kr);
        keep(a, b);
        csls_knn_into(head[b], std::span<const float>(terms.r_target), head[a], std::span<const float>(terms.r_source),
                      o, ws, kr);
        keep(b, a);
      }
    }
  t.agreement.assign(K * K * K, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t x = 0; x < K; ++x)
    for (std::size_t p = 0; p < K; ++p)
      for (std::size_t y = 0; y < K; ++y) {
        if (x == p || p == y || x == y) continue;
        const auto &xy = best[x * K + y], &xp = best[x * K + p], &py = best[p * K + y];
        std::size_t agree = 0;
        for (std::size_t i = 0; i < xy.size(); ++i) agree += xy[i] == py[xp[i]];
        t.agreement[(x * K + p) * K + y] = double(agree) / double(xy.size());
      }
  return t;
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
