// lexalign/extract/argmax.hpp - forward, reverse and mutual argmax over a
// similarity matrix (SimAlign's "fwd", "rev" and "inter"/ArgMax).
//
//   auto r = lexalign::extract::argmax(sim);                                 // mutual
//   auto f = lexalign::extract::argmax(sim, {.direction = lexalign::extract::argmax_direction::forward});
//
// Rows are source tokens, columns target tokens.  Ties go to the lowest index
// (NumPy's argmax).  Each link's score is its similarity.  See
// docs/extract/argmax.md.
#pragma once

#include <cstddef>
#include <string>

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

enum class argmax_direction {
  forward,  // every source token i to its best target argmax_j S(i, j)
  reverse,  // every target token j to its best source argmax_i S(i, j)
  mutual,   // both at once: SimAlign's "inter" (ArgMax)
};

struct argmax_options {
  argmax_direction direction = argmax_direction::mutual;
};

inline void validate(const argmax_options& opt) {
  const auto d = static_cast<int>(opt.direction);
  validation::require(d >= 0 && d <= 2, "extract::argmax_options.direction", std::to_string(d),
                      "forward, reverse or mutual");
}

namespace detail {

// The argmax links of ws.src (loaded, entries not yet checked: the sweep
// checks them) into `out`.  Uses ws.index_a (row argmax), ws.index_b (column
// argmax) and ws.a (column maxima); one pass over the matrix.
template <class WAlloc>
void argmax_loaded(argmax_direction dir, workspace<WAlloc>& ws, extract_result& out) {
  const std::size_t m = ws.rows, n = ws.cols;
  const double* s = ws.src;
  out.clear();
  if (dir == argmax_direction::forward) {
    if (!all_finite(s, m * n)) report_bad_entry("similarity", ws);
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t j = argmax_row(s + i * n, n);
      out.push(i, j, s[i * n + j]);
    }
    return;
  }
  ws.a.resize(argmax_scratch(n));
  if (!row_column_argmax_dense(m, n, s, [](std::size_t) { return static_cast<const double*>(nullptr); }, ws.index_a,
                               ws.index_b, ws.a.data()))
    report_bad_entry("similarity", ws);
  if (dir == argmax_direction::mutual) {
    for (std::size_t i = 0; i < m; ++i) {
      const auto j = static_cast<std::size_t>(ws.index_a[i]);
      if (static_cast<std::size_t>(ws.index_b[j]) == i) out.push(i, j, s[i * n + j]);
    }
    return;
  }
  // reverse: one link per column, emitted in (source, target) order: the
  // columns bucketed by their row (a counting sort, stable in j).
  auto& start = ws.index_a;  // reused: row starts, m + 1 entries
  start.assign(m + 1, 0);
  for (std::size_t j = 0; j < n; ++j) ++start[static_cast<std::size_t>(ws.index_b[j]) + 1];
  for (std::size_t i = 0; i < m; ++i) start[i + 1] += start[i];
  ws.c.resize(n);  // the columns in (row, column) order, as doubles (exact below 2^53)
  for (std::size_t j = 0; j < n; ++j)
    ws.c[static_cast<std::size_t>(start[static_cast<std::size_t>(ws.index_b[j])]++)] = static_cast<double>(j);
  std::size_t k = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (; k < static_cast<std::size_t>(start[i]); ++k) {
      const auto j = static_cast<std::size_t>(ws.c[k]);
      out.push(i, j, s[i * n + j]);
    }
}

}  // namespace detail

// Writes the links into `out` (reusing its buffers).
template <lexalign::matrix M, class WAlloc>
void argmax_into(const M& similarity, const argmax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws, validation::entry_rule::finite, false);
  detail::argmax_loaded(opt.direction, ws, out);
}

template <lexalign::matrix M, class WAlloc>
extract_result argmax(const M& similarity, const argmax_options& opt, workspace<WAlloc>& ws) {
  extract_result out;
  argmax_into(similarity, opt, ws, out);
  return out;
}

template <lexalign::matrix M>
extract_result argmax(const M& similarity, const argmax_options& opt = {}) {
  workspace<> ws;
  return argmax(similarity, opt, ws);
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
