// lexalign/extract/result.hpp - what every extraction method returns, and the
// workspace they share.
//
//   lexalign::extract::workspace<> ws;                 // reuse across sentence pairs
//   lexalign::extract::extract_result r;
//   lexalign::extract::itermax_into(sim, {}, ws, r);   // no allocation once warm
//   for (std::size_t k = 0; k < r.size(); ++k) use(r.links()[k], r.scores[k]);
//
// Links are sorted by (source, target) and unique; scores[k] belongs to
// alignment.sure[k].  Rows of the similarity matrix are source tokens,
// columns target tokens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/ot/detail/simd.hpp"

// Forces a lambda's inlining (the argmax sweep's per-vector steps).
#ifndef LEXALIGN_ALWAYS_INLINE_LAMBDA
#if defined(__GNUC__)
#define LEXALIGN_ALWAYS_INLINE_LAMBDA __attribute__((always_inline))
#else
#define LEXALIGN_ALWAYS_INLINE_LAMBDA
#endif
#endif

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

// A sentence alignment with one score per link.
struct extract_result {
  // The links, in `alignment.sure` (sorted by (source, target), unique).
  sentence_alignment alignment;
  // scores[k] is the score of alignment.sure[k]; each method says what it is
  // (the similarity for argmax / IterMax / matching, a probability for the
  // softmax and entmax methods, the normalised plan entry for OT).
  std::vector<double> scores;

  std::size_t size() const noexcept { return alignment.sure.size(); }
  bool empty() const noexcept { return alignment.sure.empty(); }
  std::span<const link> links() const noexcept { return alignment.sure; }
  // Keeps the capacity.
  void clear() noexcept {
    alignment.clear();
    scores.clear();
  }
  // Appends a link; callers append in (source, target) order.
  void push(std::size_t source, std::size_t target, double score) {
    alignment.sure.push_back({static_cast<std::uint32_t>(source), static_cast<std::uint32_t>(target)});
    scores.push_back(score);
  }
};

// Reusable buffers shared by every method of extract/: with a warm workspace
// (one earlier call of the same or larger size) and a warm result, a call
// allocates nothing.
template <class Allocator = std::allocator<double>>
class workspace {
  template <class U>
  using rebind = typename std::allocator_traits<Allocator>::template rebind_alloc<U>;

 public:
  template <class U>
  using vec = std::vector<U, rebind<U>>;

  explicit workspace(const Allocator& alloc = Allocator())
      : sim(alloc), a(alloc), b(alloc), c(alloc), d(alloc), index_a(alloc), index_b(alloc), flags(alloc),
        pairs(alloc), positions(alloc), fsim(alloc), fa(alloc), fb(alloc), fc(alloc), fd(alloc) {}
  Allocator get_allocator() const { return sim.get_allocator(); }

  // The input as a dense row-major double matrix (`src`, rows x cols): the
  // caller's own memory when it already is one, else a copy in `sim`.
  const double* src = nullptr;
  std::size_t rows = 0, cols = 0;
  vec<double> sim;
  // Scratch, meaning depends on the method.
  vec<double> a, b, c, d;
  vec<std::ptrdiff_t> index_a, index_b;
  vec<unsigned char> flags;
  vec<link> pairs;
  vec<std::uint32_t> positions;
  // The float32 counterparts (softmax's float32 arithmetic): the input as a
  // dense row-major float matrix (`fsrc`: the caller's memory or `fsim`) and
  // scratch.
  const float* fsrc = nullptr;
  vec<float> fsim, fa, fb, fc, fd;

  matrix_view<const double> view() const noexcept { return {src, rows, cols}; }
  double operator()(std::size_t i, std::size_t j) const noexcept { return src[i * cols + j]; }
};

namespace detail {

// True when every x[k] (double or float) is finite: the sum of x[k] * 0
// is 0 exactly then (inf * 0 and NaN give NaN).  Four vector chains of one
// multiply-add each: the pass runs at the cache's (or the prefetcher's)
// rate.
template <class T>
bool all_finite(const T* x, std::size_t count) noexcept {
  static_assert(std::is_same_v<T, double> || std::is_same_v<T, float>);
  T acc = 0;
  std::size_t k = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = std::conditional_t<std::is_same_v<T, double>, ot::detail::vd_t, ot::detail::vf_t>;
  constexpr std::size_t W = sizeof(vd) / sizeof(T);
  if (count >= 4 * W) {
    vd a0{}, a1{}, a2{}, a3{};
    for (; k + 4 * W <= count; k += 4 * W) {
      a0 += ot::detail::vload(x + k) * T(0);
      a1 += ot::detail::vload(x + k + W) * T(0);
      a2 += ot::detail::vload(x + k + 2 * W) * T(0);
      a3 += ot::detail::vload(x + k + 3 * W) * T(0);
    }
    const vd a = (a0 + a1) + (a2 + a3);
    acc = ot::detail::hsum(a);
  }
#endif
  for (; k < count; ++k) acc += x[k] * T(0);
  return acc == 0;
}

// Points ws.src at `m` as a dense row-major double matrix, copying into
// ws.sim only when `m` is not one already; checks rank, emptiness and every
// entry against `rule` (messages name `name`).
// With check = false the entries are not checked here: the caller's kernel
// checks them in its own pass (see row_column_argmax_dense).
template <lexalign::matrix M, class WAlloc>
void load_matrix(const M& m, std::string_view name, workspace<WAlloc>& ws,
                 validation::entry_rule rule = validation::entry_rule::finite, bool check = true) {
  if (!has_rank_two(m)) throw invalid_argument(std::string(name) + " must be a 2-D array");
  const std::size_t r = rows(m), c = cols(m);
  validation::check_not_empty(name, r, c);
  ws.rows = r;
  ws.cols = c;
  bool borrowed = false;
  if constexpr (has_matrix_memory<const M> && std::is_same_v<matrix_value_t<M>, double>) {
    const auto v = as_matrix_view(m);
    if (v.col_stride() == 1 && v.row_stride() == static_cast<std::ptrdiff_t>(c)) {
      ws.src = v.data();
      borrowed = true;
    }
  }
  if (!borrowed) {
    ws.sim.resize(r * c);
    auto fill = [&](auto&& get) {
      for (std::size_t i = 0; i < r; ++i) {
        double* out = ws.sim.data() + i * c;
        for (std::size_t j = 0; j < c; ++j) out[j] = static_cast<double>(get(i, j));
      }
    };
    if constexpr (has_matrix_memory<const M>) {
      const auto v = as_matrix_view(m);
      fill([&](std::size_t i, std::size_t j) { return v(i, j); });
    } else {
      fill([&](std::size_t i, std::size_t j) { return at(m, i, j); });
    }
    ws.src = ws.sim.data();
  }
  if (!check) return;
  const double* s = ws.src;
  bool ok = all_finite(s, r * c);
  if (ok && rule == validation::entry_rule::finite_non_negative) {
    double lo = 0;
    for (std::size_t k = 0; k < r * c; ++k) lo = s[k] < lo ? s[k] : lo;
    ok = lo >= 0;
  }
  if (!ok)
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t j = 0; j < c; ++j) validation::check_entry(name, i, j, s[i * c + j], rule);
}

// First index of the largest of x[0..count) (NumPy argmax's tie rule: the
// lowest index wins; entries are finite).  One pass in which every vector
// lane keeps its first maximum and that maximum's index, then the lanes are
// reduced to the largest value at the lowest index.
inline std::size_t argmax_row(const double* x, std::size_t count) noexcept {
  std::size_t k = 0;
  double best = x[0];
  std::int64_t at = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = ot::detail::vd_t;
  using vi = ot::detail::vi64_t;
  constexpr std::size_t W = sizeof(vd) / sizeof(double);
  if (count >= 2 * W) {
    vd acc = ot::detail::vload(x);
    vi idx, lane;
    for (std::size_t l = 0; l < W; ++l) lane[l] = static_cast<std::int64_t>(l);
    idx = lane;
    for (k = W; k + W <= count; k += W) {
      const vd v = ot::detail::vload(x + k);
      const vi gt = v > acc;
      acc = gt ? v : acc;
      idx = gt ? lane + static_cast<std::int64_t>(k) : idx;
    }
    best = acc[0];
    at = idx[0];
    for (std::size_t l = 1; l < W; ++l)
      if (acc[l] > best || (acc[l] == best && idx[l] < at)) {
        best = acc[l];
        at = idx[l];
      }
  } else {
    k = 1;
  }
#else
  k = 1;
#endif
  for (; k < count; ++k)
    if (x[k] > best) {
      best = x[k];
      at = static_cast<std::int64_t>(k);
    }
  return static_cast<std::size_t>(at);
}

// Row and column argmax of an r x c matrix in one pass over its rows:
// row(i) returns a pointer to row i's c values (it may compute them into a
// buffer); row_index[i] and col_index[j] get the first maxima.  `best` holds
// c doubles of scratch.
template <class RowFn, class IVecR, class IVecC>
void row_column_argmax(std::size_t r, std::size_t c, RowFn&& row, IVecR& row_index, IVecC& col_index, double* best) {
  row_index.resize(r);
  col_index.assign(c, 0);
  std::ptrdiff_t* idx = col_index.data();
  for (std::size_t i = 0; i < r; ++i) {
    const double* x = row(i);
    row_index[i] = static_cast<std::ptrdiff_t>(argmax_row(x, c));
    if (i == 0) {
      for (std::size_t j = 0; j < c; ++j) best[j] = x[j];
      continue;
    }
    const auto ii = static_cast<std::ptrdiff_t>(i);
    for (std::size_t j = 0; j < c; ++j) {  // branch-free: vectorises
      const bool gt = x[j] > best[j];
      best[j] = gt ? x[j] : best[j];
      idx[j] = gt ? ii : idx[j];
    }
  }
}

// Row and column argmax of the dense row-major r x c matrix `s` in ONE sweep
// (extract's hot kernel: argmax, IterMax).  When `weight(i)` returns a
// non-null pointer (for every row, or for none), row i is read as
// s(i, j) * weight(i)[j] (IterMax's masked rounds) without storing the
// product.  Rows are taken four at a
// time: one pass over the columns updates the four rows' running maxima
// (per vector lane: first maximum and its index) and, in register, the
// columns' running maxima and rows, which are loaded and stored once per
// four rows.  Ties go to the lowest index on both sides (NumPy's argmax):
// lanes keep their first maximum, columns see the rows in order with a
// strict >.  Returns false when a value read is not finite (the caller then
// reports the bad entry); entries are multiplied by 0 into an accumulator,
// which stays 0 exactly when every one is finite.  `best` and `col_best_row`
// hold c values of scratch / output; row_index (r) and col_index (c) are
// resized.
#if LEXALIGN_OT_MASKED_TAILS
// The lowest index among the lanes of `val` holding its largest value
// (AVX-512: in-register halving reductions, no branches).
LEXALIGN_FORCE_INLINE std::int64_t first_lane_max(const ot::detail::vd_t& val, const ot::detail::vi64_t& idx,
                                                  double& best) noexcept {
  typedef double v4d __attribute__((vector_size(32)));
  typedef double v2d __attribute__((vector_size(16)));
  typedef std::int64_t v4i __attribute__((vector_size(32)));
  typedef std::int64_t v2i __attribute__((vector_size(16)));
#if LEXALIGN_HAS_SHUFFLEVECTOR
  // Halves by shuffles (vextract): GCC 12 compiled the memcpy halves below
  // into a store of the whole vector and two narrower reloads, a
  // store-forwarding stall on every reduction.
  const v4d lo = __builtin_shufflevector(val, val, 0, 1, 2, 3), hi = __builtin_shufflevector(val, val, 4, 5, 6, 7);
  const v4d h = lo > hi ? lo : hi;
  const v2d a = __builtin_shufflevector(h, h, 0, 1), b = __builtin_shufflevector(h, h, 2, 3);
  const v2d q = a > b ? a : b;
  best = q[0] > q[1] ? q[0] : q[1];
  const ot::detail::vi64_t cand = val == best ? idx : ot::detail::vi64_t{} + std::numeric_limits<std::int64_t>::max();
  const v4i il = __builtin_shufflevector(cand, cand, 0, 1, 2, 3), ih = __builtin_shufflevector(cand, cand, 4, 5, 6, 7);
  const v4i ii = il < ih ? il : ih;
  const v2i ia = __builtin_shufflevector(ii, ii, 0, 1), ib = __builtin_shufflevector(ii, ii, 2, 3);
#else
  v4d lo, hi;
  std::memcpy(&lo, &val, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&val) + sizeof lo, sizeof hi);
  const v4d h = lo > hi ? lo : hi;
  v2d a, b;
  std::memcpy(&a, &h, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&h) + sizeof a, sizeof b);
  const v2d q = a > b ? a : b;
  best = q[0] > q[1] ? q[0] : q[1];
  const ot::detail::vi64_t cand = val == best ? idx : ot::detail::vi64_t{} + std::numeric_limits<std::int64_t>::max();
  v4i il, ih;
  std::memcpy(&il, &cand, sizeof il);
  std::memcpy(&ih, reinterpret_cast<const char*>(&cand) + sizeof il, sizeof ih);
  const v4i ii = il < ih ? il : ih;
  v2i ia, ib;
  std::memcpy(&ia, &ii, sizeof ia);
  std::memcpy(&ib, reinterpret_cast<const char*>(&ii) + sizeof ia, sizeof ib);
#endif
  const v2i iq = ia < ib ? ia : ib;
  return iq[0] < iq[1] ? iq[0] : iq[1];
}
#endif

// Row and column argmax of the dense row-major r x c matrix `s` in ONE sweep
// (extract's hot kernel: argmax, IterMax).  When `weight(i)` returns a
// non-null pointer (for every row, or for none), row i is read as
// s(i, j) * weight(i)[j] (IterMax's masked rounds) without storing the
// product.  Rows are taken four at a
// time: one pass over the columns updates the four rows' running maxima
// (per vector lane: first maximum and its index) and, in register, the
// columns' running maxima and rows, which are loaded and stored once per
// four rows.  Ties go to the lowest index on both sides (NumPy's argmax):
// lanes keep their first maximum, columns see the rows in order with a
// strict >.  Returns false when a value read is not finite (the caller then
// reports the bad entry); entries are multiplied by 0 into an accumulator,
// which stays 0 exactly when every one is finite.  `best` holds c values
// of scratch (with AVX-512: c rounded up to whole vectors, see
// argmax_scratch); row_index (r) and col_index (c) are resized.  With
// AVX-512 the last, partial vector of columns is a masked load whose
// padding lanes hold the lowest double (never above a real entry, which
// has a lower index), so no scalar tail remains, and each row's lanes are
// reduced in register.
template <class WeightFn, class IVecR, class IVecC>
bool row_column_argmax_dense(std::size_t r, std::size_t c, const double* s, WeightFn&& weight, IVecR& row_index,
                             IVecC& col_index, double* best) {
  row_index.resize(r);
  std::ptrdiff_t* ridx = row_index.data();
  const double ninf = -std::numeric_limits<double>::infinity();
  double bad = 0;  // sum of x * 0: NaN iff some x is not finite
  std::size_t i = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = ot::detail::vd_t;
  using vi = ot::detail::vi64_t;
  constexpr std::size_t W = sizeof(vd) / sizeof(double);
  static_assert(sizeof(std::ptrdiff_t) == sizeof(std::int64_t));
  const std::size_t cv = c / W * W;  // columns handled by whole vectors
  constexpr bool masked = LEXALIGN_OT_MASKED_TAILS;
  const std::size_t tail = masked ? c - cv : 0;  // columns in the masked last vector
  col_index.resize(tail ? cv + W : c);            // padded while the sweep runs
  std::ptrdiff_t* cidx = col_index.data();
  for (std::size_t j = 0; j < col_index.size(); ++j) {
    best[j] = ninf;
    cidx[j] = 0;
  }
  vi lane;
  for (std::size_t l = 0; l < W; ++l) lane[l] = static_cast<std::int64_t>(l);
  vd vbad[4] = {};
  // R rows from i0 on: one pass over the columns.
  auto block = [&]<std::size_t R>(std::size_t i0, std::integral_constant<std::size_t, R>) {
    const double* row[R];
    const double* wt[R];
    for (std::size_t q = 0; q < R; ++q) {
      row[q] = s + (i0 + q) * c;
      wt[q] = weight(i0 + q);
    }
    vd racc[R];
    vi rid[R];
    for (std::size_t q = 0; q < R; ++q) {
      racc[q] = vd{} + ninf;
      rid[q] = vi{};
    }
    vi rows_v[R];
    for (std::size_t q = 0; q < R; ++q) rows_v[q] = vi{} + static_cast<std::int64_t>(i0 + q);
    auto sweep = [&](auto weighted) {
      // One vector of columns from k; `load(q, x)` reads row q's values.
      auto step = [&](std::size_t k, auto&& load) LEXALIGN_ALWAYS_INLINE_LAMBDA {
        vd cb = ot::detail::vload(best + k);
        vi ci;
        std::memcpy(&ci, cidx + k, sizeof ci);
        const vi kk = lane + static_cast<std::int64_t>(k);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
        for (std::size_t q = 0; q < R; ++q) {
          vd x;
          load(q, x);
          vbad[q] += x * 0.0;  // one chain per row: no serial dependency across rows
          const auto gr = x > racc[q];
          racc[q] = gr ? x : racc[q];
          rid[q] = gr ? kk : rid[q];
          const auto gc = x > cb;
          cb = gc ? x : cb;
          ci = gc ? rows_v[q] : ci;
        }
        ot::detail::vstore(best + k, cb);
        std::memcpy(cidx + k, &ci, sizeof ci);
      };
      for (std::size_t k = 0; k < cv; k += W)
        step(k, [&](std::size_t q, vd& x) LEXALIGN_ALWAYS_INLINE_LAMBDA {
          // the same columns of the next block's rows: cold matrices stream in
          // while this block runs (a prefetch never faults past the end)
          __builtin_prefetch(row[q] + R * c + k);
          x = ot::detail::vload(row[q] + k);
          if constexpr (decltype(weighted)::value) x = x * ot::detail::vload(wt[q] + k);
        });
      if (tail)
        step(cv, [&](std::size_t q, vd& x) LEXALIGN_ALWAYS_INLINE_LAMBDA {
          ot::detail::vload_tail(x, row[q] + cv, tail, std::numeric_limits<double>::lowest());
          if constexpr (decltype(weighted)::value) {
            vd w;
            ot::detail::vload_tail(w, wt[q] + cv, tail, 1.0);
            x = x * w;
          }
        });
    };
    if (wt[0]) sweep(std::true_type{});
    else sweep(std::false_type{});
    for (std::size_t q = 0; q < R; ++q) {
      double bv;
      std::int64_t at;
#if LEXALIGN_OT_MASKED_TAILS
      at = first_lane_max(racc[q], rid[q], bv);
#else
      bv = racc[q][0];
      at = rid[q][0];
      for (std::size_t l = 1; l < W; ++l)
        if (racc[q][l] > bv || (racc[q][l] == bv && rid[q][l] < at)) {
          bv = racc[q][l];
          at = rid[q][l];
        }
#endif
      // the remaining columns, in order (none with masked tails)
      for (std::size_t k = cv + tail; k < c; ++k) {
        const double x = wt[q] ? row[q][k] * wt[q][k] : row[q][k];
        bad += x * 0.0;
        if (x > bv) {
          bv = x;
          at = static_cast<std::int64_t>(k);
        }
        if (x > best[k]) {
          best[k] = x;
          cidx[k] = static_cast<std::ptrdiff_t>(i0 + q);
        }
      }
      ridx[i0 + q] = static_cast<std::ptrdiff_t>(at);
    }
  };
  for (; i + 4 <= r; i += 4) block(i, std::integral_constant<std::size_t, 4>{});
  for (; i < r; ++i) block(i, std::integral_constant<std::size_t, 1>{});
  bad += ot::detail::hsum(vbad[0]) + ot::detail::hsum(vbad[1]) + ot::detail::hsum(vbad[2]) + ot::detail::hsum(vbad[3]);
  col_index.resize(c);
#else
  col_index.resize(c);
  std::ptrdiff_t* cidx = col_index.data();
  for (std::size_t j = 0; j < c; ++j) {
    best[j] = ninf;
    cidx[j] = 0;
  }
  for (; i < r; ++i) {
    const double* x = s + i * c;
    const double* w = weight(i);
    double bv = ninf;
    std::ptrdiff_t at = 0;
    for (std::size_t j = 0; j < c; ++j) {
      const double v = w ? x[j] * w[j] : x[j];
      bad += v * 0.0;
      if (v > bv) {
        bv = v;
        at = static_cast<std::ptrdiff_t>(j);
      }
      if (v > best[j]) {
        best[j] = v;
        cidx[j] = static_cast<std::ptrdiff_t>(i);
      }
    }
    ridx[i] = at;
  }
#endif
  return bad == 0;
}

// The length of row_column_argmax_dense's `best` scratch for c columns.
inline std::size_t argmax_scratch(std::size_t c) noexcept {
#if LEXALIGN_HAVE_VECTOR_EXT && LEXALIGN_OT_MASKED_TAILS
  constexpr std::size_t W = sizeof(ot::detail::vd_t) / sizeof(double);
  return (c + W - 1) / W * W;
#else
  return c;
#endif
}

// Throws the validation error of the first entry of the loaded matrix that
// breaks `rule` (called when a fused check failed).
template <class WAlloc>
[[noreturn]] void report_bad_entry(std::string_view name, const workspace<WAlloc>& ws,
                                   validation::entry_rule rule = validation::entry_rule::finite) {
  for (std::size_t i = 0; i < ws.rows; ++i)
    for (std::size_t j = 0; j < ws.cols; ++j) validation::check_entry(name, i, j, ws(i, j), rule);
  throw invalid_argument(std::string(name) + " has a non-finite entry");
}

}  // namespace detail
}  // namespace extract
LEXALIGN_NAMESPACE_END
