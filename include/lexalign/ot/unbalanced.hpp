// lexalign/ot/unbalanced.hpp - entropic OT with KL-relaxed marginals.
//
//   auto r = ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = 0.05}, .marginal_relaxation = 1.0});
//
// Solves  min_P <P, C> + eps sum_ij P_ij (log P_ij - 1) + tau KL(P 1 | a) + tau KL(P^T 1 | b)
// (POT's ot.sinkhorn_unbalanced with reg = eps, reg_m = tau: the entropy is
// taken against the all-ones measure, not against a b^T, which is what the
// kernel K = exp(-C / eps) gives).  a and b may
// have different masses.  Updates: u = (a / K v)^rho, v = (b / K^T u)^rho with
// rho = tau / (tau + eps), fused as in sinkhorn.hpp (scaling or log domain).
// Stopping (convergence.error): the sup-norm change of the column potential g
// over the last iteration, in cost units, below `tolerance`.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>

#include "lexalign/config.hpp"
#include "lexalign/ot/sinkhorn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct unbalanced_options {
  // The Sinkhorn knobs (epsilon, method, iterations, tolerance, check_every,
  // epsilon scaling, warm start, return_plan, parallel).  Not used here:
  // `norm` and `mass_tolerance` (the masses may differ; the stopping
  // quantity is the change of g, not a marginal violation).
  sinkhorn_options sinkhorn{};
  double marginal_relaxation = 1.0;  // tau (> 0; +inf = balanced marginals)
};

inline void validate(const unbalanced_options& o) {
  validate(o.sinkhorn);
  validation::positive_or_infinite("unbalanced_options.marginal_relaxation", o.marginal_relaxation);
}

namespace detail {
inline constexpr stage_names unbalanced_stages{"sinkhorn_unbalanced", "sinkhorn_unbalanced_log",
                                               "sinkhorn_unbalanced.epsilon_scaling"};
}  // namespace detail

// Into a caller's result, reusing its buffers (see sinkhorn_into).
template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
void sinkhorn_unbalanced_into(const VA& a, const VB& b, const C& cost, const unbalanced_options& options,
                              entropic_workspace<T, Allocator>& ws, ot_result<T, Allocator>& r, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "sinkhorn_unbalanced: the workspace value type must be float or double");
  validate(options);
  const sinkhorn_options& so = options.sinkhorn;
  const double tau = options.marginal_relaxation;
  const executor ex(so.parallel);
  detail::reset_result(r);
  detail::with_cost_source(cost, ws.cost, [&](const auto& src) {
    detail::load_marginals(a, b, ws, src.rows(), src.cols());
    const double rho = std::isinf(tau) ? 1.0 : tau / (tau + so.epsilon);
    const detail::loop_params p{.eps = so.epsilon, .rho_a = rho, .rho_b = rho, .balanced = false};
    detail::solve_into<T>(src, ws, so, p, detail::unbalanced_stages, "sinkhorn_unbalanced", ex, obs, r);
  });
}

template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> sinkhorn_unbalanced(const VA& a, const VB& b, const C& cost, const unbalanced_options& options,
                                            entropic_workspace<T, Allocator>& ws, Obs obs = {}) {
  auto r = detail::empty_result<T>(ws.get_allocator());
  sinkhorn_unbalanced_into(a, b, cost, options, ws, r, std::move(obs));
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
