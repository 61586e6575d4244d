// lexalign/ot/sinkhorn.hpp - balanced entropic optimal transport (Sinkhorn).
//
//   auto r = lexalign::ot::sinkhorn(a, b, C, {.epsilon = 0.05});
//   r.plan, r.f, r.g, r.cost, r.convergence (status, iterations, error)
//
// Solves  min_P <P, C> + eps KL(P | a b^T)  s.t.  P 1 = a, P^T 1 = b.
// Two methods: `scaling` (u, v scalings on the stored kernel exp(-C/eps):
// fastest, but the kernel underflows for small eps) and `log` (potentials
// f, g with a vectorised log-sum-exp: stable for any eps).  Both use the
// fused iteration that reads the kernel / cost once per iteration.
//
// Stopping (convergence.error): every `check_every` iterations the
// column-marginal violation ||P^T 1 - b|| in `norm` (L1 by default) of the
// plan after the row update, whose row marginal is exact; the solver stops
// when it is below `tolerance`.  POT's rule: norm = l2, check_every = 10.
// See docs/ot/sinkhorn.md.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/detail/problem.hpp"
#include "lexalign/ot/detail/sinkhorn_core.hpp"
#include "lexalign/ot/result.hpp"
#include "lexalign/ot/workspace.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

enum class sinkhorn_method {
  scaling,  // u = a / (K v), v = b / (K^T u) on K = exp(-C / eps)
  log,      // log-domain potentials, stable for any epsilon
};

struct sinkhorn_options {
  double epsilon = 0.05;                        // entropic regularisation (> 0), in cost units
  sinkhorn_method method = sinkhorn_method::scaling;
  std::size_t max_iterations = 1000;            // POT's numItermax (>= 1)
  double tolerance = 1e-9;                      // POT's stopThr, on convergence.error (>= 0; 0 = run to the cap)
  std::size_t check_every = 10;                 // POT checks every 10 iterations (>= 1)
  marginal_norm norm = marginal_norm::l1;       // norm of the marginal violation (POT: l2)
  double mass_tolerance = 1e-6;                 // relative |sum a - sum b| up to which b is rescaled (else an error)
  double epsilon_start = 0;                     // > epsilon: epsilon scaling from here (log domain); 0 = off
  double epsilon_decay = 0.5;                   // factor between epsilon-scaling stages, in (0, 1)
  std::size_t stage_iterations = 50;            // iteration cap of each epsilon-scaling stage (>= 1)
  potentials_view initial_f{};                  // warm start (optional; f is recomputed first)
  potentials_view initial_g{};                  // warm start column potential (cost units)
  bool return_plan = true;                      // fill result.plan (m x n)
  parallel_options parallel{};                  // threads or a caller's pool; results do not depend on it
};

// Throws lexalign::invalid_option naming the first bad field.
inline void validate(const sinkhorn_options& o) {
  validation::positive("sinkhorn_options.epsilon", o.epsilon);
  validation::at_least("sinkhorn_options.max_iterations", o.max_iterations, 1);
  validation::non_negative("sinkhorn_options.tolerance", o.tolerance);
  validation::at_least("sinkhorn_options.check_every", o.check_every, 1);
  validation::require(o.norm == marginal_norm::l1 || o.norm == marginal_norm::l2 || o.norm == marginal_norm::linf,
                      "sinkhorn_options.norm", validation::format_value(static_cast<long long>(o.norm)),
                      "l1, l2 or linf");
  validation::require(o.method == sinkhorn_method::scaling || o.method == sinkhorn_method::log,
                      "sinkhorn_options.method", validation::format_value(static_cast<long long>(o.method)),
                      "scaling or log");
  validation::in_range("sinkhorn_options.mass_tolerance", o.mass_tolerance, 0.0, 1.0);
  validation::non_negative("sinkhorn_options.epsilon_start", o.epsilon_start);
  validation::open_unit("sinkhorn_options.epsilon_decay", o.epsilon_decay);
  validation::at_least("sinkhorn_options.stage_iterations", o.stage_iterations, 1);
  validate(o.parallel);
}

template <class T, class Allocator = std::allocator<T>>
using sinkhorn_workspace = entropic_workspace<T, Allocator>;

namespace detail {

template <class C>
using solver_value_t = std::conditional_t<std::is_floating_point_v<matrix_value_t<C>>, matrix_value_t<C>, double>;

template <class T, class WS>
void load_warm_start(WS& ws, const potentials_view& f0, const potentials_view& g0) {
  const std::size_t m = ws.a.size(), n = ws.b.size();
  ws.f.resize(m);
  ws.g.resize(n);
  if (!f0.empty()) validation::check_size("initial_f", f0.size(), m, "a has " + std::to_string(m));
  if (!g0.empty()) validation::check_size("initial_g", g0.size(), n, "b has " + std::to_string(n));
  for (std::size_t i = 0; i < m; ++i) {
    const double x = f0.empty() ? 0.0 : f0[i];
    // f is recomputed from g first: only NaN is meaningless (-inf marks zero mass)
    if (std::isnan(x)) validation::fail_entry(validation::entry_name("initial_f", i), x);
    ws.f[i] = ws.a[i] > 0 ? static_cast<T>(x) : ninf<T>;
  }
  for (std::size_t j = 0; j < n; ++j) {
    const double x = g0.empty() ? 0.0 : g0[j];
    if (!g0.empty() && ws.b[j] > 0) validation::check_entry("initial_g", j, x, validation::entry_rule::finite);
    ws.g[j] = ws.b[j] > 0 ? static_cast<T>(x) : ninf<T>;
  }
}

// Stage names: the method's, and that of its epsilon-scaling stages.
struct stage_names {
  std::string_view scaling, log, scaling_stages;
};
inline constexpr stage_names sinkhorn_stages{"sinkhorn", "sinkhorn_log", "sinkhorn.epsilon_scaling"};

// Runs Sinkhorn (balanced or KL-relaxed) on a prepared workspace (marginals
// and warm start loaded): the epsilon-scaling stages, then the method's
// iterations, each through the iteration driver.  When the scaling form
// cannot start (its kernel underflows, or exp(g / eps) of the warm start is
// not representable) returns numerical_error, no iteration run, with the
// reason in `underflow`.
template <class T, class Src, class WS, class Obs>
convergence_info entropic_solve(const Src& src, WS& ws, const sinkhorn_options& o, const loop_params& p,
                                const stage_names& names, const executor& ex, Obs& obs, std::string& underflow) {
  const bool scaling = o.method == sinkhorn_method::scaling;
  if (scaling) {
    underflow = prepare_kernel<T>(src, ws, p.eps, ex);
    const T inv = static_cast<T>(1.0 / p.eps);
    for (std::size_t j = 0; underflow.empty() && j < ws.b.size(); ++j) {
      const T v = std::exp(ws.g[j] * inv);
      if (ws.b[j] > 0 && !(v > 0 && std::isfinite(v)))
        underflow = "exp(initial_g[" + std::to_string(j) + "] / epsilon) is not representable";
    }
    if (!underflow.empty()) return {solver_status::numerical_error, 0, std::numeric_limits<double>::quiet_NaN()};
  }
  convergence_info run{solver_status::converged, 0, std::numeric_limits<double>::quiet_NaN()};
  if (o.epsilon_start > o.epsilon) {
    loop_params sp = p;
    const drive_params dp{names.scaling_stages, o.stage_iterations, o.tolerance, o.check_every};
    for (double e = o.epsilon_start; e > o.epsilon && run.ok(); e *= o.epsilon_decay) {
      sp.eps = e;
      if (!p.balanced) {
        // keep the KL weight tau fixed: rho = tau / (tau + eps)
        const double tau_a = p.rho_a < 1 ? p.rho_a * p.eps / (1 - p.rho_a) : 0;
        const double tau_b = p.rho_b < 1 ? p.rho_b * p.eps / (1 - p.rho_b) : 0;
        sp.rho_a = p.rho_a < 1 ? tau_a / (tau_a + e) : 1;
        sp.rho_b = p.rho_b < 1 ? tau_b / (tau_b + e) : 1;
      }
      log_policy<T, Src, WS> stage(src, ws, sp, ex);
      append_stage(run, drive(stage, dp, obs));
    }
  }
  if (run.ok()) {
    const drive_params dp{scaling ? names.scaling : names.log, o.max_iterations, o.tolerance, o.check_every};
    if (scaling) {
      scaling_policy<T, WS> pol(src.rows(), src.cols(), ws, p, ex);
      append_stage(run, drive(pol, dp, obs));
      pol.to_potentials();
    } else {
      log_policy<T, Src, WS> pol(src, ws, p, ex);
      append_stage(run, drive(pol, dp, obs));
    }
  }
  return run;
}

// The common tail of sinkhorn and sinkhorn_unbalanced: warm start, solve,
// the plan and the potentials into `r`.  A scaling form that cannot start is
// an invalid_argument.
template <class T, class Src, class WS, class Obs, class R>
void solve_into(const Src& src, WS& ws, const sinkhorn_options& o, const loop_params& p, const stage_names& names,
                std::string_view solver, const executor& ex, Obs& obs, R& r) {
  load_warm_start<T>(ws, o.initial_f, o.initial_g);
  std::string underflow;
  r.convergence = entropic_solve<T>(src, ws, o, p, names, ex, obs, underflow);
  if (!underflow.empty())
    throw invalid_argument(
        scaling_failure_message(solver, underflow, o.epsilon, "raise epsilon or use sinkhorn_method::log"));
  finish<T>(src, ws, o.epsilon, o.return_plan, ex, r);
}

// An _into call's result before the solve: the plan emptied (capacity
// kept; `finish` refills it when asked).  f and g are left alone, so the
// options may warm-start from r's own potentials; `finish` overwrites them.
template <class T, class Allocator>
void reset_result(ot_result<T, Allocator>& r) {
  r.plan.resize(0, 0);
}

template <class T, class Allocator>
ot_result<T, Allocator> empty_result(const Allocator& alloc) {
  return ot_result<T, Allocator>{std::vector<T, Allocator>(alloc), std::vector<T, Allocator>(alloc),
                                 dense_matrix<T, Allocator>(alloc), 0.0, convergence_info{}};
}

}  // namespace detail

// Balanced entropic OT with a caller-provided workspace.  `cost` is any
// lexalign::matrix (m x n, finite, >= 0) or a point_cloud_cost (never stored
// by the log method).  Throws lexalign::invalid_option on bad options and
// lexalign::invalid_argument on bad data (and, for the scaling form, on a
// kernel exp(-C / epsilon) with a row or column that underflows to 0, or a
// warm start g with exp(g / epsilon) out of range).
//
// sinkhorn_into writes into a caller's result `r` and reuses its buffers
// (plan, f, g): with a warm workspace and a warm result of the same or
// larger size, one thread and no observer, a call allocates nothing.  With
// return_plan = false, r.plan is left 0 x 0 (its capacity kept).  The
// options may warm-start from r's own potentials (initial_f = r.f).
template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
void sinkhorn_into(const VA& a, const VB& b, const C& cost, const sinkhorn_options& options,
                   entropic_workspace<T, Allocator>& ws, ot_result<T, Allocator>& r, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "sinkhorn: the workspace value type must be float or double");
  validate(options);
  const executor ex(options.parallel);
  detail::reset_result(r);
  detail::with_cost_source(cost, ws.cost, [&](const auto& src) {
    const auto [ta, tb] = detail::load_marginals(a, b, ws, src.rows(), src.cols());
    detail::match_mass(ta, tb, ws.b, options.mass_tolerance);
    const detail::loop_params p{.eps = options.epsilon, .norm = options.norm};
    detail::solve_into<T>(src, ws, options, p, detail::sinkhorn_stages, "sinkhorn", ex, obs, r);
  });
}

template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> sinkhorn(const VA& a, const VB& b, const C& cost, const sinkhorn_options& options,
                                 entropic_workspace<T, Allocator>& ws, Obs obs = {}) {
  auto r = detail::empty_result<T>(ws.get_allocator());
  sinkhorn_into(a, b, cost, options, ws, r, std::move(obs));
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
