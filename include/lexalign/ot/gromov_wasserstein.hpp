// lexalign/ot/gromov_wasserstein.hpp - entropic Gromov-Wasserstein.
//
//   auto r = ot::gromov_wasserstein(C1, C2, p, q, {.epsilon = 5e-3});
//   r.plan   // m x n coupling between the two metric spaces
//   r.cost   // GW loss sum_ijkl (C1_ik - C2_jl)^2 P_ij P_kl
//
// Square loss, as POT's ot.gromov.entropic_gromov_wasserstein (Peyre, Cuturi &
// Solomon 2016): from P = p q^T, repeat P <- sinkhorn(p, q, G(P), eps) with
// the gradient G(P) = 2 (C1^2 p 1^T + 1 q^T C2^2 - 2 C1 P C2^T).  Each inner
// Sinkhorn is warm-started from the previous one's potentials.
// Stopping: every `check_every` outer iterations, ||P - P_prev||_F (POT's
// criterion) below `tolerance`.
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
#include "lexalign/ot/sinkhorn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct gromov_wasserstein_options {
  double epsilon = 0.05;                      // entropic regularisation of each inner problem (> 0)
  std::size_t max_iterations = 1000;          // outer iterations (POT's max_iter)
  double tolerance = 1e-9;                    // on ||P - P_prev||_F (POT's tol)
  std::size_t check_every = 10;
  sinkhorn_method method = sinkhorn_method::log;  // inner solver
  std::size_t inner_max_iterations = 1000;
  double inner_tolerance = 1e-9;
  unsigned threads = 1;
};

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
  require_rank_two(c, name);
  const std::size_t k = rows(c);
  if (k == 0) throw invalid_argument(std::string(name) + " is empty");
  if (cols(c) != k)
    throw invalid_argument(std::string(name) + " must be square (" + std::to_string(k) + " x " +
                           std::to_string(cols(c)) + ")");
  out.resize(k * k);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) {
      const double x = static_cast<double>(at(c, i, j));
      if (std::isnan(x) || !std::isfinite(x) || x < 0)
        throw invalid_argument(std::string(name) + "(" + std::to_string(i) + ", " + std::to_string(j) + ") is " +
                               (std::isnan(x) ? "NaN" : !std::isfinite(x) ? "infinite" : "negative"));
      out[i * k + j] = static_cast<T>(x);
    }
  return k;
}

// out (m x n) = C1 (m x m) * P (m x n) * C2^T (n x n); tmp is m x n.
template <class T>
void sandwich(const T* c1, const T* P, const T* c2, T* tmp, T* out, std::size_t m, std::size_t n, unsigned threads) {
  for_each_block(threads, m, 16, [&](std::size_t, std::size_t i0, std::size_t i1, unsigned) {
    for (std::size_t i = i0; i < i1; ++i) {
      T* t = tmp + i * n;
      std::fill(t, t + n, T(0));
      for (std::size_t k = 0; k < m; ++k) axpy(c1[i * m + k], P + k * n, t, n);
    }
  });
  // out_ij = sum_l tmp_il C2_jl = <tmp_i, C2_j>
  for_each_block(threads, m, 16, [&](std::size_t, std::size_t i0, std::size_t i1, unsigned) {
    for (std::size_t i = i0; i < i1; ++i)
      for (std::size_t j = 0; j < n; ++j) out[i * n + j] = dot(tmp + i * n, c2 + j * n, n);
  });
}

}  // namespace detail

template <matrix C1, matrix C2, vector VP, vector VQ, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> gromov_wasserstein(const C1& c1_in, const C2& c2_in, const VP& p_in, const VQ& q_in,
                                           const gromov_wasserstein_options& options,
                                           gromov_wasserstein_workspace<T, Allocator>& ws, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "gromov_wasserstein: the workspace value type must be float or double");
  detail::check_epsilon(options.epsilon);
  if (options.check_every == 0) throw invalid_argument("check_every must be >= 1");
  const std::size_t m = detail::load_square(c1_in, ws.c1, "C1");
  const std::size_t n = detail::load_square(c2_in, ws.c2, "C2");
  auto& in = ws.inner;
  const double tp = detail::load_marginal(p_in, in.a, m, "p");
  const double tq = detail::load_marginal(q_in, in.b, n, "q");
  detail::check_equal_mass(tp, tq, detail::mass_tolerance<T>);
  ot_result<T, Allocator> r{std::vector<T, Allocator>(ws.get_allocator()), std::vector<T, Allocator>(ws.get_allocator()),
                            dense_matrix<T, Allocator>(ws.get_allocator())};
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

  sinkhorn_options so;
  so.epsilon = options.epsilon;
  so.method = options.method;
  so.max_iterations = options.inner_max_iterations;
  so.tolerance = options.inner_tolerance;
  so.threads = options.threads;
  detail::loop_params lp;
  lp.eps = options.epsilon;
  lp.max_iterations = options.inner_max_iterations;
  lp.tolerance = options.inner_tolerance;
  lp.threads = options.threads;
  lp.stage = "gromov_wasserstein.sinkhorn";
  no_observer inner_obs;
  r.status = solver_status::max_iterations;
  r.marginal_error = std::numeric_limits<double>::infinity();
  detail::dense_source<T> src{ws.grad.data(), m, n, static_cast<std::ptrdiff_t>(n)};
  for (std::size_t it = 1; it <= options.max_iterations; ++it) {
    r.iterations = it;
    std::copy(r.plan.data(), r.plan.data() + m * n, ws.prev.begin());
    detail::sandwich(c1, r.plan.data(), c2, ws.tmp.data(), ws.grad.data(), m, n, options.threads);
    T gmin = std::numeric_limits<T>::infinity();
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        T& gij = ws.grad[i * n + j];
        gij = 2 * (ws.c1p[i] + ws.c2q[j]) - 4 * gij;
        gmin = std::min(gmin, gij);
      }
    for (auto& x : ws.grad) x -= gmin;  // a constant shift leaves the plan unchanged
    // warm start: potentials of the previous inner problem (kept in in.f / in.g by finish)
    detail::loop_state st;
    if (options.method == sinkhorn_method::log) {
      detail::log_loop<T>(src, in, lp, st, inner_obs);
    } else {
      detail::build_kernel<T>(src, in, lp.eps, lp.threads);
      detail::scaling_loop<T>(m, n, in, lp, st, inner_obs);
    }
    detail::finish<T>(src, in, lp.eps, true, lp.threads, r);
    // keep in.f / in.g (internal, -inf at zero mass) for the next warm start
    if (st.status == solver_status::numerical_error) {
      std::copy(ws.prev.begin(), ws.prev.end(), r.plan.data());
      r.status = solver_status::numerical_error;
      break;
    }
    const bool check = it % options.check_every == 0 || it == options.max_iterations || it == 1;
    if (!check) continue;
    double err = 0;
    for (std::size_t k = 0; k < m * n; ++k) {
      const double d = static_cast<double>(r.plan.data()[k]) - static_cast<double>(ws.prev[k]);
      err += d * d;
    }
    err = std::sqrt(err);
    r.marginal_error = err;
    if (notify(obs, iteration_event{"gromov_wasserstein", it, err, std::numeric_limits<double>::quiet_NaN()}) ==
        observer_action::stop) {
      r.status = solver_status::stopped_by_observer;
      break;
    }
    if (err < options.tolerance) {
      r.status = solver_status::converged;
      break;
    }
  }
  // GW loss of the final plan: sum_ij (constC_ij - 2 (C1 P C2^T)_ij) P_ij
  detail::sandwich(c1, r.plan.data(), c2, ws.tmp.data(), ws.grad.data(), m, n, options.threads);
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
