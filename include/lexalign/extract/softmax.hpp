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
// threshold may differ).  See docs/extract/softmax.md.
#pragma once

#include <cmath>
#include <cstddef>

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"

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

// Row softmax of ws.sim into ws.b and column softmax into ws.c.
template <class WAlloc>
void softmax_both(workspace<WAlloc>& ws) {
  const std::size_t m = ws.rows, n = ws.cols;
  const double* s = ws.sim.data();
  ws.b.resize(m * n);
  ws.c.resize(m * n);
  ws.a.resize(n);
  ws.d.resize(n);
  for (std::size_t i = 0; i < m; ++i) {
    const double* row = s + i * n;
    double* p = ws.b.data() + i * n;
    double mx = row[0];
    for (std::size_t j = 1; j < n; ++j) mx = row[j] > mx ? row[j] : mx;
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) sum += (p[j] = std::exp(row[j] - mx));
    const double inv = 1.0 / sum;
    for (std::size_t j = 0; j < n; ++j) p[j] *= inv;
  }
  double* cmax = ws.a.data();
  double* csum = ws.d.data();
  for (std::size_t j = 0; j < n; ++j) {
    cmax[j] = s[j];
    csum[j] = 0;
  }
  for (std::size_t i = 1; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) cmax[j] = s[i * n + j] > cmax[j] ? s[i * n + j] : cmax[j];
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) csum[j] += (ws.c[i * n + j] = std::exp(s[i * n + j] - cmax[j]));
  for (std::size_t j = 0; j < n; ++j) csum[j] = 1.0 / csum[j];
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) ws.c[i * n + j] *= csum[j];
}

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

}  // namespace detail

template <lexalign::matrix M, class WAlloc>
void softmax_into(const M& similarity, const softmax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws);
  detail::softmax_both(ws);
  detail::both_above(ws, opt.threshold, out);
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
