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
// (see detail::softmax_links), three passes over the matrix.  See docs/extract/softmax.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__SSE2__) || defined(__AVX__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

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

// Bit l set when a[l] > b[l] (one vector).
#if LEXALIGN_HAVE_VECTOR_EXT
LEXALIGN_FORCE_INLINE unsigned greater_mask(const ot::detail::vd_t& a, const ot::detail::vd_t& b) {
#if defined(__AVX512F__) && LEXALIGN_VECTOR_BYTES == 64
  return _mm512_cmp_pd_mask(static_cast<__m512d>(a), static_cast<__m512d>(b), _CMP_GT_OQ);
#elif defined(__AVX__) && LEXALIGN_VECTOR_BYTES == 32
  return static_cast<unsigned>(_mm256_movemask_pd(_mm256_cmp_pd(static_cast<__m256d>(a), static_cast<__m256d>(b), _CMP_GT_OQ)));
#elif defined(__SSE2__) && LEXALIGN_VECTOR_BYTES == 16
  return static_cast<unsigned>(_mm_movemask_pd(_mm_cmpgt_pd(static_cast<__m128d>(a), static_cast<__m128d>(b))));
#else
  unsigned bits = 0;
  for (std::size_t l = 0; l < sizeof(a) / sizeof(double); ++l) bits |= static_cast<unsigned>(a[l] > b[l]) << l;
  return bits;
#endif
}
#endif

#if LEXALIGN_HAVE_VECTOR_EXT
// y = exp(x) for x <= 0 (finite or -inf), as softmax needs it:
// ot::detail::vexp without its overflow and NaN selects (x <= 0 here).
// Relative error below 1e-15 (tests/extract/test_softmax_entmax.cpp checks it
// against std::exp); x < -708.39 gives 0 (no subnormal results).
LEXALIGN_FORCE_INLINE void exp_nonpositive(ot::detail::vd_t& y, const ot::detail::vd_t& x) {
  const ot::detail::vd_t lo = ot::detail::vd_t{} + ot::detail::vexp_lowest;
  y = ot::detail::vexp_reduced(x < lo ? lo : x);
  y = x < lo ? ot::detail::vd_t{} : y;
}
#endif

// The largest of x[0..count); false when some entry is not finite.  One
// pass (four max chains, and x * 0 summed: 0 exactly when all are finite).
inline bool max_checked(const double* x, std::size_t count, double& out) noexcept {
  double mx = x[0], bad = 0;
  std::size_t k = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = ot::detail::vd_t;
  constexpr std::size_t W = sizeof(vd) / sizeof(double);
  if (count >= 4 * W) {
    vd m0 = ot::detail::vload(x), m1 = m0, m2 = m0, m3 = m0, b0{}, b1{};
    for (; k + 4 * W <= count; k += 4 * W) {
      const vd x0 = ot::detail::vload(x + k), x1 = ot::detail::vload(x + k + W);
      const vd x2 = ot::detail::vload(x + k + 2 * W), x3 = ot::detail::vload(x + k + 3 * W);
      m0 = x0 > m0 ? x0 : m0;
      m1 = x1 > m1 ? x1 : m1;
      m2 = x2 > m2 ? x2 : m2;
      m3 = x3 > m3 ? x3 : m3;
      b0 += x0 * 0.0 + x1 * 0.0;
      b1 += x2 * 0.0 + x3 * 0.0;
    }
    m0 = m1 > m0 ? m1 : m0;
    m2 = m3 > m2 ? m3 : m2;
    m0 = m2 > m0 ? m2 : m0;
    mx = ot::detail::hmax(m0);
    bad = ot::detail::hsum(b0) + ot::detail::hsum(b1);
  }
#endif
  for (; k < count; ++k) {
    mx = x[k] > mx ? x[k] : mx;
    bad += x[k] * 0.0;
  }
  out = mx;
  return bad == 0;
}

// e[0..n) = exp(x[0..n) - g) (our vectorised exp: ~2 ulp, 0 below -708.39),
// col[j] += e[j]; returns the sum of e.
inline double exp_row(const double* x, double g, double* e, double* col, std::size_t n) noexcept {
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = ot::detail::vd_t;
  constexpr std::size_t W = sizeof(vd) / sizeof(double);
  const vd vg = vd{} + g;
  vd s0{}, s1{}, y0, y1;
  std::size_t j = 0;
  for (; j + 2 * W <= n; j += 2 * W) {  // two independent exps per step
    const vd z0 = ot::detail::vload(x + j) - vg, z1 = ot::detail::vload(x + j + W) - vg;
    exp_nonpositive(y0, z0);
    exp_nonpositive(y1, z1);
    ot::detail::vstore(e + j, y0);
    ot::detail::vstore(e + j + W, y1);
    ot::detail::vstore(col + j, ot::detail::vload(col + j) + y0);
    ot::detail::vstore(col + j + W, ot::detail::vload(col + j + W) + y1);
    s0 += y0;
    s1 += y1;
  }
  for (; j < n; j += W) {
    const std::size_t left = n - j < W ? n - j : W;
    vd z;
    ot::detail::vload_tail(z, x + j, left, -std::numeric_limits<double>::infinity());
    z = z - vg;
    exp_nonpositive(y0, z);  // exp(-inf) = 0 in the padding
    ot::detail::vstore_tail(e + j, left, y0);
    for (std::size_t l = 0; l < left; ++l) col[j + l] += y0[l];
    s0 += y0;
  }
  const vd s = s0 + s1;
  return ot::detail::hsum(s);
#else
  double s = 0;
  for (std::size_t j = 0; j < n; ++j) {
    e[j] = std::exp(x[j] - g);
    col[j] += e[j];
    s += e[j];
  }
  return s;
#endif
}

// Softmax links of ws.src (entries not yet checked: the first pass checks
// them).  With M = max S, E = exp(S - M) is computed once; the row
// probabilities are E / rowsum(E) and the column ones E / colsum(E)
// (exp(a + b) = exp(a) exp(b), exact up to rounding).  Passes: M (with the
// check), E with its row and column sums, the thresholds.  That is exact
// when every row and column sum is at least 1e-200 (so no sum lost
// precision; cells with S - M < -708.39, set to 0, then have probabilities
// below 1e-107, far under any threshold >= 1e-30); otherwise (or for a
// threshold below 1e-30) each row and column is normalised with its own
// maximum, two exponentials per cell.
template <class WAlloc>
void softmax_links(workspace<WAlloc>& ws, double threshold, extract_result& out) {
  const std::size_t m = ws.rows, n = ws.cols, mn = m * n;
  const double* s = ws.src;
  double g = 0;
  if (!max_checked(s, mn, g)) report_bad_entry("similarity", ws);
  out.clear();
  ws.a.resize(m);      // row sums
  ws.d.assign(n, 0);   // column sums
  ws.c.resize(n);      // column thresholds
  double* rs = ws.a.data();
  double* cs = ws.d.data();
  if (threshold >= 1e-30) {
    ws.b.resize(mn);
    double* e = ws.b.data();
    for (std::size_t i = 0; i < m; ++i) rs[i] = exp_row(s + i * n, g, e + i * n, cs, n);
    double low = rs[0];
    for (std::size_t i = 1; i < m; ++i) low = rs[i] < low ? rs[i] : low;
    for (std::size_t j = 0; j < n; ++j) low = cs[j] < low ? cs[j] : low;
    if (low >= 1e-200) {
      double* ct = ws.c.data();
      for (std::size_t j = 0; j < n; ++j) ct[j] = threshold * cs[j];
      for (std::size_t i = 0; i < m; ++i) {
        const double* row = e + i * n;
        const double tr = threshold * rs[i];
        auto link = [&](std::size_t j) {
          const double a = row[j] / rs[i], b = row[j] / cs[j];
          out.push(i, j, 2 * a * b / (a + b));
        };
        std::size_t j = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
        using vd = ot::detail::vd_t;
        constexpr std::size_t W = sizeof(vd) / sizeof(double);
        const vd vtr = vd{} + tr;
        for (; j + W <= n; j += W) {
          const vd c = ot::detail::vload(ct + j), x = ot::detail::vload(row + j), lim = c > vtr ? c : vtr;
          unsigned bits = greater_mask(x, lim);
          while (bits) {  // rare: the links, in column order
            link(j + static_cast<std::size_t>(__builtin_ctz(bits)));
            bits &= bits - 1;
          }
        }
#endif
        for (; j < n; ++j)
          if (row[j] > tr && row[j] > ct[j]) link(j);
      }
      return;
    }
    for (std::size_t j = 0; j < n; ++j) cs[j] = 0;
  }
  // Two exponentials per cell, each normalised by its own maximum.
  double* rmax = ws.a.data();
  double* cmax = ws.d.data();
  for (std::size_t j = 0; j < n; ++j) cmax[j] = s[j];
  for (std::size_t i = 0; i < m; ++i) {
    const double* row = s + i * n;
    rmax[i] = row[argmax_row(row, n)];
    for (std::size_t j = 0; j < n; ++j) cmax[j] = row[j] > cmax[j] ? row[j] : cmax[j];
  }
  ws.b.resize(mn);
  ws.c.resize(mn + n);  // the column sums after the m x n probabilities
  for (std::size_t i = 0; i < m; ++i) {
    const double* row = s + i * n;
    double* p = ws.b.data() + i * n;
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) sum += (p[j] = std::exp(row[j] - rmax[i]));
    for (std::size_t j = 0; j < n; ++j) p[j] /= sum;
  }
  double* col_sum = ws.c.data() + mn;
  for (std::size_t j = 0; j < n; ++j) col_sum[j] = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) col_sum[j] += (ws.c[i * n + j] = std::exp(s[i * n + j] - cmax[j]));
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) ws.c[i * n + j] /= col_sum[j];
  both_above(ws, threshold, out);
}

}  // namespace detail

template <lexalign::matrix M, class WAlloc>
void softmax_into(const M& similarity, const softmax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws, validation::entry_rule::finite, false);
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
