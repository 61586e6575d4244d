// lexalign/ot/partial.hpp - entropic partial optimal transport.
//
//   auto r = ot::partial(a, b, C, {.epsilon = 0.05, .mass = 0.5});
//
// Solves  min_P <P, C> + eps sum P_ij (log P_ij - 1)
//         s.t. P 1 <= a,  P^T 1 <= b,  sum P = mass
// (POT's ot.partial.entropic_partial_wasserstein) by Dykstra's algorithm
// with KL (Bregman) projections onto the three sets, in scaling form:
// P = s diag(x) K diag(y) with K = exp(-C / eps).  Dykstra's corrections of
// the row and column sets are vectors (they only depend on the row, resp.
// column), so one iteration is one fused pass over K, like sinkhorn.
// Stopping (convergence.error): the sup-norm change of the potentials
// eps log(s x), eps log y since the previous check, below `tolerance`.
// The returned plan meets sum P = mass exactly (the last projection);
// P 1 <= a and P^T 1 <= b hold up to the convergence of Dykstra's iteration.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>

#include "lexalign/config.hpp"
#include "lexalign/ot/sinkhorn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct partial_options {
  double epsilon = 0.05;              // entropic regularisation (> 0)
  double mass = 0;                    // mass to transport; 0 = min(sum a, sum b) (POT's default)
  std::size_t max_iterations = 1000;  // POT's numItermax (>= 1)
  double tolerance = 1e-9;            // on convergence.error (>= 0)
  std::size_t check_every = 10;       // (>= 1)
  bool return_plan = true;
  parallel_options parallel{};
};

inline void validate(const partial_options& o) {
  validation::positive("partial_options.epsilon", o.epsilon);
  validation::non_negative("partial_options.mass", o.mass);
  validation::at_least("partial_options.max_iterations", o.max_iterations, 1);
  validation::non_negative("partial_options.tolerance", o.tolerance);
  validation::at_least("partial_options.check_every", o.check_every, 1);
  validate(o.parallel);
}

namespace detail {

// Dykstra's iteration for entropic partial OT as a policy of the iteration
// driver.  Iterate: x = ws.f, y = ws.g (scalings), the mass factor s, and
// Dykstra's corrections c1 (rows), c2 (columns) in ws.extra2.  Error: the
// sup-norm change of the potentials eps log(s x), eps log y since the
// previous check.
template <class T, class WS>
struct partial_policy {
  WS& ws;
  const executor& ex;
  std::size_t m, n, br, nb;
  double eps, mass, s, s_saved;
  double err = 0;

  partial_policy(WS& w, std::size_t rows, std::size_t cols, double epsilon, double mass_, double s0, const executor& e)
      : ws(w), ex(e), m(rows), n(cols), br(row_block_size(m)), nb(block_count(m, br)), eps(epsilon), mass(mass_), s(s0),
        s_saved(s0) {}

  step_outcome step(bool check) {
    T* x = ws.f.data();
    T* y = ws.g.data();
    T* c1 = ws.extra2.data();
    T* c2 = c1 + m;
    const T* a = ws.a.data();
    const T* b = ws.b.data();
    const T* K = ws.kernel.data();
    T* partials = ws.partials.data();
    const T sT = static_cast<T>(s);
    ex.for_each_block(m, br, [&](std::size_t blk, std::size_t i0, std::size_t i1, unsigned) {
      T* wb = partials + blk * n;
      std::fill(wb, wb + n, T(0));
      for (std::size_t i = i0; i < i1; ++i) {
        if (!(a[i] > 0)) continue;
        const T* k = K + i * n;
        const T rs = sT * x[i] * dot(k, y, n);  // row sum of the current plan
        const T d = std::min(a[i] / (c1[i] * rs), T(1));
        x[i] = x[i] * c1[i] * d;
        c1[i] = T(1) / d;
        axpy(x[i], k, wb, n);
      }
    });
    reduce_partials(partials, nb, n, ws.w.data(), ex);
    double tot = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (!(b[j] > 0)) continue;
      const T cs = sT * y[j] * ws.w[j];
      const T d = std::min(b[j] / (c2[j] * cs), T(1));
      y[j] = y[j] * c2[j] * d;
      c2[j] = T(1) / d;
      tot += static_cast<double>(sT * y[j] * ws.w[j]);
    }
    s = s * mass / tot;
    if (check) {
      const double ds = eps * std::log(s / s_saved);
      double dmax = std::abs(ds);
      for (std::size_t i = 0; i < m; ++i)
        if (a[i] > 0)
          dmax = std::max(dmax, std::abs(eps * std::log(static_cast<double>(x[i]) / static_cast<double>(ws.f_prev[i])) + ds));
      for (std::size_t j = 0; j < n; ++j)
        if (b[j] > 0)
          dmax = std::max(dmax, std::abs(eps * std::log(static_cast<double>(y[j]) / static_cast<double>(ws.g_prev[j]))));
      err = dmax;
    }
    return step_outcome::proceed;
  }
  double error() const { return err; }
  bool finite() const {
    return std::isfinite(s) && s > 0 && all_positive_where(ws.f.data(), ws.a.data(), m) &&
           all_positive_where(ws.g.data(), ws.b.data(), n);
  }
  void save() {
    std::copy(ws.f.begin(), ws.f.end(), ws.f_prev.begin());
    std::copy(ws.g.begin(), ws.g.end(), ws.g_prev.begin());
    s_saved = s;
  }
  void restore() {
    std::copy(ws.f_prev.begin(), ws.f_prev.end(), ws.f.begin());
    std::copy(ws.g_prev.begin(), ws.g_prev.end(), ws.g.begin());
    s = s_saved;
  }
  static double objective() { return std::numeric_limits<double>::quiet_NaN(); }
};

}  // namespace detail

// Into a caller's result, reusing its buffers (see sinkhorn_into).
template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
void partial_into(const VA& a_in, const VB& b_in, const C& cost, const partial_options& options,
                  entropic_workspace<T, Allocator>& ws, ot_result<T, Allocator>& r, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "partial: the workspace value type must be float or double");
  validate(options);
  const executor ex(options.parallel);
  detail::reset_result(r);
  detail::with_cost_source(cost, ws.cost, [&](const auto& src) {
    const std::size_t m = src.rows(), n = src.cols();
    const auto [ta, tb] = detail::load_marginals(a_in, b_in, ws, m, n);
    const double mass = options.mass == 0 ? std::min(ta, tb) : options.mass;
    if (mass > std::min(ta, tb) * (1 + 1e-12))
      throw invalid_argument("partial: mass must be in (0, min(sum a, sum b)] = (0, " +
                             validation::format_value(std::min(ta, tb)) + "] (got " + validation::format_value(mass) +
                             ")");
    const double eps = options.epsilon;
    detail::size_buffers(ws, m, n, ex);
    const std::string underflow = detail::prepare_kernel<T>(src, ws, eps, ex);
    if (!underflow.empty())
      throw invalid_argument(detail::scaling_failure_message("partial", underflow, eps, "raise epsilon"));
    ws.f.assign(m, T(1));
    ws.g.assign(n, T(1));
    ws.extra2.assign(m + n, T(1));  // Dykstra corrections: rows then columns
    T* x = ws.f.data();
    T* y = ws.g.data();
    const T* a = ws.a.data();
    const T* b = ws.b.data();
    const T* K = ws.kernel.data();
    for (std::size_t i = 0; i < m; ++i)
      if (!(a[i] > 0)) x[i] = 0;
    for (std::size_t j = 0; j < n; ++j)
      if (!(b[j] > 0)) y[j] = 0;
    // s = mass / sum(K restricted to positive-mass rows and columns): > 0,
    // the kernel has a positive entry there
    double total = 0;
    for (std::size_t i = 0; i < m; ++i)
      if (x[i] > 0) total += static_cast<double>(detail::dot(K + i * n, y, n));
    detail::partial_policy<T, entropic_workspace<T, Allocator>> pol(ws, m, n, eps, mass, mass / total, ex);
    r.convergence = detail::drive(pol, {"partial", options.max_iterations, options.tolerance, options.check_every}, obs);
    // potentials: f = eps log(s x), g = eps log y
    const double s = pol.s;
    for (std::size_t i = 0; i < m; ++i)
      x[i] = x[i] > 0 ? static_cast<T>(eps * (std::log(static_cast<double>(x[i])) + std::log(s))) : detail::ninf<T>;
    for (std::size_t j = 0; j < n; ++j) y[j] = y[j] > 0 ? static_cast<T>(eps * std::log(static_cast<double>(y[j]))) : detail::ninf<T>;
    detail::finish<T>(src, ws, eps, options.return_plan, ex, r);
  });
}

template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> partial(const VA& a_in, const VB& b_in, const C& cost, const partial_options& options,
                                entropic_workspace<T, Allocator>& ws, Obs obs = {}) {
  auto r = detail::empty_result<T>(ws.get_allocator());
  partial_into(a_in, b_in, cost, options, ws, r, std::move(obs));
  return r;
}

template <vector VA, vector VB, matrix C, observer Obs = no_observer>
auto partial(const VA& a, const VB& b, const C& cost, const partial_options& options = {}, Obs obs = {}) {
  using T = detail::solver_value_t<C>;
  entropic_workspace<T> ws;
  return partial(a, b, cost, options, ws, std::move(obs));
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
