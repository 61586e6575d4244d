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
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/validate.hpp"

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

  // The input copied as a dense row-major double matrix, and its shape.
  vec<double> sim;
  std::size_t rows = 0, cols = 0;
  // Scratch, meaning depends on the method.
  vec<double> a, b, c, d;
  vec<std::ptrdiff_t> index_a, index_b;
  vec<unsigned char> flags;

  matrix_view<const double> view() const noexcept { return {sim.data(), rows, cols}; }
  double operator()(std::size_t i, std::size_t j) const noexcept { return sim[i * cols + j]; }
};

namespace detail {

// Copies `m` into ws.sim (row-major double), checking rank, emptiness and
// every entry against `rule`.  `name` names the argument in messages.
template <lexalign::matrix M, class WAlloc>
void load_matrix(const M& m, std::string_view name, workspace<WAlloc>& ws,
                 validation::entry_rule rule = validation::entry_rule::finite) {
  if (!has_rank_two(m)) throw invalid_argument(std::string(name) + " must be a 2-D array");
  const std::size_t r = rows(m), c = cols(m);
  validation::check_not_empty(name, r, c);
  ws.rows = r;
  ws.cols = c;
  ws.sim.resize(r * c);
  auto fill = [&](auto&& get) {
    for (std::size_t i = 0; i < r; ++i) {
      double* out = ws.sim.data() + i * c;
      bool ok = true;
      for (std::size_t j = 0; j < c; ++j) {
        const double x = static_cast<double>(get(i, j));
        out[j] = x;
        ok &= validation::entry_ok(x, rule);
      }
      if (!ok)
        for (std::size_t j = 0; j < c; ++j) validation::check_entry(name, i, j, out[j], rule);
    }
  };
  if constexpr (has_matrix_memory<const M>) {
    const auto v = as_matrix_view(m);
    if (v.rows_contiguous()) {
      fill([&](std::size_t i, std::size_t j) { return v.data()[static_cast<std::ptrdiff_t>(i) * v.row_stride() + static_cast<std::ptrdiff_t>(j)]; });
    } else {
      fill([&](std::size_t i, std::size_t j) { return v(i, j); });
    }
  } else {
    fill([&](std::size_t i, std::size_t j) { return at(m, i, j); });
  }
}

// First index of the largest value of x[0], x[stride], ... (NumPy argmax's
// tie rule: the lowest index wins).
inline std::size_t argmax_strided(const double* x, std::size_t count, std::size_t stride) noexcept {
  std::size_t best = 0;
  double v = x[0];
  for (std::size_t k = 1; k < count; ++k) {
    const double y = x[k * stride];
    if (y > v) {
      v = y;
      best = k;
    }
  }
  return best;
}

// Column-wise first argmax of a row-major r x c matrix into out[0..c).
template <class IVec>
void column_argmax(const double* s, std::size_t r, std::size_t c, IVec& out, double* best) {
  out.assign(c, 0);
  for (std::size_t j = 0; j < c; ++j) best[j] = s[j];
  for (std::size_t i = 1; i < r; ++i) {
    const double* row = s + i * c;
    for (std::size_t j = 0; j < c; ++j)
      if (row[j] > best[j]) {
        best[j] = row[j];
        out[j] = static_cast<std::ptrdiff_t>(i);
      }
  }
}

}  // namespace detail
}  // namespace extract
LEXALIGN_NAMESPACE_END
