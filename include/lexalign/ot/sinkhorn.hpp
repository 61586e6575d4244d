// lexalign/ot/sinkhorn.hpp - balanced entropic optimal transport (Sinkhorn).
//
//   auto r = lexalign::ot::sinkhorn(a, b, C, {.epsilon = 0.05});
//   r.plan, r.f, r.g, r.cost, r.marginal_error, r.iterations, r.status
//
// Solves  min_P <P, C> + eps KL(P | a b^T)  s.t.  P 1 = a, P^T 1 = b.
// Two methods: `scaling` (u, v scalings on the stored kernel exp(-C/eps):
// fastest, but the kernel underflows for small eps) and `log` (potentials
// f, g with a vectorised log-sum-exp: stable for any eps).  Both use the
// fused iteration that reads the kernel / cost once per iteration.
//
// Stopping: every `check_every` iterations the column-marginal violation
// ||P^T 1 - b|| of the current plan (its row marginals are exact after the row
// update) is measured in `norm` (L1 by default); the solver stops when it is
// below `tolerance`.  See docs/ot/sinkhorn.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>
#include <type_traits>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/detail/problem.hpp"
#include "lexalign/ot/detail/sinkhorn_core.hpp"
#include "lexalign/ot/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

enum class sinkhorn_method {
  scaling,  // u = a / (K v), v = b / (K^T u) on K = exp(-C / eps)
  log,      // log-domain potentials, stable for any epsilon
};

struct sinkhorn_options {
  double epsilon = 0.05;                        // entropic regularisation (> 0), in cost units
  sinkhorn_method method = sinkhorn_method::scaling;
  std::size_t max_iterations = 1000;            // POT's numItermax
  double tolerance = 1e-9;                      // POT's stopThr, on the marginal violation
  std::size_t check_every = 10;                 // POT checks every 10 iterations
  marginal_norm norm = marginal_norm::l1;       // norm of the marginal violation
  double epsilon_start = 0;                     // > epsilon: epsilon scaling from here (log domain)
  double epsilon_decay = 0.5;                   // factor between epsilon-scaling stages, in (0, 1)
  std::size_t stage_iterations = 50;            // iteration cap of each epsilon-scaling stage
  potentials_view initial_f{};                  // warm start (optional; f is recomputed first)
  potentials_view initial_g{};                  // warm start column potential (cost units)
  bool return_plan = true;                      // fill result.plan (m x n)
  unsigned threads = 1;                         // 0 = all hardware threads; results do not depend on it
};

template <class T, class Allocator = std::allocator<T>>
using sinkhorn_workspace = entropic_workspace<T, Allocator>;

namespace detail {

template <class C>
using solver_value_t = std::conditional_t<std::is_floating_point_v<matrix_value_t<C>>, matrix_value_t<C>, double>;

inline void check_common(const sinkhorn_options& o) {
  check_epsilon(o.epsilon);
  if (o.check_every == 0) throw invalid_argument("check_every must be >= 1");
  if (!(o.tolerance >= 0)) throw invalid_argument("tolerance must be >= 0");
  if (o.epsilon_start > o.epsilon && !(o.epsilon_decay > 0 && o.epsilon_decay < 1))
    throw invalid_argument("epsilon_decay must be in (0, 1)");
}

template <class T, class WS>
void load_warm_start(WS& ws, const potentials_view& f0, const potentials_view& g0) {
  const std::size_t m = ws.a.size(), n = ws.b.size();
  ws.f.resize(m);
  ws.g.resize(n);
  if (!f0.empty() && f0.size() != m)
    throw invalid_argument("initial_f has " + std::to_string(f0.size()) + " entries, expected " + std::to_string(m));
  if (!g0.empty() && g0.size() != n)
    throw invalid_argument("initial_g has " + std::to_string(g0.size()) + " entries, expected " + std::to_string(n));
  for (std::size_t i = 0; i < m; ++i) {
    const double x = f0.empty() ? 0.0 : f0[i];
    if (!f0.empty() && std::isnan(x)) throw invalid_argument("initial_f[" + std::to_string(i) + "] is NaN");
    ws.f[i] = ws.a[i] > 0 ? static_cast<T>(x) : ninf<T>;
  }
  for (std::size_t j = 0; j < n; ++j) {
    const double x = g0.empty() ? 0.0 : g0[j];
    if (!g0.empty() && !std::isfinite(x)) throw invalid_argument("initial_g[" + std::to_string(j) + "] is not finite");
    ws.g[j] = ws.b[j] > 0 ? static_cast<T>(x) : ninf<T>;
  }
}

// The whole solve on a prepared workspace (marginals and warm start loaded).
template <class T, class Src, class WS, class Obs, class R>
void entropic_solve(const Src& src, WS& ws, const sinkhorn_options& o, loop_params p, Obs& obs, R& r) {
  loop_state st;
  if (o.epsilon_start > o.epsilon) {
    loop_params sp = p;
    sp.max_iterations = o.stage_iterations;
    for (double e = o.epsilon_start; e > o.epsilon; e *= o.epsilon_decay) {
      sp.eps = e;
      if (!p.balanced) {
        // keep the KL weight tau fixed: rho = tau / (tau + eps)
        const double tau_a = p.rho_a < 1 ? p.rho_a * p.eps / (1 - p.rho_a) : 0;
        const double tau_b = p.rho_b < 1 ? p.rho_b * p.eps / (1 - p.rho_b) : 0;
        sp.rho_a = p.rho_a < 1 ? tau_a / (tau_a + e) : 1;
        sp.rho_b = p.rho_b < 1 ? tau_b / (tau_b + e) : 1;
      }
      log_loop<T>(src, ws, sp, st, obs);
      if (st.status == solver_status::stopped_by_observer || st.status == solver_status::numerical_error) break;
    }
  }
  if (st.status != solver_status::stopped_by_observer && st.status != solver_status::numerical_error) {
    if (o.method == sinkhorn_method::log) {
      log_loop<T>(src, ws, p, st, obs);
    } else {
      build_kernel<T>(src, ws, p.eps, p.threads);
      scaling_loop<T>(src.rows(), src.cols(), ws, p, st, obs);
    }
  }
  r.iterations = st.iterations;
  r.marginal_error = st.error;
  r.status = st.status;
  finish<T>(src, ws, p.eps, o.return_plan, p.threads, r);
}

}  // namespace detail

// Balanced entropic OT with a caller-provided workspace.  `cost` is any
// lexalign::matrix (m x n, finite, >= 0) or a point_cloud_cost (never stored
// by the log method).  Throws lexalign::invalid_argument on bad input.
template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> sinkhorn(const VA& a, const VB& b, const C& cost, const sinkhorn_options& options,
                                 entropic_workspace<T, Allocator>& ws, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "sinkhorn: the workspace value type must be float or double");
  detail::check_common(options);
  ot_result<T, Allocator> r{std::vector<T, Allocator>(ws.get_allocator()), std::vector<T, Allocator>(ws.get_allocator()),
                            dense_matrix<T, Allocator>(ws.get_allocator())};
  detail::with_cost_source(cost, ws.cost, [&](const auto& src) {
    const double ta = detail::load_marginal(a, ws.a, src.rows(), "a");
    const double tb = detail::load_marginal(b, ws.b, src.cols(), "b");
    detail::check_equal_mass(ta, tb, detail::mass_tolerance<T>);
    detail::load_warm_start<T>(ws, options.initial_f, options.initial_g);
    detail::loop_params p;
    p.eps = options.epsilon;
    p.max_iterations = options.max_iterations;
    p.tolerance = options.tolerance;
    p.check_every = options.check_every;
    p.norm = options.norm;
    p.threads = options.threads;
    p.stage = options.method == sinkhorn_method::log ? "sinkhorn_log" : "sinkhorn";
    detail::entropic_solve<T>(src, ws, options, p, obs, r);
  });
  return r;
}

// Allocating overload: the value type is the cost's (float or double;
// integer costs solve in double).
template <vector VA, vector VB, matrix C, observer Obs = no_observer>
auto sinkhorn(const VA& a, const VB& b, const C& cost, const sinkhorn_options& options = {}, Obs obs = {}) {
  using T = detail::solver_value_t<C>;
  entropic_workspace<T> ws;
  return sinkhorn(a, b, cost, options, ws, std::move(obs));
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
