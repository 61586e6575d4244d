// lexalign/extract/softmax.hpp - awesome-align's bidirectional softmax
// threshold extraction.
//
//   auto r = lexalign::extract::softmax(dot_products);           // threshold 1e-3
//
// P_xy = softmax of each row of S (over target tokens), P_yx = softmax of each
// column (over source tokens); (i, j) is a link when P_xy(i, j) > threshold
// and P_yx(i, j) > threshold.  S is used as given: awesome-align feeds raw
// dot products of layer-8 states, with no temperature.  Many-to-many links
// and unaligned tokens both arise.  A link's score is the harmonic mean
// 2ab/(a+b) of a = P_xy(i, j) and b = P_yx(i, j).  Arithmetic is in double
// (awesome-align's is float32: cells within float32 rounding of the
// threshold may differ), with one exponential per cell in the common case
// (see detail::softmax_links).  See docs/extract/softmax.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"
#include "lexalign/ot/detail/simd.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

struct softmax_options {
  // awesome-align's softmax_threshold.
  double threshold = 1e-3;
};

inline void validate(const softmax_options& opt) {
  validation::require(opt.threshold >= 0 && opt.threshold < 1, "extract::softmax_options.threshold",
                      validation::format_value(opt.threshold), "in [0, 1)");
}

namespace detail {

// Links where both ws.b and ws.c exceed `threshold`; score = harmonic mean.
template <class WAlloc>
void both_above(workspace<WAlloc>& ws, double threshold, extract_result& out) {
  const std::size_t m = ws.rows, n = ws.cols;
  out.clear();
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double a = ws.b[i * n + j], b = ws.c[i * n + j];
      if (a > threshold && b > threshold) out.push(i, j, 2 * a * b / (a + b));
    }
}

// Softmax links of ws.src.  With M = max S, E = exp(S - M) is computed once;
// the row probabilities are E / rowsum(E) and the column ones E / colsum(E)
// (exp(a + b) = exp(a) exp(b), exact up to rounding).  That needs every row
// and column maximum within 600 of M (else some sums would underflow) and a
// threshold of at least 1e-30 (cells with S - M < -708, set to 0, then have
// probabilities below e^-108 on both sides); otherwise each row and column is
// normalised with its own maximum, two exponentials per cell.
template <class WAlloc>
void softmax_links(workspace<WAlloc>& ws, double threshold, extract_result& out) {
  const std::size_t m = ws.rows, n = ws.cols, mn = m * n;
  const double* s = ws.src;
  ws.a.resize(m);  // row maxima, then row sums
  ws.d.resize(n);  // column maxima, then column sums
  double* rs = ws.a.data();
  double* cs = ws.d.data();
  for (std::size_t j = 0; j < n; ++j) cs[j] = s[j];
  for (std::size_t i = 0; i < m; ++i) {
    const double* row = s + i * n;
    rs[i] = row[argmax_row(row, n)];
    for (std::size_t j = 0; j < n; ++j) cs[j] = row[j] > cs[j] ? row[j] : cs[j];
  }
  double g = rs[0], low = rs[0];
  for (std::size_t i = 1; i < m; ++i) {
    g = rs[i] > g ? rs[i] : g;
    low = rs[i] < low ? rs[i] : low;
  }
  for (std::size_t j = 0; j < n; ++j) low = cs[j] < low ? cs[j] : low;
  out.clear();
  if (g - low <= 600 && threshold >= 1e-30) {
    ws.b.resize(mn);
    double* e = ws.b.data();
    ws.c.assign(n, 0.0);  // zeros for the fused kernel, then the column thresholds
    for (std::size_t j = 0; j < n; ++j) cs[j] = 0;
    for (std::size_t i = 0; i < m; ++i) {  // row by row: the row stays in L1
      double* row = e + i * n;
      // row = exp(s_i - 0 - g), vectorised, and its sum (below -708.39 flushes to 0).
      rs[i] = ot::detail::exp_diff_sum(s + i * n, ws.c.data(), g, 1.0, row, n);
      for (std::size_t j = 0; j < n; ++j) cs[j] += row[j];
    }
    ws.c.resize(n);
    for (std::size_t j = 0; j < n; ++j) ws.c[j] = threshold * cs[j];
    for (std::size_t i = 0; i < m; ++i) {
      const double* row = e + i * n;
      const double tr = threshold * rs[i];
      for (std::size_t j = 0; j < n; ++j)
        if (row[j] > tr && row[j] > ws.c[j]) {
          const double a = row[j] / rs[i], b = row[j] / cs[j];
          out.push(i, j, 2 * a * b / (a + b));
        }
    }
    return;
  }
  // Two exponentials per cell, each normalised by its own maximum.
  ws.b.resize(mn);
  ws.c.resize(mn + n);  // the column sums after the m x n probabilities
  for (std::size_t i = 0; i < m; ++i) {
    const double* row = s + i * n;
    double* p = ws.b.data() + i * n;
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) sum += (p[j] = std::exp(row[j] - rs[i]));
    for (std::size_t j = 0; j < n; ++j) p[j] /= sum;
  }
  double* col_sum = ws.c.data() + mn;
  for (std::size_t j = 0; j < n; ++j) col_sum[j] = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) col_sum[j] += (ws.c[i * n + j] = std::exp(s[i * n + j] - cs[j]));
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) ws.c[i * n + j] /= col_sum[j];
  both_above(ws, threshold, out);
}

}  // namespace detail

template <lexalign::matrix M, class WAlloc>
void softmax_into(const M& similarity, const softmax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws);
  detail::softmax_links(ws, opt.threshold, out);
}

template <lexalign::matrix M, class WAlloc>
extract_result softmax(const M& similarity, const softmax_options& opt, workspace<WAlloc>& ws) {
  extract_result out;
  softmax_into(similarity, opt, ws, out);
  return out;
}

template <lexalign::matrix M>
extract_result softmax(const M& similarity, const softmax_options& opt = {}) {
  workspace<> ws;
  return softmax(similarity, opt, ws);
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
