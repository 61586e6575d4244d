// Orthogonal Procrustes (multilingual::procrustes): recover a known rotation
// between two "embedding spaces" from a seed dictionary of paired vectors,
// the step that maps one language's word vectors onto another's.
//
//   example_procrustes
//
// z = x W_true (+ small deterministic noise) for 30 pairs in 4-D, W_true a
// product of two plane rotations.  Checks: W is orthogonal, equals W_true
// (to 1e-10 without noise, 1e-2 with it), and maps every x_k nearest to z_k.
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "lexalign/multilingual/procrustes.hpp"

namespace ml = lexalign::multilingual;
using mat = lexalign::dense_matrix<double>;

static double max_diff(const mat& a, const mat& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j) m = std::max(m, std::abs(a(i, j) - b(i, j)));
  return m;
}

int main() {
  const std::size_t n = 30, d = 4;
  mat rot(d, d, 0.0);  // rotation by 0.5 in the (0,1) plane times 1.1 in the (2,3) plane
  rot(0, 0) = rot(1, 1) = std::cos(0.5), rot(0, 1) = std::sin(0.5), rot(1, 0) = -std::sin(0.5);
  rot(2, 2) = rot(3, 3) = std::cos(1.1), rot(2, 3) = std::sin(1.1), rot(3, 2) = -std::sin(1.1);

  std::uint64_t state = 12345;  // a fixed linear congruential sequence in [-1, 1)
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 4503599627370496.0 - 1.0;
  };
  mat x(n, d), z(n, d), noisy(n, d);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < d; ++j) x(k, j) = next();
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < d; ++j) {
      double acc = 0;
      for (std::size_t i = 0; i < d; ++i) acc += x(k, i) * rot(i, j);
      z(k, j) = acc;
      noisy(k, j) = acc + 0.01 * next();
    }

  const auto exact = ml::procrustes(x, z);
  const auto fit = ml::procrustes(x, noisy);
  mat wtw(d, d, 0.0);
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k < d; ++k) wtw(i, j) += fit.w(k, i) * fit.w(k, j);
  mat eye(d, d, 0.0);
  for (std::size_t i = 0; i < d; ++i) eye(i, i) = 1;

  const double e_exact = max_diff(exact.w, rot), e_noisy = max_diff(fit.w, rot), e_orth = max_diff(wtw, eye);
  std::printf("exact pairs: |W - W_true| < 1e-10: %s (residual %.1e)\n", e_exact < 1e-10 ? "yes" : "NO",
              exact.residual);
  std::printf("noisy pairs: |W - W_true| < 1e-2: %s (residual %.3f)\n", e_noisy < 1e-2 ? "yes" : "NO", fit.residual);
  std::printf("W orthogonal: %s\n", e_orth < 1e-12 ? "yes" : "NO");

  std::size_t hits = 0;  // nearest noisy z to x_k W
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t best = 0;
    double best_d = 1e300;
    for (std::size_t m = 0; m < n; ++m) {
      double dist = 0;
      for (std::size_t j = 0; j < d; ++j) {
        double acc = 0;
        for (std::size_t i = 0; i < d; ++i) acc += x(k, i) * fit.w(i, j);
        dist += (acc - noisy(m, j)) * (acc - noisy(m, j));
      }
      if (dist < best_d) best_d = dist, best = m;
    }
    hits += best == k;
  }
  std::printf("translation by nearest neighbour: %zu of %zu\n", hits, n);
  const bool passed = e_exact < 1e-10 && e_noisy < 1e-2 && e_orth < 1e-12 && hits == n;
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
