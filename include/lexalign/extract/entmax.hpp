// lexalign/extract/entmax.hpp - awesome-align's 1.5-entmax extraction, and
// an exact sort-based 1.5-entmax of one vector.
//
//   auto r = lexalign::extract::entmax(dot_products);
//
// Each row of S and each column of S is mapped by 1.5-entmax (Peters,
// Niculae & Martins 2019): p_k = max(0, z_k/2 - tau)^2 with tau such that
// sum p = 1, found exactly by sorting.  (i, j) is a link when both the row
// and the column distributions give it positive mass (awesome-align's
// threshold 0).  Score: the harmonic mean of the two probabilities.  See
// docs/extract/entmax.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"
#include "lexalign/extract/softmax.hpp"  // detail::both_above

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

struct entmax_options {
  // A cell is linked when both probabilities exceed it (awesome-align: 0).
  double threshold = 0.0;
};

inline void validate(const entmax_options& opt) {
  validation::require(opt.threshold >= 0 && opt.threshold < 1, "extract::entmax_options.threshold",
                      validation::format_value(opt.threshold), "in [0, 1)");
}

// 1.5-entmax of z[0], z[stride], ... into p[0], p[stride], ...; `scratch`
// holds count doubles.  z and p may alias.  O(count + c log c) for the c
// entries within 2 of the maximum.
inline void entmax15(const double* z, std::size_t count, std::size_t stride, double* p, double* scratch) {
  // Shift by the maximum (entmax is shift invariant) and halve: alpha - 1 = 1/2.
  double mx = z[0];
  for (std::size_t k = 1; k < count; ++k) mx = std::max(mx, z[k * stride]);
  // Only x > -1 can be in the support: p_max = (x_max - tau)^2 <= 1 gives
  // tau >= x_max - 1 = -1.  Those candidates alone are sorted.
  std::size_t cand = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const double x = (z[k * stride] - mx) / 2;
    if (x > -1) scratch[cand++] = x;
  }
  std::sort(scratch, scratch + cand, std::greater<>());
  // tau_k = mean_k - sqrt((1 - k (meansq_k - mean_k^2)) / k) for the top k;
  // the support size K is the number of k with tau_k <= x_(k) (a prefix in
  // exact arithmetic; counted, as the entmax package does), and tau = tau_K.
  auto tau_at = [&](std::size_t k, double sum, double sumsq) {
    const double kk = static_cast<double>(k);
    const double mean = sum / kk;
    const double delta = (1 - kk * (sumsq / kk - mean * mean)) / kk;
    return mean - std::sqrt(delta > 0 ? delta : 0.0);
  };
  double sum = 0, sumsq = 0;
  std::size_t support = 0;
  for (std::size_t k = 1; k <= cand; ++k) {
    const double x = scratch[k - 1];
    sum += x;
    sumsq += x * x;
    if (tau_at(k, sum, sumsq) <= x) ++support;
  }
  sum = sumsq = 0;
  for (std::size_t k = 0; k < support; ++k) {
    sum += scratch[k];
    sumsq += scratch[k] * scratch[k];
  }
  const double tau = tau_at(support, sum, sumsq);
  for (std::size_t k = 0; k < count; ++k) {
    const double d = (z[k * stride] - mx) / 2 - tau;
    p[k * stride] = d > 0 ? d * d : 0.0;
  }
}

template <lexalign::matrix M, class WAlloc>
void entmax_into(const M& similarity, const entmax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws);
  const std::size_t m = ws.rows, n = ws.cols;
  ws.b.resize(m * n);
  ws.c.resize(m * n);
  ws.a.resize(std::max(m, n));
  for (std::size_t i = 0; i < m; ++i) entmax15(ws.src + i * n, n, 1, ws.b.data() + i * n, ws.a.data());
  for (std::size_t j = 0; j < n; ++j) entmax15(ws.src + j, m, n, ws.c.data() + j, ws.a.data());
  detail::both_above(ws, opt.threshold, out);
}

template <lexalign::matrix M, class WAlloc>
extract_result entmax(const M& similarity, const entmax_options& opt, workspace<WAlloc>& ws) {
  extract_result out;
  entmax_into(similarity, opt, ws, out);
  return out;
}

template <lexalign::matrix M>
extract_result entmax(const M& similarity, const entmax_options& opt = {}) {
  workspace<> ws;
  return entmax(similarity, opt, ws);
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
