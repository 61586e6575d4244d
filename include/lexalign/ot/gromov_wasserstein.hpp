// lexalign/ot/gromov_wasserstein.hpp - entropic Gromov-Wasserstein.
//
//   auto r = ot::gromov_wasserstein(C1, C2, p, q, {.inner = {.epsilon = 5e-3, .method = ot::sinkhorn_method::log}});
//   r.plan   // m x n coupling between the two metric spaces
//   r.cost   // GW loss sum_ijkl (C1_ik - C2_jl)^2 P_ij P_kl
//
// Square loss, as POT's ot.gromov.entropic_gromov_wasserstein (Peyre, Cuturi &
// Solomon 2016): from P = p q^T, repeat P <- sinkhorn(p, q, G(P), eps) with
// the gradient G(P) = 2 (C1^2 p 1^T + 1 q^T C2^2 - 2 C1 P C2^T).  Each inner
// Sinkhorn is warm-started from the previous one's potentials.
// Stopping (convergence.error): every `check_every` outer iterations,
// ||P - P_prev||_F over the last outer iteration (POT's criterion) below
// `tolerance`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/ot/detail/iteration_driver.hpp"
#include "lexalign/ot/sinkhorn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct gromov_wasserstein_options {
  std::size_t max_iterations = 1000;  // outer iterations (POT's max_iter, >= 1)
  double tolerance = 1e-9;            // on convergence.error = ||P - P_prev||_F (POT's tol, >= 0)
  std::size_t check_every = 10;       // outer check schedule (>= 1)
  // Each inner entropic problem: epsilon (POT's epsilon), method (the log
  // method is the safer choice at small epsilon: the gradient costs change
  // at each outer iteration), iterations, tolerance, norm, epsilon scaling,
  // mass_tolerance (for p and q).  Its warm start comes from the previous
  // inner problem and its plan is always computed: leave inner.initial_f /
  // initial_g empty and inner.parallel default (the threads are `parallel`).
  sinkhorn_options inner{};
  parallel_options parallel{};        // for the products and the inner problems
};

inline void validate(const gromov_wasserstein_options& o) {
  validation::at_least("gromov_wasserstein_options.max_iterations", o.max_iterations, 1);
  validation::non_negative("gromov_wasserstein_options.tolerance", o.tolerance);
  validation::at_least("gromov_wasserstein_options.check_every", o.check_every, 1);
  validate(o.inner);
  validation::require(o.inner.initial_f.empty() && o.inner.initial_g.empty(),
                      "gromov_wasserstein_options.inner.initial_f / initial_g", "a warm start", "empty");
  validation::require(o.inner.parallel.threads == 1 && o.inner.parallel.pool == nullptr,
                      "gromov_wasserstein_options.inner.parallel", "non-default",
                      "default (set gromov_wasserstein_options.parallel)");
  validate(o.parallel);
}

template <class T, class Allocator = std::allocator<T>>
struct gromov_wasserstein_workspace {
  explicit gromov_wasserstein_workspace(const Allocator& alloc = Allocator())
      : c1(alloc), c2(alloc), c1p(alloc), c2q(alloc), tmp(alloc), grad(alloc), prev(alloc), inner(alloc) {}
  Allocator get_allocator() const { return c1.get_allocator(); }
  std::vector<T, Allocator> c1, c2, c1p, c2q, tmp, grad, prev;
  entropic_workspace<T, Allocator> inner;
};

namespace detail {

template <class T, class A, matrix M>
std::size_t load_square(const M& c, std::vector<T, A>& out, const char* name) {
  if (!has_rank_two(c)) throw invalid_argument(std::string(name) + " must be a 2-D array");
  const std::size_t k = rows(c);
  validation::check_not_empty(name, k, cols(c));
  validation::check_shape(name, k, cols(c), k, k, "it must be square");
  out.resize(k * k);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) {
      const double x = static_cast<double>(at(c, i, j));
      validation::check_entry(name, i, j, x, validation::entry_rule::finite_non_negative);
      out[i * k + j] = static_cast<T>(x);
    }
  return k;
}

// out (m x n) = C1 (m x m) * P (m x n) * C2^T (n x n); tmp is m x n.
template <class T>
void sandwich(const T* c1, const T* P, const T* c2, T* tmp, T* out, std::size_t m, std::size_t n, const executor& ex) {
  ex.for_each_block(m, 16, [&](std::size_t, std::size_t i0, std::size_t i1, unsigned) {
    for (std::size_t i = i0; i < i1; ++i) {
      T* t = tmp + i * n;
      std::fill(t, t + n, T(0));
      for (std::size_t k = 0; k < m; ++k) axpy(c1[i * m + k], P + k * n, t, n);
    }
  });
  // out_ij = sum_l tmp_il C2_jl = <tmp_i, C2_j>
  ex.for_each_block(m, 16, [&](std::size_t, std::size_t i0, std::size_t i1, unsigned) {
    for (std::size_t i = i0; i < i1; ++i)
      for (std::size_t j = 0; j < n; ++j) out[i * n + j] = dot(tmp + i * n, c2 + j * n, n);
  });
}

inline constexpr stage_names gw_inner_stages{"sinkhorn", "sinkhorn_log", "sinkhorn.epsilon_scaling"};

// GW's outer iteration for the driver: the gradient G(P), then the inner
// Sinkhorn problem on it (warm-started, through the same driver), whose plan
// is the new P.  Error: ||P - P_prev||_F over the last outer iteration.  The
// last finite iterate is the previous plan (ws.prev), so save() has nothing
// to keep.
template <class T, class WS, class R, class InnerObs>
struct gw_policy {
  WS& ws;
  R& r;
  const gromov_wasserstein_options& o;
  const executor& ex;
  InnerObs& inner_obs;
  std::size_t m, n;
  std::string underflow;  // kept between iterations: no allocation in steady state

  step_outcome step(bool) {
    auto& in = ws.inner;
    std::copy(r.plan.data(), r.plan.data() + m * n, ws.prev.begin());
    sandwich(ws.c1.data(), r.plan.data(), ws.c2.data(), ws.tmp.data(), ws.grad.data(), m, n, ex);
    T gmin = std::numeric_limits<T>::infinity();
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        T& gij = ws.grad[i * n + j];
        gij = 2 * (ws.c1p[i] + ws.c2q[j]) - 4 * gij;
        gmin = std::min(gmin, gij);
      }
    for (auto& x : ws.grad) x -= gmin;  // a constant shift leaves the plan unchanged
    for (const T x : ws.grad)
      if (!std::isfinite(x)) return step_outcome::numerical_error;
    // warm start: potentials of the previous inner problem (kept in in.f / in.g)
    const dense_source<T> src{ws.grad.data(), m, n, static_cast<std::ptrdiff_t>(n)};
    const loop_params lp{.eps = o.inner.epsilon, .norm = o.inner.norm};
    underflow.clear();
    const convergence_info c = entropic_solve<T>(src, in, o.inner, lp, gw_inner_stages, ex, inner_obs, underflow);
    if (c.status == solver_status::numerical_error) return step_outcome::numerical_error;
    finish<T>(src, in, o.inner.epsilon, true, ex, r);
    return c.status == solver_status::stopped_by_observer ? step_outcome::stopped : step_outcome::proceed;
  }
  double error() const {
    double err = 0;
    for (std::size_t k = 0; k < m * n; ++k) {
      const double d = static_cast<double>(r.plan.data()[k]) - static_cast<double>(ws.prev[k]);
      err += d * d;
    }
    return std::sqrt(err);
  }
  bool finite() const {
    for (std::size_t k = 0; k < m * n; ++k)
      if (!std::isfinite(r.plan.data()[k])) return false;
    return true;
  }
  void save() {}
  void restore() { std::copy(ws.prev.begin(), ws.prev.end(), r.plan.data()); }
  static double objective() { return std::numeric_limits<double>::quiet_NaN(); }
};

}  // namespace detail

// Entropic Gromov-Wasserstein with a caller-provided workspace.  The
// observer sees the outer iterations as "gromov_wasserstein" and the inner
// problems as "gromov_wasserstein.sinkhorn" / "gromov_wasserstein.sinkhorn_log";
// stop ends the whole call.
template <matrix C1, matrix C2, vector VP, vector VQ, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> gromov_wasserstein(const C1& c1_in, const C2& c2_in, const VP& p_in, const VQ& q_in,
                                           const gromov_wasserstein_options& options,
                                           gromov_wasserstein_workspace<T, Allocator>& ws, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "gromov_wasserstein: the workspace value type must be float or double");
  validate(options);
  const std::size_t m = detail::load_square(c1_in, ws.c1, "C1");
  const std::size_t n = detail::load_square(c2_in, ws.c2, "C2");
  auto& in = ws.inner;
  const double tp = validation::load_weights(p_in, in.a, "p", m, "C1 has " + std::to_string(m) + " rows");
  const double tq = validation::load_weights(q_in, in.b, "q", n, "C2 has " + std::to_string(n) + " rows");
  const double factor = validation::matching_mass(tp, tq, options.inner.mass_tolerance, "a: p, b: q");
  if (factor != 1.0)
    for (auto& x : in.b) x = static_cast<T>(static_cast<double>(x) * factor);
  const executor ex(options.parallel);
  auto r = detail::empty_result<T>(ws.get_allocator());
  ws.c1p.resize(m);
  ws.c2q.resize(n);
  ws.tmp.resize(m * n);
  ws.grad.resize(m * n);
  ws.prev.resize(m * n);
  const T* c1 = ws.c1.data();
  const T* c2 = ws.c2.data();
  const T* p = in.a.data();
  const T* q = in.b.data();
  for (std::size_t i = 0; i < m; ++i) {
    T s = 0;
    for (std::size_t k = 0; k < m; ++k) s += c1[i * m + k] * c1[i * m + k] * p[k];
    ws.c1p[i] = s;
  }
  for (std::size_t j = 0; j < n; ++j) {
    T s = 0;
    for (std::size_t l = 0; l < n; ++l) s += c2[j * n + l] * c2[j * n + l] * q[l];
    ws.c2q[j] = s;
  }
  r.plan.resize(m, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) r.plan(i, j) = p[i] * q[j];
  in.f.assign(m, T(0));
  in.g.assign(n, T(0));
  for (std::size_t i = 0; i < m; ++i)
    if (!(p[i] > 0)) in.f[i] = detail::ninf<T>;
  for (std::size_t j = 0; j < n; ++j)
    if (!(q[j] > 0)) in.g[j] = detail::ninf<T>;
  auto run = [&](auto& inner_obs) {
    detail::gw_policy<T, gromov_wasserstein_workspace<T, Allocator>, ot_result<T, Allocator>,
                      std::remove_reference_t<decltype(inner_obs)>>
        pol{ws, r, options, ex, inner_obs, m, n, {}};
    r.convergence = detail::drive(
        pol, {"gromov_wasserstein", options.max_iterations, options.tolerance, options.check_every}, obs);
  };
  if constexpr (std::is_same_v<Obs, no_observer>) {
    no_observer none;
    run(none);
  } else {
    prefixed_observer<Obs> inner_obs("gromov_wasserstein", obs);
    run(inner_obs);
  }
  // GW loss of the final plan: sum_ij (constC_ij - 2 (C1 P C2^T)_ij) P_ij
  detail::sandwich(c1, r.plan.data(), c2, ws.tmp.data(), ws.grad.data(), m, n, ex);
  double loss = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      loss += (static_cast<double>(ws.c1p[i]) + static_cast<double>(ws.c2q[j]) - 2.0 * static_cast<double>(ws.grad[i * n + j])) *
              static_cast<double>(r.plan(i, j));
  r.cost = loss;
  return r;
}

template <matrix C1, matrix C2, vector VP, vector VQ, observer Obs = no_observer>
auto gromov_wasserstein(const C1& c1, const C2& c2, const VP& p, const VQ& q,
                        const gromov_wasserstein_options& options = {}, Obs obs = {}) {
  using T = detail::solver_value_t<C1>;
  gromov_wasserstein_workspace<T> ws;
  return gromov_wasserstein(c1, c2, p, q, options, ws, std::move(obs));
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
