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
//
// Each form is a policy of the iteration driver (iteration_driver.hpp): one
// iteration, the error at a check, save / restore of the iterate and its
// finiteness; the driver owns the loop, the stopping test, the roll-back and
// the observer.
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
#include "lexalign/ot/detail/iteration_driver.hpp"
#include "lexalign/ot/detail/problem.hpp"
#include "lexalign/ot/detail/simd.hpp"
#include "lexalign/ot/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot::detail {

// What one entropic problem iterates on (the driver's parameters come apart).
struct loop_params {
  double eps = 0.1;
  double rho_a = 1, rho_b = 1;  // tau / (tau + eps) for KL-relaxed marginals; 1 = balanced
  bool balanced = true;
  marginal_norm norm = marginal_norm::l1;
};

template <class T>
inline constexpr T underflow_guard = std::is_same_v<T, float> ? T(1e-25) : T(1e-250);

template <class T>
bool all_finite_where(const T* x, const T* mass, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (mass[i] > 0 && !std::isfinite(x[i])) return false;
  return true;
}

// Scalings are usable where the mass is positive when finite and > 0.
template <class T>
bool all_positive_where(const T* x, const T* mass, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (mass[i] > 0 && !(x[i] > 0 && std::isfinite(x[i]))) return false;
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
void size_buffers(WS& ws, std::size_t m, std::size_t n, const executor& ex) {
  const std::size_t br = row_block_size(m), nb = block_count(m, br);
  const unsigned workers = ex.workers_for(nb);
  ws.partials.resize(nb * n);
  ws.scratch.resize(static_cast<std::size_t>(workers) * 2 * n);
  ws.w.resize(n);
  ws.f_prev.resize(m);
  ws.g_prev.resize(n);
  ws.extra.resize(m);
}

// What the two fused forms share: the problem's shape and parameters, the
// error of the last check, and the iterate (f, g) with its copy
// (f_prev, g_prev) for save / restore.
template <class T, class WS>
struct fused_pass_base {
  WS& work;
  const loop_params& p;
  const executor& ex;
  std::size_t m, n, br, nb;
  T eps, inv, rho_a, rho_b;
  double err = 0;

  fused_pass_base(WS& w, std::size_t rows, std::size_t cols, const loop_params& lp, const executor& e)
      : work(w), p(lp), ex(e), m(rows), n(cols), br(row_block_size(m)), nb(block_count(m, br)),
        eps(static_cast<T>(lp.eps)), inv(static_cast<T>(1.0 / lp.eps)), rho_a(static_cast<T>(lp.rho_a)),
        rho_b(static_cast<T>(lp.rho_b)) {
    size_buffers(w, m, n, ex);
  }
  double error() const { return err; }
  void save() {
    std::copy(work.f.begin(), work.f.end(), work.f_prev.begin());
    std::copy(work.g.begin(), work.g.end(), work.g_prev.begin());
  }
  void restore() {
    std::copy(work.f_prev.begin(), work.f_prev.end(), work.f.begin());
    std::copy(work.g_prev.begin(), work.g_prev.end(), work.g.begin());
  }
  static double objective() { return std::numeric_limits<double>::quiet_NaN(); }
};

// Log-domain iterations on ws.f / ws.g (potentials; -inf where mass is 0).
// Error: balanced, ||P^T 1 - b|| in `norm` of the plan after the row update;
// KL-relaxed, max_j |g_new - g_old|.
template <class T, class Src, class WS>
struct log_policy : fused_pass_base<T, WS> {
  using base = fused_pass_base<T, WS>;
  using base::p, base::ex, base::m, base::n, base::br, base::nb, base::eps, base::inv, base::rho_a, base::rho_b,
      base::err;
  const Src& src;

  log_policy(const Src& s, WS& w, const loop_params& lp, const executor& e)
      : base(w, s.rows(), s.cols(), lp, e), src(s) {}

  step_outcome step(bool check) {
    WS& ws = this->work;
    T* f = ws.f.data();
    T* g = ws.g.data();
    const T* a = ws.a.data();
    const T* b = ws.b.data();
    T* partials = ws.partials.data();
    T* scratch = ws.scratch.data();
    ex.for_each_block(m, br, [&](std::size_t blk, std::size_t i0, std::size_t i1, unsigned worker) {
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
    reduce_partials(partials, nb, n, ws.w.data(), ex);
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
    if (check) err = p.balanced ? acc.value() : dmax;
    return step_outcome::proceed;
  }
  bool finite() const {
    return all_finite_where(this->work.f.data(), this->work.a.data(), m) &&
           all_finite_where(this->work.g.data(), this->work.b.data(), n);
  }
};

// Scaling-form iterations on u = ws.f, v = ws.g and the kernel ws.kernel =
// exp(-C / eps).  The constructor turns the log-domain warm start ws.g into
// v (and u = 1 where a > 0: the start is a finite iterate);
// to_potentials() turns the final (u, v) back into potentials.  Error as
// log_policy (the KL-relaxed change in cost units, eps |log(v_new / v_old)|).
template <class T, class WS>
struct scaling_policy : fused_pass_base<T, WS> {
  using base = fused_pass_base<T, WS>;
  using base::p, base::ex, base::m, base::n, base::br, base::nb, base::eps, base::inv, base::rho_a, base::rho_b,
      base::err;

  scaling_policy(std::size_t rows, std::size_t cols, WS& w, const loop_params& lp, const executor& e)
      : base(w, rows, cols, lp, e) {
    for (std::size_t j = 0; j < n; ++j) w.g[j] = w.b[j] > 0 ? std::exp(w.g[j] * inv) : T(0);
    for (std::size_t i = 0; i < m; ++i) w.f[i] = w.a[i] > 0 ? T(1) : T(0);
  }

  step_outcome step(bool check) {
    WS& ws = this->work;
    T* u = ws.f.data();
    T* v = ws.g.data();
    const T* a = ws.a.data();
    const T* b = ws.b.data();
    const T* K = ws.kernel.data();
    T* partials = ws.partials.data();
    const bool balanced = p.balanced;
    const T ra = rho_a;
    ex.for_each_block(m, br, [&](std::size_t blk, std::size_t i0, std::size_t i1, unsigned) {
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
          alpha[r] = row >= i1 || !(a[row] > 0) ? T(0) : balanced ? a[row] / s[r] : std::pow(a[row] / s[r], ra);
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
    reduce_partials(partials, nb, n, ws.w.data(), ex);
    norm_accumulator acc{p.norm};
    double dmax = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (!(b[j] > 0)) continue;
      const T wj = ws.w[j];
      if (check && balanced) acc.add(static_cast<double>(v[j] * wj) - static_cast<double>(b[j]));
      const T vn = balanced ? b[j] / wj : std::pow(b[j] / wj, rho_b);
      if (check && !balanced) dmax = std::max(dmax, std::abs(static_cast<double>(eps * std::log(vn / v[j]))));
      v[j] = vn;
    }
    if (check) err = balanced ? acc.value() : dmax;
    return step_outcome::proceed;
  }
  bool finite() const {
    return all_positive_where(this->work.f.data(), this->work.a.data(), m) &&
           all_positive_where(this->work.g.data(), this->work.b.data(), n);
  }
  void to_potentials() {
    T* u = this->work.f.data();
    T* v = this->work.g.data();
    for (std::size_t i = 0; i < m; ++i) u[i] = u[i] > 0 ? eps * std::log(u[i]) : ninf<T>;
    for (std::size_t j = 0; j < n; ++j) v[j] = v[j] > 0 ? eps * std::log(v[j]) : ninf<T>;
  }
};

// K = exp(-C / eps) into ws.kernel.
template <class T, class Src, class WS>
void build_kernel(const Src& src, WS& ws, double eps, const executor& ex) {
  const std::size_t m = src.rows(), n = src.cols();
  ws.kernel.resize(m * n);
  const T sc = static_cast<T>(-1.0 / eps);
  ex.for_each_block(m, row_block_size(m), [&](std::size_t, std::size_t i0, std::size_t i1, unsigned) {
    for (std::size_t i = i0; i < i1; ++i) {
      T* k = ws.kernel.data() + i * n;
      const T* c = src.row(i, k);
      if (c != k) std::copy(c, c + n, k);
      exp_scaled_inplace(k, sc, n);
    }
  });
}

// Builds the kernel of a scaling form and checks it (kernel_underflow).
// Returns where it underflows ("row 3"), or an empty string.
template <class T, class Src, class WS>
std::string prepare_kernel(const Src& src, WS& ws, double eps, const executor& ex) {
  build_kernel<T>(src, ws, eps, ex);
  ws.w.resize(src.cols());
  return kernel_underflow(ws.kernel.data(), ws.a.data(), ws.b.data(), src.rows(), src.cols(), src.cols(), ws.w.data());
}

// Fills the result: plan (optional), cost, and finite potentials for
// zero-mass points.  ws.f / ws.g hold potentials with -inf at zero mass.
template <class T, class Src, class WS, class R>
void finish(const Src& src, WS& ws, double eps_d, bool want_plan, const executor& ex, R& r) {
  const std::size_t m = src.rows(), n = src.cols();
  const T inv = static_cast<T>(1.0 / eps_d);
  const T eps = static_cast<T>(eps_d);
  size_buffers(ws, m, n, ex);
  if (want_plan) r.plan.resize(m, n, T(0));
  const T* f = ws.f.data();
  const T* g = ws.g.data();
  T* row_cost = ws.extra.data();
  T* scratch = ws.scratch.data();
  ex.for_each_block(m, row_block_size(m), [&](std::size_t, std::size_t i0, std::size_t i1, unsigned worker) {
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
