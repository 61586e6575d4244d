// lexalign/ot/free_support_barycenter.hpp - Wasserstein barycenter with a
// free support (Cuturi & Doucet 2014, Algorithm 2 with fixed weights).
//
//   std::vector<lexalign::dense_matrix<double>> Y = ...;   // n_l x d each
//   std::vector<std::vector<double>> b = ...;               // n_l weights each
//   auto r = lexalign::ot::free_support_barycenter(Y, b, X0, {.max_iterations = 50});
//   r.support;  // k x d
//
// Each iteration solves one OT problem per measure between the barycenter
// (X, a) and (Y_l, b_l), then moves every support point to the weighted mean
// of where its mass goes:  X <- sum_l lambda_l diag(1/a) T_l Y_l.
// The inner OT solver is a policy (exact by default).  See
// docs/ot/free_support_barycenter.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/ot/cost_metric.hpp"
#include "lexalign/ot/emd.hpp"
#include "lexalign/ot/exact_result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct free_support_barycenter_options {
  // Outer iterations (support updates).
  std::size_t max_iterations = 100;
  // Converged when sum_ik (X_new - X)_ik^2 <= tolerance (POT's stopThr).
  double tolerance = 1e-7;
  // Barycenter weights a (k entries, all > 0); empty = uniform 1/k.
  std::vector<double> barycenter_weights = {};
  // Weights lambda_l of the measures (non-negative, any sum); empty = uniform 1/L.
  std::vector<double> measure_weights = {};
  // Ground cost between support points: sqeuclidean (POT's) or euclidean.
  // (cosine is rejected: the support update is the weighted mean.)
  cost_metric metric = cost_metric::sqeuclidean;
  // Options of the default exact inner solver.
  emd_options inner = {.dense_plan = false};
};

// An inner OT solver: writes the k x n plan between masses a (k) and b (n)
// for `cost` into `plan` and reports how it ended.  ot::sinkhorn can be
// wrapped the same way (see docs/ot/free_support_barycenter.md).
template <class S, class T>
concept inner_ot_solver = requires(S& s, std::span<const T> a, std::span<const T> b, matrix_view<const T> c,
                                   matrix_view<T> p) {
  { s(a, b, c, p) } -> std::same_as<solver_status>;
};

// The default inner step: exact OT (ot::emd) with its own reusable workspace.
template <class T, class Allocator = std::allocator<T>>
class exact_inner_solver {
 public:
  explicit exact_inner_solver(emd_options opt = {.dense_plan = false}, const Allocator& alloc = Allocator())
      : opt_(opt), ws_(alloc), res_(alloc) {
    opt_.dense_plan = false;
  }

  solver_status operator()(std::span<const T> a, std::span<const T> b, matrix_view<const T> cost, matrix_view<T> plan) {
    emd_into(a, b, cost, opt_, ws_, res_);
    for (std::size_t i = 0; i < plan.rows(); ++i)
      for (std::size_t j = 0; j < plan.cols(); ++j) plan(i, j) = T{0};
    for (const auto& e : res_.entries) plan(e.i, e.j) = e.mass;
    return res_.status;
  }

  const emd_result<T, Allocator>& last() const noexcept { return res_; }

 private:
  emd_options opt_;
  emd_workspace<T, Allocator> ws_;
  emd_result<T, Allocator> res_;
};

namespace detail {

template <class R>
concept matrix_range = std::ranges::random_access_range<const R> && std::ranges::sized_range<const R> &&
                       lexalign::matrix<std::ranges::range_value_t<R>>;

template <class R>
concept vector_range = std::ranges::random_access_range<const R> && std::ranges::sized_range<const R> &&
                       lexalign::vector<std::ranges::range_value_t<R>>;

}  // namespace detail

// Free-support barycenter with a caller-chosen inner solver and observer.
// `points[l]` is an n_l x d matrix, `weights[l]` its n_l masses (each
// measure's mass must equal the barycenter's, 1 by default); x_init is the
// k x d starting support.  The observer sees stage "free_support_barycenter",
// error = squared displacement, objective = sum_l lambda_l <C_l, T_l>.
template <detail::matrix_range P, detail::vector_range W, lexalign::matrix X0, class Inner, lexalign::observer Obs,
          class T = exact_value_t<matrix_value_t<X0>>>
  requires inner_ot_solver<std::remove_reference_t<Inner>, T>
free_support_barycenter_result<T> free_support_barycenter(const P& points, const W& weights, const X0& x_init,
                                                          const free_support_barycenter_options& opt, Inner&& inner,
                                                          Obs obs) {
  require_rank_two(x_init, "x_init");
  const std::size_t L = std::ranges::size(points);
  if (L == 0) throw invalid_argument("free_support_barycenter: no measures given");
  if (std::ranges::size(weights) != L)
    throw invalid_argument("free_support_barycenter: " + std::to_string(L) + " point sets but " +
                           std::to_string(std::ranges::size(weights)) + " weight vectors");
  const std::size_t k = rows(x_init), d = cols(x_init);
  if (k == 0 || d == 0) throw invalid_argument("free_support_barycenter: x_init is empty");
  if (opt.metric != cost_metric::sqeuclidean && opt.metric != cost_metric::euclidean)
    throw invalid_argument("free_support_barycenter: metric must be sqeuclidean or euclidean (the support update is "
                           "the weighted mean of the matched points, which suits neither cosine nor other metrics)");

  free_support_barycenter_result<T> res;
  // Barycenter weights.
  res.weights.resize(k);
  if (opt.barycenter_weights.empty()) {
    std::fill(res.weights.begin(), res.weights.end(), static_cast<T>(1.0 / static_cast<double>(k)));
  } else {
    if (opt.barycenter_weights.size() != k)
      throw invalid_argument("free_support_barycenter: barycenter_weights has " +
                             std::to_string(opt.barycenter_weights.size()) + " entries but x_init has " +
                             std::to_string(k) + " rows");
    for (std::size_t i = 0; i < k; ++i) {
      const double x = opt.barycenter_weights[i];
      if (!(x > 0) || !std::isfinite(x))
        throw invalid_argument("free_support_barycenter: barycenter_weights must be finite and > 0 (index " +
                               std::to_string(i) + ")");
      res.weights[i] = static_cast<T>(x);
    }
  }
  double mass_a = 0;
  for (auto x : res.weights) mass_a += static_cast<double>(x);

  // Measure weights lambda.
  std::vector<double> lambda(L, 1.0 / static_cast<double>(L));
  if (!opt.measure_weights.empty()) {
    if (opt.measure_weights.size() != L)
      throw invalid_argument("free_support_barycenter: measure_weights has " +
                             std::to_string(opt.measure_weights.size()) + " entries for " + std::to_string(L) +
                             " measures");
    for (std::size_t l = 0; l < L; ++l) {
      const double x = opt.measure_weights[l];
      if (!(x >= 0) || !std::isfinite(x))
        throw invalid_argument("free_support_barycenter: measure_weights must be finite and >= 0 (index " +
                               std::to_string(l) + ")");
      lambda[l] = x;
    }
  }

  // Copies of the measures (contiguous T) and the largest size.
  std::vector<dense_matrix<T>> Y;
  std::vector<std::vector<T>> B;
  Y.reserve(L);
  B.reserve(L);
  std::size_t max_n = 0;
  for (std::size_t l = 0; l < L; ++l) {
    const auto& pts = *(std::ranges::begin(points) + static_cast<std::ptrdiff_t>(l));
    const auto& w = *(std::ranges::begin(weights) + static_cast<std::ptrdiff_t>(l));
    require_rank_two(pts, "points");
    require_rank_one(w, "weights");
    const std::string which = "free_support_barycenter: measure " + std::to_string(l);
    if (cols(pts) != d)
      throw invalid_argument(which + " has dimension " + std::to_string(cols(pts)) + " but x_init has " +
                             std::to_string(d));
    if (rows(pts) == 0) throw invalid_argument(which + " has no points");
    if (lexalign::size(w) != rows(pts))
      throw invalid_argument(which + " has " + std::to_string(rows(pts)) + " points but " +
                             std::to_string(lexalign::size(w)) + " weights");
    const double mass = detail::checked_mass(w, (which + " weights").c_str());
    if (std::abs(mass - mass_a) > opt.inner.mass_tolerance * std::max(mass, mass_a))
      throw invalid_argument(which + " has total mass " + std::to_string(mass) +
                             " but the barycenter weights sum to " + std::to_string(mass_a));
    Y.push_back(dense_matrix<T>(rows(pts), d));
    for (std::size_t i = 0; i < rows(pts); ++i)
      for (std::size_t c = 0; c < d; ++c) {
        const double x = static_cast<double>(at(pts, i, c));
        detail::check_cost_value(x, i, c, (which + " points").c_str());
        Y.back()(i, c) = static_cast<T>(x);
      }
    B.emplace_back(rows(pts));
    for (std::size_t i = 0; i < rows(pts); ++i) B.back()[i] = static_cast<T>(at(w, i));
    max_n = std::max(max_n, rows(pts));
  }

  dense_matrix<T>& X = res.support;
  X.resize(k, d);
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t c = 0; c < d; ++c) {
      const double x = static_cast<double>(at(x_init, i, c));
      detail::check_cost_value(x, i, c, "free_support_barycenter: x_init");
      X(i, c) = static_cast<T>(x);
    }
  std::vector<double> x_new(k * d);
  std::vector<T> cost_buf(k * max_n), plan_buf(k * max_n);

  res.status = solver_status::max_iterations;
  res.iterations = 0;
  for (std::size_t it = 1; it <= opt.max_iterations; ++it) {
    std::fill(x_new.begin(), x_new.end(), 0.0);
    double objective = 0;
    bool failed = false;
    for (std::size_t l = 0; l < L; ++l) {
      const std::size_t nl = Y[l].rows();
      matrix_view<T> C(cost_buf.data(), k, nl), Tp(plan_buf.data(), k, nl);
      for (std::size_t i = 0; i < k; ++i) {
        const T* xi = &X(i, 0);
        for (std::size_t j = 0; j < nl; ++j) {
          const T* yj = &Y[l](j, 0);
          double s = 0;
          for (std::size_t c = 0; c < d; ++c) {
            const double t = static_cast<double>(xi[c]) - static_cast<double>(yj[c]);
            s += t * t;
          }
          C(i, j) = static_cast<T>(opt.metric == cost_metric::euclidean ? std::sqrt(s) : s);
        }
      }
      const solver_status st = inner(std::span<const T>(res.weights.data(), k), std::span<const T>(B[l].data(), nl),
                                     matrix_view<const T>(C), Tp);
      if (st == solver_status::numerical_error) failed = true;
      for (std::size_t i = 0; i < k; ++i) {
        double* xo = x_new.data() + i * d;
        const double f = lambda[l] / static_cast<double>(res.weights[i]);
        for (std::size_t j = 0; j < nl; ++j) {
          const double t = static_cast<double>(Tp(i, j));
          if (t == 0) continue;
          objective += lambda[l] * t * static_cast<double>(C(i, j));
          const T* yj = &Y[l](j, 0);
          for (std::size_t c = 0; c < d; ++c) xo[c] += f * t * static_cast<double>(yj[c]);
        }
      }
    }
    res.cost = objective;
    res.iterations = it;
    if (failed) {
      res.status = solver_status::numerical_error;
      break;
    }
    double disp = 0;
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t c = 0; c < d; ++c) {
        const double t = x_new[i * d + c] - static_cast<double>(X(i, c));
        disp += t * t;
        X(i, c) = static_cast<T>(x_new[i * d + c]);
      }
    res.error = disp;
    if (notify(obs, iteration_event{"free_support_barycenter", it, disp, objective}) == observer_action::stop) {
      res.status = disp <= opt.tolerance ? solver_status::converged : solver_status::stopped_by_observer;
      break;
    }
    if (disp <= opt.tolerance) {
      res.status = solver_status::converged;
      break;
    }
  }
  return res;
}

// Free-support barycenter with the exact inner solver.
template <detail::matrix_range P, detail::vector_range W, lexalign::matrix X0, lexalign::observer Obs = no_observer>
free_support_barycenter_result<exact_value_t<matrix_value_t<X0>>> free_support_barycenter(
    const P& points, const W& weights, const X0& x_init, const free_support_barycenter_options& opt = {},
    Obs obs = {}) {
  exact_inner_solver<exact_value_t<matrix_value_t<X0>>> inner(opt.inner);
  return free_support_barycenter(points, weights, x_init, opt, inner, obs);
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
