// lexalign/bayes/detail/sampler.hpp - the collapsed Gibbs kernel of one
// directional chain.  See docs/bayes.md for the model; in short, with the
// links a_j of generated token f_j (0 = NULL, i+1 = given position i) the
// unnormalised joint of all links of the corpus is
//
//   prod_rows  DirMult(lexical counts of the row | alpha)
// x prod       DirMult(jump-bin counts | jump_alpha)          (stage >= hmm)
// x prod_types DirMult(fertility-bin counts | fertility_alpha) (stage fertility)
// x null_prior ^ (number of NULL links)
//
// where a sentence's jumps are the differences of successive non-NULL
// positions in target order, starting from -1 and ending at l (so a sentence
// with k non-NULL links has k+1 jumps).  conditional() evaluates
// P(a_j = x | all other links) up to a constant, exactly, by "virtually"
// removing token j from the counts; it does not modify any count, so the
// same function serves the sampler and the final (read-only, parallel)
// marginal computation.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/bayes/detail/random.hpp"
#include "lexalign/bayes/schedule.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes::detail {

// Everything one direction's chains share (read-only while sampling).
struct direction_problem {
  em::bitext_view view;
  const word_id* generated_base = nullptr;  // first generated token: link offsets are relative to it
  em::lexical_table table;                  // co-occurrence structure (its probabilities are unused)
  std::size_t given_vocabulary = 0, generated_vocabulary = 0;
  // Dirichlet parameters.
  double lexical_alpha = 0.001, null_alpha = 0.001, jump_alpha = 0.5, fertility_alpha = 0.5, null_prior = 0.2;
  std::size_t max_jump = 100, fertility_bins = 8;
  // Pseudo-counts from a model (empty = none).
  std::vector<float> lexical_prior;   // per table entry
  std::vector<double> jump_prior;     // per jump bin
  std::vector<float> fertility_prior; // given_vocabulary x fertility_bins
  // Derived: row_base[r] = alpha_r * V_generated + sum of the row's prior;
  // jump_base = jump_alpha * bins + sum of jump prior.
  std::vector<double> row_base;
  double jump_base = 0.0;
  std::vector<double> jump_alphas;  // jump_alpha + jump_prior, per bin
  // Optional cache of every sentence's table indices (see sentence_index),
  // built once and shared by all chains: index_offset[k] is sentence k's start.
  std::vector<std::uint32_t> index_cache;
  std::vector<std::uint64_t> index_offset;
  bool index_cached = false;

  std::size_t jump_bins() const noexcept { return 2 * max_jump + 1; }
  std::size_t jump_bin(std::ptrdiff_t d) const noexcept {
    const auto mj = static_cast<std::ptrdiff_t>(max_jump);
    return static_cast<std::size_t>(std::clamp(d, -mj, mj) + mj);
  }
  std::size_t fertility_bin(std::uint32_t phi) const noexcept {
    return std::min<std::size_t>(phi, fertility_bins - 1);
  }
  std::size_t link_offset(std::span<const word_id> f) const noexcept {
    return static_cast<std::size_t>(f.data() - generated_base);
  }
  double entry_alpha(std::size_t row, std::size_t k) const noexcept {
    return (row == 0 ? null_alpha : lexical_alpha) + (lexical_prior.empty() ? 0.0 : double{lexical_prior[k]});
  }
  double jump_alpha_of(std::size_t b) const noexcept { return jump_alphas[b]; }
  double fertility_alpha_of(std::size_t t, std::size_t b) const noexcept {
    return fertility_alpha + (fertility_prior.empty() ? 0.0 : double{fertility_prior[t * fertility_bins + b]});
  }
};

// One chain's state: its links and the counts they imply.
struct chain_state {
  std::vector<std::uint32_t> links;      // per generated token: 0 = NULL, i+1 = given position i
  std::vector<std::uint32_t> lexical;    // per table entry
  std::vector<std::uint32_t> row_total;  // per table row
  std::vector<std::uint32_t> jump;       // per jump bin
  std::uint64_t jump_total = 0;
  std::vector<std::uint32_t> fertility;  // given_vocabulary x fertility_bins
  xoshiro256ss rng;
};

// Per-sentence scratch, sized once for the longest sentences.
struct sentence_scratch {
  std::vector<std::uint32_t> index;     // m x (l+1) table entry of (row of column, f_j); column 0 = NULL
  std::vector<double> weight;           // l+1
  std::vector<std::uint32_t> fertility; // l: current fertility of each given position
  std::vector<double> fert_num, fert_den;  // l: cached fertility factors (see fertility_factors)

  void reserve(std::size_t max_given, std::size_t max_generated) {
    index.reserve(max_generated * (max_given + 1));
    weight.reserve(max_given + 1);
    fertility.reserve(max_given);
    fert_num.reserve(max_given);
    fert_den.reserve(max_given);
  }
};

// Writes the table entries of sentence pair (e, f) to out[j*(l+1)+i]
// (column 0 = NULL row, column i+1 = row of e_i).
inline void compute_index(const em::lexical_table& t, std::span<const word_id> e, std::span<const word_id> f,
                          std::uint32_t* out) {
  const std::size_t l1 = e.size() + 1;
  for (std::size_t j = 0; j < f.size(); ++j) {
    std::uint32_t* row = out + j * l1;
    row[0] = static_cast<std::uint32_t>(t.find(em::lexical_table::null_row, f[j]));
    for (std::size_t i = 0; i < e.size(); ++i)
      row[i + 1] = static_cast<std::uint32_t>(t.find(em::lexical_table::row_of(e[i]), f[j]));
  }
}

// The table entries of sentence k: from the cache, or computed into s.index.
inline const std::uint32_t* sentence_index(const direction_problem& p, std::size_t k, std::span<const word_id> e,
                                           std::span<const word_id> f, sentence_scratch& s) {
  if (p.index_cached)
    return p.index_cache.data() + p.index_offset[k];
  s.index.resize(f.size() * (e.size() + 1));
  compute_index(p.table, e, f, s.index.data());
  return s.index.data();
}

inline void sentence_fertility(std::size_t l, const std::uint32_t* a, std::size_t m, sentence_scratch& s) {
  s.fertility.assign(l, 0);
  for (std::size_t j = 0; j < m; ++j)
    if (a[j] != 0) ++s.fertility[a[j] - 1];
}

// Neighbours of token j in the chain of non-NULL links.
struct neighbours {
  std::ptrdiff_t previous = -1;  // given position of the nearest non-NULL link left of j, or -1
  std::ptrdiff_t next = 0;       // ... right of j, or l
};

inline neighbours find_neighbours(const std::uint32_t* a, std::size_t m, std::size_t l, std::size_t j) noexcept {
  neighbours n;
  n.next = static_cast<std::ptrdiff_t>(l);
  for (std::size_t k = j; k-- > 0;)
    if (a[k] != 0) {
      n.previous = static_cast<std::ptrdiff_t>(a[k]) - 1;
      break;
    }
  for (std::size_t k = j + 1; k < m; ++k)
    if (a[k] != 0) {
      n.next = static_cast<std::ptrdiff_t>(a[k]) - 1;
      break;
    }
  return n;
}

// Unnormalised P(a_j = x | rest) into w[0..l] (w[0] NULL, w[i+1] position
// i); returns the sum.  `fert` holds the current fertilities (including j's
// link) when St == stage::fertility.  One fused pass over the positions.
// `fnum`/`fden` (optional) hold each position's fertility factor
// F(e_i, b1) and F(e_i, b0) - 1 in the current state (fertility_factors);
// only positions of the old link's word type are then recomputed.
template <stage St>
inline double conditional_for(const direction_problem& p, const chain_state& c, std::span<const word_id> e,
                              const std::uint32_t* a, std::size_t m, const std::uint32_t* index,
                              const std::uint32_t* fert, std::size_t j, double* w, neighbours& nb,
                              const double* fnum = nullptr, const double* fden = nullptr) {
  const std::size_t l = e.size(), l1 = l + 1;
  const std::uint32_t old = a[j];
  const std::uint32_t* ix = index + j * l1;
  const std::size_t row_old = old == 0 ? em::lexical_table::null_row : em::lexical_table::row_of(e[old - 1]);
  const bool has_prior = !p.lexical_prior.empty();
  // Lexical: (alpha + n(row, f_j)) / (row_base + n(row)), token j removed.
  {
    const std::size_t k = ix[0];
    const double rem = row_old == 0 ? 1.0 : 0.0;
    w[0] = p.null_prior * (p.entry_alpha(0, k) + c.lexical[k] - rem) / (p.row_base[0] + c.row_total[0] - rem);
  }
  // Jumps: with r1, r2 the bins of the jumps token j's link currently makes
  // (r2 = none for a NULL link), J(b) = alpha_b + n_b without them and
  // T their total.  NULL adds the skip jump: J(s)/T; position i adds d1 then
  // d2: J(d1)/T * (J(d2)+[d1==d2])/(T+1).  The common 1/(T(T+1)) is dropped.
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::size_t r1 = none, r2 = none;
  if constexpr (St >= stage::hmm) {
    nb = find_neighbours(a, m, l, j);
    if (old != 0) {
      const auto po = static_cast<std::ptrdiff_t>(old) - 1;
      r1 = p.jump_bin(po - nb.previous);
      r2 = p.jump_bin(nb.next - po);
    } else {
      r1 = p.jump_bin(nb.next - nb.previous);
    }
  }
  auto J = [&](std::size_t b) {
    return p.jump_alpha_of(b) + c.jump[b] - (b == r1 ? 1.0 : 0.0) - (b == r2 ? 1.0 : 0.0);
  };
  if constexpr (St >= stage::hmm) {
    const double T = p.jump_base + static_cast<double>(c.jump_total) - (old != 0 ? 2.0 : 1.0);
    w[0] *= J(p.jump_bin(nb.next - nb.previous)) * (T + 1.0);
  }
  // Fertility: position i moves from bin(phi_i) to bin(phi_i + 1), ratio
  // F(e_i, b1) / (F(e_i, b0) - 1), F = alpha + counts with token j's old
  // position virtually moved one bin down.
  const std::size_t B = p.fertility_bins;
  std::size_t t_old = static_cast<std::size_t>(-1), hi = 0, lo = 0;
  bool adjust = false;
  if constexpr (St == stage::fertility) {
    if (old != 0) {
      t_old = e[old - 1];
      hi = p.fertility_bin(fert[old - 1]);
      lo = p.fertility_bin(fert[old - 1] - 1);
      adjust = hi != lo;
    }
  }
  auto F = [&](std::size_t t, std::size_t b) {
    double v = p.fertility_alpha_of(t, b) + c.fertility[t * B + b];
    if (adjust && t == t_old) v += (b == lo ? 1.0 : 0.0) - (b == hi ? 1.0 : 0.0);
    return v;
  };
  double sum = w[0];
  for (std::size_t i = 0; i < l; ++i) {
    const std::size_t row = em::lexical_table::row_of(e[i]);
    const std::size_t k = ix[i + 1];
    const double rem = row == row_old ? 1.0 : 0.0;
    double num = p.lexical_alpha + (has_prior ? double{p.lexical_prior[k]} : 0.0) + c.lexical[k] - rem;
    double den = p.row_base[row] + c.row_total[row] - rem;
    if constexpr (St >= stage::hmm) {
      const auto pi = static_cast<std::ptrdiff_t>(i);
      const std::size_t d1 = p.jump_bin(pi - nb.previous), d2 = p.jump_bin(nb.next - pi);
      num *= J(d1) * (J(d2) + (d1 == d2 ? 1.0 : 0.0));
    }
    if constexpr (St == stage::fertility) {
      if (fnum && e[i] != t_old) {
        num *= fnum[i];
        den *= fden[i];
        w[i + 1] = num / den;
        sum += w[i + 1];
        continue;
      }
      const std::uint32_t phi = fert[i] - (old == i + 1 ? 1u : 0u);
      const std::size_t b0 = p.fertility_bin(phi), b1 = p.fertility_bin(phi + 1);
      if (b0 != b1) {
        num *= F(e[i], b1);
        den *= F(e[i], b0) - 1.0;
      }
    }
    w[i + 1] = num / den;
    sum += w[i + 1];
  }
  return sum;
}

inline double conditional(const direction_problem& p, const chain_state& c, stage st, std::span<const word_id> e,
                          const std::uint32_t* a, std::size_t m, const std::uint32_t* index, const std::uint32_t* fert,
                          std::size_t j, double* w, neighbours& nb, const double* fnum = nullptr,
                          const double* fden = nullptr) {
  switch (st) {
    case stage::ibm1: return conditional_for<stage::ibm1>(p, c, e, a, m, index, fert, j, w, nb);
    case stage::hmm: return conditional_for<stage::hmm>(p, c, e, a, m, index, fert, j, w, nb);
    case stage::fertility: break;
  }
  return conditional_for<stage::fertility>(p, c, e, a, m, index, fert, j, w, nb, fnum, fden);
}

// Fertility factors of the positions whose word type is t1 or t2 (all
// positions when `all`), in the current state: F(e_i, b1) and F(e_i, b0) - 1
// with b0 = bin(phi_i), b1 = bin(phi_i + 1) (1 and 1 when b0 == b1).
inline void fertility_factors(const direction_problem& p, const chain_state& c, std::span<const word_id> e,
                              const std::uint32_t* fert, double* fnum, double* fden, bool all, std::size_t t1,
                              std::size_t t2) {
  const std::size_t B = p.fertility_bins;
  for (std::size_t i = 0; i < e.size(); ++i) {
    const std::size_t t = e[i];
    if (!all && t != t1 && t != t2) continue;
    const std::size_t b0 = p.fertility_bin(fert[i]), b1 = p.fertility_bin(fert[i] + 1);
    if (b0 == b1) {
      fnum[i] = fden[i] = 1.0;
    } else {
      fnum[i] = p.fertility_alpha_of(t, b1) + c.fertility[t * B + b1];
      fden[i] = p.fertility_alpha_of(t, b0) + c.fertility[t * B + b0] - 1.0;
    }
  }
}

// Moves token j's link from a[j] to `to`, updating the counts of stage st.
inline void move_link(const direction_problem& p, chain_state& c, stage st, std::span<const word_id> e,
                      std::uint32_t* a, const std::uint32_t* index, std::uint32_t* fert, std::size_t j,
                      std::uint32_t to, const neighbours& nb) {
  const std::size_t l1 = e.size() + 1;
  const std::uint32_t old = a[j];
  if (to == old) return;
  const std::uint32_t* ix = index + j * l1;
  const std::size_t row_old = old == 0 ? 0 : em::lexical_table::row_of(e[old - 1]);
  const std::size_t row_new = to == 0 ? 0 : em::lexical_table::row_of(e[to - 1]);
  --c.lexical[ix[old]];
  --c.row_total[row_old];
  ++c.lexical[ix[to]];
  ++c.row_total[row_new];
  if (st >= stage::hmm) {
    auto jumps = [&](std::uint32_t x, int sign) {
      auto bump = [&](std::size_t b) {
        if (sign > 0) ++c.jump[b];
        else --c.jump[b];
      };
      if (x != 0) {
        const auto px = static_cast<std::ptrdiff_t>(x) - 1;
        bump(p.jump_bin(px - nb.previous));
        bump(p.jump_bin(nb.next - px));
        if (sign > 0) c.jump_total += 1;  // two jumps replace the skip jump
        else c.jump_total -= 1;
      } else {
        bump(p.jump_bin(nb.next - nb.previous));
      }
    };
    jumps(old, -1);
    jumps(to, +1);
  }
  if (st == stage::fertility) {
    const std::size_t B = p.fertility_bins;
    if (old != 0) {
      const std::size_t t = e[old - 1];
      std::uint32_t& phi = fert[old - 1];
      --c.fertility[t * B + p.fertility_bin(phi)];
      ++c.fertility[t * B + p.fertility_bin(phi - 1)];
      --phi;
    }
    if (to != 0) {
      const std::size_t t = e[to - 1];
      std::uint32_t& phi = fert[to - 1];
      --c.fertility[t * B + p.fertility_bin(phi)];
      ++c.fertility[t * B + p.fertility_bin(phi + 1)];
      ++phi;
    }
  }
  a[j] = to;
}

// Draws an index of w[0..n) proportionally to the weights (sum > 0).
inline std::uint32_t draw(const double* w, std::size_t n, double sum, xoshiro256ss& rng) noexcept {
  double u = rng.uniform() * sum;
  for (std::size_t x = 0; x + 1 < n; ++x) {
    if (u < w[x]) return static_cast<std::uint32_t>(x);
    u -= w[x];
  }
  return static_cast<std::uint32_t>(n - 1);
}

// Rebuilds every count of `c` for stage st from its links.
inline void rebuild_counts(const direction_problem& p, chain_state& c, stage st, sentence_scratch& s) {
  c.lexical.assign(p.table.size(), 0);
  c.row_total.assign(p.table.rows(), 0);
  c.jump.assign(p.jump_bins(), 0);
  c.jump_total = 0;
  c.fertility.assign(st == stage::fertility ? p.given_vocabulary * p.fertility_bins : 0, 0);
  const auto& view = p.view;
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    const std::uint32_t* a = c.links.data() + p.link_offset(f);
    for (std::size_t j = 0; j < f.size(); ++j) {
      const std::size_t row = a[j] == 0 ? 0 : em::lexical_table::row_of(e[a[j] - 1]);
      const std::size_t idx = p.table.find(row, f[j]);
      ++c.lexical[idx];
      ++c.row_total[row];
    }
    if (st >= stage::hmm && !f.empty()) {
      std::ptrdiff_t prev = -1;
      for (std::size_t j = 0; j < f.size(); ++j)
        if (a[j] != 0) {
          ++c.jump[p.jump_bin(static_cast<std::ptrdiff_t>(a[j]) - 1 - prev)];
          ++c.jump_total;
          prev = static_cast<std::ptrdiff_t>(a[j]) - 1;
        }
      ++c.jump[p.jump_bin(static_cast<std::ptrdiff_t>(e.size()) - prev)];
      ++c.jump_total;
    }
    if (st == stage::fertility) {
      sentence_fertility(e.size(), a, f.size(), s);
      for (std::size_t i = 0; i < e.size(); ++i)
        ++c.fertility[std::size_t{e[i]} * p.fertility_bins + p.fertility_bin(s.fertility[i])];
    }
  }
}

// Where a sweep adds each token's normalised conditional distribution, in
// fixed point (integer addition is associative: the totals do not depend on
// which chain adds first).  cells has index_offset's layout.
struct marginal_accumulator {
  std::uint32_t* cells = nullptr;
  double scale = 0.0;       // a probability v adds floor(v * scale)
  bool concurrent = false;  // several chains add at once: atomic adds
};

// One Gibbs sweep over the corpus; returns the number of links that changed.
// With `acc`, every token's conditional distribution is accumulated before
// its new link is drawn.
inline std::size_t sweep(const direction_problem& p, chain_state& c, stage st, sentence_scratch& s,
                         const marginal_accumulator* acc = nullptr) {
  std::size_t changed = 0;
  const auto& view = p.view;
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    if (f.empty()) continue;
    std::uint32_t* a = c.links.data() + p.link_offset(f);
    if (e.empty()) continue;  // everything stays NULL
    const std::uint32_t* index = sentence_index(p, k, e, f, s);
    const bool fertile = st == stage::fertility;
    if (fertile) {
      sentence_fertility(e.size(), a, f.size(), s);
      s.fert_num.resize(e.size());
      s.fert_den.resize(e.size());
      fertility_factors(p, c, e, s.fertility.data(), s.fert_num.data(), s.fert_den.data(), true, 0, 0);
    }
    s.weight.resize(e.size() + 1);
    const std::size_t l1 = e.size() + 1;
    for (std::size_t j = 0; j < f.size(); ++j) {
      neighbours nb;
      const double sum = conditional(p, c, st, e, a, f.size(), index, s.fertility.data(), j, s.weight.data(), nb,
                                     fertile ? s.fert_num.data() : nullptr, fertile ? s.fert_den.data() : nullptr);
      if (acc) {
        std::uint32_t* cell = acc->cells + p.index_offset[k] + j * l1;
        const double scale = acc->scale / sum;
        for (std::size_t x = 0; x < l1; ++x) {
          const auto v = static_cast<std::uint32_t>(s.weight[x] * scale);
          if (acc->concurrent) std::atomic_ref<std::uint32_t>(cell[x]).fetch_add(v, std::memory_order_relaxed);
          else cell[x] += v;
        }
      }
      const std::uint32_t to = draw(s.weight.data(), e.size() + 1, sum, c.rng);
      if (to != a[j]) {
        ++changed;
        const std::uint32_t from = a[j];
        move_link(p, c, st, e, a, index, s.fertility.data(), j, to, nb);
        if (fertile)  // the counts of the two word types and two fertilities changed
          fertility_factors(p, c, e, s.fertility.data(), s.fert_num.data(), s.fert_den.data(), false,
                            from == 0 ? static_cast<std::size_t>(-1) : std::size_t{e[from - 1]},
                            to == 0 ? static_cast<std::size_t>(-1) : std::size_t{e[to - 1]});
      }
    }
  }
  return changed;
}

}  // namespace bayes::detail
LEXALIGN_NAMESPACE_END
