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
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/ot/cost_metric.hpp"
#include "lexalign/ot/emd.hpp"
#include "lexalign/ot/exact_result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct free_support_barycenter_options {
  // Outer iterations (support updates), >= 1.
  std::size_t max_iterations = 100;
  // Converged when sum_ik (X_new - X)_ik^2 <= tolerance (POT's stopThr); finite, >= 0.
  double tolerance = 1e-7;
  // Barycenter weights a (k entries, all finite and > 0); empty = uniform 1/k.
  std::vector<double> barycenter_weights = {};
  // Weights lambda_l of the measures (finite, >= 0, positive sum, any sum); empty = uniform 1/L.
  std::vector<double> measure_weights = {};
  // Ground cost between support points: sqeuclidean (POT's) or euclidean.
  // (cosine is rejected: the support update is the weighted mean.)
  cost_metric metric = cost_metric::sqeuclidean;
  // Options of the default exact inner solver; its mass_tolerance is also
  // the tolerance of the mass check between a and every b_l.
  emd_options inner = {.dense_plan = false};
};

// Throws lexalign::invalid_option for a value out of range (the sizes of the
// weight vectors are checked against the data by free_support_barycenter).
inline void validate(const free_support_barycenter_options& o) {
  validation::at_least("free_support_barycenter_options.max_iterations", o.max_iterations, 1);
  validation::non_negative("free_support_barycenter_options.tolerance", o.tolerance);
  for (std::size_t i = 0; i < o.barycenter_weights.size(); ++i)
    validation::positive(validation::entry_name("free_support_barycenter_options.barycenter_weights", i),
                         o.barycenter_weights[i]);
  double lambda_total = 0;
  for (std::size_t l = 0; l < o.measure_weights.size(); ++l) {
    validation::non_negative(validation::entry_name("free_support_barycenter_options.measure_weights", l),
                             o.measure_weights[l]);
    lambda_total += o.measure_weights[l];
  }
  if (!o.measure_weights.empty())
    validation::require(lambda_total > 0, "free_support_barycenter_options.measure_weights", "all zero",
                        "with a positive sum");
  validation::require(o.metric == cost_metric::sqeuclidean || o.metric == cost_metric::euclidean,
                      "free_support_barycenter_options.metric",
                      o.metric == cost_metric::cosine ? "cosine" : std::to_string(static_cast<int>(o.metric)),
                      "sqeuclidean or euclidean (the support update is the weighted mean of the matched points)");
  validate(o.inner);
}

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
    return res_.convergence.status;
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
// measure's mass must equal the barycenter's, 1 by default, within
// opt.inner.mass_tolerance: b_l is then rescaled to it); x_init is the k x d
// starting support.  The observer sees stage "free_support_barycenter" after
// every support update: error = squared displacement, objective = sum_l
// lambda_l <C_l, T_l>.  A stop ends the call with stopped_by_observer (also
// on the update that met the tolerance: one rule for every algorithm).
template <detail::matrix_range P, detail::vector_range W, lexalign::matrix X0, class Inner, lexalign::observer Obs,
          class T = exact_value_t<matrix_value_t<X0>>>
  requires inner_ot_solver<std::remove_reference_t<Inner>, T>
free_support_barycenter_result<T> free_support_barycenter(const P& points, const W& weights, const X0& x_init,
                                                          const free_support_barycenter_options& opt, Inner&& inner,
                                                          Obs obs) {
  validate(opt);
  validation::check_matrix(x_init, "x_init", validation::entry_rule::finite);
  const std::size_t L = std::ranges::size(points);
  if (L == 0) throw invalid_argument("points is empty: no measures given");
  validation::check_size("weights", std::ranges::size(weights), L,
                         "points has " + std::to_string(L) + " point sets");
  const std::size_t k = rows(x_init), d = cols(x_init);
  if (!opt.barycenter_weights.empty())
    validation::check_size("free_support_barycenter_options.barycenter_weights", opt.barycenter_weights.size(), k,
                           "x_init has " + std::to_string(k) + " rows");
  if (!opt.measure_weights.empty())
    validation::check_size("free_support_barycenter_options.measure_weights", opt.measure_weights.size(), L,
                           "points has " + std::to_string(L) + " point sets");

  free_support_barycenter_result<T> res;
  // Barycenter weights.
  res.weights.resize(k);
  if (opt.barycenter_weights.empty()) {
    std::fill(res.weights.begin(), res.weights.end(), static_cast<T>(1.0 / static_cast<double>(k)));
  } else {
    for (std::size_t i = 0; i < k; ++i) res.weights[i] = static_cast<T>(opt.barycenter_weights[i]);
  }
  double mass_a = 0;
  for (auto x : res.weights) mass_a += static_cast<double>(x);

  // Measure weights lambda.
  std::vector<double> lambda(L, 1.0 / static_cast<double>(L));
  if (!opt.measure_weights.empty()) lambda.assign(opt.measure_weights.begin(), opt.measure_weights.end());

  // Copies of the measures (contiguous T) and the largest size.
  std::vector<dense_matrix<T>> Y;
  std::vector<std::vector<T>> B(L);
  Y.reserve(L);
  std::size_t max_n = 0;
  for (std::size_t l = 0; l < L; ++l) {
    const auto& pts = *(std::ranges::begin(points) + static_cast<std::ptrdiff_t>(l));
    const auto& w = *(std::ranges::begin(weights) + static_cast<std::ptrdiff_t>(l));
    const std::string points_l = validation::entry_name("points", l), weights_l = validation::entry_name("weights", l);
    validation::check_matrix(pts, points_l, validation::entry_rule::finite);
    validation::check_shape(points_l, rows(pts), cols(pts), rows(pts), d, "x_init has " + std::to_string(d) + " columns");
    const double mass = validation::load_weights(w, B[l], weights_l, rows(pts),
                                                 points_l + " has " + std::to_string(rows(pts)) + " rows");
    const double scale = validation::matching_mass(mass_a, mass, opt.inner.mass_tolerance,
                                                   "a = the barycenter weights, b = " + weights_l);
    if (scale != 1.0)
      for (auto& x : B[l]) x = static_cast<T>(static_cast<double>(x) * scale);
    Y.push_back(to_dense<std::remove_cvref_t<decltype(pts)>, T>(pts));
    max_n = std::max(max_n, rows(pts));
  }

  dense_matrix<T>& X = res.support;
  X = to_dense<X0, T>(x_init);
  std::vector<double> x_new(k * d);
  std::vector<T> cost_buf(k * max_n), plan_buf(k * max_n);

  convergence_info& conv = res.convergence;
  conv = {};
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
    conv.iterations = it;
    if (failed) {
      conv.status = solver_status::numerical_error;
      break;
    }
    double disp = 0;
    for (std::size_t i = 0; i < k; ++i)
      for (std::size_t c = 0; c < d; ++c) {
        const double t = x_new[i * d + c] - static_cast<double>(X(i, c));
        disp += t * t;
        X(i, c) = static_cast<T>(x_new[i * d + c]);
      }
    conv.error = disp;
    if (notify(obs, iteration_event{"free_support_barycenter", it, disp, objective, opt.max_iterations}) ==
        observer_action::stop) {
      conv.status = solver_status::stopped_by_observer;
      break;
    }
    if (disp <= opt.tolerance) {
      conv.status = solver_status::converged;
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
  return free_support_barycenter(points, weights, x_init, opt, inner, std::move(obs));
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
