// lexalign/extract/similarity.hpp - token similarities from two embedding
// matrices (one token per row), and min-max normalisation.
//
//   auto S = lexalign::extract::similarity(src_vectors, tgt_vectors);                  // cosine
//   auto S = lexalign::extract::similarity(x, y, {.scaling = similarity_scaling::shifted});  // SimAlign
//   auto D = lexalign::extract::similarity(x, y, {.measure = similarity_measure::dot});      // awesome-align
//
// One blocked pass (16 x 16 tiles of row pairs, vectorised dot products in
// double) over rows copied once into the workspace: O(m n d).  A zero vector
// has cosine 0 with everything.  See docs/extract/similarity.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "lexalign/config.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/extract/result.hpp"
#include "lexalign/ot/detail/simd.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

enum class similarity_measure { cosine, dot };

enum class similarity_scaling {
  none,     // the measure itself
  shifted,  // (x + 1) / 2: SimAlign's and OTAlign's [0, 1] cosine
  minmax,   // (x - min + 1e-10) / (max - min + 1e-10): OTAlign's minmax
};

struct similarity_options {
  similarity_measure measure = similarity_measure::cosine;
  similarity_scaling scaling = similarity_scaling::none;
};

inline void validate(const similarity_options& opt) {
  const auto m = static_cast<int>(opt.measure), s = static_cast<int>(opt.scaling);
  validation::require(m >= 0 && m <= 1, "extract::similarity_options.measure", std::to_string(m), "cosine or dot");
  validation::require(s >= 0 && s <= 2, "extract::similarity_options.scaling", std::to_string(s),
                      "none, shifted or minmax");
}

// OTAlign's minmax, in place: (x - min + 1e-10) / (max - min + 1e-10).
template <lexalign::writable_matrix M>
void minmax_normalize(M& m) {
  require_rank_two(m, "matrix");
  const std::size_t r = rows(m), c = cols(m);
  if (r == 0 || c == 0) return;
  double lo = static_cast<double>(at(m, 0, 0)), hi = lo;
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) {
      const double x = static_cast<double>(at(m, i, j));
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  using T = matrix_value_t<M>;
  const double scale = 1.0 / (hi - lo + 1e-10);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j)
      at(m, i, j) = static_cast<T>((static_cast<double>(at(m, i, j)) - lo + 1e-10) * scale);
}

namespace detail {

// Copies the rows of `x` (r x d) into `out` (row-major double), checking entries.
template <lexalign::matrix M, class V>
std::size_t load_rows(const M& x, std::string_view name, V& out, std::size_t& d) {
  if (!has_rank_two(x)) throw invalid_argument(std::string(name) + " must be a 2-D array");
  const std::size_t r = rows(x);
  d = cols(x);
  validation::check_not_empty(name, r, d);
  out.resize(r * d);
  auto fill = [&](auto&& get) {
    for (std::size_t i = 0; i < r; ++i)
      for (std::size_t k = 0; k < d; ++k) {
        const double v = static_cast<double>(get(i, k));
        validation::check_entry(name, i, k, v, validation::entry_rule::finite);
        out[i * d + k] = v;
      }
  };
  if constexpr (has_matrix_memory<const M>) {
    const auto v = as_matrix_view(x);
    fill([&](std::size_t i, std::size_t k) { return v(i, k); });
  } else {
    fill([&](std::size_t i, std::size_t k) { return at(x, i, k); });
  }
  return r;
}

inline void normalize_rows(double* x, std::size_t r, std::size_t d) noexcept {
  for (std::size_t i = 0; i < r; ++i) {
    double* row = x + i * d;
    double ss = 0;
    for (std::size_t k = 0; k < d; ++k) ss += row[k] * row[k];
    const double inv = ss > 0 ? 1.0 / std::sqrt(ss) : 0.0;
    for (std::size_t k = 0; k < d; ++k) row[k] *= inv;
  }
}

}  // namespace detail

// Writes the m x n similarity of the rows of `source` (m x d) and `target`
// (n x d) into `out` (resized).  Uses ws.a and ws.b.
template <lexalign::matrix X, lexalign::matrix Y, class WAlloc, class T, class A>
void similarity_into(const X& source, const Y& target, const similarity_options& opt, workspace<WAlloc>& ws,
                     dense_matrix<T, A>& out) {
  validate(opt);
  std::size_t d = 0, dy = 0;
  const std::size_t m = detail::load_rows(source, "source", ws.a, d);
  const std::size_t n = detail::load_rows(target, "target", ws.b, dy);
  if (d != dy)
    throw invalid_argument("source vectors have " + std::to_string(d) + " dimensions but target vectors have " +
                           std::to_string(dy));
  if (opt.measure == similarity_measure::cosine) {
    detail::normalize_rows(ws.a.data(), m, d);
    detail::normalize_rows(ws.b.data(), n, d);
  }
  out.resize(m, n);
  const double* xa = ws.a.data();
  const double* yb = ws.b.data();
  // Blocks of source and target rows that fit in L1/L2 together.
  constexpr std::size_t block = 16;
  for (std::size_t i0 = 0; i0 < m; i0 += block)
    for (std::size_t j0 = 0; j0 < n; j0 += block)
      for (std::size_t i = i0; i < std::min(m, i0 + block); ++i)
        for (std::size_t j = j0; j < std::min(n, j0 + block); ++j)
          out(i, j) = static_cast<T>(ot::detail::dot(xa + i * d, yb + j * d, d));
  if (opt.scaling == similarity_scaling::shifted) {
    for (std::size_t r = 0; r < m; ++r)
      for (std::size_t c = 0; c < n; ++c) out(r, c) = static_cast<T>((static_cast<double>(out(r, c)) + 1) / 2);
  } else if (opt.scaling == similarity_scaling::minmax) {
    minmax_normalize(out);
  }
}

template <lexalign::matrix X, lexalign::matrix Y>
dense_matrix<double> similarity(const X& source, const Y& target, const similarity_options& opt = {}) {
  workspace<> ws;
  dense_matrix<double> out;
  similarity_into(source, target, opt, ws, out);
  return out;
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
