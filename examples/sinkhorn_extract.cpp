// Entropic optimal transport between two small sets of "word vectors" with a
// cosine cost, then word links read off the plan (mutual argmax, and a fixed
// threshold on the plan).
//
//   example_sinkhorn_extract
//
// The target set is the source set in the order 2 0 3 1, each vector slightly
// perturbed, plus one extra vector unlike all of them that receives only a
// little mass (b = 0.2375 x4, 0.05), so the expected links are 0-1 1-3 2-0
// 3-2.  Checks: the plan's marginals are a and b, the scaling and log-domain
// solvers give the same cost, and the links.
#include <cmath>
#include <cstdio>
#include <vector>

#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/sinkhorn.hpp"

namespace ot = lexalign::ot;

int main() {
  const std::size_t m = 4, n = 5, d = 3;
  const double src[4][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}};
  const std::size_t perm[4] = {2, 0, 3, 1};  // target j copies source perm[j]
  lexalign::dense_matrix<double> x(m, d), y(n, d);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t k = 0; k < d; ++k) x(i, k) = src[i][k];
  for (std::size_t j = 0; j < 4; ++j)
    for (std::size_t k = 0; k < d; ++k) y(j, k) = src[perm[j]][k] + 0.05 * static_cast<double>((j + k) % 3);
  y(4, 0) = -1, y(4, 1) = -1, y(4, 2) = 0.2;  // unlike everything

  const auto C = ot::cost_matrix<double>(x, y, ot::cost_metric::cosine);
  const std::vector<double> a(m, 1.0 / static_cast<double>(m)), b{0.2375, 0.2375, 0.2375, 0.2375, 0.05};
  const auto r = ot::sinkhorn(a, b, C, {.epsilon = 0.02});
  const auto s = ot::sinkhorn(a, b, C, {.epsilon = 0.02, .method = ot::sinkhorn_method::log});
  std::printf("converged: %s %s, iterations %zu %zu\n", r.convergence.converged() ? "yes" : "no", s.convergence.converged() ? "yes" : "no",
              r.convergence.iterations, s.convergence.iterations);

  double row_err = 0, col_err = 0, total = 0;
  for (std::size_t i = 0; i < m; ++i) {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) sum += r.plan(i, j);
    row_err = std::max(row_err, std::abs(sum - a[i]));
    total += sum;
  }
  for (std::size_t j = 0; j < n; ++j) {
    double sum = 0;
    for (std::size_t i = 0; i < m; ++i) sum += r.plan(i, j);
    col_err = std::max(col_err, std::abs(sum - b[j]));
  }
  const bool marginals = row_err < 1e-6 && col_err < 1e-6 && std::abs(total - 1.0) < 1e-6;
  std::printf("plan mass %.6f, marginals within 1e-6: %s\n", total, marginals ? "yes" : "NO");
  const bool same_cost = std::abs(r.cost - s.cost) < 1e-6;
  std::printf("cost scaling %.6f, log %.6f: %s\n", r.cost, s.cost, same_cost ? "agree" : "DIFFER");

  // Links: mutual argmax, and plan entries above a threshold (0.1: between
  // the 0.2375 of a matched pair and the 0.05 of the extra vector).
  std::printf("mutual argmax:");
  bool links_ok = true;
  for (std::size_t i = 0; i < m; ++i) {
    std::size_t bj = 0;
    for (std::size_t j = 1; j < n; ++j) if (r.plan(i, j) > r.plan(i, bj)) bj = j;
    std::size_t bi = 0;
    for (std::size_t k = 1; k < m; ++k) if (r.plan(k, bj) > r.plan(bi, bj)) bi = k;
    if (bi != i) continue;
    std::printf(" %zu-%zu", i, bj);
    links_ok = links_ok && perm[bj] == i;
  }
  std::printf("\nthreshold 0.1:");
  std::size_t count = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (r.plan(i, j) > 0.1) std::printf(" %zu-%zu", i, j), links_ok = links_ok && perm[j] == i, ++count;
  std::printf("\n");
  const bool passed = marginals && same_cost && links_ok && count == m && r.convergence.converged();
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
