// lexalign/extract/itermax.hpp - SimAlign's IterMax.
//
//   auto r = lexalign::extract::itermax(sim);                 // weight 0.9, max_count 2
//
// Starts from the mutual argmax.  When min(m, n) <= 2 that is the result.
// Otherwise up to max_count - 1 further rounds run; each one
//   * marks every source row and target column that has no link yet as free;
//   * weighs each cell by w = min(1, weight·[row free] + weight·[column free])
//     (1 when both are free, `weight` when one is, 0 when neither);
//   * takes the mutual argmax of S ⊙ w (over *all* cells, ties to the lowest
//     index, as NumPy) and keeps the links whose row or column is free;
//   * stops early when every row or every column is linked, or when the round
//     adds nothing.
// Scores are the similarities S(i, j).  Arithmetic is in double.  See
// docs/extract/itermax.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "lexalign/config.hpp"
#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

struct itermax_options {
  // Weight of a cell with exactly one free side (SimAlign's alpha_ratio).
  double weight = 0.9;
  // SimAlign's max_count: the argmax counts as round 1, so 2 = one extra round.
  std::size_t max_count = 2;
};

inline void validate(const itermax_options& opt) {
  validation::probability("extract::itermax_options.weight", opt.weight);
  validation::at_least("extract::itermax_options.max_count", opt.max_count, 1);
}

namespace detail {

// ws.src loaded (entries not yet checked: the first sweep checks them).
// Each round is one sweep over S (row_column_argmax_dense reads S ⊙ w
// without storing it); the links are kept as a list (one per row per
// round at most) and sorted by (row, column) at the end.
template <class WAlloc>
void itermax_loaded(const itermax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  argmax_loaded(argmax_direction::mutual, ws, out);
  const std::size_t m = ws.rows, n = ws.cols;
  if (m <= 2 || n <= 2) return;
  const double* s = ws.src;
  // flags[0..m): row linked; flags[m..m+n): column linked.
  ws.flags.assign(m + n, 0);
  unsigned char* row_linked = ws.flags.data();
  unsigned char* col_linked = row_linked + m;
  for (const link& l : out.alignment.sure) {
    row_linked[l.source] = 1;
    col_linked[l.target] = 1;
  }
  ws.pairs.clear();  // the links added by the rounds
  ws.a.resize(argmax_scratch(n));  // column maxima
  ws.c.resize(n);    // w(i, j) for a free row i
  ws.d.resize(n);    // w(i, j) for a linked row i
  const double* wfree = ws.c.data();
  const double* wlinked = ws.d.data();
  for (std::size_t count = 1; count < opt.max_count; ++count) {
    std::size_t free_rows = 0, free_cols = 0;
    for (std::size_t i = 0; i < m; ++i) free_rows += !row_linked[i];
    for (std::size_t j = 0; j < n; ++j) free_cols += !col_linked[j];
    if (free_rows == 0 || free_cols == 0) break;  // SimAlign zeroes the masks: nothing new
    // w = clip(weight·[row free] + weight·[column free], 0, 1), as SimAlign computes it.
    for (std::size_t j = 0; j < n; ++j) {
      const double wc = col_linked[j] ? 0.0 : opt.weight;
      const double wf = opt.weight + wc;
      ws.c[j] = wf > 1.0 ? 1.0 : wf;
      const double wl = 0.0 + wc;
      ws.d[j] = wl > 1.0 ? 1.0 : wl;
    }
    row_column_argmax_dense(
        m, n, s, [&](std::size_t i) { return row_linked[i] ? wlinked : wfree; }, ws.index_a, ws.index_b,
        ws.a.data());
    const std::size_t before = ws.pairs.size();
    for (std::size_t i = 0; i < m; ++i) {
      const auto j = static_cast<std::size_t>(ws.index_a[i]);
      if (static_cast<std::size_t>(ws.index_b[j]) != i) continue;
      if (row_linked[i] && col_linked[j]) continue;  // neither side free
      // A new link's row and column are unique within the round, so marking
      // them now does not change the test for the others.
      row_linked[i] = 1;
      col_linked[j] = 1;
      ws.pairs.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
    }
    if (ws.pairs.size() == before) break;
  }
  if (ws.pairs.empty()) return;
  // Merge: the argmax links (in out, sorted) and the rounds' (sorted by row
  // within each round) into (row, column) order: counting sort by row, then
  // the few links of each row sorted by column.
  for (const link& l : out.alignment.sure) ws.pairs.push_back(l);
  auto& start = ws.index_b;  // m + 1 row starts
  start.assign(m + 1, 0);
  for (const link& l : ws.pairs) ++start[l.source + 1];
  for (std::size_t i = 0; i < m; ++i) start[i + 1] += start[i];
  auto& at = ws.index_a;  // fill positions
  at.assign(start.begin(), start.end() - 1);
  ws.b.resize(ws.pairs.size());  // columns by row, as doubles (exact below 2^53)
  for (const link& l : ws.pairs) ws.b[static_cast<std::size_t>(at[l.source]++)] = l.target;
  out.clear();
  for (std::size_t i = 0; i < m; ++i) {
    double* first = ws.b.data() + start[i];
    double* last = ws.b.data() + start[i + 1];
    for (double* p = first + 1; p < last; ++p)  // insertion sort: a row has at most max_count links
      for (double* q = p; q > first && q[-1] > q[0]; --q) std::swap(q[-1], q[0]);
    for (double* p = first; p < last; ++p) {
      const auto j = static_cast<std::size_t>(*p);
      out.push(i, j, s[i * n + j]);
    }
  }
}

}  // namespace detail

template <lexalign::matrix M, class WAlloc>
void itermax_into(const M& similarity, const itermax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws, validation::entry_rule::finite, false);
  detail::itermax_loaded(opt, ws, out);
}

template <lexalign::matrix M, class WAlloc>
extract_result itermax(const M& similarity, const itermax_options& opt, workspace<WAlloc>& ws) {
  extract_result out;
  itermax_into(similarity, opt, ws, out);
  return out;
}

template <lexalign::matrix M>
extract_result itermax(const M& similarity, const itermax_options& opt = {}) {
  workspace<> ws;
  return itermax(similarity, opt, ws);
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
