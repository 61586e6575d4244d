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
// 2ab/(a+b) of a = P_xy(i, j) and b = P_yx(i, j).  Arithmetic follows the
// input by default (softmax_options.precision): float32 for float matrices,
// as awesome-align's torch code computes, double otherwise; cells within
// rounding of the threshold may differ between the two.  One exponential
// per cell in the common case (see detail::softmax_links), three passes
// over the matrix.  See docs/extract/softmax.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SSE2__) || defined(__AVX__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"
#include "lexalign/ot/detail/simd.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

// The arithmetic of the softmax extraction.
enum class softmax_precision {
  as_input,  // float32 for matrices of float, double for everything else
  float64,   // double whatever the input (float input is widened)
  float32,   // float32 whatever the input (double input is rounded to float)
};

struct softmax_options {
  // awesome-align's softmax_threshold.
  double threshold = 1e-3;
  softmax_precision precision = softmax_precision::as_input;
};

inline void validate(const softmax_options& opt) {
  validation::require(opt.threshold >= 0 && opt.threshold < 1, "extract::softmax_options.threshold",
                      validation::format_value(opt.threshold), "in [0, 1)");
  const auto p = static_cast<int>(opt.precision);
  validation::require(p >= 0 && p <= 2, "extract::softmax_options.precision", std::to_string(p),
                      "as_input, float64 or float32");
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

#if LEXALIGN_HAVE_VECTOR_EXT
// The vector type of T's kernels.
template <class T>
using softmax_vec = std::conditional_t<std::is_same_v<T, float>, ot::detail::vf_t, ot::detail::vd_t>;

// Bit l set when a[l] > b[l] (one vector).
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
LEXALIGN_FORCE_INLINE unsigned greater_mask(const ot::detail::vf_t& a, const ot::detail::vf_t& b) {
#if defined(__AVX512F__) && LEXALIGN_VECTOR_BYTES == 64
  return _mm512_cmp_ps_mask(static_cast<__m512>(a), static_cast<__m512>(b), _CMP_GT_OQ);
#elif defined(__AVX__) && LEXALIGN_VECTOR_BYTES == 32
  return static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(static_cast<__m256>(a), static_cast<__m256>(b), _CMP_GT_OQ)));
#elif defined(__SSE2__) && LEXALIGN_VECTOR_BYTES == 16
  return static_cast<unsigned>(_mm_movemask_ps(_mm_cmpgt_ps(static_cast<__m128>(a), static_cast<__m128>(b))));
#else
  unsigned bits = 0;
  for (std::size_t l = 0; l < sizeof(a) / sizeof(float); ++l) bits |= static_cast<unsigned>(a[l] > b[l]) << l;
  return bits;
#endif
}

// y = exp(x) for x <= 0 (finite or -inf), as softmax needs it; x below
// -708.39 (float: -87.34) gives 0, no result is subnormal.
// double with AVX-512: a reduction by ln 2 / 16, the power 2^(j/16) from
// a table in two registers (vpermt2pd), a degree-7 Taylor polynomial,
// vscalef for the power of 2 and a mask for the zero; relative error below
// 2e-16 (measured on 16 million points of [-708.39, 0] against long
// double).  Portable double: ot::detail::vexp_reduced's reduction by ln 2
// and degree-12 polynomial, below 1e-15.
// float: the reduction by ln 2 and a degree-6 polynomial fitted to exp's
// relative error on |r| <= ln2 / 2 (fit error 1.8e-8; portable: the
// degree-7 Taylor polynomial of vexpf_reduced), relative error below 3e-7
// (2.5 float ulps).  With AVX-512 it rounds with vrndscale and scales with
// vscalef.  (The float version of the table scheme, 32 entries and degree
// 3, measured no faster: 0.96-1.07 in the in-process A/B.)
// tests/extract/test_softmax_entmax.cpp checks both against std::exp.
LEXALIGN_FORCE_INLINE void exp_nonpositive(ot::detail::vd_t& y, const ot::detail::vd_t& x) {
#if LEXALIGN_OT_MASKED_TAILS
  // exp(x) = 2^(k/16) e^r with k = round(16 x / ln 2), |r| <= ln 2 / 32:
  // 2^(k/16) = 2^floor(k/16) (vscalef) times 2^((k mod 16) / 16), one
  // vpermt2pd from a 16-entry table indexed by the low 4 bits of
  // 1.5 * 2^52 + k (the rounded product's own bits); e^r is the degree-7
  // Taylor polynomial (truncation |r|^8 / 8! < 1.2e-18).  13 multiply-add
  // pipe operations per vector instead of 19 for the degree-12 polynomial
  // on |r| <= ln 2 / 2.  k / 16 is exact, so is its product with ln 2's
  // 32-bit high part (|k| < 2^15).  x >= vexp_lowest > -1022 ln 2 keeps the
  // result normal.
  const __m512d xv = (__m512d)x;
  const __mmask8 keep = _mm512_cmp_pd_mask(xv, _mm512_set1_pd(ot::detail::vexp_lowest), _CMP_GE_OQ);
  const __m512d kd = _mm512_fmadd_pd(xv, _mm512_set1_pd(23.083120654223414), _mm512_set1_pd(0x1.8p52));
  const __m512d b = _mm512_fmsub_pd(kd, _mm512_set1_pd(1.0 / 16), _mm512_set1_pd(0x1.8p48));
  __m512d r = _mm512_fnmadd_pd(b, _mm512_set1_pd(0.6931471803691238), xv);
  r = _mm512_fnmadd_pd(b, _mm512_set1_pd(1.9082149292705877e-10), r);
  // e^r - 1 = r q(r), q = 1 + r / 2 + ... + r^6 / 7!.
  __m512d q = _mm512_fmadd_pd(_mm512_set1_pd(1.0 / 5040), r, _mm512_set1_pd(1.0 / 720));
  q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(1.0 / 120));
  q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(1.0 / 24));
  q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(1.0 / 6));
  q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(0.5));
  q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(1.0));
  // 2^(j / 16), j = 0..15, correctly rounded.
  const __m512d t_lo = _mm512_setr_pd(0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0, 0x1.2387a6e756238p+0,
                                      0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0);
  const __m512d t_hi = _mm512_setr_pd(0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
                                      0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0);
  const __m512d t = _mm512_permutex2var_pd(t_lo, _mm512_castpd_si512(kd), t_hi);
  // t e^r = t + (t r) q: one rounding after the table's.
  y = (ot::detail::vd_t)_mm512_maskz_scalef_pd(keep, _mm512_fmadd_pd(_mm512_mul_pd(t, r), q, t), b);
#else
  const ot::detail::vd_t lo = ot::detail::vd_t{} + ot::detail::vexp_lowest;
  y = ot::detail::vexp_reduced(x < lo ? lo : x);
  y = x < lo ? ot::detail::vd_t{} : y;
#endif
}
LEXALIGN_FORCE_INLINE void exp_nonpositive(ot::detail::vf_t& y, const ot::detail::vf_t& x) {
#if LEXALIGN_OT_MASKED_TAILS
  const __m512 xv = (__m512)x;
  const __mmask16 keep = _mm512_cmp_ps_mask(xv, _mm512_set1_ps(ot::detail::vexpf_lowest), _CMP_GE_OQ);
  const __m512 k = _mm512_maskz_roundscale_ps(0xffff, _mm512_mul_ps(xv, _mm512_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT);
  __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145752f), xv);
  r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.42860677e-6f), r);
  __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(0.0013829421950504184f), r, _mm512_set1_ps(0.008374771103262901f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.0416683591902256f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.1666642129421234f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.49999991059303284f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  y = (ot::detail::vf_t)_mm512_maskz_scalef_ps(keep, p, k);
#else
  const ot::detail::vf_t lo = ot::detail::vf_t{} + ot::detail::vexpf_lowest;
  y = ot::detail::vexpf_reduced(x < lo ? lo : x);
  y = x < lo ? ot::detail::vf_t{} : y;
#endif
}
#endif

// Writes j + l for every bit l of `bits` (in increasing l) to out[0..16)
// and returns how many: branch-free with AVX-512 (a register compress and
// a full store: `out` needs 16 slots of room).
LEXALIGN_FORCE_INLINE std::size_t compress_columns(unsigned bits, std::size_t j, std::uint32_t* out) noexcept {
#if LEXALIGN_OT_MASKED_TAILS
  const __m512i idx = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                       _mm512_set1_epi32(static_cast<int>(j)));
  _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(static_cast<__mmask16>(bits), idx));
  return static_cast<std::size_t>(__builtin_popcount(bits));
#else
  std::size_t count = 0;
  while (bits) {
    out[count++] = static_cast<std::uint32_t>(j + static_cast<std::size_t>(__builtin_ctz(bits)));
    bits &= bits - 1;
  }
  return count;
#endif
}

// The largest of x[0..count); false when some entry is not finite.  One
// pass (four max chains, and x * 0 summed: 0 exactly when all are finite).
template <class T>
bool max_checked(const T* x, std::size_t count, T& out) noexcept {
  T mx = x[0], bad = 0;
  std::size_t k = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = softmax_vec<T>;
  constexpr std::size_t W = sizeof(vd) / sizeof(T);
  if (count >= 4 * W) {
    vd m0 = ot::detail::vload(x), m1 = m0, m2 = m0, m3 = m0, b0{}, b1{};
    for (; k + 4 * W <= count; k += 4 * W) {
      const vd x0 = ot::detail::vload(x + k), x1 = ot::detail::vload(x + k + W);
      const vd x2 = ot::detail::vload(x + k + 2 * W), x3 = ot::detail::vload(x + k + 3 * W);
      m0 = x0 > m0 ? x0 : m0;
      m1 = x1 > m1 ? x1 : m1;
      m2 = x2 > m2 ? x2 : m2;
      m3 = x3 > m3 ? x3 : m3;
      b0 += x0 * T(0) + x1 * T(0);
      b1 += x2 * T(0) + x3 * T(0);
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
    bad += x[k] * T(0);
  }
  out = mx;
  return bad == 0;
}

#if LEXALIGN_HAVE_VECTOR_EXT
// y = exp(x[0..W) - g), stored to e[0..W) (vg = g in every lane).
template <class T, class V>
LEXALIGN_FORCE_INLINE void exp_store(V& y, const T* x, const V& vg, T* e) noexcept {
  const V z = ot::detail::vload(x) - vg;
  exp_nonpositive(y, z);
  ot::detail::vstore(e, y);
}

// The same for the last left < W entries: the padding lanes of y are 0
// (exp(-inf)), so y can be added to sums whole.
template <class T, class V>
LEXALIGN_FORCE_INLINE void exp_store_tail(V& y, const T* x, const V& vg, T* e, std::size_t left) noexcept {
  V z;
  ot::detail::vload_tail(z, x, left, -std::numeric_limits<T>::infinity());
  z = z - vg;
  exp_nonpositive(y, z);
  ot::detail::vstore_tail(e, left, y);
}

// col[0..left) += y (the rest of y is padding).
template <class T, class V>
LEXALIGN_FORCE_INLINE void add_tail(T* col, const V& y, std::size_t left) noexcept {
  V c;
  ot::detail::vload_tail(c, col, left, T(0));
  c += y;
  ot::detail::vstore_tail(col, left, c);
}
#endif

// e[0..n) = exp(x[0..n) - g) (our vectorised exp, see exp_nonpositive),
// col[j] += e[j]; returns the sum of e.
template <class T>
LEXALIGN_FORCE_INLINE T exp_row(const T* x, T g, T* e, T* col, std::size_t n) noexcept {
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = softmax_vec<T>;
  constexpr std::size_t W = sizeof(vd) / sizeof(T);
  const vd vg = vd{} + g;
  vd s0{}, s1{}, y0, y1;
  std::size_t j = 0;
  for (; j + 2 * W <= n; j += 2 * W) {  // two independent exps per step
    exp_store(y0, x + j, vg, e + j);
    exp_store(y1, x + j + W, vg, e + j + W);
    ot::detail::vstore(col + j, ot::detail::vload(col + j) + y0);
    ot::detail::vstore(col + j + W, ot::detail::vload(col + j + W) + y1);
    s0 += y0;
    s1 += y1;
  }
  if (j + W <= n) {
    exp_store(y0, x + j, vg, e + j);
    ot::detail::vstore(col + j, ot::detail::vload(col + j) + y0);
    s0 += y0;
    j += W;
  }
  if (j < n) {
    exp_store_tail(y1, x + j, vg, e + j, n - j);
    add_tail(col + j, y1, n - j);
    s1 += y1;
  }
  const vd s = s0 + s1;
  return ot::detail::hsum(s);
#else
  T s = 0;
  for (std::size_t j = 0; j < n; ++j) {
    e[j] = std::exp(x[j] - g);
    col[j] += e[j];
    s += e[j];
  }
  return s;
#endif
}

#if LEXALIGN_HAVE_VECTOR_EXT
// exp_row for the two rows x[0..n) and x[n..2n) at once: one read and
// write of each column sum per two rows, and two independent exps per
// step; ra, rb = the rows' sums.
template <class T>
LEXALIGN_FORCE_INLINE void exp_rows2(const T* x, T g, T* e, T* col, std::size_t n, T& ra, T& rb) noexcept {
  using vd = softmax_vec<T>;
  constexpr std::size_t W = sizeof(vd) / sizeof(T);
  const vd vg = vd{} + g;
  vd sa{}, sb{}, ya, yb;
  std::size_t j = 0;
  for (; j + W <= n; j += W) {
    exp_store(ya, x + j, vg, e + j);
    exp_store(yb, x + n + j, vg, e + n + j);
    ot::detail::vstore(col + j, ot::detail::vload(col + j) + (ya + yb));
    sa += ya;
    sb += yb;
  }
  if (j < n) {
    exp_store_tail(ya, x + j, vg, e + j, n - j);
    exp_store_tail(yb, x + n + j, vg, e + n + j, n - j);
    add_tail(col + j, ya + yb, n - j);
    sa += ya;
    sb += yb;
  }
  ra = ot::detail::hsum(sa);
  rb = ot::detail::hsum(sb);
}
#endif

// The two-exponential softmax of ws.src: each row and each column
// normalised with its own maximum (double).
template <class WAlloc>
void softmax_links_two_exp(workspace<WAlloc>& ws, double threshold, extract_result& out) {
  const std::size_t m = ws.rows, n = ws.cols, mn = m * n;
  const double* s = ws.src;
  ws.a.resize(m);
  ws.d.resize(n);
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

// Softmax links of the dense row-major m x n matrix `s` of T (entries not
// yet checked: the first pass checks them).  With M = max S, E = exp(S - M)
// is computed once, in T; the row probabilities are E / rowsum(E) and the
// column ones E / colsum(E) (exp(a + b) = exp(a) exp(b), exact up to
// rounding).  Passes: M (with the check), E with its row and column sums,
// the thresholds.  That is exact when every row and column sum is at least
// `min_sum` (1e-200 for double, 1e-20 for float: no sum lost precision, and
// the cells set to 0, S - M below -708.39 or -87.34, have probabilities
// below 1e-107 or 1.2e-18, under any threshold >= `min_threshold`, 1e-30 or
// 1e-15); otherwise (or for a smaller threshold) the two-exponential path
// runs in double.  Scores are computed in double from the T values.
template <class T, class WAlloc>
void softmax_links(workspace<WAlloc>& ws, const T* s, double threshold, extract_result& out) {
  constexpr bool is_float = std::is_same_v<T, float>;
  constexpr double min_sum = is_float ? 1e-20 : 1e-200, min_threshold = is_float ? 1e-15 : 1e-30;
  const std::size_t m = ws.rows, n = ws.cols, mn = m * n;
  auto bad_entry = [&] {
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j)
        validation::check_entry("similarity", i, j, static_cast<double>(s[i * n + j]), validation::entry_rule::finite);
  };
  T g = 0;
  if (!max_checked(s, mn, g)) {
    bad_entry();
    throw invalid_argument("similarity has a non-finite entry");
  }
  out.clear();
  auto& rsv = [&]() -> auto& { if constexpr (is_float) return ws.fa; else return ws.a; }();
  auto& ev = [&]() -> auto& { if constexpr (is_float) return ws.fb; else return ws.b; }();
  auto& ctv = [&]() -> auto& { if constexpr (is_float) return ws.fc; else return ws.c; }();
  auto& csv = [&]() -> auto& { if constexpr (is_float) return ws.fd; else return ws.d; }();
  if (threshold >= min_threshold) {
    rsv.resize(m);     // row sums
    csv.assign(n, 0);  // column sums
    ctv.resize(n);     // column thresholds
    ev.resize(mn);
    T* rs = rsv.data();
    T* cs = csv.data();
    T* e = ev.data();
    {
      std::size_t i = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
      for (; i + 2 <= m; i += 2) exp_rows2(s + i * n, g, e + i * n, cs, n, rs[i], rs[i + 1]);
#endif
      for (; i < m; ++i) rs[i] = exp_row(s + i * n, g, e + i * n, cs, n);
    }
    T low = rs[0];
    for (std::size_t i = 1; i < m; ++i) low = rs[i] < low ? rs[i] : low;
    for (std::size_t j = 0; j < n; ++j) low = cs[j] < low ? cs[j] : low;
    if (static_cast<double>(low) >= min_sum) {
      const T t = static_cast<T>(threshold);
      T* ct = ctv.data();
      for (std::size_t j = 0; j < n; ++j) ct[j] = t * cs[j];
      // Pass 3: every row's link columns, collected branch-free into
      // ws.positions (16 slots of slack) with the rows' starts in
      // ws.index_a; then the output is sized once and filled (the second
      // half of ws.positions is the output loop's scratch).
      ws.positions.resize(2 * (mn + 16));
      ws.index_a.resize(m + 1);
      std::uint32_t* cand = ws.positions.data();
      std::ptrdiff_t* start = ws.index_a.data();
      std::size_t count = 0;
      for (std::size_t i = 0; i < m; ++i) {
        start[i] = static_cast<std::ptrdiff_t>(count);
        const T* row = e + i * n;
        const T tr = t * rs[i];
        std::size_t j = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
        using vd = softmax_vec<T>;
        constexpr std::size_t W = sizeof(vd) / sizeof(T);
        const vd vtr = vd{} + tr;
#if LEXALIGN_OT_MASKED_TAILS
        if constexpr (W == 8) {  // double: two vectors' masks per 16-lane compress and store
          for (; j + 2 * W <= n; j += 2 * W) {
            const vd c0 = ot::detail::vload(ct + j), x0 = ot::detail::vload(row + j), lim0 = c0 > vtr ? c0 : vtr;
            const vd c1 = ot::detail::vload(ct + j + W), x1 = ot::detail::vload(row + j + W);
            const vd lim1 = c1 > vtr ? c1 : vtr;
            count += compress_columns(greater_mask(x0, lim0) | greater_mask(x1, lim1) << W, j, cand + count);
          }
        }
#endif
        for (; j + W <= n; j += W) {
          const vd c = ot::detail::vload(ct + j), x = ot::detail::vload(row + j), lim = c > vtr ? c : vtr;
          count += compress_columns(greater_mask(x, lim), j, cand + count);
        }
        if (j < n && threshold > 0) {  // padding: x = 0 is not above lim >= tr > 0
          vd c, x;
          ot::detail::vload_tail(c, ct + j, n - j, T(0));
          ot::detail::vload_tail(x, row + j, n - j, T(0));
          const vd lim = c > vtr ? c : vtr;
          count += compress_columns(greater_mask(x, lim), j, cand + count);
          j = n;
        }
#endif
        for (; j < n; ++j)
          if (row[j] > tr && row[j] > ct[j]) cand[count++] = static_cast<std::uint32_t>(j);
      }
      start[m] = static_cast<std::ptrdiff_t>(count);
      out.alignment.sure.resize(count);
      out.scores.resize(count);
      link* lk = out.alignment.sure.data();
      double* sc = out.scores.data();
      // One loop over the links, not a loop over rows with a loop over each
      // row's links: the rows' link counts (0 to about 10, at random)
      // mispredict the inner loop's exit about once a row.  The row of link q
      // is the number of rows after the first that start at or before q:
      // new_rows[q] counts those starting at q, summed as the loop goes.
      std::uint32_t* new_rows = cand + mn + 16;
      for (std::size_t q = 0; q < count; ++q) new_rows[q] = 0;
      for (std::size_t i = 1; i < m; ++i)
        if (static_cast<std::size_t>(start[i]) < count) ++new_rows[start[i]];
      std::uint32_t row = 0;
      for (std::size_t q = 0; q < count; ++q) {
        // The harmonic mean of a = x / rs and b = x / cs is 2x / (rs + cs).
        row += new_rows[q];
        const std::uint32_t jj = cand[q];
        lk[q] = {row, jj};
        sc[q] = 2 * static_cast<double>(e[row * n + jj]) / (static_cast<double>(rs[row]) + static_cast<double>(cs[jj]));
      }
      return;
    }
  }
  if constexpr (is_float) {  // the two-exponential path runs in double
    ws.sim.resize(mn);
    for (std::size_t k = 0; k < mn; ++k) ws.sim[k] = static_cast<double>(s[k]);
    ws.src = ws.sim.data();
  }
  softmax_links_two_exp(ws, threshold, out);
}

// Points ws.fsrc at `m` as a dense row-major float matrix: the caller's
// memory when it is one, else a copy (rounded to float) in ws.fsim.
template <lexalign::matrix M, class WAlloc>
void load_matrix_float(const M& m, std::string_view name, workspace<WAlloc>& ws) {
  if (!has_rank_two(m)) throw invalid_argument(std::string(name) + " must be a 2-D array");
  const std::size_t r = rows(m), c = cols(m);
  validation::check_not_empty(name, r, c);
  ws.rows = r;
  ws.cols = c;
  if constexpr (has_matrix_memory<const M> && std::is_same_v<matrix_value_t<M>, float>) {
    const auto v = as_matrix_view(m);
    if (v.col_stride() == 1 && v.row_stride() == static_cast<std::ptrdiff_t>(c)) {
      ws.fsrc = v.data();
      return;
    }
  }
  ws.fsim.resize(r * c);
  for (std::size_t i = 0; i < r; ++i) {
    float* out = ws.fsim.data() + i * c;
    if constexpr (has_matrix_memory<const M>) {
      const auto v = as_matrix_view(m);
      for (std::size_t j = 0; j < c; ++j) out[j] = static_cast<float>(v(i, j));
    } else {
      for (std::size_t j = 0; j < c; ++j) out[j] = static_cast<float>(at(m, i, j));
    }
  }
  ws.fsrc = ws.fsim.data();
}

}  // namespace detail

template <lexalign::matrix M, class WAlloc>
void softmax_into(const M& similarity, const softmax_options& opt, workspace<WAlloc>& ws, extract_result& out) {
  validate(opt);
  const bool float32 = opt.precision == softmax_precision::float32 ||
                       (opt.precision == softmax_precision::as_input && std::is_same_v<matrix_value_t<M>, float>);
  if (float32) {
    detail::load_matrix_float(similarity, "similarity", ws);
    detail::softmax_links(ws, ws.fsrc, opt.threshold, out);
  } else {
    detail::load_matrix(similarity, "similarity", ws, validation::entry_rule::finite, false);
    detail::softmax_links(ws, ws.src, opt.threshold, out);
  }
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
