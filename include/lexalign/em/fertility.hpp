// lexalign/em/fertility.hpp - IBM Models 3 and 4 (Brown et al. 1993; Och &
// Ney 2003): fertility with NULL, Model 3 distortion, Model 4 head/non-head
// distortion on word classes, trained by hill-climbing and count collection
// over the neighbourhood of the best alignment (GIZA++'s approximation, no
// pegging).
//
// Positions: given i = 1..l (0 = NULL), generated j = 1..m; a_j in 0..l.
// phi_i = #{j : a_j = i}; cept i's positions pi_{i,1} < ... < pi_{i,phi_i}.
//
//   Model 3  P(f,a|e) = C(m-phi0, phi0) p0^(m-2 phi0) p1^phi0
//                       * prod_{i>=1} phi_i! n(phi_i|e_i) * prod_j t(f_j|e_{a_j})
//                       * prod_{j: a_j>0} d(j | a_j, l, m)
//   Model 4  the same with prod phi_i! dropped and the distortion replaced by
//            prod_{i: phi_i>0} d1(pi_{i,1} - c_{rho(i)} | A(e_{rho(i)}), B(f_{pi_{i,1}}))
//            * prod_{k>1} d>1(pi_{i,k} - pi_{i,k-1} | B(f_{pi_{i,k}}))
//
// rho(i) is the nearest non-empty cept left of i, c its centre (the ceiling of
// the mean of its positions); before the first non-empty cept c = 0 and the
// source class is the extra class A ("sentence start").  A and B are the word
// classes of the given and generated side.  P is 0 when some phi_i >=
// max_fertility or 2 phi0 > m.  Both models are deficient (no renormalisation,
// as in GIZA++).  Smoothed tables: d'(j|i,l,m) = (1-s3) d + s3/m,
// d1' = (1-s4) d1 + s4/m, d>1' = (1-s4) d>1 + s4/m, t floored at probability_floor.
//
// Training (one iteration, every sentence pair independently, in parallel):
// hill-climb from the pair's current alignment (the HMM Viterbi alignment at
// the start, the previous iteration's result afterwards) by taking the best
// strictly improving neighbour - a *move* (change one a_j) or a *swap*
// (exchange a_j and a_j' with a_j != a_j') - until none improves; then count
// over the neighbourhood N(a*) = {a*} + all moves + all swaps, each
// alignment weighted by its probability normalised over N(a*) (weights below
// count_cutoff are dropped, GIZA++'s countincreasecutoffal).  The M-step
// re-estimates t, n (pulled towards the corpus-wide fertility distribution by
// fertility_smoothing pseudo-counts), p1, d, d1 and d>1 (both models'
// distortion tables are counted in every iteration, so Model 4 starts from
// the Model 3 neighbourhoods).  The first tables come from the start
// alignments themselves (each counted once).
//
// Scoring is incremental: a neighbour's log P is the current alignment's plus
// the change of the terms it touches - the lexical (and Model 3 distortion)
// terms of the moved words, the fertility terms of the two changed cepts, the
// NULL term when phi0 changes, and for Model 4 the distortion terms of the
// changed cepts and of the next non-empty cept after each (whose head depends
// on the centre and class of its left neighbour).  Cost: a climbing step is
// O(m + l) to set up plus O(1) per Model 3 neighbour, O(phi + the gap to the
// neighbouring non-empty cepts) per Model 4 neighbour, for O(m l + m^2)
// neighbours; counting adds O(m + l) per counted neighbour.  No length cap.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
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
#include "lexalign/em/fixed_point_counts.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/normalize_counts.hpp"
#include "lexalign/em/word_classes.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

enum class fertility_model { model3, model4 };

struct fertility_options {
  std::size_t iterations = 3;            // EM iterations (Moses: 3 for Model 3 and for Model 4)
  double fertility_smoothing = 4.0;      // pseudo-counts of the corpus-wide fertility distribution in each n(.|e) (Moses nsmooth 4); finite, >= 0
  double distortion_smoothing = 0.2;     // s3: weight of uniform 1/m in Model 3's d; in [0, 1]
  double model4_smoothing = 0.4;         // s4: weight of uniform 1/m in d1 and d>1 (Moses model4smoothfactor); in [0, 1]
  bool learn_p1 = true;                  // re-estimate p1 (else keep the parameters' p1)
  double count_cutoff = 1e-5;            // neighbours with a smaller normalised weight are not counted (GIZA++); in [0, 1)
  double probability_floor = 1e-7;       // lexical probabilities below it are raised to it; in (0, 1)
  std::size_t max_climb_steps = 1000;    // hill-climbing steps per pair at most; >= 1
  parallel_options parallel = {};        // threads or a caller's pool; results do not depend on it
  std::size_t block_size = 64;           // sentence pairs per work block
};

inline void validate(const fertility_options& o) {
  validation::non_negative("em::fertility_options.fertility_smoothing", o.fertility_smoothing);
  validation::finite("em::fertility_options.fertility_smoothing", o.fertility_smoothing);
  validation::probability("em::fertility_options.distortion_smoothing", o.distortion_smoothing);
  validation::probability("em::fertility_options.model4_smoothing", o.model4_smoothing);
  validation::in_range("em::fertility_options.count_cutoff", o.count_cutoff, 0.0, 0.999999);
  validation::open_unit("em::fertility_options.probability_floor", o.probability_floor);
  validation::at_least("em::fertility_options.max_climb_steps", o.max_climb_steps, 1);
  validation::at_least("em::fertility_options.block_size", o.block_size, 1);
  validate(o.parallel);
}

// The non-lexical parameters of Models 3 and 4.
struct fertility_parameters {
  fertility_model model = fertility_model::model3;  // which model scores alignments
  std::size_t max_fertility = 10;     // phi in 0 .. max_fertility-1 (GIZA++ MAX_FERTILITY)
  std::vector<double> fertility;      // n(phi|e) at e * max_fertility + phi (given words)
  double p1 = 0.05;                   // NULL insertion probability; p0 = 1 - p1
  // Model 3 d(j|i,l,m): one l x m block per (l, m) of the corpus, keys (l << 32 | m) increasing.
  std::vector<std::uint64_t> d3_keys;
  std::vector<std::size_t> d3_offsets;  // block of key k at d3_offsets[k], entry (i-1) m + (j-1)
  std::vector<double> d3;
  double distortion_smoothing = fertility_options{}.distortion_smoothing;
  // Model 4: word classes and the jump tables, D = max_length (longest generated sentence).
  std::vector<std::uint32_t> given_class, generated_class;  // unknown ids: class 0
  std::size_t given_classes = 1, generated_classes = 1;     // A and B (d1 rows use A+1: the last is "start")
  std::size_t max_length = 0;
  std::vector<double> d1;  // ((a * B) + b) * (2D+1) + (delta + D), a in 0..A
  std::vector<double> d2;  // b * (D+1) + delta, delta in 1..D
  double model4_smoothing = fertility_options{}.model4_smoothing;

  std::size_t head_width() const noexcept { return 2 * max_length + 1; }
  std::uint32_t a_class(word_id e) const noexcept { return e < given_class.size() ? given_class[e] : 0u; }
  std::uint32_t b_class(word_id f) const noexcept { return f < generated_class.size() ? generated_class[f] : 0u; }
  // Offset of the (l, m) block of d3, or npos.
  std::size_t d3_block(std::size_t l, std::size_t m) const noexcept {
    const std::uint64_t key = (std::uint64_t{l} << 32) | m;
    const auto it = std::lower_bound(d3_keys.begin(), d3_keys.end(), key);
    if (it == d3_keys.end() || *it != key) return static_cast<std::size_t>(-1);
    return d3_offsets[static_cast<std::size_t>(it - d3_keys.begin())];
  }
  // Smoothed table values.
  double d3_value(std::size_t block, std::size_t l, std::size_t m, std::size_t i, std::size_t j) const noexcept {
    const double raw = block == static_cast<std::size_t>(-1) || i > l ? 0.0 : d3[block + (i - 1) * m + (j - 1)];
    return (1.0 - distortion_smoothing) * raw + distortion_smoothing / static_cast<double>(m);
  }
  std::size_t d1_index(std::size_t a, std::size_t b, std::ptrdiff_t delta) const noexcept {
    return (a * generated_classes + b) * head_width() + static_cast<std::size_t>(delta + static_cast<std::ptrdiff_t>(max_length));
  }
  double d1_value(std::size_t a, std::size_t b, std::ptrdiff_t delta, std::size_t m) const noexcept {
    const auto D = static_cast<std::ptrdiff_t>(max_length);
    const double raw = delta < -D || delta > D ? 0.0 : d1[d1_index(a, b, delta)];
    return (1.0 - model4_smoothing) * raw + model4_smoothing / static_cast<double>(m);
  }
  double d2_value(std::size_t b, std::ptrdiff_t delta, std::size_t m) const noexcept {
    const double raw = delta < 1 || delta > static_cast<std::ptrdiff_t>(max_length)
                           ? 0.0
                           : d2[b * (max_length + 1) + static_cast<std::size_t>(delta)];
    return (1.0 - model4_smoothing) * raw + model4_smoothing / static_cast<double>(m);
  }
  double n_value(word_id e, std::size_t phi) const noexcept {
    const std::size_t k = std::size_t{e} * max_fertility + phi;
    return phi < max_fertility && k < fertility.size() ? fertility[k] : 0.0;
  }

  // Empty tables shaped for `view` (d3 blocks for every (l, m) of it, m up to
  // the longest generated sentence), uniform values, the given classes.
  static fertility_parameters shaped(const bitext_view& view, const word_classes& given, const word_classes& generated,
                                     std::size_t max_fertility = 10) {
    fertility_parameters p;
    p.max_fertility = max_fertility;
    p.fertility.assign(view.given_vocabulary_size * max_fertility, 1.0 / static_cast<double>(max_fertility));
    std::vector<std::uint64_t> keys;
    for (std::size_t k = 0; k < view.size(); ++k) {
      const std::size_t l = view.given->length(k), m = view.generated->length(k);
      if (l > 0 && m > 0) keys.push_back((std::uint64_t{l} << 32) | m);
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    p.d3_keys = keys;
    std::size_t off = 0;
    for (auto key : keys) {
      p.d3_offsets.push_back(off);
      off += static_cast<std::size_t>(key >> 32) * static_cast<std::size_t>(key & 0xFFFFFFFFu);
    }
    p.d3.assign(off, 0.0);
    for (std::size_t b = 0; b < keys.size(); ++b) {
      const std::size_t l = keys[b] >> 32, m = keys[b] & 0xFFFFFFFFu;
      for (std::size_t x = 0; x < l * m; ++x) p.d3[p.d3_offsets[b] + x] = 1.0 / static_cast<double>(m);
    }
    p.given_class = given.class_of;
    p.generated_class = generated.class_of;
    p.given_classes = std::max<std::size_t>(given.count, 1);
    p.generated_classes = std::max<std::size_t>(generated.count, 1);
    p.max_length = view.generated->max_length();
    p.d1.assign((p.given_classes + 1) * p.generated_classes * p.head_width(), 1.0 / static_cast<double>(p.head_width()));
    p.d2.assign(p.generated_classes * (p.max_length + 1), p.max_length == 0 ? 0.0 : 1.0 / static_cast<double>(p.max_length));
    return p;
  }
};

// Per-thread scratch (grows to the longest pair, then reused).
struct fertility_workspace {
  std::vector<double> b;             // m x (l+1) emissions
  std::vector<std::size_t> index;    // their table indices
  std::vector<double> log_n;         // l x F: log n(phi|e_i) (+ log phi! for Model 3)
  std::vector<double> log_fact;      // log k!, k <= m
  std::vector<int> a, best;          // the current alignment and the best neighbour's
  std::vector<int> phi, first, last, sum;  // per cept (l+1)
  std::vector<double> scores;        // the neighbourhood's log-probabilities
  // Incremental scoring (detail::fertility_scorer), for the alignment it was reset to:
  std::vector<double> ld;            // m x (l+1): log b(j, i) + log d(j|i,l,m) for Model 3 (i >= 1)
  std::vector<int> cphi, cstart, cpos;  // per cept: fertility, start of its positions in cpos (increasing j)
  std::vector<int> cfirst, ccentre;  // per non-empty cept: head position, centre
  std::vector<double> cnonhead, cdist;  // Model 4 per cept: log of its d>1 values' product, log of its whole distortion term
  std::vector<int> buf1, buf2;       // a changed cept's positions
};

namespace detail {

// Prepares the per-pair tables of ws for (e, f).
inline void fertility_prepare(const fertility_parameters& p, const lexical_table& t, std::span<const word_id> e,
                              std::span<const word_id> f, double floor, fertility_workspace& ws, bool want_index) {
  const std::size_t l = e.size(), m = f.size(), F = p.max_fertility;
  emission_matrix(t, e, f, floor, ws.b, want_index ? &ws.index : nullptr);
  for (auto& x : ws.b) x = std::log(x);
  ws.log_fact.resize(std::max(m, F) + 1);
  ws.log_fact[0] = 0.0;
  for (std::size_t k = 1; k < ws.log_fact.size(); ++k) ws.log_fact[k] = ws.log_fact[k - 1] + std::log(static_cast<double>(k));
  ws.log_n.resize(l * F);
  const bool m3 = p.model == fertility_model::model3;
  for (std::size_t i = 0; i < l; ++i)
    for (std::size_t phi = 0; phi < F; ++phi) {
      const double n = p.n_value(e[i], phi);
      ws.log_n[i * F + phi] = n > 0.0 ? std::log(n) + (m3 ? ws.log_fact[phi] : 0.0) : -std::numeric_limits<double>::infinity();
    }
  for (auto* v : {&ws.phi, &ws.first, &ws.last, &ws.sum}) v->resize(l + 1);
  // The per-link terms of incremental scoring: log b, plus log d(j|i,l,m) for Model 3.
  const std::size_t l1 = l + 1;
  ws.ld.resize(m * l1);
  std::copy(ws.b.begin(), ws.b.begin() + static_cast<std::ptrdiff_t>(m * l1), ws.ld.begin());
  if (m3 && l > 0) {
    const std::size_t block = p.d3_block(l, m);
    for (std::size_t j = 1; j <= m; ++j)
      for (std::size_t i = 1; i <= l; ++i) ws.ld[(j - 1) * l1 + i] += std::log(p.d3_value(block, l, m, i, j));
  }
  ws.scores.reserve(1 + m * l + m * (m - 1) / 2);  // the largest neighbourhood
  ws.best.reserve(m);
}

// Visits the factors of P(f, a | e): v.null(phi0), v.fert(i, phi_i) for i >= 1,
// v.lex(j, a_j), v.d3(j, i) for linked j, v.head(a, b, delta) and
// v.nonhead(b, delta).  Returns false when P = 0 (fertility cap or 2 phi0 > m).
template <class V>
bool fertility_visit(const fertility_parameters& p, std::span<const word_id> e, std::span<const word_id> f,
                     std::span<const int> a, fertility_workspace& ws, V&& v) {
  const std::size_t l = e.size(), m = f.size();
  std::fill(ws.phi.begin(), ws.phi.end(), 0);
  std::fill(ws.last.begin(), ws.last.end(), 0);
  std::fill(ws.sum.begin(), ws.sum.end(), 0);
  for (std::size_t j = 1; j <= m; ++j) {
    const auto i = static_cast<std::size_t>(a[j - 1]);
    ++ws.phi[i];
    v.lex(j, i);
    if (i == 0) continue;
    v.d3(j, i);
    if (ws.last[i] == 0) ws.first[i] = static_cast<int>(j);
    else v.nonhead(p.b_class(f[j - 1]), static_cast<std::ptrdiff_t>(j) - ws.last[i]);
    ws.last[i] = static_cast<int>(j);
    ws.sum[i] += static_cast<int>(j);
  }
  if (2 * static_cast<std::size_t>(ws.phi[0]) > m) return false;
  v.null(static_cast<std::size_t>(ws.phi[0]));
  std::ptrdiff_t centre = 0;
  std::size_t prev_class = p.given_classes;  // "start"
  for (std::size_t i = 1; i <= l; ++i) {
    const auto phi = static_cast<std::size_t>(ws.phi[i]);
    if (phi >= p.max_fertility) return false;
    v.fert(i, phi);
    if (phi == 0) continue;
    v.head(prev_class, p.b_class(f[static_cast<std::size_t>(ws.first[i]) - 1]), ws.first[i] - centre);
    centre = (ws.sum[i] + static_cast<std::ptrdiff_t>(phi) - 1) / static_cast<std::ptrdiff_t>(phi);
    prev_class = p.a_class(e[i - 1]);
  }
  return true;
}

// True when some alignment of an l x m pair has P > 0 (phi0 <= m/2 and
// every phi_i < F need m <= 2 l (F-1)); other pairs are skipped in training.
inline bool fertility_feasible(std::size_t l, std::size_t m, std::size_t F) noexcept {
  return m > 0 && l > 0 && F >= 2 && m <= 2 * l * (F - 1);
}

// Makes a (of a feasible pair, ws prepared) have P > 0: words of cepts at the
// fertility cap go to NULL while NULL has room, else to the best-emitting cept
// with room; then NULL words beyond m/2 go to the best-emitting cept with room.
inline void fertility_repair(const fertility_parameters& p, std::size_t l, std::span<int> a, fertility_workspace& ws) {
  const std::size_t m = a.size(), l1 = l + 1;
  const auto F = static_cast<int>(p.max_fertility);
  std::fill(ws.phi.begin(), ws.phi.end(), 0);
  for (int x : a) ++ws.phi[static_cast<std::size_t>(x)];
  auto best_with_room = [&](std::size_t j) {
    int arg = 0;
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 1; i <= l; ++i)
      if (ws.phi[i] < F - 1 && ws.b[j * l1 + i] > top) {
        top = ws.b[j * l1 + i];
        arg = static_cast<int>(i);
      }
    return arg;
  };
  for (std::size_t j = 0; j < m; ++j) {
    const int i = a[j];
    if (i == 0 || ws.phi[static_cast<std::size_t>(i)] < F) continue;
    const int to = 2 * (ws.phi[0] + 1) <= static_cast<int>(m) ? 0 : best_with_room(j);
    --ws.phi[static_cast<std::size_t>(i)];
    ++ws.phi[static_cast<std::size_t>(to)];
    a[j] = to;
  }
  for (std::size_t j = 0; j < m && 2 * ws.phi[0] > static_cast<int>(m); ++j) {
    if (a[j] != 0) continue;
    const int to = best_with_room(j);
    if (to == 0) break;
    --ws.phi[0];
    ++ws.phi[static_cast<std::size_t>(to)];
    a[j] = to;
  }
}

}  // namespace detail

// log P(f, a | e) under p.model (a_j in 0..l, 0 = NULL); -inf when P = 0.
// ws must have been prepared for (e, f) by the caller or is prepared here.
inline double fertility_log_probability(const fertility_parameters& p, const lexical_table& t,
                                        std::span<const word_id> e, std::span<const word_id> f, std::span<const int> a,
                                        double floor, fertility_workspace& ws, bool prepared = false) {
  if (!prepared) detail::fertility_prepare(p, t, e, f, floor, ws, false);
  const std::size_t l = e.size(), m = f.size(), l1 = l + 1, F = p.max_fertility;
  const bool m3 = p.model == fertility_model::model3;
  const std::size_t block = m3 && l > 0 ? p.d3_block(l, m) : 0;
  double s = 0.0;
  struct scorer {
    const fertility_parameters& p;
    fertility_workspace& ws;
    std::size_t l, m, l1, F, block;
    bool m3;
    double& s;
    void lex(std::size_t j, std::size_t i) { s += ws.b[(j - 1) * l1 + i]; }
    void d3(std::size_t j, std::size_t i) {
      if (m3) s += std::log(p.d3_value(block, l, m, i, j));
    }
    void nonhead(std::size_t b, std::ptrdiff_t delta) {
      if (!m3) s += std::log(p.d2_value(b, delta, m));
    }
    void head(std::size_t a, std::size_t b, std::ptrdiff_t delta) {
      if (!m3) s += std::log(p.d1_value(a, b, delta, m));
    }
    void fert(std::size_t i, std::size_t phi) { s += ws.log_n[(i - 1) * F + phi]; }
    void null(std::size_t phi0) {
      const double p1 = p.p1, p0 = 1.0 - p1;
      s += ws.log_fact[m - phi0] - ws.log_fact[phi0] - ws.log_fact[m - 2 * phi0];
      s += static_cast<double>(m - 2 * phi0) * std::log(p0) + static_cast<double>(phi0) * std::log(p1);
    }
  } sc{p, ws, l, m, l1, F, block, m3, s};
  if (!detail::fertility_visit(p, e, f, a, ws, sc)) return -std::numeric_limits<double>::infinity();
  return s;
}

// Calls visit(a') for a' = a, then every move (j, i != a_j) in order j, i,
// then every swap j < j' with a_j != a_j'; `a` is modified during the calls
// and restored.
template <class Visit>
void for_each_neighbour(std::vector<int>& a, std::size_t l, Visit&& visit) {
  const std::size_t m = a.size();
  visit(a);
  for (std::size_t j = 0; j < m; ++j) {
    const int old = a[j];
    for (int i = 0; i <= static_cast<int>(l); ++i) {
      if (i == old) continue;
      a[j] = i;
      visit(a);
    }
    a[j] = old;
  }
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t k = j + 1; k < m; ++k) {
      if (a[j] == a[k]) continue;
      std::swap(a[j], a[k]);
      visit(a);
      std::swap(a[j], a[k]);
    }
}

namespace detail {

// Incremental log P(f, a' | e) for the neighbours a' of one alignment a (the
// header comment): reset(a) once, then move(a, j, i) and swap(a, j, k) give
// log P of a with a_j = i, or with a_j and a_k exchanged, without changing a.
// Equal to fertility_log_probability up to rounding (tested).  ws must be
// prepared for the pair (fertility_prepare), then prepare() once per pair.
class fertility_scorer {
 public:
  fertility_scorer(const fertility_parameters& p, std::span<const word_id> e, std::span<const word_id> f,
                   fertility_workspace& ws) noexcept
      : p_(p), e_(e), f_(f), ws_(ws), l_(e.size()), m_(f.size()), l1_(e.size() + 1), F_(p.max_fertility),
        m3_(p.model == fertility_model::model3), log_p0_(std::log(1.0 - p.p1)), log_p1_(std::log(p.p1)) {}

  // Sizes the per-cept arrays (the per-link terms ws.ld come from fertility_prepare).
  void prepare() {
    for (auto* v : {&ws_.cphi, &ws_.cfirst, &ws_.ccentre}) v->resize(l1_);
    ws_.cstart.resize(l1_ + 1);
    ws_.cnonhead.resize(l1_);
    ws_.cdist.resize(l1_);
    ws_.cpos.resize(m_);
    ws_.buf1.reserve(m_ + 1);
    ws_.buf2.reserve(m_ + 1);
  }

  // Sets the current alignment; returns (and keeps) its log P.
  double reset(std::span<const int> a) {
    auto& phi = ws_.cphi;
    std::fill(phi.begin(), phi.end(), 0);
    for (int i : a) ++phi[static_cast<std::size_t>(i)];
    ws_.cstart[0] = 0;
    for (std::size_t c = 0; c < l1_; ++c) ws_.cstart[c + 1] = ws_.cstart[c] + phi[c];
    std::copy(ws_.cstart.begin(), ws_.cstart.end() - 1, ws_.cfirst.begin());  // fill cursors
    for (std::size_t j = 0; j < m_; ++j) {
      const auto c = static_cast<std::size_t>(a[j]);
      ws_.cpos[static_cast<std::size_t>(ws_.cfirst[c]++)] = static_cast<int>(j + 1);
    }
    double s = null_term(static_cast<std::size_t>(phi[0]));
    for (std::size_t j = 0; j < m_; ++j) s += ws_.ld[j * l1_ + static_cast<std::size_t>(a[j])];
    for (std::size_t i = 1; i <= l_; ++i) s += fert(i, static_cast<std::size_t>(phi[i]));
    if (!m3_) {
      std::size_t prev = 0;
      for (std::size_t c = 1; c <= l_; ++c) {
        ws_.cdist[c] = 0.0;
        if (phi[c] == 0) continue;
        const cept x = summarise(positions(c));
        ws_.cfirst[c] = x.first;
        ws_.ccentre[c] = x.centre;
        ws_.cnonhead[c] = x.nonhead.log();
        ws_.cdist[c] = std::log(head(prev, x.first, prev == 0 ? 0 : ws_.ccentre[prev])) + ws_.cnonhead[c];
        s += ws_.cdist[c];
        prev = c;
      }
    }
    current_ = s;
    return s;
  }

  double current() const noexcept { return current_; }

  // log P of the current alignment a with a_j = to (j 0-based, to != a_j).
  double move(std::span<const int> a, std::size_t j, int to) {
    const int from = a[j];
    const auto fr = static_cast<std::size_t>(from), t = static_cast<std::size_t>(to);
    const auto& phi = ws_.cphi;
    double d = ws_.ld[j * l1_ + t] - ws_.ld[j * l1_ + fr];
    if (from == 0 || to == 0) {
      const auto phi0 = static_cast<std::size_t>(phi[0]);
      d += null_term(from == 0 ? phi0 - 1 : phi0 + 1) - null_term(phi0);
    }
    if (from != 0) d += fert(fr, static_cast<std::size_t>(phi[fr]) - 1) - fert(fr, static_cast<std::size_t>(phi[fr]));
    if (to != 0) d += fert(t, static_cast<std::size_t>(phi[t]) + 1) - fert(t, static_cast<std::size_t>(phi[t]));
    if (!m3_ && std::isfinite(d)) {
      const int pos = static_cast<int>(j + 1);
      d += distortion_change(fr, pos, 0, t, 0, pos);
    }
    return current_ + d;
  }

  // log P of the current alignment a with a_j and a_k exchanged (a_j != a_k).
  double swap(std::span<const int> a, std::size_t j, std::size_t k) {
    const auto i1 = static_cast<std::size_t>(a[j]), i2 = static_cast<std::size_t>(a[k]);
    double d = ws_.ld[j * l1_ + i2] + ws_.ld[k * l1_ + i1] - ws_.ld[j * l1_ + i1] - ws_.ld[k * l1_ + i2];
    if (!m3_ && std::isfinite(d)) {
      const int pj = static_cast<int>(j + 1), pk = static_cast<int>(k + 1);
      d += distortion_change(i1, pj, pk, i2, pk, pj);
    }
    return current_ + d;
  }

 private:
  // A product of probabilities kept from underflowing: log() = logs + log(prod).
  struct log_product {
    double prod = 1.0, logs = 0.0;
    void mul(double v) noexcept {
      prod *= v;
      if (prod < 1e-200) {
        logs += std::log(prod);
        prod = 1.0;
      }
    }
    double log() const noexcept { return logs + std::log(prod); }
  };
  struct cept {
    int phi = 0, first = 0, centre = 0;
    log_product nonhead;  // the product of the cept's d>1 values
  };
  std::span<const int> positions(std::size_t c) const noexcept {
    return {ws_.cpos.data() + ws_.cstart[c], static_cast<std::size_t>(ws_.cphi[c])};
  }
  // phi, head, centre and the product of the d>1 values of a cept with positions ps (increasing).
  cept summarise(std::span<const int> ps) const {
    cept x;
    x.phi = static_cast<int>(ps.size());
    if (ps.empty()) return x;
    x.first = ps[0];
    int sum = ps[0];
    for (std::size_t k = 1; k < ps.size(); ++k) {
      x.nonhead.mul(p_.d2_value(p_.b_class(f_[static_cast<std::size_t>(ps[k]) - 1]), ps[k] - ps[k - 1], m_));
      sum += ps[k];
    }
    x.centre = (sum + x.phi - 1) / x.phi;
    return x;
  }
  // d1 of a head at position `first` after the non-empty cept prev (0: sentence start) with centre prev_centre.
  double head(std::size_t prev, int first, int prev_centre) const {
    const std::size_t a = prev == 0 ? p_.given_classes : p_.a_class(e_[prev - 1]);
    return p_.d1_value(a, p_.b_class(f_[static_cast<std::size_t>(first) - 1]), first - prev_centre, m_);
  }
  // Cept c's positions minus `drop` plus `add` (0: none) into out (increasing).
  std::span<const int> changed(std::size_t c, int drop, int add, std::vector<int>& out) const {
    out.clear();
    bool placed = add == 0;
    for (int x : positions(c)) {
      if (x == drop) continue;
      if (!placed && add < x) {
        out.push_back(add);
        placed = true;
      }
      out.push_back(x);
    }
    if (!placed) out.push_back(add);
    return {out.data(), out.size()};
  }
  // Model 4: the change of the distortion terms when cept c1 loses position
  // drop1 and gains add1, and cept c2 loses drop2 and gains add2 (cept 0 is
  // NULL, which has no distortion term; position 0: none).  Only c1, c2 and
  // the next non-empty cept after each can change.
  double distortion_change(std::size_t c1, int drop1, int add1, std::size_t c2, int drop2, int add2) {
    cept n1, n2;
    if (c1 != 0) n1 = summarise(changed(c1, drop1, add1, ws_.buf1));
    if (c2 != 0) n2 = summarise(changed(c2, drop2, add2, ws_.buf2));
    const auto& phi = ws_.cphi;
    auto state = [&](std::size_t c) -> cept {
      if (c == c1 && c != 0) return n1;
      if (c == c2 && c != 0) return n2;
      if (phi[c] == 0) return {};
      return {phi[c], ws_.cfirst[c], ws_.ccentre[c], {1.0, ws_.cnonhead[c]}};
    };
    // Multiplies the new distortion term of cept c (none when empty) into `into`.
    auto term = [&](std::size_t c, log_product& into) {
      const cept x = state(c);
      if (x.phi == 0) return;
      std::size_t r = c - 1;
      while (r > 0 && state(r).phi == 0) --r;
      into.mul(head(r, x.first, r == 0 ? 0 : state(r).centre));
      into.logs += x.nonhead.logs;
      into.mul(x.nonhead.prod);
    };
    // The next cept after c that is non-empty and neither c1 nor c2 (l+1: none).
    auto next = [&](std::size_t c) {
      std::size_t r = c + 1;
      while (r <= l_ && (phi[r] == 0 || r == c1 || r == c2)) ++r;
      return r;
    };
    const std::size_t touched[4] = {c1, c2, c1 == 0 ? 0 : next(c1), c2 == 0 ? 0 : next(c2)};
    log_product now;
    double before = 0.0;
    for (std::size_t u = 0; u < 4; ++u) {
      const std::size_t c = touched[u];
      if (c == 0 || c > l_) continue;
      bool seen = false;
      for (std::size_t v = 0; v < u; ++v) seen = seen || touched[v] == c;
      if (seen) continue;
      term(c, now);
      before += ws_.cdist[c];
    }
    return now.log() - before;
  }
  double fert(std::size_t i, std::size_t phi) const noexcept {
    return phi >= F_ ? -std::numeric_limits<double>::infinity() : ws_.log_n[(i - 1) * F_ + phi];
  }
  double null_term(std::size_t phi0) const noexcept {
    if (2 * phi0 > m_) return -std::numeric_limits<double>::infinity();
    return ws_.log_fact[m_ - phi0] - ws_.log_fact[phi0] - ws_.log_fact[m_ - 2 * phi0] +
           static_cast<double>(m_ - 2 * phi0) * log_p0_ + static_cast<double>(phi0) * log_p1_;
  }

  const fertility_parameters& p_;
  std::span<const word_id> e_, f_;
  fertility_workspace& ws_;
  std::size_t l_, m_, l1_, F_;
  bool m3_;
  double log_p0_, log_p1_;
  double current_ = 0.0;
};

}  // namespace detail

// Calls visit(a', log P(a')) for the neighbourhood of a in for_each_neighbour's
// order (`a` is modified during the calls and restored).  ws must be prepared
// for (e, f) (detail::fertility_prepare).  Scores are incremental
// (detail::fertility_scorer) when log P(a) is finite, else computed in full.
template <class Visit>
void for_each_scored_neighbour(const fertility_parameters& p, const lexical_table& t, std::span<const word_id> e,
                               std::span<const word_id> f, std::vector<int>& a, double floor, fertility_workspace& ws,
                               Visit&& visit) {
  detail::fertility_scorer sc(p, e, f, ws);
  sc.prepare();
  const double here = sc.reset(a);
  if (!std::isfinite(here)) {
    for_each_neighbour(a, e.size(), [&](const std::vector<int>& x) {
      visit(x, fertility_log_probability(p, t, e, f, x, floor, ws, true));
    });
    return;
  }
  const std::size_t m = a.size(), l = e.size();
  visit(a, here);
  for (std::size_t j = 0; j < m; ++j) {
    const int old = a[j];
    for (int i = 0; i <= static_cast<int>(l); ++i) {
      if (i == old) continue;
      const double s = sc.move(a, j, i);  // scored from the current alignment (a_j = old)
      a[j] = i;
      visit(a, s);
      a[j] = old;
    }
  }
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t k = j + 1; k < m; ++k) {
      if (a[j] == a[k]) continue;
      const double s = sc.swap(a, j, k);
      std::swap(a[j], a[k]);
      visit(a, s);
      std::swap(a[j], a[k]);
    }
}

// Hill-climbs `a` (in place) to a local maximum of P(f, a | e) over moves and
// swaps: each step takes the best neighbour (the first in for_each_neighbour
// order among equals) when it beats the current alignment.  Returns log P(a).
inline double fertility_hill_climb(const fertility_parameters& p, const lexical_table& t, std::span<const word_id> e,
                                   std::span<const word_id> f, std::vector<int>& a, double floor,
                                   fertility_workspace& ws, std::size_t max_steps = 1000, bool prepared = false) {
  if (!prepared) detail::fertility_prepare(p, t, e, f, floor, ws, false);
  double current = fertility_log_probability(p, t, e, f, a, floor, ws, true);
  for (std::size_t step = 0; step < max_steps; ++step) {
    double best = current;
    bool improved = false;
    for_each_scored_neighbour(p, t, e, f, a, floor, ws, [&](const std::vector<int>& x, double s) {
      if (s > best && (std::isinf(best) || s - best > 1e-12 * std::abs(best))) {
        best = s;
        ws.best = x;
        improved = true;
      }
    });
    if (!improved) break;
    a = ws.best;
    current = best;
  }
  return current;
}

// Decoding one pair (feasible: fertility_feasible): repairs and hill-climbs
// `a` (a_j in 0..l, in place) and, with `marginals`, fills it (m x (l+1),
// column 0 NULL) with each link's probability within the neighbourhood of the
// climbed alignment.  Returns log P of the climbed alignment.
inline double fertility_decode(const fertility_parameters& p, const lexical_table& t, std::span<const word_id> e,
                               std::span<const word_id> f, double floor, fertility_workspace& ws, std::vector<int>& a,
                               std::vector<double>* marginals, std::size_t max_steps = 1000) {
  detail::fertility_prepare(p, t, e, f, floor, ws, false);
  detail::fertility_repair(p, e.size(), a, ws);
  const double lp = fertility_hill_climb(p, t, e, f, a, floor, ws, max_steps, true);
  if (!marginals) return lp;
  const std::size_t l1 = e.size() + 1, m = f.size();
  marginals->assign(m * l1, 0.0);
  ws.scores.clear();
  for_each_scored_neighbour(p, t, e, f, a, floor, ws, [&](const std::vector<int>&, double s) { ws.scores.push_back(s); });
  double total = 0.0;
  for (double sc : ws.scores) total += std::exp(sc - lp);
  std::size_t n = 0;
  for_each_neighbour(a, e.size(), [&](const std::vector<int>& x) {
    const double w = std::exp(ws.scores[n++] - lp) / total;
    for (std::size_t j = 0; j < m; ++j) (*marginals)[j * l1 + static_cast<std::size_t>(x[j])] += w;
  });
  return lp;
}

// The expected counts of one E-step (fixed point: identical for any thread count).
struct fertility_counts {
  fixed_point_counts lexical, fertility, null, d3, d1, d2;  // null: [0] = m - 2 phi0, [1] = phi0
  std::vector<double> nbar;  // M-step scratch: the corpus-wide fertility distribution

  void assign(const fertility_parameters& p, const lexical_table& t) {
    lexical.assign(t.size());
    fertility.assign(p.fertility.size());
    null.assign(2);
    d3.assign(p.d3.size());
    d1.assign(p.d1.size());
    d2.assign(p.d2.size());
  }
};

namespace detail {

// Adds weight w of alignment a of pair (e, f) to the counts (ws prepared with indices).
inline void fertility_add_counts(const fertility_parameters& p, std::span<const word_id> e, std::span<const word_id> f,
                                 std::span<const int> a, double w, fertility_workspace& ws, fertility_counts& c,
                                 bool concurrent) {
  const std::size_t l = e.size(), m = f.size(), l1 = l + 1, F = p.max_fertility;
  const std::size_t block = l > 0 ? p.d3_block(l, m) : 0;
  struct counter {
    const fertility_parameters& p;
    std::span<const word_id> e;
    fertility_workspace& ws;
    fertility_counts& c;
    std::size_t l, m, l1, F, block;
    double w;
    bool concurrent;
    void lex(std::size_t j, std::size_t i) {
      const std::size_t k = ws.index[(j - 1) * l1 + i];
      if (k != lexical_table::npos) c.lexical.add(k, w, concurrent);
    }
    void d3(std::size_t j, std::size_t i) {
      if (block != static_cast<std::size_t>(-1)) c.d3.add(block + (i - 1) * m + (j - 1), w, concurrent);
    }
    void nonhead(std::size_t b, std::ptrdiff_t delta) {
      if (delta >= 1 && delta <= static_cast<std::ptrdiff_t>(p.max_length))
        c.d2.add(b * (p.max_length + 1) + static_cast<std::size_t>(delta), w, concurrent);
    }
    void head(std::size_t a, std::size_t b, std::ptrdiff_t delta) {
      const auto D = static_cast<std::ptrdiff_t>(p.max_length);
      if (delta >= -D && delta <= D) c.d1.add(p.d1_index(a, b, delta), w, concurrent);
    }
    void fert(std::size_t i, std::size_t phi) {
      const std::size_t k = std::size_t{e[i - 1]} * F + phi;
      if (k < c.fertility.size()) c.fertility.add(k, w, concurrent);
    }
    void null(std::size_t phi0) {
      c.null.add(0, w * static_cast<double>(m - 2 * phi0), concurrent);
      c.null.add(1, w * static_cast<double>(phi0), concurrent);
    }
  } counter_{p, e, ws, c, l, m, l1, F, block, w, concurrent};
  fertility_visit(p, e, f, a, ws, counter_);
}

// Counts over the neighbourhood of a (weights normalised over it); returns
// log of the neighbourhood's total probability.
inline double fertility_neighbourhood_counts(const fertility_parameters& p, const lexical_table& t,
                                             std::span<const word_id> e, std::span<const word_id> f,
                                             std::vector<int>& a, double floor, double cutoff, fertility_workspace& ws,
                                             fertility_counts& c, bool concurrent) {
  ws.scores.clear();
  for_each_scored_neighbour(p, t, e, f, a, floor, ws, [&](const std::vector<int>&, double s) { ws.scores.push_back(s); });
  double top = -std::numeric_limits<double>::infinity();
  for (double s : ws.scores) top = std::max(top, s);
  if (std::isinf(top)) return top;
  double total = 0.0;
  for (double s : ws.scores) total += std::exp(s - top);
  std::size_t n = 0;
  for_each_neighbour(a, e.size(), [&](const std::vector<int>& x) {
    const double w = std::exp(ws.scores[n++] - top) / total;
    if (w >= cutoff && w > 0.0) fertility_add_counts(p, e, f, x, w, ws, c, concurrent);
  });
  return top + std::log(total);
}

// n(.|e) = (c(.|e) + kappa nbar) / (c(e) + kappa), nbar the corpus-wide distribution.
inline void fertility_mstep(fertility_parameters& p, fertility_counts& c, double kappa, bool learn_p1) {
  const std::size_t F = p.max_fertility, V = p.fertility.size() / F;
  auto& nbar = c.nbar;
  nbar.assign(F, 0.0);
  double all = 0.0;
  for (std::size_t e = 0; e < V; ++e)
    for (std::size_t phi = 0; phi < F; ++phi) nbar[phi] += c.fertility.value(e * F + phi);
  for (double v : nbar) all += v;
  if (all > 0.0)
    for (double& v : nbar) v /= all;
  else
    std::fill(nbar.begin(), nbar.end(), 1.0 / static_cast<double>(F));
  for (std::size_t e = 0; e < V; ++e) {
    double ce = 0.0;
    for (std::size_t phi = 0; phi < F; ++phi) ce += c.fertility.value(e * F + phi);
    if (ce + kappa <= 0.0) {
      for (std::size_t phi = 0; phi < F; ++phi) p.fertility[e * F + phi] = nbar[phi];
      continue;
    }
    for (std::size_t phi = 0; phi < F; ++phi)
      p.fertility[e * F + phi] = (c.fertility.value(e * F + phi) + kappa * nbar[phi]) / (ce + kappa);
  }
  if (learn_p1) {
    const double c0 = c.null.value(0), c1 = c.null.value(1);
    if (c0 + c1 > 0.0) p.p1 = std::clamp(c1 / (c0 + c1), 1e-6, 0.5);
  }
  // d3: per (l, m, i) over j.
  for (std::size_t b = 0; b < p.d3_keys.size(); ++b) {
    const std::size_t l = p.d3_keys[b] >> 32, m = p.d3_keys[b] & 0xFFFFFFFFu, off = p.d3_offsets[b];
    for (std::size_t i = 0; i < l; ++i) {
      double s = 0.0;
      for (std::size_t j = 0; j < m; ++j) s += c.d3.value(off + i * m + j);
      for (std::size_t j = 0; j < m; ++j)
        p.d3[off + i * m + j] = s > 0.0 ? c.d3.value(off + i * m + j) / s : 1.0 / static_cast<double>(m);
    }
  }
  auto rows = [](std::vector<double>& table, const fixed_point_counts& counts, std::size_t width) {
    for (std::size_t r = 0; r * width < table.size(); ++r) {
      double s = 0.0;
      for (std::size_t x = 0; x < width; ++x) s += counts.value(r * width + x);
      if (s <= 0.0) continue;  // keep the row
      for (std::size_t x = 0; x < width; ++x) table[r * width + x] = counts.value(r * width + x) / s;
    }
  };
  rows(p.d1, c.d1, p.head_width());
  rows(p.d2, c.d2, p.max_length + 1);
}

}  // namespace detail

// Alignments of a whole view, one int per generated token (0 = NULL, i = given
// position i, 1-based), sentence k at offsets[k].
struct corpus_alignment {
  std::vector<std::size_t> offsets;
  std::vector<int> links;
  std::span<int> operator[](std::size_t k) noexcept { return {links.data() + offsets[k], offsets[k + 1] - offsets[k]}; }
  std::span<const int> operator[](std::size_t k) const noexcept {
    return {links.data() + offsets[k], offsets[k + 1] - offsets[k]};
  }
  static corpus_alignment shaped(const bitext_view& view) {
    corpus_alignment c;
    c.offsets.assign(view.size() + 1, 0);
    for (std::size_t k = 0; k < view.size(); ++k) c.offsets[k + 1] = c.offsets[k] + view.generated->length(k);
    c.links.assign(c.offsets.back(), 0);
    return c;
  }
};

using fertility_estep_scratch = std::vector<fertility_workspace>;

// One E-step: hill-climbs every pair from `start` (updated in place to the
// climbed alignments) and counts over the neighbourhoods.  With `transfer`,
// no climbing and only the start alignments are counted (weight 1): the
// initial estimates.  Returns the sum of the log neighbourhood masses.
inline double fertility_expectation(const bitext_view& view, const lexical_table& t, const fertility_parameters& p,
                                    corpus_alignment& start, fertility_counts& counts, const fertility_options& o,
                                    const executor& ex, fertility_estep_scratch& scratch, std::vector<double>& block_ll,
                                    bool transfer = false) {
  counts.assign(p, t);
  const std::size_t blocks = block_count(view.size(), o.block_size);
  const unsigned workers = ex.workers_for(blocks);
  if (scratch.size() < workers) scratch.resize(workers);
  block_ll.assign(blocks, 0.0);
  const bool concurrent = workers > 1;
  ex.for_each_block(view.size(), o.block_size, [&](std::size_t blk, std::size_t begin, std::size_t end, unsigned w) {
    fertility_workspace& ws = scratch[w];
    double ll = 0.0;
    for (std::size_t k = begin; k < end; ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      if (!detail::fertility_feasible(e.size(), f.size(), p.max_fertility)) continue;
      detail::fertility_prepare(p, t, e, f, o.probability_floor, ws, true);
      auto s = start[k];
      detail::fertility_repair(p, e.size(), s, ws);
      ws.a.assign(s.begin(), s.end());
      if (transfer) {
        detail::fertility_add_counts(p, e, f, ws.a, 1.0, ws, counts, concurrent);
        continue;
      }
      fertility_hill_climb(p, t, e, f, ws.a, o.probability_floor, ws, o.max_climb_steps, true);
      std::copy(ws.a.begin(), ws.a.end(), s.begin());
      const double mass = detail::fertility_neighbourhood_counts(p, t, e, f, ws.a, o.probability_floor,
                                                                 o.count_cutoff, ws, counts, concurrent);
      if (std::isfinite(mass)) ll += mass;
    }
    block_ll[blk] = ll;
  });
  return ordered_sum(block_ll);
}

namespace detail {
template <class Obs>
em_result train_fertility(const bitext_view& view, lexical_table& t, fertility_parameters& p,
                          corpus_alignment& alignment, const fertility_options& o, bool initialise, const executor& ex,
                          std::string_view stage, Obs& obs) {
  em_result result;
  result.log_likelihood.reserve(o.iterations);
  fertility_counts counts;
  fertility_estep_scratch scratch;
  std::vector<double> block_ll;
  p.distortion_smoothing = o.distortion_smoothing;
  p.model4_smoothing = o.model4_smoothing;
  if (initialise) {
    fertility_expectation(view, t, p, alignment, counts, o, ex, scratch, block_ll, true);
    fertility_mstep(p, counts, o.fertility_smoothing, true);
  }
  for (std::size_t it = 1; it <= o.iterations; ++it) {
    const double ll = fertility_expectation(view, t, p, alignment, counts, o, ex, scratch, block_ll);
    normalize_counts(t, counts.lexical, 0.0);
    fertility_mstep(p, counts, o.fertility_smoothing, o.learn_p1);
    if (record_iteration(result, it, o.iterations, ll, obs, stage)) return result;
  }
  result.convergence.status = solver_status::max_iterations;
  return result;
}
}  // namespace detail

// Trains t and p (p.model says Model 3 or 4) for o.iterations iterations,
// hill-climbing from `alignment` (updated to the last iteration's climbed
// alignments).  With `initialise`, the tables are first estimated from
// `alignment` itself (each start alignment counted once): use it on the first
// fertility stage, started from the HMM's Viterbi alignments.  The observer
// gets stage "em.model3" or "em.model4" (objective: sum of the log
// neighbourhood masses).
template <observer Obs = no_observer>
em_result train_fertility(const bitext_view& view, lexical_table& t, fertility_parameters& p,
                          corpus_alignment& alignment, const fertility_options& o = {}, bool initialise = true,
                          Obs&& obs = {}) {
  validate(o);
  const executor ex(o.parallel);
  return detail::train_fertility(view, t, p, alignment, o, initialise, ex,
                                 p.model == fertility_model::model3 ? "em.model3" : "em.model4", obs);
}

}  // namespace em
LEXALIGN_NAMESPACE_END
