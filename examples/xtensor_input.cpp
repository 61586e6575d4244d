// Feeding xtensor containers and views to lexalign solvers directly: no
// adapter, no copy for types that expose their memory (docs/core.md).
//
//   example_xtensor_input      (built with xtensor when CMake finds it)
//
// The same Sinkhorn problem is solved from an xt::xtensor cost (with
// xt::xtensor marginals) and from a lexalign::dense_matrix holding the same
// numbers: the results are bit-identical.  Then ot::emd on a strided
// xt::view (every other row of the cost) equals ot::emd on a dense copy of
// those rows.
#include <cstdio>
#include <vector>

#ifdef LEXALIGN_EXAMPLE_HAVE_XTENSOR
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "lexalign/ot/emd.hpp"
#include "lexalign/ot/sinkhorn.hpp"

namespace ot = lexalign::ot;

int main() {
  const std::size_t m = 6, n = 5;
  xt::xtensor<double, 2> cost = xt::zeros<double>({m, n});
  lexalign::dense_matrix<double> dense(m, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      dense(i, j) = cost(i, j) = static_cast<double>((3 * i + 7 * j) % 11) / 10.0;
  xt::xtensor<double, 1> a = xt::ones<double>({m}) / static_cast<double>(m);
  xt::xtensor<double, 1> b = xt::ones<double>({n}) / static_cast<double>(n);
  const std::vector<double> va(m, 1.0 / static_cast<double>(m)), vb(n, 1.0 / static_cast<double>(n));

  const auto rx = ot::sinkhorn(a, b, cost, {.epsilon = 0.05});
  const auto rd = ot::sinkhorn(va, vb, dense, {.epsilon = 0.05});
  const bool same = rx.f == rd.f && rx.g == rd.g && rx.cost == rd.cost;
  std::printf("sinkhorn xtensor vs dense_matrix: %s (cost %.6f)\n", same ? "identical" : "DIFFERENT", rx.cost);

  // Rows 0, 2, 4 through a strided view, 3 x 5, masses 1/3 and 1/5.
  const auto rows = xt::view(cost, xt::range(0, static_cast<long>(m), 2), xt::all());
  lexalign::dense_matrix<double> copy(3, n);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < n; ++j) copy(i, j) = dense(2 * i, j);
  const std::vector<double> a3(3, 1.0 / 3.0);
  const auto ev = ot::emd(a3, vb, rows);
  const auto ec = ot::emd(a3, vb, copy);
  const bool same_emd = ev.cost == ec.cost && ev.entries == ec.entries;
  std::printf("emd strided view vs dense copy: %s (cost %.6f)\n", same_emd ? "identical" : "DIFFERENT", ev.cost);
  const bool passed = same && same_emd && rx.convergence.converged() && ev.convergence.converged();
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
#else
int main() {
  std::printf("xtensor not available: nothing to show\n");
  return 0;
}
#endif
