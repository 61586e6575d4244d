// lexalign/multilingual/procrustes.hpp - orthogonal Procrustes and the small
// dense SVD it needs (one-sided Jacobi; no BLAS/LAPACK dependency).
//
//   // rows k of x and z: embeddings of the k-th dictionary pair
//   auto w = lexalign::multilingual::procrustes(x, z).w;   // d x d orthogonal
//   // x_mapped = x * w  is now in z's space (minimises ||x W - z||_F)
//
// procrustes: W = U V^T where U S V^T = svd(x^T z) (Schoenemann 1966).
// svd: one-sided Jacobi (Hestenes) on an m x n matrix, m >= n: rotate column
// pairs until all are orthogonal to `tolerance` (relative), at most
// `max_sweeps` sweeps; O(sweeps m n^2).  Singular values are returned in
// decreasing order.  Accurate to a few ulps of the largest singular value.
//
// Both take an observer as their last argument: stage "svd" ("procrustes.svd"
// inside procrustes), one event per sweep (error = the largest relative
// off-diagonal |<a_p,a_q>| / (||a_p|| ||a_q||) of that sweep, objective NaN).
// A stop ends the call after that sweep with status stopped_by_observer (the
// factors are those of the rotations so far), unless the sweep converged.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
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

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

struct svd_options {
  std::size_t max_sweeps = 60;  // Jacobi sweeps over all column pairs (>= 1)
  double tolerance = 1e-15;     // stop when every |<a_p,a_q>| <= tolerance ||a_p|| ||a_q||; in [0, 1)
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const svd_options& o) {
  validation::at_least("svd_options.max_sweeps", o.max_sweeps, 1);
  validation::require(o.tolerance >= 0 && o.tolerance < 1, "svd_options.tolerance",
                      validation::format_value(o.tolerance), "in [0, 1)");
}

struct procrustes_options {
  svd_options svd = {};  // the SVD of x^T z
};

inline void validate(const procrustes_options& o) { validate(o.svd); }

struct svd_result {
  dense_matrix<double> u;   // m x n, orthonormal columns (for non-zero singular values)
  std::vector<double> s;    // n singular values, decreasing
  dense_matrix<double> v;   // n x n orthogonal
  // iterations = sweeps; error = largest relative off-diagonal |<a_p,a_q>| / (||a_p|| ||a_q||) of the last sweep.
  convergence_info convergence;
};

// Thin SVD a = u diag(s) v^T of an m x n matrix with m >= n.
template <matrix M, observer Obs = no_observer>
svd_result svd(const M& a, const svd_options& options = {}, Obs obs = {}) {
  validate(options);
  validation::check_matrix(a, "a", validation::entry_rule::finite);
  const std::size_t m = rows(a), n = cols(a);
  if (m < n)
    throw invalid_argument("a is " + std::to_string(m) + " x " + std::to_string(n) +
                           " but svd needs at least as many rows as columns (transpose it)");
  dense_matrix<double> w = to_dense<M, double>(a);  // columns become u * s
  dense_matrix<double> v(n, n, 0.0);
  for (std::size_t i = 0; i < n; ++i) v(i, i) = 1.0;
  svd_result r;
  r.convergence.status = solver_status::max_iterations;
  for (std::size_t sweep = 1; sweep <= options.max_sweeps; ++sweep) {
    double worst = 0.0;
    for (std::size_t p = 0; p + 1 < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) {
        double alpha = 0, beta = 0, gamma = 0;
        for (std::size_t i = 0; i < m; ++i) {
          alpha += w(i, p) * w(i, p);
          beta += w(i, q) * w(i, q);
          gamma += w(i, p) * w(i, q);
        }
        if (alpha == 0.0 || beta == 0.0) continue;
        const double rel = std::abs(gamma) / std::sqrt(alpha * beta);
        worst = std::max(worst, rel);
        if (rel <= options.tolerance) continue;
        const double zeta = (beta - alpha) / (2.0 * gamma);
        const double t = std::copysign(1.0, zeta) / (std::abs(zeta) + std::sqrt(1.0 + zeta * zeta));
        const double c = 1.0 / std::sqrt(1.0 + t * t), s = c * t;
        for (std::size_t i = 0; i < m; ++i) {
          const double x = w(i, p), y = w(i, q);
          w(i, p) = c * x - s * y;
          w(i, q) = s * x + c * y;
        }
        for (std::size_t i = 0; i < n; ++i) {
          const double x = v(i, p), y = v(i, q);
          v(i, p) = c * x - s * y;
          v(i, q) = s * x + c * y;
        }
      }
    r.convergence.iterations = sweep;
    r.convergence.error = worst;
    const bool converged = worst <= options.tolerance;
    if (converged) r.convergence.status = solver_status::converged;
    const observer_action action =
        notify(obs, iteration_event{"svd", sweep, worst, std::numeric_limits<double>::quiet_NaN(), options.max_sweeps});
    if (converged) break;
    if (action == observer_action::stop) {
      r.convergence.status = solver_status::stopped_by_observer;
      break;
    }
  }
  // Singular values = column norms; sort decreasing.
  std::vector<double> norms(n);
  for (std::size_t j = 0; j < n; ++j) {
    double s2 = 0;
    for (std::size_t i = 0; i < m; ++i) s2 += w(i, j) * w(i, j);
    norms[j] = std::sqrt(s2);
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return norms[x] > norms[y]; });
  r.u = dense_matrix<double>(m, n, 0.0);
  r.v = dense_matrix<double>(n, n, 0.0);
  r.s.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t j = order[k];
    r.s[k] = norms[j];
    for (std::size_t i = 0; i < m; ++i) r.u(i, k) = norms[j] > 0 ? w(i, j) / norms[j] : 0.0;
    for (std::size_t i = 0; i < n; ++i) r.v(i, k) = v(i, j);
  }
  // Complete u's columns for zero singular values (Gram-Schmidt on unit vectors).
  for (std::size_t k = 0; k < n; ++k) {
    if (r.s[k] > 0) continue;
    for (std::size_t e = 0; e < m; ++e) {
      std::vector<double> c(m, 0.0);
      c[e] = 1.0;
      for (std::size_t o = 0; o < n; ++o) {
        if (o == k || (r.s[o] == 0 && o > k)) continue;
        double d = 0;
        for (std::size_t i = 0; i < m; ++i) d += r.u(i, o) * c[i];
        for (std::size_t i = 0; i < m; ++i) c[i] -= d * r.u(i, o);
      }
      double nn = 0;
      for (double x : c) nn += x * x;
      if (nn > 1e-3) {
        nn = std::sqrt(nn);
        for (std::size_t i = 0; i < m; ++i) r.u(i, k) = c[i] / nn;
        break;
      }
    }
  }
  return r;
}

struct procrustes_result {
  dense_matrix<double> w;   // d x d orthogonal: x * w ~ z
  double residual = 0.0;    // ||x w - z||_F
  // That of the SVD of x^T z: iterations = sweeps; error = largest relative off-diagonal of the last sweep.
  convergence_info convergence;
};

// The orthogonal W minimising ||x W - z||_F for n x d matrices x, z (rows =
// dictionary pairs, the same row in both).  n may be smaller than d.
template <matrix X, matrix Z, observer Obs = no_observer>
procrustes_result procrustes(const X& x, const Z& z, const procrustes_options& options = {}, Obs obs = {}) {
  validate(options);
  validation::check_matrix(x, "x", validation::entry_rule::finite);
  validation::check_matrix(z, "z", validation::entry_rule::finite);
  const std::size_t n = rows(x), d = cols(x);
  validation::check_shape("z", rows(z), cols(z), n, d,
                          "x is " + std::to_string(n) + " x " + std::to_string(d));
  const auto xd = to_dense<X, double>(x);
  const auto zd = to_dense<Z, double>(z);
  dense_matrix<double> m(d, d, 0.0);  // x^T z
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < d; ++i) {
      const double xi = xd(k, i);
      if (xi == 0.0) continue;
      for (std::size_t j = 0; j < d; ++j) m(i, j) += xi * zd(k, j);
    }
  const svd_result s = [&] {
    if constexpr (std::is_same_v<Obs, no_observer>) return svd(m, options.svd);
    else return svd(m, options.svd, prefixed_observer<Obs>("procrustes", obs));
  }();
  procrustes_result r;
  r.convergence = s.convergence;
  r.w = dense_matrix<double>(d, d, 0.0);
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      double acc = 0;
      for (std::size_t k = 0; k < d; ++k) acc += s.u(i, k) * s.v(j, k);
      r.w(i, j) = acc;
    }
  double res = 0;
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < d; ++j) {
      double acc = 0;
      for (std::size_t i = 0; i < d; ++i) acc += xd(k, i) * r.w(i, j);
      res += (acc - zd(k, j)) * (acc - zd(k, j));
    }
  r.residual = std::sqrt(res);
  return r;
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
