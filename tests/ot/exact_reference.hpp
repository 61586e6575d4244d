// Independent references for the exact OT tests: brute force over
// permutations / injections, and the transportation LP solved by enumerating
// every basis (vertex) of the polytope.  Only for tiny problems.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace ot_exact_test {

// Dense row-major test matrix.
struct mat {
  std::size_t r = 0, c = 0;
  std::vector<double> x;
  mat(std::size_t rows_, std::size_t cols_, double v = 0) : r(rows_), c(cols_), x(rows_ * cols_, v) {}
  double& operator()(std::size_t i, std::size_t j) { return x[i * c + j]; }
  double operator()(std::size_t i, std::size_t j) const { return x[i * c + j]; }
  std::size_t rows() const { return r; }
  std::size_t cols() const { return c; }
};

inline mat random_matrix(std::mt19937& rng, std::size_t r, std::size_t c, double lo = 0, double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  mat m(r, c);
  for (auto& v : m.x) v = u(rng);
  return m;
}

inline std::vector<double> random_masses(std::mt19937& rng, std::size_t n, double total = 1.0) {
  std::uniform_real_distribution<double> u(0.05, 1.0);
  std::vector<double> w(n);
  for (auto& v : w) v = u(rng);
  const double s = std::accumulate(w.begin(), w.end(), 0.0);
  for (auto& v : w) v *= total / s;
  return w;
}

// Best objective over all injective maps from the short side into the long
// side (sum of C over the chosen pairs); maximise when asked.
inline double brute_force_assignment(const mat& C, bool maximize) {
  const bool tall = C.r > C.c;
  const std::size_t r = tall ? C.c : C.r, c = tall ? C.r : C.c;
  auto get = [&](std::size_t i, std::size_t j) { return tall ? C(j, i) : C(i, j); };
  std::vector<std::size_t> cols(c);
  std::iota(cols.begin(), cols.end(), 0);
  double best = maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  // Enumerate permutations of all columns; the first r give an injection.
  do {
    double s = 0;
    for (std::size_t i = 0; i < r; ++i) s += get(i, cols[i]);
    best = maximize ? std::max(best, s) : std::min(best, s);
  } while (std::next_permutation(cols.begin(), cols.end()));
  return best;
}

// Minimum of <C, P> over the transportation polytope {P >= 0, P1 = a,
// P^T 1 = b} by enumerating all sets of m + n - 1 cells, solving the marginal
// equations on each (Gaussian elimination) and keeping the non-negative
// unique solutions: the vertices.
inline double transport_lp_by_vertices(const mat& C, const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t m = C.r, n = C.c, cells = m * n, k = m + n - 1;
  double best = std::numeric_limits<double>::infinity();
  std::vector<int> pick(cells, 0);
  std::fill(pick.end() - static_cast<std::ptrdiff_t>(k), pick.end(), 1);
  do {
    std::vector<std::size_t> sel;
    for (std::size_t e = 0; e < cells; ++e)
      if (pick[e]) sel.push_back(e);
    // (m + n) x (k + 1) augmented system.
    const std::size_t R = m + n;
    std::vector<double> A(R * (k + 1), 0.0);
    for (std::size_t q = 0; q < k; ++q) {
      A[(sel[q] / n) * (k + 1) + q] = 1;
      A[(m + sel[q] % n) * (k + 1) + q] = 1;
    }
    for (std::size_t i = 0; i < m; ++i) A[i * (k + 1) + k] = a[i];
    for (std::size_t j = 0; j < n; ++j) A[(m + j) * (k + 1) + k] = b[j];
    std::size_t row = 0;
    std::vector<std::size_t> pivot_col;
    bool ok = true;
    for (std::size_t col = 0; col < k && ok; ++col) {
      std::size_t p = row;
      for (std::size_t t = row; t < R; ++t)
        if (std::abs(A[t * (k + 1) + col]) > std::abs(A[p * (k + 1) + col])) p = t;
      if (std::abs(A[p * (k + 1) + col]) < 1e-12) {
        ok = false;  // columns dependent: not a basis
        break;
      }
      for (std::size_t t = 0; t <= k; ++t) std::swap(A[p * (k + 1) + t], A[row * (k + 1) + t]);
      for (std::size_t t = 0; t < R; ++t) {
        if (t == row) continue;
        const double f = A[t * (k + 1) + col] / A[row * (k + 1) + col];
        if (f != 0)
          for (std::size_t s = 0; s <= k; ++s) A[t * (k + 1) + s] -= f * A[row * (k + 1) + s];
      }
      pivot_col.push_back(col);
      ++row;
    }
    if (!ok) continue;
    // Consistency of the remaining equations.
    for (std::size_t t = row; t < R; ++t)
      if (std::abs(A[t * (k + 1) + k]) > 1e-9) ok = false;
    if (!ok) continue;
    double cost = 0;
    for (std::size_t q = 0; q < k; ++q) {
      const double x = A[q * (k + 1) + k] / A[q * (k + 1) + q];
      if (x < -1e-12) {
        ok = false;
        break;
      }
      cost += x * C(sel[q] / n, sel[q] % n);
    }
    if (ok) best = std::min(best, cost);
  } while (std::next_permutation(pick.begin(), pick.end()));
  return best;
}

}  // namespace ot_exact_test
