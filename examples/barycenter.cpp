// Fixed-support entropic Wasserstein barycenter (ot::barycenter) of two 1-D
// histograms on a grid of 101 points in [0, 1]: Gaussian bumps (sd 0.05)
// centred at 0.25 and 0.75, squared-distance cost.
//
//   example_barycenter
//
// The W2 barycenter of two translated copies of a shape is the same shape
// translated to the weighted mean of the centres: 0.5 for weights (1/2, 1/2),
// 0.375 for (3/4, 1/4).  Unlike the plain average of the histograms (half
// the mass at each bump, nothing in between), it keeps one bump.
#include <cmath>
#include <cstdio>
#include <vector>

#include "lexalign/ot/barycenter.hpp"

namespace ot = lexalign::ot;

int main() {
  const std::size_t n = 101;
  std::vector<double> grid(n);
  for (std::size_t k = 0; k < n; ++k) grid[k] = static_cast<double>(k) / static_cast<double>(n - 1);
  lexalign::dense_matrix<double> H(2, n), C(n, n);
  const double centre[2] = {0.25, 0.75}, sd = 0.05;
  for (std::size_t l = 0; l < 2; ++l) {
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += H(l, k) = std::exp(-0.5 * std::pow((grid[k] - centre[l]) / sd, 2));
    for (std::size_t k = 0; k < n; ++k) H(l, k) /= sum;
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) C(i, j) = (grid[i] - grid[j]) * (grid[i] - grid[j]);

  bool ok = true;
  for (const double w0 : {0.5, 0.75}) {
    const std::vector<double> lambdas{w0, 1.0 - w0};
    // eps = 2e-4 (grid step squared: 1e-4): exp(-C/eps) underflows for far
    // points, so the log domain.
    const auto r = ot::barycenter(H, C, lambdas, {.epsilon = 2e-4, .method = ot::sinkhorn_method::log,
                                                  .max_iterations = 5000});
    double mass = 0, mean = 0, var = 0, middle = 0;
    for (std::size_t k = 0; k < n; ++k) mass += r.weights[k], mean += r.weights[k] * grid[k];
    mean /= mass;
    for (std::size_t k = 0; k < n; ++k) {
      var += r.weights[k] * (grid[k] - mean) * (grid[k] - mean);
      if (std::abs(grid[k] - mean) <= 0.1) middle += r.weights[k];
    }
    const double expected = w0 * centre[0] + (1 - w0) * centre[1];
    std::printf("lambda (%.2f, %.2f): %s, mass %.4f, mean %.3f (expected %.3f), sd %.3f, "
                "mass within 0.1 of mean %.2f\n",
                w0, 1 - w0, r.convergence.converged() ? "converged" : "NOT converged", mass, mean, expected,
                std::sqrt(var / mass), middle / mass);
    ok = ok && r.convergence.converged() && std::abs(mass - 1) < 1e-6 && std::abs(mean - expected) < 5e-3 && middle / mass > 0.9;
  }
  // The plain (Euclidean) average puts almost nothing near 0.5.
  double avg_middle = 0;
  for (std::size_t k = 0; k < n; ++k)
    if (std::abs(grid[k] - 0.5) <= 0.1) avg_middle += 0.5 * (H(0, k) + H(1, k));
  std::printf("plain average: mass within 0.1 of 0.5 = %.2f\n", avg_middle);
  const bool passed = ok;
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
