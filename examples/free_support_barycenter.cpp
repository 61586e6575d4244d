// Free-support Wasserstein barycenter (ot::free_support_barycenter, exact
// inner OT) of two 2-D point clouds: the corners (+-1, +-1) of a square centred at
// (0, 0), and the same corners moved to (4, 2) and listed in another order.
//
//   example_free_support_barycenter
//
// For squared-Euclidean cost the barycenter of a cloud and a translated copy
// is the cloud translated by lambda_2 times the shift: corners around (2, 1)
// for weights (1/2, 1/2), around (1, 0.5) for (3/4, 1/4).  Starting from the first
// cloud, one update lands there and the second confirms it.
#include <cmath>
#include <cstdio>
#include <vector>

#include "lexalign/ot/free_support_barycenter.hpp"

namespace ot = lexalign::ot;
using mat = lexalign::dense_matrix<double>;

int main() {
  const double corner[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
  std::vector<mat> Y(2, mat(4, 2));
  for (std::size_t k = 0; k < 4; ++k) {
    Y[0](k, 0) = corner[k][0], Y[0](k, 1) = corner[k][1];
    Y[1](k, 0) = corner[(k + 1) % 4][0] + 4, Y[1](k, 1) = corner[(k + 1) % 4][1] + 2;  // listed in another order
  }
  const std::vector<std::vector<double>> b(2, std::vector<double>(4, 0.25));

  bool ok = true;
  for (const double w0 : {0.5, 0.75}) {
    const auto r = ot::free_support_barycenter(Y, b, Y[0], {.measure_weights = {w0, 1 - w0}});
    const double cx = (1 - w0) * 4, cy = (1 - w0) * 2;  // expected centre
    double worst = 0;  // every support point must be a corner of the square around (cx, cy)
    for (std::size_t k = 0; k < 4; ++k)
      worst = std::max(worst, std::abs(std::abs(r.support(k, 0) - cx) - 1) +
                                  std::abs(std::abs(r.support(k, 1) - cy) - 1));
    std::printf("lambda (%.2f, %.2f): %s after %zu iterations, support:", w0, 1 - w0,
                r.convergence.converged() ? "converged" : "NOT converged", r.convergence.iterations);
    for (std::size_t k = 0; k < 4; ++k) std::printf(" (%.2f, %.2f)", r.support(k, 0), r.support(k, 1));
    std::printf("\n  corners (+-1, +-1) around (%.2f, %.2f): %s\n", cx, cy, worst < 1e-9 ? "yes" : "NO");
    ok = ok && r.convergence.converged() && worst < 1e-9;
  }
  const bool passed = ok;
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
