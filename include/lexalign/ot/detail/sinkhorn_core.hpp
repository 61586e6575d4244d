// lexalign/ot/detail/sinkhorn_core.hpp - the fused Sinkhorn iterations
// (scaling and log domain, balanced and KL-relaxed) shared by sinkhorn.hpp
// and unbalanced.hpp.
//
// Fused iteration: rows are visited once per iteration.  Row i gives the new
// row potential (u_i = a_i / <K_i, v>, or its log-domain form), and the same
// row, still in cache, adds its plan entries to per-block column sums; those
// give the next column potential.  Row blocks have a size that depends on the
// row count only, and block sums are reduced in block order, so results do
// not depend on the thread count.
//
// Log domain: with e_ij = exp((g_j - C_ij - M_i) / eps), M_i = max_j (g_j - C_ij),
// the plan entry with the new f_i is P_ij = coef_i * e_ij (coef_i = a_i / sum_j e_ij
// when balanced): one exp per entry per iteration, and the column update is
// g_j <- g_j + eps (log b_j - log sum_i P_ij).  A column whose sum underflows is
// recomputed with an exact column log-sum-exp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string_view>
#include <type_traits>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/ot/detail/problem.hpp"
#include "lexalign/ot/detail/simd.hpp"
#include "lexalign/ot/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot::detail {

struct loop_params {
  double eps = 0.1;
  double rho_a = 1, rho_b = 1;  // tau / (tau + eps) for KL-relaxed marginals; 1 = balanced
  bool balanced = true;
  std::size_t max_iterations = 1000;
  double tolerance = 1e-9;
  std::size_t check_every = 10;
  marginal_norm norm = marginal_norm::l1;
  unsigned threads = 1;
  std::string_view stage = "sinkhorn";
};

struct loop_state {
  std::size_t iterations = 0;  // total over stages
  double error = std::numeric_limits<double>::infinity();
  solver_status status = solver_status::max_iterations;
};

template <class T>
inline constexpr T underflow_guard = std::is_same_v<T, float> ? T(1e-25) : T(1e-250);

template <class T>
bool all_finite_where(const T* x, const T* mass, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (mass[i] > 0 && !std::isfinite(x[i])) return false;
  return true;
}

// log sum_i exp((f_i - C_ij) / eps) over rows with finite f_i (exact, strided).
template <class T, class Src>
T column_lse(const Src& src, const T* f, std::size_t j, T inv) {
  const std::size_t m = src.rows();
  T mx = ninf<T>;
  for (std::size_t i = 0; i < m; ++i)
    if (f[i] > ninf<T>) mx = std::max(mx, f[i] - src.at(i, j));
  if (mx == ninf<T>) return ninf<T>;
  T s = 0;
  for (std::size_t i = 0; i < m; ++i)
    if (f[i] > ninf<T>) s += std::exp((f[i] - src.at(i, j) - mx) * inv);
  return mx * inv + std::log(s);
}

template <class WS>
void size_buffers(WS& ws, std::size_t m, std::size_t n, unsigned threads) {
  const std::size_t br = row_block_size(m), nb = block_count(m, br);
  const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(resolve_threads(threads), nb));
  ws.partials.resize(nb * n);
  ws.scratch.resize(static_cast<std::size_t>(workers) * 2 * n);
  ws.w.resize(n);
  ws.f_prev.resize(m);
  ws.g_prev.resize(n);
  ws.extra.resize(m);
}

// Common check-point handling; returns true when the loop must stop.
template <class WS, class Obs>
bool checkpoint(WS& ws, const loop_params& p, loop_state& st, double err, bool finite, Obs& obs) {
  if (!finite || !std::isfinite(err)) {
    std::copy(ws.f_prev.begin(), ws.f_prev.end(), ws.f.begin());
    std::copy(ws.g_prev.begin(), ws.g_prev.end(), ws.g.begin());
    st.status = solver_status::numerical_error;
    return true;
  }
  std::copy(ws.f.begin(), ws.f.end(), ws.f_prev.begin());
  std::copy(ws.g.begin(), ws.g.end(), ws.g_prev.begin());
  st.error = err;
  if (notify(obs, iteration_event{p.stage, st.iterations, err, std::numeric_limits<double>::quiet_NaN()}) ==
      observer_action::stop) {
    st.status = solver_status::stopped_by_observer;
    return true;
  }
  if (err < p.tolerance) {
    st.status = solver_status::converged;
    return true;
  }
  return false;
}

// Log-domain iterations on ws.f / ws.g (potentials; -inf where mass is 0).
template <class T, class Src, class WS, class Obs>
void log_loop(const Src& src, WS& ws, const loop_params& p, loop_state& st, Obs& obs) {
  const std::size_t m = src.rows(), n = src.cols();
  size_buffers(ws, m, n, p.threads);
  const std::size_t br = row_block_size(m), nb = block_count(m, br);
  const T eps = static_cast<T>(p.eps), inv = static_cast<T>(1.0 / p.eps);
  const T rho_a = static_cast<T>(p.rho_a), rho_b = static_cast<T>(p.rho_b);
  T* f = ws.f.data();
  T* g = ws.g.data();
  const T* a = ws.a.data();
  const T* b = ws.b.data();
  T* partials = ws.partials.data();
  T* scratch = ws.scratch.data();
  std::copy(ws.f.begin(), ws.f.end(), ws.f_prev.begin());
  std::copy(ws.g.begin(), ws.g.end(), ws.g_prev.begin());
  st.status = solver_status::max_iterations;
  for (std::size_t it = 1; it <= p.max_iterations; ++it) {
    ++st.iterations;
    for_each_block(p.threads, m, br, [&](std::size_t blk, std::size_t i0, std::size_t i1, unsigned worker) {
      T* wb = partials + blk * n;
      std::fill(wb, wb + n, T(0));
      T* e = scratch + static_cast<std::size_t>(worker) * 2 * n;
      T* cb = e + n;
      for (std::size_t i = i0; i < i1; ++i) {
        if (!(a[i] > 0)) continue;
        const T* c = src.row(i, cb);
        const T mx = max_diff(g, c, n);
        const T s = exp_diff_sum(g, c, mx, inv, e, n);
        const T lse = mx * inv + std::log(s);
        const T la = std::log(a[i]);
        T coef;
        if (p.balanced) {
          f[i] = eps * (la - lse);
          coef = a[i] / s;
        } else {
          f[i] = rho_a * eps * (la - lse);
          coef = std::exp((f[i] + mx) * inv);
        }
        axpy(coef, e, wb, n);
      }
    });
    reduce_partials(partials, nb, n, ws.w.data(), p.threads);
    const bool check = it % p.check_every == 0 || it == p.max_iterations;
    norm_accumulator acc{p.norm};
    double dmax = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (!(b[j] > 0)) continue;
      const T wj = ws.w[j];
      if (check && p.balanced) acc.add(static_cast<double>(wj) - static_cast<double>(b[j]));
      const T l = wj > underflow_guard<T> ? std::log(wj) - g[j] * inv : column_lse(src, f, j, inv);
      const T gn = p.balanced ? eps * (std::log(b[j]) - l) : rho_b * eps * (std::log(b[j]) - l);
      if (check && !p.balanced) dmax = std::max(dmax, std::abs(static_cast<double>(gn - g[j])));
      g[j] = gn;
    }
    if (check) {
      const double err = p.balanced ? acc.value() : dmax;
      const bool finite = all_finite_where(f, a, m) && all_finite_where(g, b, n);
      if (checkpoint(ws, p, st, err, finite, obs)) return;
    }
  }
}

// Scaling-form iterations.  On entry ws.g holds log-domain potentials (warm
// start); ws.kernel holds exp(-C / eps).  On exit ws.f / ws.g hold potentials.
template <class T, class WS, class Obs>
void scaling_loop(std::size_t m, std::size_t n, WS& ws, const loop_params& p, loop_state& st, Obs& obs) {
  size_buffers(ws, m, n, p.threads);
  const std::size_t br = row_block_size(m), nb = block_count(m, br);
  const T eps = static_cast<T>(p.eps), inv = static_cast<T>(1.0 / p.eps);
  const T rho_a = static_cast<T>(p.rho_a), rho_b = static_cast<T>(p.rho_b);
  T* u = ws.f.data();
  T* v = ws.g.data();
  const T* a = ws.a.data();
  const T* b = ws.b.data();
  const T* K = ws.kernel.data();
  T* partials = ws.partials.data();
  for (std::size_t j = 0; j < n; ++j) v[j] = b[j] > 0 ? std::exp(v[j] * inv) : T(0);
  for (std::size_t i = 0; i < m; ++i) u[i] = 0;
  std::copy(ws.f.begin(), ws.f.end(), ws.f_prev.begin());
  std::copy(ws.g.begin(), ws.g.end(), ws.g_prev.begin());
  st.status = solver_status::max_iterations;
  for (std::size_t it = 1; it <= p.max_iterations; ++it) {
    ++st.iterations;
    for_each_block(p.threads, m, br, [&](std::size_t blk, std::size_t i0, std::size_t i1, unsigned) {
      T* wb = partials + blk * n;
      std::fill(wb, wb + n, T(0));
      // Rows go by groups of R: the group's updates of the column sums run in
      // the same loop as the next group's dot products (one load of each
      // column-sum chunk per R rows; the kernel streams without pauses).
      // A short last group repeats its last row with weight 0.
      constexpr std::size_t R = 4;
      const T* rows[R];
      const T* next[R];
      T alpha[R], s[R], sn[R];
      auto group = [&](std::size_t start, const T** ptr) {
        for (std::size_t r = 0; r < R; ++r) ptr[r] = K + std::min(start + r, i1 - 1) * n;
      };
      group(i0, rows);
      for (std::size_t r = 0; r < R; ++r) s[r] = i0 + r < i1 ? dot(rows[r], v, n) : T(1);
      for (std::size_t i = i0; i < i1; i += R) {
        for (std::size_t r = 0; r < R; ++r) {
          const std::size_t row = i + r;
          alpha[r] = row >= i1 || !(a[row] > 0) ? T(0) : p.balanced ? a[row] / s[r] : std::pow(a[row] / s[r], rho_a);
          if (row < i1) u[row] = alpha[r];
        }
        if (i + R < i1) {
          group(i + R, next);
          rows_update<R, 1, true>(alpha, rows, wb, next, v, sn, n);
          for (std::size_t r = 0; r < R; ++r) {
            s[r] = i + R + r < i1 ? sn[r] : T(1);
            rows[r] = next[r];
          }
        } else {
          rows_update<R, 1, false>(alpha, rows, wb, nullptr, v, nullptr, n);
        }
      }
    });
    reduce_partials(partials, nb, n, ws.w.data(), p.threads);
    const bool check = it % p.check_every == 0 || it == p.max_iterations;
    norm_accumulator acc{p.norm};
    double dmax = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (!(b[j] > 0)) continue;
      const T wj = ws.w[j];
      if (check && p.balanced) acc.add(static_cast<double>(v[j] * wj) - static_cast<double>(b[j]));
      const T vn = p.balanced ? b[j] / wj : std::pow(b[j] / wj, rho_b);
      if (check && !p.balanced) dmax = std::max(dmax, std::abs(static_cast<double>(eps * std::log(vn / v[j]))));
      v[j] = vn;
    }
    if (check) {
      const double err = p.balanced ? acc.value() : dmax;
      bool finite = all_finite_where(u, a, m) && all_finite_where(v, b, n);
      for (std::size_t j = 0; finite && j < n; ++j) finite = !(b[j] > 0) || v[j] > 0;
      if (checkpoint(ws, p, st, err, finite, obs)) break;
    }
  }
  for (std::size_t i = 0; i < m; ++i) u[i] = u[i] > 0 ? eps * std::log(u[i]) : ninf<T>;
  for (std::size_t j = 0; j < n; ++j) v[j] = v[j] > 0 ? eps * std::log(v[j]) : ninf<T>;
}

// K = exp(-C / eps) into ws.kernel.
template <class T, class Src, class WS>
void build_kernel(const Src& src, WS& ws, double eps, unsigned threads) {
  const std::size_t m = src.rows(), n = src.cols();
  ws.kernel.resize(m * n);
  const T sc = static_cast<T>(-1.0 / eps);
  for_each_block(threads, m, row_block_size(m), [&](std::size_t, std::size_t i0, std::size_t i1, unsigned) {
    for (std::size_t i = i0; i < i1; ++i) {
      T* k = ws.kernel.data() + i * n;
      const T* c = src.row(i, k);
      if (c != k) std::copy(c, c + n, k);
      exp_scaled_inplace(k, sc, n);
    }
  });
}

// Fills the result: plan (optional), cost, and finite potentials for
// zero-mass points.  ws.f / ws.g hold potentials with -inf at zero mass.
template <class T, class Src, class WS, class R>
void finish(const Src& src, WS& ws, double eps_d, bool want_plan, unsigned threads, R& r) {
  const std::size_t m = src.rows(), n = src.cols();
  const T inv = static_cast<T>(1.0 / eps_d);
  const T eps = static_cast<T>(eps_d);
  size_buffers(ws, m, n, threads);
  if (want_plan) r.plan.resize(m, n, T(0));
  const T* f = ws.f.data();
  const T* g = ws.g.data();
  T* row_cost = ws.extra.data();
  T* scratch = ws.scratch.data();
  for_each_block(threads, m, row_block_size(m), [&](std::size_t, std::size_t i0, std::size_t i1, unsigned worker) {
    T* e = scratch + static_cast<std::size_t>(worker) * 2 * n;
    T* cb = e + n;
    for (std::size_t i = i0; i < i1; ++i) {
      row_cost[i] = 0;
      if (!(f[i] > ninf<T>)) continue;
      const T* c = src.row(i, cb);
      T* out = want_plan ? r.plan.data() + i * n : e;
      exp_diff_sum(g, c, -f[i], inv, out, n);
      row_cost[i] = dot(out, c, n);
    }
  });
  double cost = 0;
  for (std::size_t i = 0; i < m; ++i) cost += static_cast<double>(row_cost[i]);
  r.cost = cost;
  // Finite potentials for zero-mass points: the soft c-transforms.
  r.f.assign(ws.f.begin(), ws.f.end());
  r.g.assign(ws.g.begin(), ws.g.end());
  T* e = scratch;
  T* cb = e + n;
  for (std::size_t i = 0; i < m; ++i) {
    if (ws.a[i] > 0) continue;
    const T* c = src.row(i, cb);
    const T mx = max_diff(g, c, n);
    const T s = exp_diff_sum(g, c, mx, inv, e, n);
    r.f[i] = -eps * (mx * inv + std::log(s));
  }
  for (std::size_t j = 0; j < n; ++j) {
    if (ws.b[j] > 0) continue;
    r.g[j] = -eps * column_lse(src, f, j, inv);
  }
}

}  // namespace ot::detail
LEXALIGN_NAMESPACE_END
