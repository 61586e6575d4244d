// lexalign/ot/cost.hpp - ground costs from two point clouds.
//
//   auto C = ot::cost_matrix(x, y);                         // materialised m x n
//   ot::point_cloud_cost<double> lazy(x, y);                // rows computed on demand
//   auto r = ot::sinkhorn(a, b, lazy, {.epsilon = 0.05, .method = ot::sinkhorn_method::log});
//
// Rows of `x` (m x d) and `y` (n x d) are points.  Metrics:
//   sqeuclidean  C_ij = |x_i - y_j|^2            (POT's ot.dist default)
//   cosine       C_ij = 1 - <x_i, y_j> / (|x_i| |y_j|)   (0 for a zero vector pair)
//   euclidean    C_ij = |x_i - y_j|
// `scale` multiplies every entry (e.g. 1 / max to bring costs into [0, 1]).
// Costs are clamped at 0 from below (rounding can make |x - x|^2 = -1e-17).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/ot/cost_metric.hpp"
#include "lexalign/ot/detail/simd.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

// A cost matrix that is never stored: row i is computed from the points when
// a solver asks for it (O(n d) per row).  Holds dense copies of the points
// (m d + n d values) and their norms.
template <class T = double, class Allocator = std::allocator<T>>
class point_cloud_cost {
  static_assert(std::is_floating_point_v<T>, "point_cloud_cost<T>: T must be float or double");

 public:
  using value_type = T;

  template <matrix X, matrix Y>
  point_cloud_cost(const X& x, const Y& y, cost_metric metric = cost_metric::sqeuclidean, double scale = 1.0,
                   const Allocator& alloc = Allocator())
      : x_(alloc), y_(alloc), xn_(alloc), yn_(alloc), metric_(metric), scale_(static_cast<T>(scale)) {
    require_rank_two(x, "x (points)");
    require_rank_two(y, "y (points)");
    m_ = lexalign::rows(x);
    n_ = lexalign::rows(y);
    d_ = lexalign::cols(x);
    validation::check_not_empty("point_cloud_cost: x", m_, d_);
    validation::check_not_empty("point_cloud_cost: y", n_, lexalign::cols(y));
    if (lexalign::cols(y) != d_)
      throw invalid_argument("point_cloud_cost: x has " + std::to_string(d_) + " columns but y has " +
                             std::to_string(lexalign::cols(y)) + "; points must have the same dimension");
    validation::positive("point_cloud_cost.scale", scale);
    copy_points(x, x_, xn_, m_, "x");
    copy_points(y, y_, yn_, n_, "y");
  }

  std::size_t rows() const noexcept { return m_; }
  std::size_t cols() const noexcept { return n_; }
  std::size_t dimension() const noexcept { return d_; }
  cost_metric metric() const noexcept { return metric_; }
  T scale() const noexcept { return scale_; }

  // Writes row i (n values) to out.
  void row(std::size_t i, T* out) const {
    const T* xi = x_.data() + i * d_;
    for (std::size_t j = 0; j < n_; ++j) out[j] = entry_from_dot(i, j, detail::dot(xi, y_.data() + j * d_, d_));
  }
  T operator()(std::size_t i, std::size_t j) const {
    return entry_from_dot(i, j, detail::dot(x_.data() + i * d_, y_.data() + j * d_, d_));
  }

 private:
  T entry_from_dot(std::size_t i, std::size_t j, T xy) const {
    T c;
    if (metric_ == cost_metric::cosine) {
      const T den = std::sqrt(xn_[i]) * std::sqrt(yn_[j]);
      c = den > 0 ? 1 - xy / den : T(0);
    } else {
      c = xn_[i] + yn_[j] - 2 * xy;
      if (metric_ == cost_metric::euclidean) c = c > 0 ? std::sqrt(c) : T(0);
    }
    return c > 0 ? c * scale_ : T(0);
  }

  template <class M>
  static void copy_points(const M& p, std::vector<T, Allocator>& out, std::vector<T, Allocator>& norms,
                          std::size_t count, const char* name) {
    const std::size_t d = lexalign::cols(p);
    out.resize(count * d);
    norms.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      T s = 0;
      for (std::size_t k = 0; k < d; ++k) {
        const T v = static_cast<T>(at(p, i, k));
        validation::check_entry(std::string("point_cloud_cost: ") + name, i, k, static_cast<double>(v),
                                validation::entry_rule::finite);
        out[i * d + k] = v;
        s += v * v;
      }
      norms[i] = s;
    }
  }

  std::vector<T, Allocator> x_, y_, xn_, yn_;
  std::size_t m_ = 0, n_ = 0, d_ = 0;
  cost_metric metric_;
  T scale_;
};

// The materialised cost matrix (m x n, row-major).
template <class T = double, class Allocator = std::allocator<T>, matrix X, matrix Y>
dense_matrix<T, Allocator> cost_matrix(const X& x, const Y& y, cost_metric metric = cost_metric::sqeuclidean,
                                       double scale = 1.0, const Allocator& alloc = Allocator()) {
  point_cloud_cost<T, Allocator> lazy(x, y, metric, scale, alloc);
  dense_matrix<T, Allocator> c(lazy.rows(), lazy.cols(), T(0), alloc);
  for (std::size_t i = 0; i < lazy.rows(); ++i) lazy.row(i, c.data() + i * lazy.cols());
  return c;
}

namespace detail {
template <class C>
inline constexpr bool is_point_cloud_cost_v = false;
template <class T, class A>
inline constexpr bool is_point_cloud_cost_v<point_cloud_cost<T, A>> = true;
}  // namespace detail

}  // namespace ot
LEXALIGN_NAMESPACE_END
