// lexalign/ot/barycenter.hpp - fixed-support entropic Wasserstein barycenter.
//
//   // L histograms of length n, one per row; cost C (N x n) from the
//   // barycenter's N support points to the histograms' n points.
//   auto r = ot::barycenter(histograms, C, lambdas, {.epsilon = 0.01});
//   r.weights   // N barycenter weights
//
// Solves  min_p sum_l lambda_l W_eps(p, b_l)  by iterative Bregman projections
// (Benamou, Carlier, Cuturi, Nenna & Peyre 2015; POT's ot.bregman.barycenter).
// Fused iteration: each row K_i of the kernel is read once per iteration for
// all L histograms (L dot products give (K v_l)_i, hence p_i and the new
// u_li; L axpys then add u_li K_i to the column sums giving the next v_l).
// POT does 2L matrix-vector products per iteration.
//
// Stopping (convergence.error): every `check_every` iterations, the
// lambda-weighted L1 distance between each plan's row marginal and p,
// sum_l lambda_l ||u_l (K v_l) - p||_1, below `tolerance`.
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
#include "lexalign/ot/detail/problem.hpp"
#include "lexalign/ot/detail/sinkhorn_core.hpp"
#include "lexalign/ot/sinkhorn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct barycenter_options {
  double epsilon = 0.05;                        // entropic regularisation (> 0)
  sinkhorn_method method = sinkhorn_method::scaling;
  std::size_t max_iterations = 1000;            // POT's numItermax (>= 1)
  double tolerance = 1e-9;                      // on convergence.error (>= 0)
  std::size_t check_every = 10;                 // (>= 1)
  double mass_tolerance = 1e-6;                 // relative mass difference up to which histograms are rescaled
  parallel_options parallel{};                  // threads or a caller's pool; results do not depend on it
};

inline void validate(const barycenter_options& o) {
  validation::positive("barycenter_options.epsilon", o.epsilon);
  validation::require(o.method == sinkhorn_method::scaling || o.method == sinkhorn_method::log,
                      "barycenter_options.method", validation::format_value(static_cast<long long>(o.method)),
                      "scaling or log");
  validation::at_least("barycenter_options.max_iterations", o.max_iterations, 1);
  validation::non_negative("barycenter_options.tolerance", o.tolerance);
  validation::at_least("barycenter_options.check_every", o.check_every, 1);
  validation::in_range("barycenter_options.mass_tolerance", o.mass_tolerance, 0.0, 1.0);
  validate(o.parallel);
}

template <class T, class Allocator = std::allocator<T>>
struct barycenter_result {
  std::vector<T, Allocator> weights;  // the barycenter p (N), summing to the histograms' mass
  // convergence.error: sum_l lambda_l ||u_l (K v_l) - p||_1, the distance of
  // the plans' row marginals to p (their column marginals b_l are exact).
  convergence_info convergence;
};

template <class T, class Allocator = std::allocator<T>>
struct barycenter_workspace {
  explicit barycenter_workspace(const Allocator& alloc = Allocator())
      : cost(alloc), kernel(alloc), b(alloc), lambda(alloc), u(alloc), v(alloc), u_prev(alloc), v_prev(alloc),
        p(alloc), partials(alloc), scratch(alloc), w(alloc) {}
  Allocator get_allocator() const { return cost.get_allocator(); }
  std::vector<T, Allocator> cost, kernel, b, lambda, u, v, u_prev, v_prev, p, partials, scratch, w;
};

namespace detail {

// Rows per group in the scaling pass.
inline constexpr std::size_t bary_rows = 4;

// Per-worker scratch: L rows of exps (log), one cost row, 2 L scalars, and
// 3 L R scalars (dots, next dots, weights of a row group).
inline std::size_t bary_scratch(std::size_t L, std::size_t n) { return (L + 1) * n + 2 * L + 3 * L * bary_rows; }

// rows_update for any number of histograms (groups of up to 4).
template <std::size_t R, bool Dots, class T>
void rows_update_hists(std::size_t L, const T* alpha, const T* const* x, T* y, const T* const* x2, const T* v, T* out,
                       std::size_t n) {
  for (std::size_t l0 = 0; l0 < L; l0 += 4) {
    const std::size_t G = std::min<std::size_t>(4, L - l0);
    const T* al = alpha + l0 * R;
    T* yy = y + l0 * n;
    const T* vv = v + l0 * n;
    T* oo = Dots ? out + l0 * R : nullptr;
    switch (G) {
      case 1: rows_update<R, 1, Dots>(al, x, yy, x2, vv, oo, n); break;
      case 2: rows_update<R, 2, Dots>(al, x, yy, x2, vv, oo, n); break;
      case 3: rows_update<R, 3, Dots>(al, x, yy, x2, vv, oo, n); break;
      default: rows_update<R, 4, Dots>(al, x, yy, x2, vv, oo, n); break;
    }
  }
}

// One fused pass over the rows.  Scaling: u (L x N) and v (L x n) are
// scalings; log: potentials (v = -inf at zero mass).  Writes p (N) and the
// per-row error terms (N), then the column sums w (L x n).
template <class T, class Src, class WS>
void barycenter_pass(const Src& src, WS& ws, std::size_t L, bool log_domain, T eps, const executor& ex) {
  const std::size_t N = src.rows(), n = src.cols();
  const std::size_t br = row_block_size(N), nb = block_count(N, br);
  const T inv = T(1) / eps;
  T* u = ws.u.data();
  const T* v = ws.v.data();
  const T* lam = ws.lambda.data();
  T* partials = ws.partials.data();
  T* scratch = ws.scratch.data();
  T* p = ws.p.data();
  T* rowerr = p + N;
  ex.for_each_block(N, br, [&](std::size_t blk, std::size_t i0, std::size_t i1, unsigned worker) {
    T* pb = partials + blk * L * n;
    std::fill(pb, pb + L * n, T(0));
    T* e = scratch + static_cast<std::size_t>(worker) * bary_scratch(L, n);
    T* cb = e + L * n;
    T* s1 = cb + n;  // (K v_l)_i, or S_l in log form
    T* s2 = s1 + L;  // log (K v_l)_i in log form
    if (!log_domain) {
      // Scaling form: rows go by groups of R; the group's column-sum updates run
      // in the same loop as the next group's dot products (one load of each
      // v_l / column-sum chunk per R rows).  A short last group repeats its
      // last row with weight 0.
      constexpr std::size_t R = bary_rows;
      T* sd = s2 + L;          // L x R dots of the current group
      T* sn = sd + L * R;      // next group's
      T* alpha = sn + L * R;   // weights u_li
      const T* rows[R];
      const T* next[R];
      auto group = [&](std::size_t start, const T** ptr) {
        for (std::size_t r = 0; r < R; ++r) ptr[r] = src.row(std::min(start + r, i1 - 1), cb);
      };
      group(i0, rows);
      for (std::size_t l = 0; l < L; ++l)
        for (std::size_t r = 0; r < R; ++r) sd[l * R + r] = i0 + r < i1 ? dot(rows[r], v + l * n, n) : T(1);
      for (std::size_t i = i0; i < i1; i += R) {
        for (std::size_t r = 0; r < R; ++r) {
          const std::size_t row = i + r;
          if (row >= i1) {
            for (std::size_t l = 0; l < L; ++l) alpha[l * R + r] = 0;
            continue;
          }
          T logp = 0, err = 0;
          for (std::size_t l = 0; l < L; ++l) logp += lam[l] * std::log(u[l * N + row] * sd[l * R + r]);
          p[row] = std::exp(logp);
          for (std::size_t l = 0; l < L; ++l) {
            err += lam[l] * std::abs(u[l * N + row] * sd[l * R + r] - p[row]);
            alpha[l * R + r] = u[l * N + row] = p[row] / sd[l * R + r];
          }
          rowerr[row] = err;
        }
        if (i + R < i1) {
          group(i + R, next);
          rows_update_hists<R, true>(L, alpha, rows, pb, next, v, sn, n);
          for (std::size_t l = 0; l < L; ++l)
            for (std::size_t r = 0; r < R; ++r) sd[l * R + r] = i + R + r < i1 ? sn[l * R + r] : T(1);
          for (std::size_t r = 0; r < R; ++r) rows[r] = next[r];
        } else {
          rows_update_hists<R, false>(L, alpha, rows, pb, static_cast<const T* const*>(nullptr), v, static_cast<T*>(nullptr), n);
        }
      }
    }
    for (std::size_t i = i0; log_domain && i < i1; ++i) {
      const T* c = src.row(i, cb);
      T logp = 0, err = 0;
      {
        for (std::size_t l = 0; l < L; ++l) {
          const T* g = v + l * n;
          const T mx = max_diff(g, c, n);
          s1[l] = exp_diff_sum(g, c, mx, inv, e + l * n, n);
          s2[l] = mx * inv + std::log(s1[l]);
          logp += lam[l] * (u[l * N + i] * inv + s2[l]);
        }
        p[i] = std::exp(logp);
        for (std::size_t l = 0; l < L; ++l) {
          err += lam[l] * std::abs(std::exp(u[l * N + i] * inv + s2[l]) - p[i]);
          u[l * N + i] = eps * (logp - s2[l]);
          axpy(p[i] / s1[l], e + l * n, pb + l * n, n);  // P^l_ij = (p_i / S_l) e_lj
        }
      }
      rowerr[i] = err;
    }
  });
  // reduce the blocks of each histogram (stride L * n between blocks)
  for (std::size_t l = 0; l < L; ++l) reduce_partials(partials + l * n, nb, n, ws.w.data() + l * n, ex, L * n);
}

// The barycenter's iterate for the driver: u (L x N), v (L x n), and the
// weights p of the last saved iterate (written into the result).
template <class T, class Src, class KSrc, class WS, class R>
struct barycenter_policy {
  const Src& src;
  const KSrc& ksrc;
  WS& ws;
  R& r;
  const executor& ex;
  std::size_t N, n, L;
  bool log_domain;
  T eps, inv;

  step_outcome step(bool) {
    if (log_domain) barycenter_pass<T>(src, ws, L, true, eps, ex);
    else barycenter_pass<T>(ksrc, ws, L, false, eps, ex);
    const T* b = ws.b.data();
    T* v = ws.v.data();
    for (std::size_t l = 0; l < L; ++l) {
      for (std::size_t j = 0; j < n; ++j) {
        const T bj = b[l * n + j];
        if (!(bj > 0)) continue;
        const T wj = ws.w[l * n + j];
        if (!log_domain) {
          v[l * n + j] = bj / wj;
        } else {
          const T lw = wj > underflow_guard<T> ? std::log(wj) - v[l * n + j] * inv
                                               : column_lse(src, ws.u.data() + l * N, j, inv);
          v[l * n + j] = eps * (std::log(bj) - lw);
        }
      }
    }
    return step_outcome::proceed;
  }
  double error() const {
    double err = 0;
    for (std::size_t i = 0; i < N; ++i) err += static_cast<double>(ws.p[N + i]);
    return err;
  }
  bool finite() const {
    for (std::size_t i = 0; i < N; ++i)
      if (!std::isfinite(ws.p[i])) return false;
    for (std::size_t k = 0; k < L * n; ++k)
      if (ws.b[k] > 0 && !std::isfinite(ws.v[k])) return false;
    for (std::size_t k = 0; k < L * N; ++k)
      if (!std::isfinite(ws.u[k])) return false;
    return true;
  }
  void save() {
    std::copy(ws.u.begin(), ws.u.end(), ws.u_prev.begin());
    std::copy(ws.v.begin(), ws.v.end(), ws.v_prev.begin());
    if (saved) r.weights.assign(ws.p.begin(), ws.p.begin() + static_cast<std::ptrdiff_t>(N));
    saved = true;  // the first save is the start, before any p
  }
  void restore() {
    std::copy(ws.u_prev.begin(), ws.u_prev.end(), ws.u.begin());
    std::copy(ws.v_prev.begin(), ws.v_prev.end(), ws.v.begin());
  }
  static double objective() { return std::numeric_limits<double>::quiet_NaN(); }
  bool saved = false;
};

}  // namespace detail

// Barycenter with a caller-provided workspace.  `histograms` is L x n (one
// histogram per row, all of the same mass; POT's A is n x L: pass A^T),
// `cost` is N x n (or a point_cloud_cost), `lambdas` has L non-negative
// weights (normalised to sum 1).  Histograms whose masses differ by at most
// `mass_tolerance` (relative) are rescaled to the first one's mass.
template <matrix H, matrix C, vector W, class T, class Allocator, observer Obs = no_observer>
barycenter_result<T, Allocator> barycenter(const H& histograms, const C& cost, const W& lambdas,
                                           const barycenter_options& options, barycenter_workspace<T, Allocator>& ws,
                                           Obs obs = {}) {
  static_assert(std::is_floating_point_v<T>, "barycenter: the workspace value type must be float or double");
  validate(options);
  if (!has_rank_two(histograms)) throw invalid_argument("histograms must be a 2-D array");
  const executor ex(options.parallel);
  barycenter_result<T, Allocator> r{std::vector<T, Allocator>(ws.get_allocator()), convergence_info{}};
  detail::with_cost_source(cost, ws.cost, [&](const auto& src) {
    const std::size_t N = src.rows(), n = src.cols();
    const std::size_t L = rows(histograms);
    validation::check_not_empty("histograms", L, cols(histograms));
    validation::check_shape("histograms", L, cols(histograms), L, n,
                            "the cost has " + std::to_string(n) + " columns (histograms are rows: L x n)");
    validation::check_weights(lambdas, "lambdas", L, "there are " + std::to_string(L) + " histograms");
    ws.b.resize(L * n);
    ws.lambda.resize(L);
    double mass0 = 0, lsum = 0;
    for (std::size_t l = 0; l < L; ++l) {
      double t = 0;
      for (std::size_t j = 0; j < n; ++j) {
        const double x = static_cast<double>(at(histograms, l, j));
        validation::check_entry("histograms", l, j, x, validation::entry_rule::finite_non_negative);
        ws.b[l * n + j] = static_cast<T>(x);
        t += x;
      }
      if (!(t > 0)) throw invalid_argument("histograms row " + std::to_string(l) + " has zero total mass");
      if (l == 0) {
        mass0 = t;
      } else {
        const double factor = validation::matching_mass(
            mass0, t, options.mass_tolerance, "a: histograms row 0, b: histograms row " + std::to_string(l));
        if (factor != 1.0)
          for (std::size_t j = 0; j < n; ++j) ws.b[l * n + j] = static_cast<T>(static_cast<double>(ws.b[l * n + j]) * factor);
      }
      lsum += static_cast<double>(at(lambdas, l));
    }
    for (std::size_t l = 0; l < L; ++l) ws.lambda[l] = static_cast<T>(static_cast<double>(at(lambdas, l)) / lsum);

    const bool log_domain = options.method == sinkhorn_method::log;
    const T eps = static_cast<T>(options.epsilon), inv = static_cast<T>(1.0 / options.epsilon);
    const std::size_t br = detail::row_block_size(N), nb = block_count(N, br);
    const unsigned workers = ex.workers_for(nb);
    ws.u.resize(L * N);
    ws.v.resize(L * n);
    ws.u_prev.resize(L * N);
    ws.v_prev.resize(L * n);
    ws.p.resize(2 * N);
    ws.partials.resize(nb * L * n);
    ws.scratch.resize(workers * detail::bary_scratch(L, n));
    ws.w.resize(L * n);
    const T* b = ws.b.data();
    T* v = ws.v.data();
    // Start: u = 1 (f = 0), v_l = b_l / K^T 1 (its log form).
    std::fill(ws.u.begin(), ws.u.end(), log_domain ? T(0) : T(1));
    if (!log_domain) {
      detail::build_kernel<T>(src, ws, options.epsilon, ex);
      // every support point and every column with mass needs a representable kernel entry
      std::fill(ws.p.begin(), ws.p.begin() + static_cast<std::ptrdiff_t>(N), T(1));
      for (std::size_t j = 0; j < n; ++j) {
        T mx = 0;
        for (std::size_t l = 0; l < L; ++l) mx = std::max(mx, b[l * n + j]);
        ws.w[j] = mx;
      }
      const std::string underflow =
          detail::kernel_underflow(ws.kernel.data(), ws.p.data(), ws.w.data(), N, n, n, ws.partials.data());
      if (!underflow.empty())
        throw invalid_argument(detail::scaling_failure_message("barycenter", underflow, options.epsilon,
                                                                "raise epsilon or use sinkhorn_method::log"));
      std::fill(ws.w.begin(), ws.w.begin() + static_cast<std::ptrdiff_t>(n), T(0));
      for (std::size_t i = 0; i < N; ++i) detail::axpy(T(1), ws.kernel.data() + i * n, ws.w.data(), n);
      for (std::size_t l = 0; l < L; ++l)
        for (std::size_t j = 0; j < n; ++j) v[l * n + j] = b[l * n + j] > 0 ? b[l * n + j] / ws.w[j] : T(0);
    } else {
      for (std::size_t j = 0; j < n; ++j) {
        const T lse = detail::column_lse(src, ws.u.data(), j, inv);
        for (std::size_t l = 0; l < L; ++l)
          v[l * n + j] = b[l * n + j] > 0 ? eps * (std::log(b[l * n + j]) - lse) : detail::ninf<T>;
      }
    }
    const detail::dense_source<T> ksrc{ws.kernel.data(), N, n, static_cast<std::ptrdiff_t>(n)};
    using S = std::remove_cvref_t<decltype(src)>;
    detail::barycenter_policy<T, S, detail::dense_source<T>, barycenter_workspace<T, Allocator>,
                              barycenter_result<T, Allocator>>
        pol{src, ksrc, ws, r, ex, N, n, L, log_domain, eps, inv};
    r.convergence =
        detail::drive(pol, {"barycenter", options.max_iterations, options.tolerance, options.check_every}, obs);
  });
  return r;
}

template <matrix H, matrix C, vector W, observer Obs = no_observer>
auto barycenter(const H& histograms, const C& cost, const W& lambdas, const barycenter_options& options = {},
                Obs obs = {}) {
  using T = detail::solver_value_t<C>;
  barycenter_workspace<T> ws;
  return barycenter(histograms, cost, lambdas, options, ws, std::move(obs));
}

// Uniform weights 1 / L.
template <matrix H, matrix C, observer Obs = no_observer>
auto barycenter(const H& histograms, const C& cost, const barycenter_options& options = {}, Obs obs = {}) {
  if (!has_rank_two(histograms)) throw invalid_argument("histograms must be a 2-D array");
  std::vector<double> lambdas(rows(histograms), 1.0);
  return barycenter(histograms, cost, lambdas, options, std::move(obs));
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
