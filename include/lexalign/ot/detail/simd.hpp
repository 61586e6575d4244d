// lexalign/ot/detail/simd.hpp - the few vector kernels the entropic OT
// solvers need: dot, axpy, max, and a fused "exp and sum" with our own
// polynomial exp.
//
// Written with GCC/Clang generic vector types as wide as the registers the
// *consumer's* flags enable (16 bytes for plain x86-64, 32 with AVX, 64 with
// AVX-512); nothing here needs -march.  Every kernel works on whole vectors;
// the tail is padded (zeros for sums, -inf for exps).
//
// exp: Cody-Waite reduction by ln 2, Taylor polynomial of degree 12 (double,
// ~2 ulp) or 7 (float, ~2 ulp) on [-ln2/2, ln2/2]; results below the smallest
// normal flush to 0 (x < -708.39 for double, x < -87.33 for float), x > 709
// (double) or x > 88 (float) gives +inf, NaN propagates.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "lexalign/config.hpp"

#if LEXALIGN_HAVE_VECTOR_EXT && defined(__AVX512F__) && LEXALIGN_VECTOR_BYTES == 64
#include <immintrin.h>
#define LEXALIGN_OT_MASKED_TAILS 1  // tails with AVX-512 masked loads and stores
#else
#define LEXALIGN_OT_MASKED_TAILS 0
#endif

// The switches live in config.hpp (LEXALIGN_HAVE_VECTOR_EXT,
// LEXALIGN_VECTOR_BYTES, LEXALIGN_FORCE_INLINE), overridable there.


LEXALIGN_NAMESPACE_BEGIN
namespace ot::detail {

#if LEXALIGN_HAVE_VECTOR_EXT

// The widest registers the consumer's flags enable: wider generic vectors
// than the hardware registers compile to poor code (GCC 12 scalarises the
// selects).  Sums therefore depend on the ISA the code is compiled for (not
// on the thread count).
typedef double vd_t __attribute__((vector_size(LEXALIGN_VECTOR_BYTES)));
typedef float vf_t __attribute__((vector_size(LEXALIGN_VECTOR_BYTES)));
typedef std::int64_t vi64_t __attribute__((vector_size(LEXALIGN_VECTOR_BYTES)));
typedef std::int32_t vi32_t __attribute__((vector_size(LEXALIGN_VECTOR_BYTES)));
// Unaligned, aliasing views of memory as vectors (loads and stores).
typedef double vdu_t __attribute__((vector_size(LEXALIGN_VECTOR_BYTES), aligned(alignof(double)), may_alias));
typedef float vfu_t __attribute__((vector_size(LEXALIGN_VECTOR_BYTES), aligned(alignof(float)), may_alias));

#if LEXALIGN_OT_MASKED_TAILS
// AVX-512: the first n < width lanes (masked loads never touch the others),
// and the pairwise horizontal sum in register (the same order as the
// portable hsum, so the same bits).
LEXALIGN_FORCE_INLINE void masked_load(vd_t& out, const double* p, std::size_t n, double fill) {
  out = (vd_t)_mm512_mask_loadu_pd(_mm512_set1_pd(fill), static_cast<__mmask8>((1u << n) - 1), p);
}
LEXALIGN_FORCE_INLINE void masked_load(vf_t& out, const float* p, std::size_t n, float fill) {
  out = (vf_t)_mm512_mask_loadu_ps(_mm512_set1_ps(fill), static_cast<__mmask16>((1u << n) - 1), p);
}
LEXALIGN_FORCE_INLINE void masked_store(double* p, std::size_t n, const vd_t& v) {
  _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << n) - 1), (__m512d)v);
}
LEXALIGN_FORCE_INLINE void masked_store(float* p, std::size_t n, const vf_t& v) {
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
}
#if LEXALIGN_HAS_SHUFFLEVECTOR
// Halves by shuffles, in register (a memcpy split compiles to a 64-byte
// spill and two 32-byte reloads, which stall on store forwarding; the
// extract intrinsics trip GCC 12's -Wuninitialized on their undefined
// pass-through operand).
LEXALIGN_FORCE_INLINE double hsum_tree(const vd_t& v) {
  typedef double v4d __attribute__((vector_size(32)));
  typedef double v2d __attribute__((vector_size(16)));
  const v4d h = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
  const v2d q = __builtin_shufflevector(h, h, 0, 1) + __builtin_shufflevector(h, h, 2, 3);
  return q[0] + q[1];
}
LEXALIGN_FORCE_INLINE float hsum_tree(const vf_t& v) {
  typedef float v8f __attribute__((vector_size(32)));
  typedef float v4f __attribute__((vector_size(16)));
  const v8f h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  const v4f q = __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
  const v4f t = q + __builtin_shufflevector(q, q, 2, 3, 2, 3);  // (q0 + q2, q1 + q3, ...)
  return t[0] + t[1];
}
#else
LEXALIGN_FORCE_INLINE double hsum_tree(const vd_t& v) {
  typedef double v4d __attribute__((vector_size(32)));
  typedef double v2d __attribute__((vector_size(16)));
  v4d lo, hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  const v4d h = lo + hi;
  v2d a, b;
  std::memcpy(&a, &h, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&h) + sizeof a, sizeof b);
  const v2d q = a + b;
  return q[0] + q[1];
}
LEXALIGN_FORCE_INLINE float hsum_tree(const vf_t& v) {
  typedef float v8f __attribute__((vector_size(32)));
  typedef float v4f __attribute__((vector_size(16)));
  v8f lo, hi;
  std::memcpy(&lo, &v, sizeof lo);
  std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
  const v8f h = lo + hi;
  v4f a, b;
  std::memcpy(&a, &h, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&h) + sizeof a, sizeof b);
  const v4f q = a + b;
  return (q[0] + q[2]) + (q[1] + q[3]);
}
#endif
#else
// Never called (the tails and sums above take the portable branch).
template <class V, class T>
void masked_load(V&, const T*, std::size_t, T) {}
template <class V, class T>
void masked_store(T*, std::size_t, const V&) {}
template <class V>
auto hsum_tree(const V& v) { return v[0]; }
#endif

// No function here takes or returns a vector by value: with 64-byte vectors
// that would change the calling convention depending on -march, and GCC warns
// (-Wpsabi) in every consumer.  Vectors go by reference; everything inlines.
#define LEXALIGN_OT_VEC_HELPERS(T, V, VU)                                                              \
  LEXALIGN_FORCE_INLINE const VU& vload(const T* p) { return *reinterpret_cast<const VU*>(p); }         \
  LEXALIGN_FORCE_INLINE void vstore(T* p, const V& v) { *reinterpret_cast<VU*>(p) = v; }                \
  /* Loads the n < width remaining elements, filling the rest with `fill`. */                          \
  LEXALIGN_FORCE_INLINE void vload_tail(V& out, const T* p, std::size_t n, T fill) {                      \
    if constexpr (LEXALIGN_OT_MASKED_TAILS) {                                                          \
      masked_load(out, p, n, fill);                                                                    \
    } else {                                                                                           \
      T buf[sizeof(V) / sizeof(T)];                                                                    \
      for (std::size_t k = 0; k < sizeof(V) / sizeof(T); ++k) buf[k] = k < n ? p[k] : fill;            \
      out = vload(buf);                                                                                \
    }                                                                                                  \
  }                                                                                                    \
  LEXALIGN_FORCE_INLINE void vstore_tail(T* p, std::size_t n, const V& v) {                               \
    if constexpr (LEXALIGN_OT_MASKED_TAILS) {                                                          \
      masked_store(p, n, v);                                                                           \
    } else {                                                                                           \
      T buf[sizeof(V) / sizeof(T)];                                                                    \
      vstore(buf, v);                                                                                  \
      for (std::size_t k = 0; k < n; ++k) p[k] = buf[k];                                               \
    }                                                                                                  \
  }                                                                                                    \
  /* pairwise, fixed order: lane k + lane k + W/2, then k + W/4, ... */                                \
  LEXALIGN_FORCE_INLINE T hsum(const V& v) {                                                              \
    if constexpr (LEXALIGN_OT_MASKED_TAILS) {                                                          \
      return hsum_tree(v);                                                                             \
    } else {                                                                                           \
      T buf[sizeof(V) / sizeof(T)];                                                                    \
      vstore(buf, v);                                                                                  \
      for (std::size_t w = sizeof(V) / sizeof(T) / 2; w > 0; w /= 2)                                   \
        for (std::size_t k = 0; k < w; ++k) buf[k] += buf[k + w];                                      \
      return buf[0];                                                                                   \
    }                                                                                                  \
  }                                                                                                    \
  LEXALIGN_FORCE_INLINE T hmax(const V& v) {                                                              \
    T buf[sizeof(V) / sizeof(T)];                                                                      \
    vstore(buf, v);                                                                                    \
    T m = buf[0];                                                                                      \
    for (std::size_t k = 1; k < sizeof(V) / sizeof(T); ++k) m = buf[k] > m ? buf[k] : m;               \
    return m;                                                                                          \
  }                                                                                                    \
  static_assert(true, "")

LEXALIGN_OT_VEC_HELPERS(double, vd_t, vdu_t);
LEXALIGN_OT_VEC_HELPERS(float, vf_t, vfu_t);
#undef LEXALIGN_OT_VEC_HELPERS

// The smallest argument whose exp is a normal double; below it exp gives 0.
inline constexpr double vexp_lowest = -708.3964185322641;

// The degree-12 Taylor polynomial of exp on |r| <= ln2 / 2 (truncation
// |r|^13 / 13! < 1.7e-16), coefficients 1/k!, evaluated by Estrin's scheme
// (short dependency chains: the loops are throughput-bound, not
// latency-bound).
LEXALIGN_FORCE_INLINE vd_t vexp_poly(const vd_t& r) {
  const vd_t r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const vd_t p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6.0), p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
  const vd_t p67 = 1.0 / 720.0 + r * (1.0 / 5040.0), p89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
  const vd_t p1011 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
  const vd_t q0 = p01 + p23 * r2, q1 = p45 + p67 * r2, q2 = p89 + p1011 * r2;
  const vd_t e0 = q0 + q1 * r4, e1 = q2 + r4 * (1.0 / 479001600.0);
  return e0 + e1 * r8;
}

// exp(xc) for xc already in [vexp_lowest, 709]: Cody-Waite reduction by ln 2
// and a degree-12 Taylor polynomial on |r| <= ln2 / 2 (truncation
// |r|^13 / 13! < 1.7e-16).  The callers add the selects their range needs.
LEXALIGN_FORCE_INLINE vd_t vexp_reduced(const vd_t& xc) {
  const vd_t magic = vd_t{} + 6755399441055744.0;  // 1.5 * 2^52
  const vd_t t = xc * 1.4426950408889634 + magic;
  const vd_t k = t - magic;
  vd_t r = xc - k * 0.6931471803691238;  // ln2 high part
  r = r - k * 1.9082149292705877e-10;    // ln2 low part
  const vd_t p = vexp_poly(r);
  vi64_t ki;
  std::memcpy(&ki, &t, sizeof ki);
  vi64_t mi;
  std::memcpy(&mi, &magic, sizeof mi);
  ki = ki - mi;
  const vi64_t bits = (ki + 1023) << 52;  // k in [-1022, 1023]: a normal power of 2
  vd_t s1;
  std::memcpy(&s1, &bits, sizeof s1);
  return p * s1;
}

// y = exp(x)
LEXALIGN_FORCE_INLINE void vexp(vd_t& y, const vd_t& x) {
  const vd_t lo = vd_t{} + vexp_lowest, hi = vd_t{} + 709.0;
  y = vexp_reduced(x < lo ? lo : (x > hi ? hi : x));
  y = x < lo ? vd_t{} : y;
  y = x > hi ? vd_t{} + std::numeric_limits<double>::infinity() : y;
  y = x != x ? x : y;
}

// The smallest argument whose exp is a normal float; below it exp gives 0.
inline constexpr float vexpf_lowest = -87.33654f;

// exp(xc) for xc already in [vexpf_lowest, 88]: Cody-Waite reduction by ln 2
// and a degree-7 Taylor polynomial on |r| <= ln2 / 2 (truncation
// |r|^8 / 8! < 5.3e-9, under float rounding).  The callers add the selects
// their range needs.
LEXALIGN_FORCE_INLINE vf_t vexpf_reduced(const vf_t& xc) {
  const vf_t magic = vf_t{} + 12582912.0f;  // 1.5 * 2^23
  const vf_t t = xc * 1.44269504f + magic;
  const vf_t k = t - magic;
  vf_t r = xc - k * 0.693145752f;
  r = r - k * 1.42860677e-6f;
  const vf_t r2 = r * r, r4 = r2 * r2;
  const vf_t p01 = 1.0f + r, p23 = 0.5f + r * (1.0f / 6.0f), p45 = 1.0f / 24.0f + r * (1.0f / 120.0f);
  const vf_t p67 = 1.0f / 720.0f + r * (1.0f / 5040.0f);
  const vf_t p = (p01 + p23 * r2) + (p45 + p67 * r2) * r4;
  vi32_t ki;
  std::memcpy(&ki, &t, sizeof ki);
  vi32_t mi;
  std::memcpy(&mi, &magic, sizeof mi);
  ki = ki - mi;
  const vi32_t bits = (ki + 127) << 23;  // k in [-126, 127]
  vf_t s1;
  std::memcpy(&s1, &bits, sizeof s1);
  return p * s1;
}

LEXALIGN_FORCE_INLINE void vexp(vf_t& y, const vf_t& x) {
  const vf_t lo = vf_t{} + vexpf_lowest, hi = vf_t{} + 88.0f;
  y = vexpf_reduced(x < lo ? lo : (x > hi ? hi : x));
  y = x < lo ? vf_t{} : y;
  y = x > hi ? vf_t{} + std::numeric_limits<float>::infinity() : y;
  y = x != x ? x : y;
}

// The kernels, once per element type.
#define LEXALIGN_OT_KERNELS(T, V)                                                                    \
  /* sum_j a[j] * b[j] */                                                                            \
  inline T dot(const T* a, const T* b, std::size_t n) {                                              \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    V s0{}, s1{}, s2{}, s3{};                                                                        \
    std::size_t j = 0;                                                                               \
    for (; j + 4 * W <= n; j += 4 * W) {                                                             \
      s0 += vload(a + j) * vload(b + j);                                                             \
      s1 += vload(a + j + W) * vload(b + j + W);                                                     \
      s2 += vload(a + j + 2 * W) * vload(b + j + 2 * W);                                             \
      s3 += vload(a + j + 3 * W) * vload(b + j + 3 * W);                                             \
    }                                                                                                \
    for (; j + W <= n; j += W) s0 += vload(a + j) * vload(b + j);                                    \
    if (j < n) {                                                                                     \
      V x, y;                                                                                        \
      vload_tail(x, a + j, n - j, T(0));                                                             \
      vload_tail(y, b + j, n - j, T(0));                                                             \
      s1 += x * y;                                                                                   \
    }                                                                                                \
    const V s = (s0 + s1) + (s2 + s3);                                                               \
    return hsum(s);                                                                                  \
  }                                                                                                  \
  /* y[j] += alpha * x[j] */                                                                         \
  inline void axpy(T alpha, const T* x, T* y, std::size_t n) {                                       \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    const V al = V{} + alpha;                                                                        \
    std::size_t j = 0;                                                                               \
    for (; j + W <= n; j += W) {                                                                     \
      const V r = vload(y + j) + al * vload(x + j);                                                  \
      vstore(y + j, r);                                                                              \
    }                                                                                                \
    for (; j < n; ++j) y[j] += alpha * x[j];                                                         \
  }                                                                                                  \
  /* y[j] += alpha * x[j] while returning sum_j x2[j] * v[j]: the next row's dot */                  \
  /* product streams from memory during this row's update (software pipelining) */                  \
  inline T axpy_dot(T alpha, const T* x, T* y, const T* x2, const T* v, std::size_t n) {             \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    const V al = V{} + alpha;                                                                        \
    V s0{}, s1{};                                                                                    \
    std::size_t j = 0;                                                                               \
    for (; j + 2 * W <= n; j += 2 * W) {                                                             \
      const V r0 = vload(y + j) + al * vload(x + j);                                                 \
      const V r1 = vload(y + j + W) + al * vload(x + j + W);                                         \
      vstore(y + j, r0);                                                                             \
      vstore(y + j + W, r1);                                                                         \
      s0 += vload(x2 + j) * vload(v + j);                                                            \
      s1 += vload(x2 + j + W) * vload(v + j + W);                                                    \
    }                                                                                                \
    T tail = 0;                                                                                      \
    for (; j < n; ++j) {                                                                             \
      y[j] += alpha * x[j];                                                                          \
      tail += x2[j] * v[j];                                                                          \
    }                                                                                                \
    const V s = s0 + s1;                                                                             \
    return hsum(s) + tail;                                                                           \
  }                                                                                                  \
  /* For l < L (rows of y and v, stride n): y_l += alpha[l] x, out[l] = <x2, v_l>; the rows x and  */ \
  /* x2 are read once per group of up to 4 histograms (x2 may be null: no dot products). */         \
  inline void axpy_dot_multi(std::size_t L, const T* alpha, const T* x, T* y, const T* x2, const T* v, \
                             T* out, std::size_t n) {                                                \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    for (std::size_t l0 = 0; l0 < L; l0 += 4) {                                                      \
      const std::size_t G = L - l0 < 4 ? L - l0 : 4;                                                 \
      V al[4], acc[4];                                                                               \
      T tail[4] = {0, 0, 0, 0};                                                                      \
      for (std::size_t g = 0; g < 4; ++g) {                                                          \
        al[g] = V{} + (g < G ? alpha[l0 + g] : T(0));                                                \
        acc[g] = V{};                                                                                \
      }                                                                                              \
      T* y0 = y + l0 * n;                                                                            \
      const T* v0 = v + l0 * n;                                                                      \
      std::size_t j = 0;                                                                             \
      for (; j + W <= n; j += W) {                                                                   \
        const V xv = vload(x + j);                                                                   \
        const V x2v = x2 ? vload(x2 + j) : V{};                                                      \
        for (std::size_t g = 0; g < G; ++g) {                                                        \
          const V r = vload(y0 + g * n + j) + al[g] * xv;                                            \
          vstore(y0 + g * n + j, r);                                                                 \
          if (x2) acc[g] += x2v * vload(v0 + g * n + j);                                             \
        }                                                                                            \
      }                                                                                              \
      for (; j < n; ++j)                                                                             \
        for (std::size_t g = 0; g < G; ++g) {                                                        \
          y0[g * n + j] += alpha[l0 + g] * x[j];                                                     \
          if (x2) tail[g] += x2[j] * v0[g * n + j];                                                  \
        }                                                                                            \
      if (x2)                                                                                        \
        for (std::size_t g = 0; g < G; ++g) out[l0 + g] = hsum(acc[g]) + tail[g];                    \
    }                                                                                                \
  }                                                                                                  \
  /* R rows x[r] (pointers): y_l += sum_r alpha[l R + r] x[r] for l < L (rows of y, stride n); if  */ \
  /* Dots, also out[l R + r] = <x2[r], v_l> for the next R rows: each y_l / v_l chunk is loaded once */ \
  /* for R rows, and the next rows stream from memory during this update. */                         \
  template <std::size_t R, std::size_t L, bool Dots>                                                 \
  inline void rows_update(const T* alpha, const T* const* x, T* y, const T* const* x2, const T* v,   \
                          T* out, std::size_t n) {                                                   \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    /* local copies: the vector stores may alias anything, the locals cannot be reloaded */          \
    const T* xr[R];                                                                                  \
    const T* x2r[R];                                                                                 \
    for (std::size_t r = 0; r < R; ++r) {                                                            \
      xr[r] = x[r];                                                                                  \
      x2r[r] = Dots ? x2[r] : nullptr;                                                               \
    }                                                                                                \
    V al[L][R], acc[L][R];                                                                           \
    for (std::size_t l = 0; l < L; ++l)                                                              \
      for (std::size_t r = 0; r < R; ++r) {                                                          \
        al[l][r] = V{} + alpha[l * R + r];                                                           \
        acc[l][r] = V{};                                                                             \
      }                                                                                              \
    std::size_t j = 0;                                                                               \
    for (; j + W <= n; j += W) {                                                                     \
      V xv[R], x2v[R];                                                                               \
      for (std::size_t r = 0; r < R; ++r) {                                                          \
        xv[r] = vload(xr[r] + j);                                                                    \
        if constexpr (Dots) x2v[r] = vload(x2r[r] + j);                                              \
      }                                                                                              \
      for (std::size_t l = 0; l < L; ++l) {                                                          \
        V yv = vload(y + l * n + j);                                                                 \
        for (std::size_t r = 0; r < R; ++r) yv += al[l][r] * xv[r];                                  \
        vstore(y + l * n + j, yv);                                                                   \
        if constexpr (Dots) {                                                                        \
          const V vv = vload(v + l * n + j);                                                         \
          for (std::size_t r = 0; r < R; ++r) acc[l][r] += x2v[r] * vv;                              \
        }                                                                                            \
      }                                                                                              \
    }                                                                                                \
    T tail[L][R] = {};                                                                               \
    for (; j < n; ++j)                                                                               \
      for (std::size_t l = 0; l < L; ++l) {                                                          \
        T yy = y[l * n + j];                                                                         \
        for (std::size_t r = 0; r < R; ++r) yy += alpha[l * R + r] * x[r][j];                        \
        y[l * n + j] = yy;                                                                           \
        if constexpr (Dots)                                                                          \
          for (std::size_t r = 0; r < R; ++r) tail[l][r] += x2[r][j] * v[l * n + j];                 \
      }                                                                                              \
    if constexpr (Dots)                                                                              \
      for (std::size_t l = 0; l < L; ++l)                                                            \
        for (std::size_t r = 0; r < R; ++r) out[l * R + r] = hsum(acc[l][r]) + tail[l][r];          \
  }                                                                                                  \
  /* max_j (g[j] - c[j]) */                                                                          \
  inline T max_diff(const T* g, const T* c, std::size_t n) {                                         \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    const T ninf_ = -std::numeric_limits<T>::infinity();                                             \
    V m0 = V{} + ninf_, m1 = m0;                                                                     \
    std::size_t j = 0;                                                                               \
    for (; j + 2 * W <= n; j += 2 * W) {                                                             \
      const V d0 = vload(g + j) - vload(c + j), d1 = vload(g + j + W) - vload(c + j + W);            \
      m0 = d0 > m0 ? d0 : m0;                                                                        \
      m1 = d1 > m1 ? d1 : m1;                                                                        \
    }                                                                                                \
    for (; j + W <= n; j += W) {                                                                     \
      const V d0 = vload(g + j) - vload(c + j);                                                      \
      m0 = d0 > m0 ? d0 : m0;                                                                        \
    }                                                                                                \
    if (j < n) {                                                                                     \
      V x, y;                                                                                        \
      vload_tail(x, g + j, n - j, ninf_);                                                            \
      vload_tail(y, c + j, n - j, T(0));                                                             \
      const V d1 = x - y;                                                                            \
      m1 = d1 > m1 ? d1 : m1;                                                                        \
    }                                                                                                \
    const V m = m0 > m1 ? m0 : m1;                                                                   \
    return hmax(m);                                                                                  \
  }                                                                                                  \
  /* e[j] = exp((g[j] - c[j] - shift) * scale); returns sum_j e[j] */                                \
  inline T exp_diff_sum(const T* g, const T* c, T shift, T scale, T* e, std::size_t n) {             \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    const T ninf_ = -std::numeric_limits<T>::infinity();                                             \
    const V sh = V{} + shift, sc = V{} + scale;                                                      \
    V s0{}, s1{}, e0, e1;                                                                            \
    std::size_t j = 0;                                                                               \
    for (; j + W <= n; j += W) {                                                                     \
      const V z0 = (vload(g + j) - vload(c + j) - sh) * sc;                                          \
      vexp(e0, z0);                                                                                  \
      vstore(e + j, e0);                                                                             \
      s0 += e0;                                                                                      \
    }                                                                                                \
    if (j < n) {                                                                                     \
      V x, y;                                                                                        \
      vload_tail(x, g + j, n - j, ninf_);                                                            \
      vload_tail(y, c + j, n - j, T(0));                                                             \
      const V z1 = (x - y - sh) * sc;                                                                \
      vexp(e1, z1);                                                                                  \
      vstore_tail(e + j, n - j, e1);                                                                 \
      s1 += e1;                                                                                      \
    }                                                                                                \
    const V s = s0 + s1;                                                                             \
    return hsum(s);                                                                                  \
  }                                                                                                  \
  /* x[j] = exp(x[j] * scale) */                                                                     \
  inline void exp_scaled_inplace(T* x, T scale, std::size_t n) {                                     \
    constexpr std::size_t W = sizeof(V) / sizeof(T);                                                 \
    const V sc = V{} + scale;                                                                        \
    V y;                                                                                             \
    std::size_t j = 0;                                                                               \
    for (; j + W <= n; j += W) {                                                                     \
      const V z = vload(x + j) * sc;                                                                 \
      vexp(y, z);                                                                                    \
      vstore(x + j, y);                                                                              \
    }                                                                                                \
    if (j < n) {                                                                                     \
      V z;                                                                                           \
      vload_tail(z, x + j, n - j, T(0));                                                             \
      z = z * sc;                                                                                    \
      vexp(y, z);                                                                                    \
      vstore_tail(x + j, n - j, y);                                                                  \
    }                                                                                                \
  }                                                                                                  \
  static_assert(true, "")

LEXALIGN_OT_KERNELS(double, vd_t);
LEXALIGN_OT_KERNELS(float, vf_t);
#undef LEXALIGN_OT_KERNELS

#else  // portable scalar fallback

template <class T>
inline T dot(const T* a, const T* b, std::size_t n) {
  T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (; j < n; ++j) s0 += a[j] * b[j];
  return (s0 + s1) + (s2 + s3);
}
template <class T>
inline void axpy(T alpha, const T* x, T* y, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) y[j] += alpha * x[j];
}
template <class T>
inline T axpy_dot(T alpha, const T* x, T* y, const T* x2, const T* v, std::size_t n) {
  T s = 0;
  for (std::size_t j = 0; j < n; ++j) {
    y[j] += alpha * x[j];
    s += x2[j] * v[j];
  }
  return s;
}
template <class T>
inline void axpy_dot_multi(std::size_t L, const T* alpha, const T* x, T* y, const T* x2, const T* v, T* out,
                           std::size_t n) {
  for (std::size_t l = 0; l < L; ++l) {
    T s = 0;
    for (std::size_t j = 0; j < n; ++j) {
      y[l * n + j] += alpha[l] * x[j];
      if (x2) s += x2[j] * v[l * n + j];
    }
    if (x2) out[l] = s;
  }
}
template <std::size_t R, std::size_t L, bool Dots, class T>
inline void rows_update(const T* alpha, const T* const* x, T* y, const T* const* x2, const T* v, T* out,
                        std::size_t n) {
  for (std::size_t l = 0; l < L; ++l) {
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t r = 0; r < R; ++r) y[l * n + j] += alpha[l * R + r] * x[r][j];
    if constexpr (Dots)
      for (std::size_t r = 0; r < R; ++r) out[l * R + r] = dot(x2[r], v + l * n, n);
  }
}
template <class T>
inline T max_diff(const T* g, const T* c, std::size_t n) {
  T m = -std::numeric_limits<T>::infinity();
  for (std::size_t j = 0; j < n; ++j) m = (g[j] - c[j]) > m ? g[j] - c[j] : m;
  return m;
}
template <class T>
inline T exp_diff_sum(const T* g, const T* c, T shift, T scale, T* e, std::size_t n) {
  T s = 0;
  for (std::size_t j = 0; j < n; ++j) s += (e[j] = std::exp((g[j] - c[j] - shift) * scale));
  return s;
}
template <class T>
inline void exp_scaled_inplace(T* x, T scale, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) x[j] = std::exp(x[j] * scale);
}

#endif

}  // namespace ot::detail
LEXALIGN_NAMESPACE_END
