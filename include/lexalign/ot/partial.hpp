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
// Stopping: the sup-norm change of the potentials eps log(s x), eps log y
// between two iterations, below `tolerance`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>

#include "lexalign/config.hpp"
#include "lexalign/ot/sinkhorn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct partial_options {
  double epsilon = 0.05;              // entropic regularisation (> 0)
  double mass = 0;                    // mass to transport; 0 = min(sum a, sum b) (POT's default)
  std::size_t max_iterations = 1000;  // POT's numItermax
  double tolerance = 1e-9;            // on the change of the potentials (cost units)
  std::size_t check_every = 10;
  bool return_plan = true;
  unsigned threads = 1;
};

template <vector VA, vector VB, matrix C, class T, class Allocator, observer Obs = no_observer>
ot_result<T, Allocator> partial(const VA& a_in, const VB& b_in, const C& cost, const partial_options& options,
                                entropic_workspace<T, Allocator>& ws, Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "partial: the workspace value type must be float or double");
  detail::check_epsilon(options.epsilon);
  if (options.check_every == 0) throw invalid_argument("check_every must be >= 1");
  ot_result<T, Allocator> r{std::vector<T, Allocator>(ws.get_allocator()), std::vector<T, Allocator>(ws.get_allocator()),
                            dense_matrix<T, Allocator>(ws.get_allocator())};
  detail::with_cost_source(cost, ws.cost, [&](const auto& src) {
    const std::size_t m = src.rows(), n = src.cols();
    const double ta = detail::load_marginal(a_in, ws.a, m, "a");
    const double tb = detail::load_marginal(b_in, ws.b, n, "b");
    const double mass = options.mass == 0 ? std::min(ta, tb) : options.mass;
    if (!(mass > 0) || !std::isfinite(mass) || mass > std::min(ta, tb) * (1 + 1e-12))
      throw invalid_argument("partial: mass must be in (0, min(sum a, sum b)] = (0, " + std::to_string(std::min(ta, tb)) +
                             "], got " + std::to_string(mass));
    const double eps = options.epsilon;
    detail::loop_params p;
    p.eps = eps;
    p.threads = options.threads;
    p.tolerance = options.tolerance;
    p.stage = "partial";
    detail::build_kernel<T>(src, ws, eps, options.threads);
    detail::size_buffers(ws, m, n, options.threads);
    ws.f.assign(m, T(1));
    ws.g.assign(n, T(1));
    ws.extra2.assign(m + n, T(1));  // Dykstra corrections: rows then columns
    T* x = ws.f.data();
    T* y = ws.g.data();
    T* c1 = ws.extra2.data();
    T* c2 = c1 + m;
    const T* a = ws.a.data();
    const T* b = ws.b.data();
    const T* K = ws.kernel.data();
    for (std::size_t i = 0; i < m; ++i)
      if (!(a[i] > 0)) x[i] = 0;
    for (std::size_t j = 0; j < n; ++j)
      if (!(b[j] > 0)) y[j] = 0;
    // s = mass / sum(K restricted to positive-mass rows and columns)
    double total = 0;
    for (std::size_t i = 0; i < m; ++i)
      if (x[i] > 0) total += static_cast<double>(detail::dot(K + i * n, y, n));
    if (!(total > 0)) throw invalid_argument("partial: the kernel exp(-C/eps) underflows to 0; increase epsilon");
    double s = mass / total;
    const std::size_t br = detail::row_block_size(m), nb = block_count(m, br);
    T* partials = ws.partials.data();
    detail::loop_state st;
    std::copy(ws.f.begin(), ws.f.end(), ws.f_prev.begin());
    std::copy(ws.g.begin(), ws.g.end(), ws.g_prev.begin());
    double s_prev = s, s_check = s;
    for (std::size_t it = 1; it <= options.max_iterations; ++it) {
      ++st.iterations;
      const T sT = static_cast<T>(s);
      for_each_block(options.threads, m, br, [&](std::size_t blk, std::size_t i0, std::size_t i1, unsigned) {
        T* wb = partials + blk * n;
        std::fill(wb, wb + n, T(0));
        for (std::size_t i = i0; i < i1; ++i) {
          if (!(a[i] > 0)) continue;
          const T* k = K + i * n;
          const T rs = sT * x[i] * detail::dot(k, y, n);  // row sum of the current plan
          const T d = std::min(a[i] / (c1[i] * rs), T(1));
          x[i] = x[i] * c1[i] * d;
          c1[i] = T(1) / d;
          detail::axpy(x[i], k, wb, n);
        }
      });
      detail::reduce_partials(partials, nb, n, ws.w.data(), options.threads);
      double tot = 0;
      for (std::size_t j = 0; j < n; ++j) {
        if (!(b[j] > 0)) continue;
        const T cs = sT * y[j] * ws.w[j];
        const T d = std::min(b[j] / (c2[j] * cs), T(1));
        y[j] = y[j] * c2[j] * d;
        c2[j] = T(1) / d;
        tot += static_cast<double>(sT * y[j] * ws.w[j]);
      }
      s_prev = s;
      s = s * mass / tot;
      (void)s_prev;
      const bool check = it % options.check_every == 0 || it == options.max_iterations;
      if (check) {
        double dmax = std::abs(eps * std::log(s / s_check));
        for (std::size_t i = 0; i < m; ++i)
          if (a[i] > 0) dmax = std::max(dmax, std::abs(eps * std::log(static_cast<double>(x[i]) / static_cast<double>(ws.f_prev[i])) + eps * std::log(s / s_check)));
        for (std::size_t j = 0; j < n; ++j)
          if (b[j] > 0) dmax = std::max(dmax, std::abs(eps * std::log(static_cast<double>(y[j]) / static_cast<double>(ws.g_prev[j]))));
        bool finite = std::isfinite(s) && s > 0;
        for (std::size_t i = 0; finite && i < m; ++i) finite = !(a[i] > 0) || (std::isfinite(x[i]) && x[i] > 0);
        for (std::size_t j = 0; finite && j < n; ++j) finite = !(b[j] > 0) || (std::isfinite(y[j]) && y[j] > 0);
        const bool stop = detail::checkpoint(ws, p, st, dmax, finite, obs);
        if (st.status == solver_status::numerical_error) s = s_check;
        else s_check = s;
        if (stop) break;
      }
    }
    // potentials: f = eps log(s x), g = eps log y
    for (std::size_t i = 0; i < m; ++i)
      x[i] = x[i] > 0 ? static_cast<T>(eps * (std::log(static_cast<double>(x[i])) + std::log(s))) : detail::ninf<T>;
    for (std::size_t j = 0; j < n; ++j) y[j] = y[j] > 0 ? static_cast<T>(eps * std::log(static_cast<double>(y[j]))) : detail::ninf<T>;
    r.iterations = st.iterations;
    r.marginal_error = st.error;
    r.status = st.status;
    detail::finish<T>(src, ws, eps, options.return_plan, options.threads, r);
  });
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
