// Exact optimal transport (network simplex, ot::emd) and the linear
// assignment (ot::assignment) on the same problem: n points on a line to n
// other points, squared distance cost, uniform masses 1/n.
//
//   example_exact_ot_and_assignment
//
// With uniform masses the optimal plan may be taken to be a permutation
// (Birkhoff), so  emd cost = assignment objective / n.  In 1-D with a convex
// cost the optimal matching pairs the sorted points in order, which gives an
// independent third value.  Also checks the duals: u_i + v_j <= C_ij.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "lexalign/core/matrix_view.hpp"
#include "lexalign/ot/assignment.hpp"
#include "lexalign/ot/emd.hpp"

namespace ot = lexalign::ot;

int main() {
  const std::vector<double> x{0.3, 2.1, 1.0, 4.2, 3.3, 0.9, 5.0}, y{4.0, 0.1, 2.5, 1.7, 3.1, 5.6, 0.4};
  const std::size_t n = x.size();
  lexalign::dense_matrix<double> C(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) C(i, j) = (x[i] - y[j]) * (x[i] - y[j]);
  const std::vector<double> w(n, 1.0 / static_cast<double>(n));

  const auto e = ot::emd(w, w, C);
  const auto a = ot::assignment(C);
  auto xs = x, ys = y;
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  double sorted = 0;
  for (std::size_t k = 0; k < n; ++k) sorted += (xs[k] - ys[k]) * (xs[k] - ys[k]);

  const double nn = static_cast<double>(n);
  std::printf("emd: %s, %zu plan entries, cost x n = %.9f\n", std::string(to_string(e.convergence.status)).c_str(),
              e.entries.size(), e.cost * nn);
  std::printf("assignment objective    = %.9f\n", a.objective);
  std::printf("sorted 1-D matching     = %.9f\n", sorted);
  const bool agree = std::abs(e.cost * nn - a.objective) < 1e-9 && std::abs(a.objective - sorted) < 1e-9;
  std::printf("costs agree: %s\n", agree ? "yes" : "NO");

  // The emd plan of this non-degenerate problem is the assignment's permutation.
  bool same = e.entries.size() == n;
  for (const auto& t : e.entries)
    same = same && a.row_to_col[t.i] == static_cast<std::ptrdiff_t>(t.j) && std::abs(t.mass - 1.0 / nn) < 1e-12;
  std::printf("emd plan = assignment permutation: %s\n", same ? "yes" : "NO");

  double worst = 0;  // largest violation of u_i + v_j <= C_ij
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) worst = std::max(worst, e.u[i] + e.v[j] - C(i, j));
  std::printf("dual feasible: %s\n", worst <= 1e-9 ? "yes" : "NO");
  std::printf("matching:");
  for (std::size_t i = 0; i < n; ++i) std::printf(" %.1f->%.1f", x[i], y[static_cast<std::size_t>(a.row_to_col[i])]);
  std::printf("\n");
  const bool passed = agree && same && worst <= 1e-9 && e.convergence.converged();
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
