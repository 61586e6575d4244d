// Literal transcriptions of the reference extraction code's semantics
// (ALGORITHMS.md §8.1, §8.2), written on full 0/1 matrices the way the NumPy
// originals are, so that the tests compare two independent formulations.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "lexalign/core/alignment.hpp"
#include "lexalign/core/matrix_view.hpp"

namespace extract_test {

using mat = lexalign::dense_matrix<double>;

// Random m x n matrix; `levels` > 0 gives integer values 0..levels-1 (many
// ties), else uniform in [0, 1).
inline mat random_matrix(std::mt19937& rng, std::size_t m, std::size_t n, int levels) {
  mat s(m, n);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      s(i, j) = levels > 0 ? static_cast<double>(rng() % static_cast<unsigned>(levels)) : u(rng);
  return s;
}

// np.argmax(axis=1) / np.argmax(axis=0): first maximum.
inline std::size_t np_argmax_row(const mat& s, std::size_t i) {
  std::size_t best = 0;
  for (std::size_t j = 1; j < s.cols(); ++j)
    if (s(i, j) > s(i, best)) best = j;
  return best;
}
inline std::size_t np_argmax_col(const mat& s, std::size_t j) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < s.rows(); ++i)
    if (s(i, j) > s(best, j)) best = i;
  return best;
}

// forward = eye(n)[argmax(axis=1)], backward = eye(m)[argmax(axis=0)].T
inline mat forward_matrix(const mat& s) {
  mat f(s.rows(), s.cols(), 0.0);
  for (std::size_t i = 0; i < s.rows(); ++i) f(i, np_argmax_row(s, i)) = 1;
  return f;
}
inline mat backward_matrix(const mat& s) {
  mat b(s.rows(), s.cols(), 0.0);
  for (std::size_t j = 0; j < s.cols(); ++j) b(np_argmax_col(s, j), j) = 1;
  return b;
}
inline mat hadamard(const mat& a, const mat& b) {
  mat c(a.rows(), a.cols());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j) c(i, j) = a(i, j) * b(i, j);
  return c;
}

// SimAlign iter_max(sim, max_count), mask matrices and all.
inline mat simalign_itermax(const mat& sim, std::size_t max_count = 2, double alpha = 0.9) {
  const std::size_t m = sim.rows(), n = sim.cols();
  mat inter = hadamard(forward_matrix(sim), backward_matrix(sim));
  if (std::min(m, n) <= 2) return inter;
  std::size_t count = 1;
  while (count < max_count) {
    mat mask_x(m, n), mask_y(m, n), mask(m, n), mask_zeros(m, n);
    double sum_x = 0, sum_y = 0;
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        double rs = 0, cs = 0;
        for (std::size_t k = 0; k < n; ++k) rs += inter(i, k);
        for (std::size_t k = 0; k < m; ++k) cs += inter(k, j);
        mask_x(i, j) = 1.0 - std::clamp(rs, 0.0, 1.0);
        mask_y(i, j) = 1.0 - std::clamp(cs, 0.0, 1.0);
        mask(i, j) = std::clamp(alpha * mask_x(i, j) + alpha * mask_y(i, j), 0.0, 1.0);
        mask_zeros(i, j) = 1.0 - (1.0 - mask_x(i, j)) * (1.0 - mask_y(i, j));
        sum_x += mask_x(i, j);
        sum_y += mask_y(i, j);
      }
    if (sum_x < 1.0 || sum_y < 1.0) {
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) mask(i, j) = mask_zeros(i, j) = 0;
    }
    const mat new_sim = hadamard(sim, mask);
    const mat fwd = hadamard(forward_matrix(new_sim), mask_zeros);
    const mat bac = hadamard(backward_matrix(new_sim), mask_zeros);
    const mat new_inter = hadamard(fwd, bac);
    bool same = true;
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) same &= (inter(i, j) + new_inter(i, j) == inter(i, j));
    if (same) break;
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) inter(i, j) += new_inter(i, j);
    ++count;
  }
  return inter;
}

inline std::vector<lexalign::link> links_of(const mat& a) {
  std::vector<lexalign::link> out;
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j)
      if (a(i, j) != 0) out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
  return out;
}

// torch.softmax(S, dim=-1) and dim=-2, written from the definition.
inline mat softmax_rows(const mat& s) {
  mat p(s.rows(), s.cols());
  for (std::size_t i = 0; i < s.rows(); ++i) {
    double z = 0;
    for (std::size_t j = 0; j < s.cols(); ++j) z += std::exp(s(i, j));
    for (std::size_t j = 0; j < s.cols(); ++j) p(i, j) = std::exp(s(i, j)) / z;
  }
  return p;
}
inline mat transpose(const mat& s) {
  mat t(s.cols(), s.rows());
  for (std::size_t i = 0; i < s.rows(); ++i)
    for (std::size_t j = 0; j < s.cols(); ++j) t(j, i) = s(i, j);
  return t;
}

// 1.5-entmax of z by bisection on tau: sum max(0, z/2 - tau)^2 = 1.
inline std::vector<double> entmax15_bisect(const std::vector<double>& z) {
  const double mx = *std::max_element(z.begin(), z.end()) / 2;
  double lo = mx - 1, hi = mx;  // f(lo) >= 1, f(hi) = 0
  auto f = [&](double tau) {
    double s = 0;
    for (double x : z) s += std::pow(std::max(0.0, x / 2 - tau), 2);
    return s;
  };
  for (int it = 0; it < 200; ++it) {
    const double mid = (lo + hi) / 2;
    (f(mid) >= 1 ? lo : hi) = mid;
  }
  std::vector<double> p(z.size());
  for (std::size_t k = 0; k < z.size(); ++k) p[k] = std::pow(std::max(0.0, z[k] / 2 - lo), 2);
  return p;
}

}  // namespace extract_test
