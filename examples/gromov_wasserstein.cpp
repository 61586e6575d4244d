// Entropic Gromov-Wasserstein (ot::gromov_wasserstein) between a 2-D point
// set and a rotated, translated, shuffled copy of it: GW compares only the
// distances inside each set, so it recovers which point is which without
// ever comparing coordinates across the two sets.
//
//   example_gromov_wasserstein
//
// The points have no symmetry (all pairwise distances differ), so the only
// isometry between the sets is the shuffle itself.  Checks: the plan's
// row-wise argmax is the shuffle, and the GW loss is small (0 at the exact
// permutation; the entropic plan is slightly blurred).
#include <cmath>
#include <cstdio>
#include <vector>

#include "lexalign/ot/gromov_wasserstein.hpp"

namespace ot = lexalign::ot;

int main() {
  const std::size_t n = 7;
  const double pts[7][2] = {{0.0, 0.0}, {1.0, 0.2}, {2.3, -0.4}, {0.4, 1.7}, {1.8, 1.1}, {3.1, 0.9}, {0.9, 3.0}};
  const std::size_t shuffle[7] = {4, 0, 6, 2, 5, 3, 1};  // copy point j is original point shuffle[j]
  const double angle = 0.7, c = std::cos(angle), s = std::sin(angle);
  double q[7][2];
  for (std::size_t j = 0; j < n; ++j) {
    const auto& p = pts[shuffle[j]];
    q[j][0] = c * p[0] - s * p[1] + 5.0;
    q[j][1] = s * p[0] + c * p[1] - 2.0;
  }
  lexalign::dense_matrix<double> C1(n, n), C2(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < n; ++k) {
      C1(i, k) = std::hypot(pts[i][0] - pts[k][0], pts[i][1] - pts[k][1]);
      C2(i, k) = std::hypot(q[i][0] - q[k][0], q[i][1] - q[k][1]);
    }
  const std::vector<double> w(n, 1.0 / static_cast<double>(n));

  const auto r = ot::gromov_wasserstein(C1, C2, w, w, {.inner = {.epsilon = 5e-3, .method = ot::sinkhorn_method::log}});
  std::printf("%s after %zu iterations, GW loss %.2e\n", r.convergence.converged() ? "converged" : "NOT converged", r.convergence.iterations,
              r.cost);
  std::size_t correct = 0;
  std::printf("original -> copy:");
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < n; ++j)
      if (r.plan(i, j) > r.plan(i, best)) best = j;
    std::printf(" %zu->%zu", i, best);
    correct += shuffle[best] == i;
  }
  std::printf("\nrecovered %zu of %zu\n", correct, n);
  const bool passed = correct == n && r.cost < 1e-2;
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
