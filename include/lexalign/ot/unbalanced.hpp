// lexalign/ot/unbalanced.hpp - entropic OT with KL-relaxed marginals.
//
//   auto r = ot::sinkhorn_unbalanced(a, b, C, {.epsilon = 0.05, .marginal_relaxation = 1.0});
//
// Solves  min_P <P, C> + eps sum_ij P_ij (log P_ij - 1) + tau KL(P 1 | a) + tau KL(P^T 1 | b)
// (POT's ot.sinkhorn_unbalanced with reg = eps, reg_m = tau: the entropy is
// taken against the all-ones measure, not against a b^T, which is what the
// kernel K = exp(-C / eps) gives).  a and b may
// have different masses.  Updates: u = (a / K v)^rho, v = (b / K^T u)^rho with
// rho = tau / (tau + eps), fused as in sinkhorn.hpp (scaling or log domain).
// Stopping: the sup-norm change of the column potential g between two
// consecutive iterations, in cost units, below `tolerance`.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>

#include "lexalign/config.hpp"
#include "lexalign/ot/sinkhorn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct unbalanced_options {
  double epsilon = 0.05;                        // entropic regularisation (> 0)
  double marginal_relaxation = 1.0;             // tau (> 0; +inf = balanced marginals)
  sinkhorn_method method = sinkhorn_method::scaling;
  std::size_t max_iterations = 1000;
  double tolerance = 1e-9;                      // on max_j |g_new - g_old|
  std::size_t check_every = 10;
  double epsilon_start = 0;                     // > epsilon: epsilon scaling (log domain), tau fixed
  double epsilon_decay = 0.5;
  std::size_t stage_iterations = 50;
  potentials_view initial_f{};
  potentials_view initial_g{};
  bool return_plan = true;
  unsigned threads = 1;
};

template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> sinkhorn_unbalanced(const VA& a, const VB& b, const C& cost, const unbalanced_options& options,
                                            entropic_workspace<T, Allocator>& ws, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "sinkhorn_unbalanced: the workspace value type must be float or double");
  const double tau = options.marginal_relaxation;
  if (!(tau > 0)) throw invalid_argument("marginal_relaxation (tau) must be > 0");
  sinkhorn_options so;
  so.epsilon = options.epsilon;
  so.method = options.method;
  so.max_iterations = options.max_iterations;
  so.tolerance = options.tolerance;
  so.check_every = options.check_every;
  so.epsilon_start = options.epsilon_start;
  so.epsilon_decay = options.epsilon_decay;
  so.stage_iterations = options.stage_iterations;
  so.initial_f = options.initial_f;
  so.initial_g = options.initial_g;
  so.return_plan = options.return_plan;
  so.threads = options.threads;
  detail::check_common(so);
  ot_result<T, Allocator> r{std::vector<T, Allocator>(ws.get_allocator()), std::vector<T, Allocator>(ws.get_allocator()),
                            dense_matrix<T, Allocator>(ws.get_allocator())};
  detail::with_cost_source(cost, ws.cost, [&](const auto& src) {
    detail::load_marginal(a, ws.a, src.rows(), "a");
    detail::load_marginal(b, ws.b, src.cols(), "b");
    detail::load_warm_start<T>(ws, so.initial_f, so.initial_g);
    detail::loop_params p;
    p.eps = so.epsilon;
    const double rho = std::isinf(tau) ? 1.0 : tau / (tau + so.epsilon);
    p.rho_a = p.rho_b = rho;
    p.balanced = false;
    p.max_iterations = so.max_iterations;
    p.tolerance = so.tolerance;
    p.check_every = so.check_every;
    p.threads = so.threads;
    p.stage = so.method == sinkhorn_method::log ? "sinkhorn_unbalanced_log" : "sinkhorn_unbalanced";
    detail::entropic_solve<T>(src, ws, so, p, obs, r);
  });
  return r;
}

template <vector VA, vector VB, matrix C, observer Obs = no_observer>
auto sinkhorn_unbalanced(const VA& a, const VB& b, const C& cost, const unbalanced_options& options = {}, Obs obs = {}) {
  using T = detail::solver_value_t<C>;
  entropic_workspace<T> ws;
  return sinkhorn_unbalanced(a, b, cost, options, ws, std::move(obs));
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
