// lexalign/ot/detail/simd.hpp - the few vector kernels the entropic OT
// solvers need: dot, axpy, max, and a fused "exp and sum" with our own
// polynomial exp.
//
// Written with GCC/Clang generic vector types of 64 bytes: the compiler maps
// them onto whatever ISA the *consumer* compiles for (SSE2 by default, AVX2 or
// AVX-512 with -march flags); nothing here needs -march.  Every kernel works
// on whole vectors; the tail is padded (zeros for sums, -inf for exps), so the
// result of a kernel is the same whatever the length's remainder and the ISA
// (up to FMA contraction, which the compiler may apply).
//
// exp: Cody-Waite reduction by ln 2, Taylor polynomial of degree 12 (double,
// ~2 ulp) or 7 (float, ~2 ulp) on [-ln2/2, ln2/2]; results below the smallest
// normal flush to 0 (x < -708.39 for double, x < -87.33 for float), x > max
// gives +inf, NaN propagates.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "lexalign/config.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define LEXALIGN_OT_HAVE_VECTOR_EXT 1
#define LEXALIGN_OT_INLINE inline __attribute__((always_inline))
#else
#define LEXALIGN_OT_HAVE_VECTOR_EXT 0
#define LEXALIGN_OT_INLINE inline
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

LEXALIGN_NAMESPACE_BEGIN
namespace ot::detail {

#if LEXALIGN_OT_HAVE_VECTOR_EXT

typedef double vd_t __attribute__((vector_size(64)));
typedef float vf_t __attribute__((vector_size(64)));
typedef std::int64_t vi64_t __attribute__((vector_size(64)));
typedef std::int32_t vi32_t __attribute__((vector_size(64)));

template <class T>
struct vec_traits;
template <>
struct vec_traits<double> {
  using vec = vd_t;
  using ivec = vi64_t;
  static constexpr std::size_t width = 8;
};
template <>
struct vec_traits<float> {
  using vec = vf_t;
  using ivec = vi32_t;
  static constexpr std::size_t width = 16;
};

template <class T>
using vec_t = typename vec_traits<T>::vec;
template <class T>
inline constexpr std::size_t width_v = vec_traits<T>::width;

// Helpers, written once per element type (non-template overloads keep GCC's
// -Wpsabi notes about 64-byte vector arguments quiet).
#define LEXALIGN_OT_VEC_HELPERS(T, V)                                             \
  LEXALIGN_OT_INLINE V load(const T* p) {                                         \
    V v;                                                                          \
    std::memcpy(&v, p, sizeof v);                                                 \
    return v;                                                                     \
  }                                                                               \
  LEXALIGN_OT_INLINE void store(T* p, V v) { std::memcpy(p, &v, sizeof v); }     \
  LEXALIGN_OT_INLINE V splat(T x) { return V{} + x; }                             \
  /* Loads the n < width remaining elements, filling the rest with `fill`. */    \
  LEXALIGN_OT_INLINE V load_tail(const T* p, std::size_t n, T fill) {             \
    T buf[sizeof(V) / sizeof(T)];                                                 \
    for (std::size_t k = 0; k < sizeof(V) / sizeof(T); ++k) buf[k] = k < n ? p[k] : fill; \
    return load(buf);                                                             \
  }                                                                               \
  LEXALIGN_OT_INLINE void store_tail(T* p, std::size_t n, V v) {                  \
    T buf[sizeof(V) / sizeof(T)];                                                 \
    store(buf, v);                                                                \
    for (std::size_t k = 0; k < n; ++k) p[k] = buf[k];                            \
  }                                                                               \
  /* pairwise, fixed order */                                                     \
  LEXALIGN_OT_INLINE T hsum(V v) {                                                \
    T buf[sizeof(V) / sizeof(T)];                                                 \
    store(buf, v);                                                                \
    for (std::size_t w = sizeof(V) / sizeof(T) / 2; w > 0; w /= 2)                \
      for (std::size_t k = 0; k < w; ++k) buf[k] += buf[k + w];                   \
    return buf[0];                                                                \
  }                                                                               \
  LEXALIGN_OT_INLINE T hmax(V v) {                                                \
    T buf[sizeof(V) / sizeof(T)];                                                 \
    store(buf, v);                                                                \
    T m = buf[0];                                                                 \
    for (std::size_t k = 1; k < sizeof(V) / sizeof(T); ++k) m = buf[k] > m ? buf[k] : m; \
    return m;                                                                     \
  }                                                                               \
  LEXALIGN_OT_INLINE V vmax(V a, V b) { return a > b ? a : b; }

LEXALIGN_OT_VEC_HELPERS(double, vd_t)
LEXALIGN_OT_VEC_HELPERS(float, vf_t)
#undef LEXALIGN_OT_VEC_HELPERS

LEXALIGN_OT_INLINE vd_t vexp(vd_t x) {
  const vd_t lo = splat(-708.3964185322641), hi = splat(709.782712893384);
  const vd_t xc = x < lo ? lo : (x > hi ? hi : x);
  const vd_t magic = splat(6755399441055744.0);  // 1.5 * 2^52
  const vd_t t = xc * 1.4426950408889634 + magic;
  const vd_t k = t - magic;
  vd_t r = xc - k * 0.6931471803691238;  // ln2 high part
  r = r - k * 1.9082149292705877e-10;    // ln2 low part
  vd_t p = splat(1.0 / 479001600.0);
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  vi64_t ki;
  std::memcpy(&ki, &t, sizeof ki);
  vi64_t mi;
  std::memcpy(&mi, &magic, sizeof mi);
  ki = ki - mi;
  // k can be 1024 at the upper clamp: split the scale in two halves.
  const vi64_t k1 = ki >> 1, k2 = ki - k1;
  const vi64_t b1 = (k1 + 1023) << 52, b2 = (k2 + 1023) << 52;
  vd_t s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  vd_t y = p * s1 * s2;
  y = x < lo ? splat(0.0) : y;
  y = x > hi ? splat(std::numeric_limits<double>::infinity()) : y;
  y = x != x ? x : y;
  return y;
}

LEXALIGN_OT_INLINE vf_t vexp(vf_t x) {
  const vf_t lo = splat(-87.33654f), hi = splat(88.72283f);
  const vf_t xc = x < lo ? lo : (x > hi ? hi : x);
  const vf_t magic = splat(12582912.0f);  // 1.5 * 2^23
  const vf_t t = xc * 1.44269504f + magic;
  const vf_t k = t - magic;
  vf_t r = xc - k * 0.693145752f;
  r = r - k * 1.42860677e-6f;
  vf_t p = splat(1.0f / 5040.0f);
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  vi32_t ki;
  std::memcpy(&ki, &t, sizeof ki);
  vi32_t mi;
  std::memcpy(&mi, &magic, sizeof mi);
  ki = ki - mi;
  const vi32_t k1 = ki >> 1, k2 = ki - k1;
  const vi32_t b1 = (k1 + 127) << 23, b2 = (k2 + 127) << 23;
  vf_t s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  vf_t y = p * s1 * s2;
  y = x < lo ? splat(0.0f) : y;
  y = x > hi ? splat(std::numeric_limits<float>::infinity()) : y;
  y = x != x ? x : y;
  return y;
}

// sum_j a[j] * b[j]
template <class T>
inline T dot(const T* a, const T* b, std::size_t n) {
  constexpr std::size_t W = width_v<T>;
  vec_t<T> s0{}, s1{}, s2{}, s3{};
  std::size_t j = 0;
  for (; j + 4 * W <= n; j += 4 * W) {
    s0 += load(a + j) * load(b + j);
    s1 += load(a + j + W) * load(b + j + W);
    s2 += load(a + j + 2 * W) * load(b + j + 2 * W);
    s3 += load(a + j + 3 * W) * load(b + j + 3 * W);
  }
  for (; j + W <= n; j += W) s0 += load(a + j) * load(b + j);
  if (j < n) s1 += load_tail(a + j, n - j, T(0)) * load_tail(b + j, n - j, T(0));
  return hsum((s0 + s1) + (s2 + s3));
}

// y[j] += alpha * x[j]
template <class T>
inline void axpy(T alpha, const T* x, T* y, std::size_t n) {
  constexpr std::size_t W = width_v<T>;
  const vec_t<T> al = splat(alpha);
  std::size_t j = 0;
  for (; j + W <= n; j += W) store(y + j, load(y + j) + al * load(x + j));
  for (; j < n; ++j) y[j] += alpha * x[j];
}

// max_j (g[j] - c[j])
template <class T>
inline T max_diff(const T* g, const T* c, std::size_t n) {
  constexpr std::size_t W = width_v<T>;
  const T ninf = -std::numeric_limits<T>::infinity();
  vec_t<T> m0 = splat(ninf), m1 = m0;
  std::size_t j = 0;
  for (; j + 2 * W <= n; j += 2 * W) {
    m0 = vmax(m0, load(g + j) - load(c + j));
    m1 = vmax(m1, load(g + j + W) - load(c + j + W));
  }
  for (; j + W <= n; j += W) m0 = vmax(m0, load(g + j) - load(c + j));
  if (j < n) m1 = vmax(m1, load_tail(g + j, n - j, ninf) - load_tail(c + j, n - j, T(0)));
  return hmax(vmax(m0, m1));
}

// e[j] = exp((g[j] - c[j] - shift) * scale); returns sum_j e[j].
template <class T>
inline T exp_diff_sum(const T* g, const T* c, T shift, T scale, T* e, std::size_t n) {
  constexpr std::size_t W = width_v<T>;
  const T ninf = -std::numeric_limits<T>::infinity();
  const vec_t<T> sh = splat(shift), sc = splat(scale);
  vec_t<T> s0{}, s1{};
  std::size_t j = 0;
  for (; j + 2 * W <= n; j += 2 * W) {
    const vec_t<T> e0 = vexp((load(g + j) - load(c + j) - sh) * sc);
    const vec_t<T> e1 = vexp((load(g + j + W) - load(c + j + W) - sh) * sc);
    store(e + j, e0);
    store(e + j + W, e1);
    s0 += e0;
    s1 += e1;
  }
  for (; j + W <= n; j += W) {
    const vec_t<T> e0 = vexp((load(g + j) - load(c + j) - sh) * sc);
    store(e + j, e0);
    s0 += e0;
  }
  if (j < n) {
    const vec_t<T> e0 = vexp((load_tail(g + j, n - j, ninf) - load_tail(c + j, n - j, T(0)) - sh) * sc);
    store_tail(e + j, n - j, e0);
    s1 += e0;
  }
  return hsum(s0 + s1);
}

// x[j] = exp(x[j] * scale)
template <class T>
inline void exp_scaled_inplace(T* x, T scale, std::size_t n) {
  constexpr std::size_t W = width_v<T>;
  const vec_t<T> sc = splat(scale);
  std::size_t j = 0;
  for (; j + W <= n; j += W) store(x + j, vexp(load(x + j) * sc));
  if (j < n) store_tail(x + j, n - j, vexp(load_tail(x + j, n - j, T(0)) * sc));
}

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

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
