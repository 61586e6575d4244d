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
#include <iterator>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "lexalign/bayes/detail/count_table.hpp"
#include "lexalign/bayes/detail/random.hpp"
#include "lexalign/bayes/schedule.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/sparse_rows.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes::detail {

// Everything one direction's chains share (read-only while sampling).
struct direction_problem {
  em::bitext_view view;
  const word_id* generated_base = nullptr;  // first generated token: link offsets are relative to it
  std::size_t rows = 1;                     // lexical rows: 0 = NULL, e+1 = given word e
  std::size_t given_vocabulary = 0, generated_vocabulary = 0;
  // Dirichlet parameters.
  double lexical_alpha = 0.001, null_alpha = 0.001, jump_alpha = 0.5, fertility_alpha = 0.5, null_prior = 0.2;
  std::size_t max_jump = 100, fertility_bins = 8;
  // Pseudo-counts from a model or embeddings (empty = none): the non-zero
  // lexical pseudo-counts as sparse rows (row 0 NULL, e+1 given word e).
  sparse_rows<float> lexical_prior;
  bool has_lexical_prior = false;
  std::vector<double> jump_prior;     // per jump bin
  std::vector<float> fertility_prior; // given_vocabulary x fertility_bins
  // Derived: row_base[r] = alpha_r * V_generated + sum of the row's prior;
  // jump_base = jump_alpha * bins + sum of jump prior.
  std::vector<double> row_base;
  double jump_base = 0.0;
  std::vector<double> jump_alphas;  // jump_alpha + jump_prior, per bin
  // index_offset[k]: start of sentence k's m x (l+1) cells in the marginal
  // accumulator (sum over earlier sentences of m (l+1)).
  std::vector<std::uint64_t> index_offset;

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
  // alpha + pseudo-count of lexical entry (row, f).
  double entry_alpha(std::size_t row, word_id f) const noexcept {
    return (row == 0 ? null_alpha : lexical_alpha) +
           (has_lexical_prior ? double{lexical_prior.value(row, f, 0.0f)} : 0.0);
  }
  double jump_alpha_of(std::size_t b) const noexcept { return jump_alphas[b]; }
  double fertility_alpha_of(std::size_t t, std::size_t b) const noexcept {
    return fertility_alpha + (fertility_prior.empty() ? 0.0 : double{fertility_prior[t * fertility_bins + b]});
  }
};

// One chain's state: its links and the counts they imply.
struct chain_state {
  std::vector<std::uint32_t> links;      // per generated token: 0 = NULL, i+1 = given position i
  // n(row, f), non-zero counts only (detail/count_table.hpp), stored by
  // generated word: lexical.get(f, row).  A token's candidates all read the
  // one small table of its word f_j.
  count_table lexical;
  std::vector<std::uint32_t> row_total;  // per lexical row
  std::vector<std::uint32_t> jump;       // per jump bin
  std::uint64_t jump_total = 0;
  std::vector<std::uint32_t> fertility;  // given_vocabulary x fertility_bins
  xoshiro256ss rng;

  // A finished chain's links, packed (see pack()): packed_width bytes per
  // link (1 when every sentence has fewer than 255 given words, 2 below
  // 65,535), `links` then empty.
  std::vector<std::uint8_t> packed;
  unsigned packed_width = 0;

  std::size_t memory_bytes() const noexcept {
    return links.capacity() * 4 + packed.capacity() + lexical.memory_bytes() + row_total.capacity() * 4 +
           jump.capacity() * 4 + fertility.capacity() * 4;
  }

  // Stores the links in the fewest bytes per link that hold the largest
  // (1, 2 or 4) and frees `links`; a chain that will sample no more keeps its
  // state in a quarter of the memory until it is decoded.
  void pack() {
    if (packed_width != 0) return;
    const std::uint32_t top = links.empty() ? 0 : *std::max_element(links.begin(), links.end());
    packed_width = top < 0x100u ? 1u : top < 0x10000u ? 2u : 4u;
    packed.assign(links.size() * packed_width, 0);
    for (std::size_t t = 0; t < links.size(); ++t)
      for (unsigned b = 0; b < packed_width; ++b)
        packed[t * packed_width + b] = static_cast<std::uint8_t>(links[t] >> (8 * b));
    std::vector<std::uint32_t>().swap(links);
  }

  // The m links from token `offset` on: a pointer into `links`, or (packed)
  // unpacked into `buffer`.
  const std::uint32_t* links_at(std::size_t offset, std::size_t m, std::vector<std::uint32_t>& buffer) const {
    if (packed_width == 0) return links.data() + offset;
    buffer.resize(m);
    for (std::size_t t = 0; t < m; ++t) {
      std::uint32_t v = 0;
      for (unsigned b = 0; b < packed_width; ++b)
        v |= std::uint32_t{packed[(offset + t) * packed_width + b]} << (8 * b);
      buffer[t] = v;
    }
    return buffer.data();
  }
};

// Per-sentence scratch, sized once for the longest sentences.
struct sentence_scratch {
  std::vector<double> weight;           // l+1
  std::vector<double> cum;              // l+1: running sums of weight (the general path's draw)
  std::vector<std::uint32_t> fertility; // l: current fertility of each given position
  std::vector<double> inv;              // l: cached position factors (see position_factors)
  std::vector<double> jw;               // per jump bin: alpha_b + n_b of the chain (sweep's fast path)
  std::vector<double> base;             // l: jump factors x position factor of each position (fast path)
  std::vector<std::int32_t> first;      // per lexical row: first position of the sentence with it, or -1
  std::vector<std::int32_t> next_same;  // l: next position with the same row, or -1
  // A filter of the sentence's rows (fast path): bit (x & 1023) for x = row + 1
  // (so an empty table slot, key 2^32 - 1, tests bit 0, which only the rows
  // 1023, 2047, ... set): a table slot whose bit is clear is not a row of the
  // sentence, without reading `first`.  Bit 1 (row 0, NULL) is always set,
  // so that the scan also finds a word's NULL count.
  static constexpr std::size_t row_filter_words = 16;
  std::uint64_t row_filter[row_filter_words] = {};
  // The sentence's lexical counts (fast path without a lexical prior): for
  // its u-th generated word g with two or more tokens, counts[u * l + i] = n(row of e_i, g)
  // and null_counts[u] = n(NULL, g), read from the table once per sentence
  // (not once per token: function words recur within a sentence) and kept
  // current by sweep_move.  Token j's word is the local[j]-th; word_slot
  // maps a generated word id to its index in the sentence (-1: absent).
  bool cached = false;
  std::vector<std::uint32_t> counts;       // distinct words x l
  std::vector<std::uint32_t> null_counts;  // per distinct word
  std::vector<std::uint32_t> local;        // m
  std::vector<word_id> words;              // the distinct words, in first-token order
  std::vector<std::int32_t> word_slot;     // per generated word id

  void reserve(std::size_t max_given, std::size_t max_generated = 0) {
    counts.reserve(max_given * max_generated);
    null_counts.reserve(max_generated);
    local.reserve(max_generated);
    words.reserve(max_generated);
    weight.reserve(max_given + 1);
    cum.reserve(max_given + 1);
    base.reserve(max_given);
    next_same.reserve(max_given);
    fertility.reserve(max_given);
    inv.reserve(max_given);
  }

  static constexpr std::uint32_t single = 0xFFFFFFFFu;  // local[j] of a word with one token in the sentence
  // Token j's row of `counts`, or null when its word is not cached.
  const std::uint32_t* token_counts(std::size_t j, std::size_t l) const noexcept {
    if (!cached || local[j] == single) return nullptr;
    return counts.data() + std::size_t{local[j]} * l;
  }
};

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
// `inv` (optional) holds each position's factor in the current state
// (position_factors): fertility ratio / lexical denominator; only positions
// of the old link's word type are then computed in full.
template <stage St>
inline double conditional_for(const direction_problem& p, const chain_state& c, std::span<const word_id> e,
                              std::span<const word_id> f, const std::uint32_t* a, const std::uint32_t* fert,
                              std::size_t j, double* w, neighbours& nb, const double* inv = nullptr) {
  const std::size_t l = e.size(), m = f.size();
  const std::uint32_t old = a[j];
  const word_id fj = f[j];
  const std::size_t row_old = old == 0 ? em::lexical_table::null_row : em::lexical_table::row_of(e[old - 1]);
  const bool has_prior = p.has_lexical_prior;
  // Lexical: (alpha + n(row, f_j)) / (row_base + n(row)), token j removed.
  {
    const double rem = row_old == 0 ? 1.0 : 0.0;
    w[0] = p.null_prior * (p.entry_alpha(0, fj) + c.lexical.get(fj, 0) - rem) / (p.row_base[0] + c.row_total[0] - rem);
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
  const std::size_t t_old = old == 0 ? static_cast<std::size_t>(-1) : std::size_t{e[old - 1]};
  std::size_t hi = 0, lo = 0;
  bool adjust = false;
  if constexpr (St == stage::fertility) {
    if (old != 0) {
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
    const bool same = e[i] == t_old;  // row == row_old: token j's link is removed from this row
    const double rem = same ? 1.0 : 0.0;
    double num = (has_prior ? p.entry_alpha(row, fj) : p.lexical_alpha) + c.lexical.get(fj, row) - rem;
    if constexpr (St >= stage::hmm) {
      const auto pi = static_cast<std::ptrdiff_t>(i);
      const std::size_t d1 = p.jump_bin(pi - nb.previous), d2 = p.jump_bin(nb.next - pi);
      num *= J(d1) * (J(d2) + (d1 == d2 ? 1.0 : 0.0));
    }
    if (inv && !same) {
      w[i + 1] = num * inv[i];
      sum += w[i + 1];
      continue;
    }
    double den = p.row_base[row] + c.row_total[row] - rem;
    if constexpr (St == stage::fertility) {
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
                          std::span<const word_id> f, const std::uint32_t* a, const std::uint32_t* fert, std::size_t j,
                          double* w, neighbours& nb, const double* inv = nullptr) {
  switch (st) {
    case stage::ibm1: return conditional_for<stage::ibm1>(p, c, e, f, a, fert, j, w, nb, inv);
    case stage::hmm: return conditional_for<stage::hmm>(p, c, e, f, a, fert, j, w, nb, inv);
    case stage::fertility: break;
  }
  return conditional_for<stage::fertility>(p, c, e, f, a, fert, j, w, nb, inv);
}

// The sweep's fast path of conditional_for (any stage; with jumps only when
// no jump is clamped: l + 1 <= max_jump): the same weights, with the jump factors
// read from jw (alpha_b + n_b, token j's jumps removed here and restored
// before returning) by position, and the position factors `inv`.  Positions
// of the old link's word type and the one position whose two jumps share a
// bin are then computed exactly as conditional_for does.
// The fast path scans f_j's table (instead of one look-up per position) when
// it has at most scan_slots_per_position * l + 16 slots (4: measured
// against 8 on 2,000 Bible pairs, 4.11 s against 4.23 s user).
inline constexpr std::size_t scan_slots_per_position = 4;

// Whether a word's table of `slots` slots is scanned (rather than looked up
// once per position) for a sentence of l given words.
LEXALIGN_FORCE_INLINE bool scans_table(std::size_t slots, std::size_t l) noexcept {
  return slots <= scan_slots_per_position * l + 16;
}

// Starts loading the home slots of the look-ups of the sentence's rows in
// one word's table (hints), so that their cache misses overlap.
LEXALIGN_FORCE_INLINE void prefetch_lookups(const count_table::reader& counts, std::span<const word_id> e) noexcept {
  for (const word_id g : e) counts.prefetch(em::lexical_table::row_of(g));
}

// Calls fn(row, count) for the slots of a word's table (`slots`) whose row
// is a row of the sentence, behind the sentence's row filter: an empty
// slot or a row outside the sentence mostly costs one bit test.  With
// AVX-512 the filter test is vectorised, eight slots at a time: the filter's
// 32 dwords sit in two registers, each slot's dword is fetched with one
// two-register permute and its bit with one variable shift, and only the
// passing slots are visited (in increasing order, like the scalar loop, so
// fn sees the same calls in the same order).
template <class Fn>
LEXALIGN_FORCE_INLINE void for_each_sentence_row(std::span<const count_table::slot> slots,
                                                 const std::uint64_t* row_filter, Fn&& fn) {
#if defined(__AVX512F__)
  static_assert(sizeof(count_table::slot) == 8 && offsetof(count_table::slot, key) == 0);
  static_assert(sentence_scratch::row_filter_words == 16);
  const __m512i lo = _mm512_loadu_si512(row_filter), hi = _mm512_loadu_si512(row_filter + 8);
  const __m512i one = _mm512_set1_epi32(1), m31 = _mm512_set1_epi32(31);
  const count_table::slot* sp = slots.data();
  const std::size_t n = slots.size();
  for (std::size_t k = 0; k < n; k += 8) {
    const std::size_t left = n - k;
    const auto dwords = static_cast<__mmask16>(left >= 8 ? 0xFFFFu : (1u << (2 * left)) - 1u);
    const __m512i v = _mm512_maskz_loadu_epi32(dwords, sp + k);
    const __m512i x = _mm512_add_epi32(v, one);  // key + 1: 0 for an empty slot
    const __m512i word = _mm512_permutex2var_epi32(lo, _mm512_and_si512(_mm512_maskz_srli_epi32(0xFFFF, x, 5), m31), hi);
    // (The maskz forms: GCC 12 warns that the unmasked ones' undefined source
    // may be used uninitialised.)
    const __m512i bit = _mm512_maskz_srlv_epi32(0xFFFF, word, _mm512_and_si512(x, m31));
    unsigned pass = _mm512_mask_test_epi32_mask(static_cast<__mmask16>(dwords & 0x5555u), bit, one);  // key lanes
    while (pass != 0) {
      const count_table::slot& sl = sp[k + (static_cast<unsigned>(__builtin_ctz(pass)) >> 1)];
      pass &= pass - 1;
      if (sl.key == count_table::empty_key) continue;
      fn(sl.key, sl.count);
    }
  }
#else
  for (const auto& sl : slots) {
    const std::uint32_t x = sl.key + 1u;  // 0 for an empty slot
    if (((row_filter[(x >> 6) & (sentence_scratch::row_filter_words - 1)] >> (x & 63)) & 1u) == 0) continue;
    if (sl.key == count_table::empty_key) continue;
    fn(sl.key, sl.count);
  }
#endif
}

template <stage St>
inline double fast_conditional(const direction_problem& p, const chain_state& c, std::span<const word_id> e,
                               std::span<const word_id> f, const std::uint32_t* a, const std::uint32_t* fert,
                               std::size_t j, double* w, neighbours& nb, const double* inv, double* jw,
                               double* scratch_base, const std::int32_t* first, const std::int32_t* next_same,
                               const std::uint64_t* row_filter,
                               const std::uint32_t* cached_counts = nullptr, std::uint32_t cached_null = 0) {
  constexpr bool jumps = St != stage::ibm1;
  const std::size_t l = e.size(), m = f.size();
  const std::uint32_t old = a[j];
  const word_id fj = f[j];
  const auto mj = static_cast<std::ptrdiff_t>(p.max_jump);
  if constexpr (jumps) nb = find_neighbours(a, m, l, j);
  const std::ptrdiff_t prev = nb.previous, next = nb.next;
  std::size_t r1 = 0, r2 = 0;
  if (!jumps) {
  } else if (old != 0) {
    const auto po = static_cast<std::ptrdiff_t>(old) - 1;
    r1 = static_cast<std::size_t>(po - prev + mj);
    r2 = static_cast<std::size_t>(next - po + mj);
    jw[r1] -= 1.0;
    jw[r2] -= 1.0;
  } else {
    r1 = static_cast<std::size_t>(next - prev + mj);
    jw[r1] -= 1.0;
  }
  const double T = p.jump_base + static_cast<double>(c.jump_total) - (old != 0 ? 2.0 : 1.0);
  const double* j1 = jw + (mj - prev);  // J(i - prev) = j1[i]
  const double* j2 = jw + (mj + next);  // J(next - i) = j2[-i]
  const bool has_prior = p.has_lexical_prior;
  const std::size_t t_old = old == 0 ? static_cast<std::size_t>(-1) : std::size_t{e[old - 1]};
  // base[i]: the jump factors x the position factor (= inv without jumps).
  const double* base = inv;
  const auto slots = c.lexical.row_slots(fj);
  const bool scan = !has_prior && scans_table(slots.size(), l);
  // n(NULL, f_j) and n(old row, f_j): from the sentence's counts, found by
  // the scan (the row filter always passes row 0, and the old row is a
  // sentence row), or looked up.
  const std::size_t row_old = old == 0 ? static_cast<std::size_t>(-1) : em::lexical_table::row_of(static_cast<word_id>(t_old));
  std::uint32_t n0 = cached_null, n_old = 0;
  if (cached_counts != nullptr) {
    // The sentence's counts (no lexical prior): the same arithmetic as the
    // scan (alpha * b, then + n * b) or the look-ups ((alpha + n) * b) below
    // would do, so the weights are bit for bit those of the uncached sweep.
    const double alpha = p.lexical_alpha;
    if constexpr (jumps) {
      for (std::size_t i = 0; i < l; ++i) {
        const auto ii = static_cast<std::ptrdiff_t>(i);
        scratch_base[i] = j1[ii] * j2[-ii] * inv[i];
      }
      base = scratch_base;
    }
    if (scan) {
      for (std::size_t i = 0; i < l; ++i) w[i + 1] = alpha * base[i];
      for (std::size_t i = 0; i < l; ++i) w[i + 1] += cached_counts[i] * base[i];
    } else {
      for (std::size_t i = 0; i < l; ++i) w[i + 1] = (alpha + cached_counts[i]) * base[i];
    }
  } else if (scan) {
    // Few word types were ever linked to f_j: start every position at alpha
    // and add the counts found by scanning f_j's table (rows of this
    // sentence are found through first/next_same).
    const double alpha = p.lexical_alpha;
    if constexpr (jumps) {
      for (std::size_t i = 0; i < l; ++i) {
        const auto ii = static_cast<std::ptrdiff_t>(i);
        const double b = j1[ii] * j2[-ii] * inv[i];
        scratch_base[i] = b;
        w[i + 1] = alpha * b;
      }
      base = scratch_base;
    } else {
      for (std::size_t i = 0; i < l; ++i) w[i + 1] = alpha * inv[i];
    }
    n0 = 0;
    for_each_sentence_row(slots, row_filter, [&](std::uint32_t row, std::uint32_t n) {
      if (row == 0) n0 = n;
      if (row == row_old) n_old = n;
      for (std::int32_t i = first[row]; i >= 0; i = next_same[i]) w[i + 1] += n * base[i];
    });
  } else {
    if constexpr (jumps) {
      for (std::size_t i = 0; i < l; ++i) {
        const auto ii = static_cast<std::ptrdiff_t>(i);
        scratch_base[i] = j1[ii] * j2[-ii] * inv[i];
      }
      base = scratch_base;
    }
    const count_table::reader counts = c.lexical.read(fj);
    prefetch_lookups(counts, e);
    if (has_prior) {
      for (std::size_t i = 0; i < l; ++i) {
        const std::size_t row = em::lexical_table::row_of(e[i]);
        w[i + 1] = (p.entry_alpha(row, fj) + counts.get(row)) * base[i];
      }
    } else {
      const double alpha = p.lexical_alpha;
      for (std::size_t i = 0; i < l; ++i)
        w[i + 1] = (alpha + counts.get(em::lexical_table::row_of(e[i]))) * base[i];
    }
    n0 = counts.get(0);
    if (old != 0) n_old = counts.get(row_old);
  }
  {
    const double rem = old == 0 ? 1.0 : 0.0;
    w[0] = p.null_prior * (p.entry_alpha(0, fj) + n0 - rem) / (p.row_base[0] + c.row_total[0] - rem);
    if constexpr (jumps) w[0] *= jw[static_cast<std::size_t>(next - prev + mj)] * (T + 1.0);
  }
  // The position whose two jumps fall in one bin: J(d) (J(d) + 1).
  if (jumps && ((next + prev) & 1) == 0) {
    const std::ptrdiff_t is = (next + prev) / 2;
    if (is >= 0 && is < static_cast<std::ptrdiff_t>(l) && e[static_cast<std::size_t>(is)] != t_old)
      w[is + 1] *= (j2[-is] + 1.0) / j2[-is];
  }
  // Positions of the old link's word type: token j is removed from their row.
  if (old != 0) {
    const std::size_t B = p.fertility_bins;
    std::size_t hi = 0, lo = 0;  // fertility bins of the old position, now and with j removed
    if constexpr (St == stage::fertility) {
      hi = p.fertility_bin(fert[old - 1]);
      lo = p.fertility_bin(fert[old - 1] - 1);
    }
    if (cached_counts != nullptr) n_old = cached_counts[old - 1];
    const double lex = p.entry_alpha(row_old, fj) + n_old - 1.0;
    const double lex_den = p.row_base[row_old] + c.row_total[row_old] - 1.0;
    for (std::int32_t is = first[row_old]; is >= 0; is = next_same[is]) {
      const auto i = static_cast<std::size_t>(is);
      const auto ii = static_cast<std::ptrdiff_t>(i);
      double num = lex;
      if constexpr (jumps) num *= j1[ii] * (j2[-ii] + (ii - prev == next - ii ? 1.0 : 0.0));
      double den = lex_den;
      if constexpr (St == stage::fertility) {
        auto F = [&](std::size_t b) {
          double v = p.fertility_alpha_of(t_old, b) + c.fertility[t_old * B + b];
          if (hi != lo) v += (b == lo ? 1.0 : 0.0) - (b == hi ? 1.0 : 0.0);
          return v;
        };
        const std::uint32_t phi = fert[i] - (old == i + 1 ? 1u : 0u);
        const std::size_t b0 = p.fertility_bin(phi), b1 = p.fertility_bin(phi + 1);
        if (b0 != b1) {
          num *= F(b1);
          den *= F(b0) - 1.0;
        }
      }
      w[i + 1] = num / den;
    }
  }
  if constexpr (jumps) {
    jw[r1] += 1.0;
    if (old != 0) jw[r2] += 1.0;
  }
  // The sum four weights at a time (one dependent addition per four
  // weights instead of per weight), in the association draw_blocked repeats.
  double sum = 0.0;
  std::size_t x = 0;
  for (; x + 4 <= l + 1; x += 4) sum += (w[x] + w[x + 1]) + (w[x + 2] + w[x + 3]);
  for (; x <= l; ++x) sum += w[x];
  return sum;
}

// Position factors of the positions whose word type is t1 or t2 (all
// positions when `all`), in the current state: 1 / (row_base + n(row)) for
// the position's lexical row, times F(e_i, b1) / (F(e_i, b0) - 1) with
// b0 = bin(phi_i), b1 = bin(phi_i + 1) in the fertility stage (1 when b0 == b1).
inline double position_factor(const direction_problem& p, const chain_state& c, stage st, std::size_t t,
                              std::size_t row, std::uint32_t phi) {
  double num = 1.0, den = p.row_base[row] + c.row_total[row];
  if (st == stage::fertility) {
    const std::size_t B = p.fertility_bins;
    const std::size_t b0 = p.fertility_bin(phi), b1 = p.fertility_bin(phi + 1);
    if (b0 != b1) {
      num = p.fertility_alpha_of(t, b1) + c.fertility[t * B + b1];
      den *= p.fertility_alpha_of(t, b0) + c.fertility[t * B + b0] - 1.0;
    }
  }
  return num / den;
}
inline void position_factors(const direction_problem& p, const chain_state& c, stage st, std::span<const word_id> e,
                             const std::uint32_t* fert, double* inv, bool all, std::size_t t1, std::size_t t2) {
  for (std::size_t i = 0; i < e.size(); ++i) {
    const std::size_t t = e[i];
    if (!all && t != t1 && t != t2) continue;
    inv[i] = position_factor(p, c, st, t, em::lexical_table::row_of(e[i]), st == stage::fertility ? fert[i] : 0);
  }
}

// Moves token j's link from a[j] to `to`, updating the counts of stage st.
inline void move_link(const direction_problem& p, chain_state& c, stage st, std::span<const word_id> e,
                      std::span<const word_id> f, std::uint32_t* a, std::uint32_t* fert, std::size_t j,
                      std::uint32_t to, const neighbours& nb) {
  const std::uint32_t old = a[j];
  if (to == old) return;
  const std::size_t row_old = old == 0 ? 0 : em::lexical_table::row_of(e[old - 1]);
  const std::size_t row_new = to == 0 ? 0 : em::lexical_table::row_of(e[to - 1]);
  c.lexical.decrement(f[j], row_old);
  --c.row_total[row_old];
  c.lexical.increment(f[j], row_new);
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

// The same draw from the running sums cum[x] = w[0] + ... + w[x] (cum[n-1]
// = sum): the first x with u < cum[x], found by counting the x with
// cum[x] <= u (no data-dependent branch).
// The count is exact, so the vector loop (two doubles per compare, four
// per step) gives the same index as the scalar one on any ISA.
inline std::uint32_t draw_cumulative(const double* cum, std::size_t n, double sum, xoshiro256ss& rng) noexcept {
  const double u = rng.uniform() * sum;
  std::size_t x = 0, k = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
  typedef double v2d __attribute__((vector_size(16)));
  typedef double v2du __attribute__((vector_size(16), aligned(alignof(double)), may_alias));
  typedef std::int64_t v2i __attribute__((vector_size(16)));
  const v2d uu = {u, u};
  v2i c0 = {0, 0}, c1 = {0, 0};  // minus the counts (a true compare is -1)
  for (; k + 5 <= n; k += 4) {
    c0 += *reinterpret_cast<const v2du*>(cum + k) <= uu;
    c1 += *reinterpret_cast<const v2du*>(cum + k + 2) <= uu;
  }
  c0 += c1;
  x = static_cast<std::size_t>(-(c0[0] + c0[1]));
#endif
  for (; k + 1 < n; ++k) x += cum[k] <= u ? 1 : 0;
  return static_cast<std::uint32_t>(x);
}

// The draw of fast_conditional's weights (sum from fast_conditional): the
// first x whose running sum exceeds u = uniform * sum (n - 1 at most), with
// the running sums formed four weights at a time as the sum was: from the
// sum `run` of the blocks before, cum[x] = run + w[x], cum[x + 1] = run +
// (w[x] + w[x + 1]), cum[x + 2] = run + ((w[x] + w[x + 1]) + w[x + 2]),
// cum[x + 3] = run + ((w[x] + w[x + 1]) + (w[x + 2] + w[x + 3])):
// nondecreasing (rounding is monotone and the weights non-negative), so
// this is the index draw_cumulative finds on those running sums.  Only the
// blocks up to the drawn one are summed, and none is stored.
inline std::uint32_t draw_blocked(const double* w, std::size_t n, double sum, xoshiro256ss& rng) noexcept {
  const double u = rng.uniform() * sum;
  double run = 0.0;
  std::size_t x = 0;
  for (; x + 4 <= n; x += 4) {
    const double s1 = w[x] + w[x + 1];
    const double next = run + (s1 + (w[x + 2] + w[x + 3]));
    if (next > u) {
      // Within the block: the count of its running sums <= u (no branch).
      const std::size_t k = x + std::size_t{run + w[x] <= u} + std::size_t{run + s1 <= u} +
                            std::size_t{run + (s1 + w[x + 2]) <= u};
      return static_cast<std::uint32_t>(k);
    }
    run = next;
  }
  for (; x + 1 < n; ++x) {
    run += w[x];
    if (run > u) return static_cast<std::uint32_t>(x);
  }
  return static_cast<std::uint32_t>(n - 1);
}

// Rebuilds the lexical counts of `c` from its links.  Each word's table is
// allocated at its final size: the distinct (f, row) keys are counted by
// sorting them, in passes over ranges of generated words holding at most
// about 1/16 of the tokens each (so the sort buffer stays small).
inline void rebuild_lexical(const direction_problem& p, chain_state& c) {
  const auto& view = p.view;
  c.row_total.assign(p.rows, 0);
  std::vector<std::uint32_t> distinct(p.generated_vocabulary, 0);  // first: tokens per word
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    const std::uint32_t* a = c.links.data() + p.link_offset(f);
    for (std::size_t j = 0; j < f.size(); ++j) {
      ++distinct[f[j]];
      ++c.row_total[a[j] == 0 ? 0 : em::lexical_table::row_of(e[a[j] - 1])];
    }
  }
  const std::size_t chunk = std::max<std::size_t>(4096, c.links.size() / 16);
  std::vector<std::uint64_t> keys;
  for (std::size_t lo = 0; lo < p.generated_vocabulary;) {
    std::size_t hi = lo, n = 0;
    while (hi < p.generated_vocabulary && (n == 0 || n + distinct[hi] <= chunk)) n += distinct[hi++];
    keys.clear();
    keys.reserve(n);
    for (std::size_t k = 0; k < view.size(); ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      const std::uint32_t* a = c.links.data() + p.link_offset(f);
      for (std::size_t j = 0; j < f.size(); ++j)
        if (f[j] >= lo && f[j] < hi)
          keys.push_back((std::uint64_t{f[j]} << 32) | (a[j] == 0 ? 0 : em::lexical_table::row_of(e[a[j] - 1])));
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t w = lo; w < hi; ++w) distinct[w] = 0;
    for (std::size_t x = 0; x < keys.size(); ++x)
      if (x == 0 || keys[x] != keys[x - 1]) ++distinct[keys[x] >> 32];
    lo = hi;
  }
  std::vector<std::uint64_t>().swap(keys);
  c.lexical.reset(distinct);
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    const std::uint32_t* a = c.links.data() + p.link_offset(f);
    for (std::size_t j = 0; j < f.size(); ++j)
      c.lexical.increment(f[j], a[j] == 0 ? 0 : em::lexical_table::row_of(e[a[j] - 1]));
  }
}

// Rebuilds the jump and fertility counts of `c` for stage st from its links.
inline void rebuild_structure(const direction_problem& p, chain_state& c, stage st, sentence_scratch& s) {
  s.jw.resize(p.jump_bins());  // sized here so that sweeps do not allocate
  s.first.assign(p.rows, -1);
  s.word_slot.assign(p.generated_vocabulary, -1);
  c.jump.assign(p.jump_bins(), 0);
  c.jump_total = 0;
  c.fertility.assign(st == stage::fertility ? p.given_vocabulary * p.fertility_bins : 0, 0);
  if (st == stage::ibm1) return;
  const auto& view = p.view;
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    const std::uint32_t* a = c.links.data() + p.link_offset(f);
    if (!f.empty()) {
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

// Rebuilds every count of `c` for stage st from its links.
inline void rebuild_counts(const direction_problem& p, chain_state& c, stage st, sentence_scratch& s) {
  rebuild_lexical(p, c);
  rebuild_structure(p, c, st, s);
}

// Where a sweep adds each token's normalised conditional distribution, in
// fixed point (integer addition is associative: the totals do not depend on
// which chain adds first).  cells has index_offset's layout.
struct marginal_accumulator {
  std::uint32_t* cells = nullptr;
  double scale = 0.0;       // a probability v adds floor(v * scale)
  bool concurrent = false;  // several chains add at once: atomic adds
};

// The sweep's steps, also used by the tests to check the fast path.
// begin_sweep: the jump weights jw from the chain's counts.
inline void begin_sweep(const direction_problem& p, const chain_state& c, sentence_scratch& s) {
  s.jw.resize(p.jump_bins());
  for (std::size_t b = 0; b < p.jump_bins(); ++b) s.jw[b] = p.jump_alphas[b] + (b < c.jump.size() ? c.jump[b] : 0);
  if (s.first.size() != p.rows) s.first.assign(p.rows, -1);
  if (s.word_slot.size() != p.generated_vocabulary) s.word_slot.assign(p.generated_vocabulary, -1);
}

// The sentence's lexical counts (sentence_scratch::counts) from the chain's
// table: per distinct generated word, a scan of its table behind the row
// filter when it is small, else one look-up per position.
inline void fill_sentence_counts(const chain_state& c, std::span<const word_id> e, std::span<const word_id> f,
                                 sentence_scratch& s) {
  const std::size_t l = e.size();
  s.local.resize(f.size());
  s.words.clear();
  // word_slot: -1 unseen, -2 seen once, else the word's index (from its second token on).
  for (std::size_t j = 0; j < f.size(); ++j) {
    std::int32_t& u = s.word_slot[f[j]];
    if (u == -1) {
      u = -2;
    } else if (u == -2) {
      u = static_cast<std::int32_t>(s.words.size());
      s.words.push_back(f[j]);
    }
  }
  for (std::size_t j = 0; j < f.size(); ++j) {
    std::int32_t& u = s.word_slot[f[j]];
    if (u == -2) u = -1;  // a word with one token reads the table directly
    s.local[j] = u < 0 ? sentence_scratch::single : static_cast<std::uint32_t>(u);
  }
  s.counts.assign(s.words.size() * l, 0);
  s.null_counts.resize(s.words.size());
  for (std::size_t u = 0; u < s.words.size(); ++u) {
    const word_id g = s.words[u];
    std::uint32_t* cu = s.counts.data() + u * l;
    s.null_counts[u] = c.lexical.get(g, 0);
    const auto slots = c.lexical.row_slots(g);
    if (scans_table(slots.size(), l)) {
      for_each_sentence_row(slots, s.row_filter, [&](std::uint32_t row, std::uint32_t n) {
        for (std::int32_t i = s.first[row]; i >= 0; i = s.next_same[i]) cu[i] = n;
      });
    } else {
      const count_table::reader counts = c.lexical.read(g);
      prefetch_lookups(counts, e);
      for (std::size_t i = 0; i < l; ++i) cu[i] = counts.get(em::lexical_table::row_of(e[i]));
    }
  }
}

// Prepares sentence (e, f) with links a: fertilities, position factors and
// (fast path) the positions of each row; returns whether the fast path applies.
inline bool begin_sentence(const direction_problem& p, const chain_state& c, stage st, std::span<const word_id> e,
                           std::span<const word_id> f, const std::uint32_t* a, sentence_scratch& s) {
  if (st == stage::fertility) sentence_fertility(e.size(), a, f.size(), s);
  s.inv.resize(e.size());
  position_factors(p, c, st, e, s.fertility.data(), s.inv.data(), true, 0, 0);
  s.weight.resize(e.size() + 1);
  s.cum.resize(e.size() + 1);
  const bool fast = st == stage::ibm1 || e.size() + 1 <= p.max_jump;
  if (fast) {
    s.base.resize(e.size());
    s.next_same.resize(e.size());
    for (std::size_t i = e.size(); i-- > 0;) {
      const std::size_t row = em::lexical_table::row_of(e[i]);
      s.next_same[i] = s.first[row];
      s.first[row] = static_cast<std::int32_t>(i);
      const auto x = static_cast<std::uint32_t>(row + 1);
      s.row_filter[(x >> 6) & (sentence_scratch::row_filter_words - 1)] |= std::uint64_t{1} << (x & 63);
    }
    s.row_filter[0] |= std::uint64_t{1} << 1;  // row 0 (NULL): the scan also finds n(NULL, f)
  }
  s.cached = fast && !p.has_lexical_prior && s.word_slot.size() == p.generated_vocabulary;
  if (s.cached) fill_sentence_counts(c, e, f, s);
  return fast;
}

// Token j's unnormalised conditional into s.weight (see conditional_for); returns the sum.
inline double sweep_conditional(const direction_problem& p, const chain_state& c, stage st,
                                std::span<const word_id> e, std::span<const word_id> f, const std::uint32_t* a,
                                std::size_t j, sentence_scratch& s, bool fast, neighbours& nb) {
  if (!fast) {
    const double sum = conditional(p, c, st, e, f, a, s.fertility.data(), j, s.weight.data(), nb, s.inv.data());
    double run = 0.0;
    for (std::size_t x = 0; x <= e.size(); ++x) s.cum[x] = run += s.weight[x];
    return sum;
  }
  const std::uint32_t* cached = s.token_counts(j, e.size());
  const std::uint32_t cached_null = cached ? s.null_counts[s.local[j]] : 0u;
  switch (st) {
    case stage::ibm1:
      return fast_conditional<stage::ibm1>(p, c, e, f, a, s.fertility.data(), j, s.weight.data(), nb, s.inv.data(),
                                           s.jw.data(), s.base.data(), s.first.data(), s.next_same.data(),
                                           s.row_filter, cached, cached_null);
    case stage::hmm:
      return fast_conditional<stage::hmm>(p, c, e, f, a, s.fertility.data(), j, s.weight.data(), nb, s.inv.data(),
                                          s.jw.data(), s.base.data(), s.first.data(), s.next_same.data(),
                                           s.row_filter, cached, cached_null);
    case stage::fertility: break;
  }
  return fast_conditional<stage::fertility>(p, c, e, f, a, s.fertility.data(), j, s.weight.data(), nb, s.inv.data(),
                                            s.jw.data(), s.base.data(), s.first.data(), s.next_same.data(),
                                           s.row_filter, cached, cached_null);
}

// Moves token j's link to `to` and updates the sentence's caches.
inline void sweep_move(const direction_problem& p, chain_state& c, stage st, std::span<const word_id> e,
                       std::span<const word_id> f, std::uint32_t* a, std::size_t j, std::uint32_t to,
                       const neighbours& nb, sentence_scratch& s, bool fast = false) {
  const std::uint32_t from = a[j];
  move_link(p, c, st, e, f, a, s.fertility.data(), j, to, nb);
  if (st != stage::ibm1) {  // the (at most four) jump bins the move changed
    auto sync = [&](std::uint32_t x) {
      if (x != 0) {
        const auto px = static_cast<std::ptrdiff_t>(x) - 1;
        for (std::size_t b : {p.jump_bin(px - nb.previous), p.jump_bin(nb.next - px)})
          s.jw[b] = p.jump_alphas[b] + c.jump[b];
      } else {
        const std::size_t b = p.jump_bin(nb.next - nb.previous);
        s.jw[b] = p.jump_alphas[b] + c.jump[b];
      }
    };
    sync(from);
    sync(to);
  }
  // The lexical totals (and fertility counts) of the two word types changed.
  const std::size_t t1 = from == 0 ? static_cast<std::size_t>(-1) : std::size_t{e[from - 1]};
  const std::size_t t2 = to == 0 ? static_cast<std::size_t>(-1) : std::size_t{e[to - 1]};
  if (!fast) {
    position_factors(p, c, st, e, s.fertility.data(), s.inv.data(), false, t1, t2);
    return;
  }
  if (s.cached && s.local[j] != sentence_scratch::single) {  // token j's word lost a count in the old link's row and gained one in the new
    std::uint32_t* cu = s.counts.data() + std::size_t{s.local[j]} * e.size();
    auto add = [&](std::uint32_t x, bool up) {
      if (x == 0) {
        s.null_counts[s.local[j]] += up ? 1u : std::uint32_t(-1);
        return;
      }
      const std::size_t row = em::lexical_table::row_of(e[x - 1]);
      for (std::int32_t is = s.first[row]; is >= 0; is = s.next_same[is]) cu[is] += up ? 1u : std::uint32_t(-1);
    };
    add(from, false);
    add(to, true);
  }
  // Fast path: the positions of the two types through first/next_same.
  auto refresh = [&](std::size_t t) {
    if (t == static_cast<std::size_t>(-1)) return;
    const std::size_t row = em::lexical_table::row_of(static_cast<word_id>(t));
    for (std::int32_t is = s.first[row]; is >= 0; is = s.next_same[is]) {
      const auto i = static_cast<std::size_t>(is);
      s.inv[i] = position_factor(p, c, st, t, row, st == stage::fertility ? s.fertility[i] : 0u);
    }
  };
  refresh(t1);
  if (t2 != t1) refresh(t2);
}

inline void end_sentence(std::span<const word_id> e, sentence_scratch& s, bool fast) {
  if (s.cached) {
    for (word_id g : s.words) s.word_slot[g] = -1;
    s.cached = false;
  }
  if (fast) {
    for (word_id g : e) s.first[em::lexical_table::row_of(g)] = -1;
    std::fill(std::begin(s.row_filter), std::end(s.row_filter), std::uint64_t{0});
  }
}

// Starts loading what token j's fast conditional will read first from the
// chain's table (a hint: no effect on any result): the slots the scan of
// its word's table reads, or the home slots of its look-ups, and the NULL
// count's slot.  The sweep calls it for token j + 1 while token j is
// sampled, so that the next token's cache misses overlap this token's work;
// prefetch_sentence has already asked for the locations of the sentence's
// words.
inline void prefetch_token(const chain_state& c, std::span<const word_id> e, std::span<const word_id> f,
                           std::size_t j, const sentence_scratch& s) noexcept {
  if (s.token_counts(j, e.size()) != nullptr) return;  // read from the sentence's counts
  const auto slots = c.lexical.row_slots(f[j]);
  if (slots.empty()) return;
  if (scans_table(slots.size(), e.size())) {
    c.lexical.prefetch_slots(slots, 8);
  } else {
    const count_table::reader counts = c.lexical.read(f[j]);
    counts.prefetch(0);
    prefetch_lookups(counts, e);
  }
}

// Starts loading the per-word state that begin_sentence reads for sentence
// (e, f) (hints: no effect on any result): the generated words' table
// locations and sentence slots, the given words' row totals, row bases and
// fertility cells.  The sweep asks for the first sentence's before its
// loop and for the next sentence's at the start of each sentence.
inline void prefetch_sentence(const direction_problem& p, const chain_state& c, stage st,
                              std::span<const word_id> e, std::span<const word_id> f,
                              const sentence_scratch& s) noexcept {
  for (const word_id g : f) {
    c.lexical.prefetch_location(g);
    if (g < s.word_slot.size()) __builtin_prefetch(s.word_slot.data() + g);
  }
  for (const word_id t : e) {
    const std::size_t row = em::lexical_table::row_of(t);
    __builtin_prefetch(c.row_total.data() + row);
    __builtin_prefetch(p.row_base.data() + row);
    if (st == stage::fertility) __builtin_prefetch(c.fertility.data() + std::size_t{t} * p.fertility_bins);
  }
}

// One Gibbs sweep over the corpus; returns the number of links that changed.
// With `acc`, every token's conditional distribution is accumulated before
// its new link is drawn.
inline std::size_t sweep(const direction_problem& p, chain_state& c, stage st, sentence_scratch& s,
                         const marginal_accumulator* acc = nullptr) {
  std::size_t changed = 0;
  const auto& view = p.view;
  begin_sweep(p, c, s);
  if (view.size() != 0) prefetch_sentence(p, c, st, (*view.given)[0], (*view.generated)[0], s);
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    if (f.empty() || e.empty()) continue;  // no given word: everything stays NULL
    std::uint32_t* a = c.links.data() + p.link_offset(f);
    const bool fast = begin_sentence(p, c, st, e, f, a, s);
    if (k + 1 < view.size()) prefetch_sentence(p, c, st, (*view.given)[k + 1], (*view.generated)[k + 1], s);
    const std::size_t l1 = e.size() + 1;
    for (std::size_t j = 0; j < f.size(); ++j) {
      neighbours nb;
      if (fast && j + 1 < f.size()) prefetch_token(c, e, f, j + 1, s);
      const double sum = sweep_conditional(p, c, st, e, f, a, j, s, fast, nb);
      if (acc) {
        std::uint32_t* cell = acc->cells + p.index_offset[k] + j * l1;
        const double scale = acc->scale / sum;
        for (std::size_t x = 0; x < l1; ++x) {
          const auto v = static_cast<std::uint32_t>(s.weight[x] * scale);
          if (acc->concurrent) std::atomic_ref<std::uint32_t>(cell[x]).fetch_add(v, std::memory_order_relaxed);
          else cell[x] += v;
        }
      }
      const std::uint32_t to =
          fast ? draw_blocked(s.weight.data(), l1, sum, c.rng) : draw_cumulative(s.cum.data(), l1, sum, c.rng);
      if (to != a[j]) {
        ++changed;
        sweep_move(p, c, st, e, f, a, j, to, nb, s, fast);
      }
    }
    end_sentence(e, s, fast);
  }
  return changed;
}

}  // namespace bayes::detail
LEXALIGN_NAMESPACE_END
