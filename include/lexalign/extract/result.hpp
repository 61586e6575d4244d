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
      : sim(alloc), a(alloc), b(alloc), c(alloc), d(alloc), index_a(alloc), index_b(alloc), flags(alloc) {}
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

  matrix_view<const double> view() const noexcept { return {src, rows, cols}; }
  double operator()(std::size_t i, std::size_t j) const noexcept { return src[i * cols + j]; }
};

namespace detail {

// True when every x[k] is finite: no exponent field is all ones (an
// integer OR reduction, which vectorises).
inline bool all_finite(const double* x, std::size_t count) noexcept {
  std::uint64_t bad = 0;
  for (std::size_t k = 0; k < count; ++k) {
    std::uint64_t bits;
    std::memcpy(&bits, x + k, sizeof bits);
    bad |= static_cast<std::uint64_t>((bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull);
  }
  return bad == 0;
}

// Points ws.src at `m` as a dense row-major double matrix, copying into
// ws.sim only when `m` is not one already; checks rank, emptiness and every
// entry against `rule` (messages name `name`).
template <lexalign::matrix M, class WAlloc>
void load_matrix(const M& m, std::string_view name, workspace<WAlloc>& ws,
                 validation::entry_rule rule = validation::entry_rule::finite) {
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

}  // namespace detail
}  // namespace extract
LEXALIGN_NAMESPACE_END
