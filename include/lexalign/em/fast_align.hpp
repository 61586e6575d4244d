// lexalign/em/fast_align.hpp - fast_align's reparameterised IBM Model 2
// (Dyer, Chahuneau & Smith, NAACL 2013) with its closed forms done right.
//
// Generated position t = 1..m, given position s = 1..n (s = 0 is NULL):
//   h(t, s; m, n) = -| s/n - t/m |
//   P(a_t = 0)    = p0
//   P(a_t = s)    = (1 - p0) exp(lambda h) / Z(t, m, n, lambda),  Z = sum_{s=1..n} exp(lambda h)
//   emission      t(f_t | e_s)
// Z and dlogZ/dlambda = E[h] are O(1) closed forms (two geometric and two
// arithmetico-geometric series split at k = floor(t n / m)).  The tension
// lambda is fitted after each M-step (from the second on) by 8 gradient steps
// lambda += 20 (E_emp - E_model), clamped to [0.1, 14], where E_emp is the
// posterior mean of h over non-NULL links and E_model its expectation under
// the current lambda, both per non-NULL link.  p0 stays fixed.
//
// `compat = true` reproduces the reference implementation's three defects
// (documented in docs/em/fast_align.md): dlogZ normalised by Z with m and n
// swapped, the empirical feature computed at the 0-based position t-1, and
// E_emp divided by all tokens instead of the non-NULL mass.  Its schedule
// (last pass decodes only) is not reproduced: every iteration here is E+M.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/em_result.hpp"
#include "lexalign/em/estep_scratch.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

struct fast_align_options {
  std::size_t iterations = 5;        // EM iterations
  double p0 = 0.08;                  // NULL probability (fixed); in [0, 1)
  double lambda = 4.0;               // initial tension; finite and > 0
  bool favor_diagonal = true;        // false: uniform 1/(n+1) prior (IBM Model 1)
  bool optimize_tension = true;      // fit lambda after each M-step from the second on
  bool compat = false;               // reproduce the reference implementation's defects
  double probability_floor = 1e-7;   // t below this is raised to it; in (0, 1)
  const lexical_prior* prior = nullptr;  // mixed into t after every M-step (embedding_prior.hpp)
  // > 0: variational-Bayes M-step with Dirichlet(vb_alpha) rows, as the
  // reference's recommended `-v` (its value 0.01); 0 = plain EM.
  double vb_alpha = 0.01;
  parallel_options parallel = {};    // threads or a caller's pool; results do not depend on it
  std::size_t block_size = 64;       // sentence pairs per work block
  const lookup_cache* cache = nullptr;  // a cache built for this view and table structure (else one is built)
  bool cache_lookups = true;         // precompute table indices (lookup_cache)
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const fast_align_options& o) {
  validation::require(o.p0 >= 0 && o.p0 < 1, "em::fast_align_options.p0", validation::format_value(o.p0), "in [0, 1)");
  validation::positive("em::fast_align_options.lambda", o.lambda);
  validation::open_unit("em::fast_align_options.probability_floor", o.probability_floor);
  validation::non_negative("em::fast_align_options.vb_alpha", o.vb_alpha);
  validation::at_least("em::fast_align_options.block_size", o.block_size, 1);
  validate(o.parallel);
}

struct fast_align_parameters {
  double p0 = 0.08;
  double lambda = 4.0;
  bool favor_diagonal = true;
};

// h(t, s; m, n) with 1-based t and s.
inline double diagonal_feature(double t, double s, double m, double n) noexcept { return -std::abs(s / n - t / m); }

namespace detail {

// sum_{u=0}^{K-1} r^u and sum_{u=0}^{K-1} u r^u (K may be any real in compat use).
inline std::pair<double, double> geometric_sums(double r, double K) noexcept {
  const double rk = std::pow(r, K);
  const double om = 1.0 - r;
  const double g = (1.0 - rk) / om;
  const double ag = r * (1.0 - K * std::pow(r, K - 1.0) + (K - 1.0) * rk) / (om * om);
  return {g, ag};
}

// (Z, sum_s h exp(lambda h)) by the closed form; direct sums when r ~ 1.
inline std::pair<double, double> diagonal_sums(double t, double m, double n, double lambda) noexcept {
  const double r = std::exp(-lambda / n);
  if (1.0 - r < 1e-9) {
    double z = 0.0, zh = 0.0;
    for (double s = 1; s <= n; s += 1) {
      const double h = diagonal_feature(t, s, m, n);
      const double w = std::exp(lambda * h);
      z += w;
      zh += h * w;
    }
    return {z, zh};
  }
  const double k = std::floor(t * n / m);  // s <= k: s/n <= t/m
  const double d = -1.0 / n;
  double z = 0.0, zh = 0.0;
  if (k > 0.0) {  // s = k, k-1, ..., 1: h = k/n - t/m - u/n
    const double h0 = k / n - t / m;
    const double g0 = std::exp(lambda * h0);
    const auto [g, ag] = geometric_sums(r, k);
    z += g0 * g;
    zh += g0 * (h0 * g + d * ag);
  }
  if (n - k > 0.0) {  // s = k+1, ..., n: h = t/m - (k+1)/n - u/n
    const double h0 = t / m - (k + 1.0) / n;
    const double g0 = std::exp(lambda * h0);
    const auto [g, ag] = geometric_sums(r, n - k);
    z += g0 * g;
    zh += g0 * (h0 * g + d * ag);
  }
  return {z, zh};
}

}  // namespace detail

// Z(t, m, n, lambda) = sum_{s=1..n} exp(lambda h(t,s;m,n)), closed form.
inline double diagonal_z(double t, double m, double n, double lambda) noexcept {
  return detail::diagonal_sums(t, m, n, lambda).first;
}

// d log Z / d lambda = E[h] under the non-NULL prior, closed form.  With
// `compat`, the sum is divided by Z(t, n, m) (m and n swapped) as the
// reference implementation does.
inline double diagonal_dlogz(double t, double m, double n, double lambda, bool compat = false) noexcept {
  const auto [z, zh] = detail::diagonal_sums(t, m, n, lambda);
  if (!compat) return zh / z;
  const double r = std::exp(-lambda / m);
  const double k = std::floor(t * m / n);  // the swapped call: "target length" n, "source length" m
  double zs = 0.0;
  if (1.0 - r < 1e-9) return zh / z;
  if (k > 0.0) zs += std::exp(lambda * (k / m - t / n)) * detail::geometric_sums(r, k).first;
  if (m - k != 0.0) zs += std::exp(lambda * (t / n - (k + 1.0) / m)) * detail::geometric_sums(r, m - k).first;
  return zh / zs;
}

// Prior P(a_t = s) for s = 0..n into prior[0..n].
inline void diagonal_prior(const fast_align_parameters& p, std::size_t t, std::size_t m, std::size_t n,
                           double* prior) noexcept {
  if (!p.favor_diagonal || n == 0) {
    for (std::size_t s = 0; s <= n; ++s) prior[s] = 1.0 / static_cast<double>(n + 1);
    return;
  }
  prior[0] = p.p0;
  const double dm = static_cast<double>(m), dn = static_cast<double>(n), dt = static_cast<double>(t);
  const double scale = (1.0 - p.p0) / diagonal_z(dt, dm, dn, p.lambda);
  for (std::size_t s = 1; s <= n; ++s)
    prior[s] = scale * std::exp(p.lambda * diagonal_feature(dt, static_cast<double>(s), dm, dn));
}

namespace detail {

// Multiplies q (m x (n+1) emissions, column 0 NULL) by the prior and
// normalises each row; returns log P(f|e).  exp(lambda h) is evaluated with
// the two geometric runs (two exp() per target position).
inline double apply_diagonal_prior(const fast_align_parameters& p, std::size_t n, std::size_t m, double* q) {
  const std::size_t n1 = n + 1;
  double ll = 0.0;
  const double dm = static_cast<double>(m), dn = static_cast<double>(n);
  const double r = std::exp(-p.lambda / dn);
  for (std::size_t j = 0; j < m; ++j) {
    double* row = q + j * n1;
    if (!p.favor_diagonal || n == 0) {
      for (std::size_t s = 0; s < n1; ++s) row[s] /= static_cast<double>(n1);
    } else {
      const double dt = static_cast<double>(j + 1);
      const double scale = (1.0 - p.p0) / diagonal_z(dt, dm, dn, p.lambda);
      row[0] *= p.p0;
      const auto k = static_cast<std::size_t>(std::floor(dt * dn / dm));
      if (k >= 1) {  // s = k, k-1, ..., 1
        double g = std::exp(p.lambda * (static_cast<double>(k) / dn - dt / dm)) * scale;
        for (std::size_t s = k; s >= 1; --s) {
          row[s] *= g;
          g *= r;
        }
      }
      if (k < n) {  // s = k+1, ..., n
        double g = std::exp(p.lambda * (dt / dm - static_cast<double>(k + 1) / dn)) * scale;
        for (std::size_t s = k + 1; s <= n; ++s) {
          row[s] *= g;
          g *= r;
        }
      }
    }
    double sum = 0.0;
    for (std::size_t s = 0; s < n1; ++s) sum += row[s];
    const double inv = 1.0 / sum;
    for (std::size_t s = 0; s < n1; ++s) row[s] *= inv;
    ll += std::log(sum);
  }
  return ll;
}

}  // namespace detail

// Posteriors q[j*(n+1)+s] (column 0 NULL) of one sentence pair; returns log P(f|e).
inline double fast_align_posteriors(const fast_align_parameters& p, const lexical_table& tab,
                                    std::span<const word_id> e, std::span<const word_id> f, double floor,
                                    std::vector<double>& q, std::vector<std::size_t>* index = nullptr) {
  detail::emission_matrix(tab, e, f, floor, q, index);
  return detail::apply_diagonal_prior(p, e.size(), f.size(), q.data());
}

namespace detail {

// Length-pair histogram {(m, n): pairs} of a view (pairs with both sides
// non-empty), for E_model of the tension fit.
using length_histogram = std::map<std::pair<std::size_t, std::size_t>, std::size_t>;
inline length_histogram length_pairs(const bitext_view& view) {
  length_histogram lengths;
  for (std::size_t k = 0; k < view.size(); ++k)
    if (!(*view.generated)[k].empty() && !(*view.given)[k].empty())
      ++lengths[{(*view.generated)[k].size(), (*view.given)[k].size()}];
  return lengths;
}

// The per-block sums of one fast_align E-step, each summed in block order.
struct fast_align_block_sums {
  std::vector<double> ll, feature, nonnull, tokens;
  void assign(std::size_t blocks) {
    for (auto* v : {&ll, &feature, &nonnull, &tokens}) v->assign(blocks, 0.0);
  }
};

// One E-step of fast_align over `view`: fills `counts` (size t.size()) and
// the per-block sums.  `events` (progress_events or no_progress_events)
// reports work done within the E-step; false: an observer stopped it.
template <class Events = no_progress_events>
bool fast_align_expectation(const bitext_view& view, const lexical_table& t, const fast_align_parameters& p,
                            const fast_align_options& options, const lookup_cache& cache, const executor& ex,
                            fixed_point_counts& counts, std::vector<emission_scratch>& work,
                            fast_align_block_sums& sums, const Events& events = {}) {
  const bool concurrent = work.size() > 1;
  counts.assign(t.size());
  return for_each_block_with_progress(ex, view, options.block_size,
                    [&](std::size_t blk, std::size_t begin, std::size_t end, unsigned w) {
    emission_scratch& s = work[w];
    double ll = 0.0, feat = 0.0, nonnull = 0.0, toks = 0.0;
    for (std::size_t k = begin; k < end; ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      if (f.empty()) continue;
      const std::size_t n = e.size(), m = f.size(), n1 = n + 1;
      emission_matrix(t, &cache, view, k, options.probability_floor, s.b, &s.index);
      ll += apply_diagonal_prior(p, n, m, s.b.data());
      for (std::size_t c = 0; c < m * n1; ++c)
        if (s.index[c] != lexical_table::npos) counts.add(s.index[c], s.b[c], concurrent);
      if (n == 0) continue;
      toks += static_cast<double>(m);
      for (std::size_t j = 0; j < m; ++j) {
        const double tj = options.compat ? static_cast<double>(j) : static_cast<double>(j + 1);
        for (std::size_t x = 1; x <= n; ++x) {
          const double qq = s.b[j * n1 + x];
          feat += qq * diagonal_feature(tj, static_cast<double>(x), static_cast<double>(m), static_cast<double>(n));
          nonnull += qq;
        }
      }
    }
    sums.ll[blk] = ll;
    sums.feature[blk] = feat;
    sums.nonnull[blk] = nonnull;
    sums.tokens[blk] = toks;
  }, events);
}

// The tension update after an M-step: 8 gradient steps on lambda.
inline void fit_tension(fast_align_parameters& p, const length_histogram& lengths, const fast_align_block_sums& sums,
                        bool compat) {
  const double n_tok = ordered_sum(sums.tokens);
  const double emp = ordered_sum(sums.feature) / (compat ? n_tok : ordered_sum(sums.nonnull));
  for (int step = 0; step < 8; ++step) {
    double model = 0.0;
    for (const auto& [mn, cnt] : lengths) {
      const double m = static_cast<double>(mn.first), n = static_cast<double>(mn.second);
      double s = 0.0;
      for (std::size_t j = 1; j <= mn.first; ++j) s += diagonal_dlogz(static_cast<double>(j), m, n, p.lambda, compat);
      model += static_cast<double>(cnt) * s;
    }
    model /= n_tok;
    p.lambda = std::clamp(p.lambda + 20.0 * (emp - model), 0.1, 14.0);
  }
}

// train_fast_align on a given executor, reporting under `stage` (the pipeline's entry).
template <class Obs>
em_result train_fast_align(const bitext_view& view, lexical_table& t, fast_align_parameters& p,
                           const fast_align_options& options, const executor& ex, std::string_view stage, Obs& obs) {
  em_result result;
  result.log_likelihood.reserve(options.iterations);
  p.p0 = options.p0;
  p.lambda = options.lambda;
  p.favor_diagonal = options.favor_diagonal;
  const length_histogram lengths = length_pairs(view);
  fixed_point_counts counts;
  const lookup_cache own =
      options.cache_lookups && !options.cache ? lookup_cache::build(view, t, ex) : lookup_cache{};
  const lookup_cache& cache = options.cache ? *options.cache : own;
  const std::size_t blocks = block_count(view.size(), options.block_size);
  std::vector<emission_scratch> work(ex.workers_for(blocks));
  for (auto& w : work) w.reserve(view.given->max_length(), view.generated->max_length());
  fast_align_block_sums sums;
  sums.assign(blocks);
  for (std::size_t it = 1; it <= options.iterations; ++it) {
    if (!fast_align_expectation(view, t, p, options, cache, ex, counts, work, sums,
                                progress_events<Obs>{obs, stage, it, options.iterations})) {
      stopped_by_observer(result);
      return result;
    }
    const double ll = ordered_sum(sums.ll);
    normalize_counts(t, counts, options.vb_alpha);
    if (options.prior) options.prior->apply(t);
    if (options.optimize_tension && p.favor_diagonal && it > 1) fit_tension(p, lengths, sums, options.compat);
    if (record_iteration(result, it, options.iterations, ll, obs, stage)) return result;
  }
  result.convergence.status = solver_status::max_iterations;
  return result;
}

}  // namespace detail

// Trains the table and (with optimize_tension) lambda.  The observer gets
// stage "em.fast_align" (error: see em_result).
template <observer Obs = no_observer>
em_result train_fast_align(const bitext_view& view, lexical_table& t, fast_align_parameters& p,
                           const fast_align_options& options = {}, Obs&& obs = {}) {
  validate(options);
  const executor ex(options.parallel);
  return detail::train_fast_align(view, t, p, options, ex, "em.fast_align", obs);
}

}  // namespace em
LEXALIGN_NAMESPACE_END
