// Unbalanced (ot::sinkhorn_unbalanced) and partial (ot::partial) entropic OT
// next to balanced ot::sinkhorn, on 1-D points where one point on each side
// is an outlier (a word with no counterpart), uniform masses 1/4.
//
//   example_unbalanced_partial
//
// Balanced OT must move all the mass, the outliers' included.  Partial OT
// with mass 0.75 moves exactly 0.75 and leaves the outliers out; unbalanced
// OT destroys mass that is too expensive to move, so its plan carries less
// than 1 in total and little on the outliers.  Checks these facts and
// P 1 <= a, P^T 1 <= b for the partial plan.
#include <cmath>
#include <cstdio>
#include <vector>

#include "lexalign/ot/partial.hpp"
#include "lexalign/ot/sinkhorn.hpp"
#include "lexalign/ot/unbalanced.hpp"

namespace ot = lexalign::ot;

struct summary {
  double total = 0, outlier = 0, row_excess = 0, col_excess = 0;
};

template <class Plan>
summary summarize(const Plan& P, const std::vector<double>& a, const std::vector<double>& b) {
  summary s;
  for (std::size_t i = 0; i < a.size(); ++i) {
    double row = 0;
    for (std::size_t j = 0; j < b.size(); ++j) row += P(i, j);
    s.total += row;
    s.row_excess = std::max(s.row_excess, row - a[i]);
  }
  for (std::size_t j = 0; j < b.size(); ++j) {
    double col = 0;
    for (std::size_t i = 0; i < a.size(); ++i) col += P(i, j);
    s.col_excess = std::max(s.col_excess, col - b[j]);
  }
  for (std::size_t k = 0; k < a.size(); ++k) s.outlier += P(3, k) + P(k, 3);  // row 3 + column 3
  s.outlier -= P(3, 3);
  return s;
}

int main() {
  const std::vector<double> x{0.0, 1.0, 2.0, 10.0}, y{0.1, 1.1, 2.1, -8.0};  // index 3: outliers
  lexalign::dense_matrix<double> C(4, 4);
  double cmax = 0;
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) cmax = std::max(cmax, C(i, j) = (x[i] - y[j]) * (x[i] - y[j]));
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) C(i, j) /= cmax;  // max cost 1
  const std::vector<double> a(4, 0.25), b(4, 0.25);

  const auto bal = ot::sinkhorn(a, b, C, {.epsilon = 0.01});
  const auto par = ot::partial(a, b, C, {.epsilon = 0.01, .mass = 0.75});
  const auto unb = ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = 0.01}, .marginal_relaxation = 0.05});
  const auto sb = summarize(bal.plan, a, b), sp = summarize(par.plan, a, b), su = summarize(unb.plan, a, b);
  std::printf("balanced:   %s, mass %.4f, on outliers %.4f, cost %.5f\n", bal.convergence.converged() ? "converged" : "NOT",
              sb.total, sb.outlier, bal.cost);
  std::printf("partial:    %s, mass %.4f, on outliers %.4f, cost %.5f\n", par.convergence.converged() ? "converged" : "NOT",
              sp.total, sp.outlier, par.cost);
  std::printf("unbalanced: %s, mass %.4f, on outliers %.4f, cost %.5f\n", unb.convergence.converged() ? "converged" : "NOT",
              su.total, su.outlier, unb.cost);
  const bool partial_ok = std::abs(sp.total - 0.75) < 1e-6 && sp.row_excess < 1e-9 && sp.col_excess < 1e-9 &&
                          sp.outlier < 0.01;
  const bool unbalanced_ok = su.total < 1.0 && su.outlier < 0.1 * sb.outlier;
  std::printf("partial moves 0.75 within a and b, outliers left out: %s\n", partial_ok ? "yes" : "NO");
  std::printf("unbalanced moves less than 1, outliers mostly dropped: %s\n", unbalanced_ok ? "yes" : "NO");
  const bool passed = partial_ok && unbalanced_ok && bal.convergence.converged() && par.convergence.converged() && unb.convergence.converged() &&
                      std::abs(sb.total - 1) < 1e-6;
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
