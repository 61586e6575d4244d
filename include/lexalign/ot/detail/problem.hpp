// lexalign/ot/detail/problem.hpp - what the entropic solvers share before
// iterating: marginals and costs loaded through lexalign::validation, cost
// sources, row blocks, the mass rule and the kernel-underflow check.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/detail/simd.hpp"
#include "lexalign/ot/result.hpp"
#include "lexalign/ot/workspace.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

namespace detail {

template <class T>
inline constexpr T ninf = -std::numeric_limits<T>::infinity();

// Loads the marginals of an m x n problem into ws.a / ws.b (every entry
// finite and >= 0, positive totals; lexalign::validation).  Returns the
// totals.
template <class WS, vector VA, vector VB>
std::pair<double, double> load_marginals(const VA& a, const VB& b, WS& ws, std::size_t m, std::size_t n,
                                         std::string_view a_name = "a", std::string_view b_name = "b") {
  // The size messages are built only for a wrong size (no allocation in the
  // normal case); rank and emptiness first, as load_weights checks them.
  if (has_rank_one(a) && size(a) != 0 && size(a) != m)
    validation::check_size(a_name, size(a), m, "the cost has " + std::to_string(m) + " rows");
  const double ta = validation::load_weights(a, ws.a, a_name);
  if (has_rank_one(b) && size(b) != 0 && size(b) != n)
    validation::check_size(b_name, size(b), n, "the cost has " + std::to_string(n) + " columns");
  const double tb = validation::load_weights(b, ws.b, b_name);
  return {ta, tb};
}

// The mass rule of the balanced solvers (validation::matching_mass): within
// the relative `tolerance` b is rescaled to the total of a, else
// invalid_argument.
template <class T, class A>
void match_mass(double ta, double tb, std::vector<T, A>& b, double tolerance) {
  const double factor =
      validation::matching_mass(ta, tb, tolerance, "use sinkhorn_unbalanced or partial for unequal masses");
  if (factor != 1.0)
    for (auto& x : b) x = static_cast<T>(static_cast<double>(x) * factor);
}

// A cost stored row-major with contiguous rows.
template <class T>
struct dense_source {
  const T* data;
  std::size_t m, n;
  std::ptrdiff_t rs;
  std::size_t rows() const noexcept { return m; }
  std::size_t cols() const noexcept { return n; }
  const T* row(std::size_t i, T*) const noexcept { return data + static_cast<std::ptrdiff_t>(i) * rs; }
  T at(std::size_t i, std::size_t j) const noexcept { return data[static_cast<std::ptrdiff_t>(i) * rs + static_cast<std::ptrdiff_t>(j)]; }
  static constexpr bool computes_rows = false;
};

// A cost computed from two point clouds, row by row.
template <class T, class PC>
struct cloud_source {
  const PC* pc;
  std::size_t rows() const noexcept { return pc->rows(); }
  std::size_t cols() const noexcept { return pc->cols(); }
  const T* row(std::size_t i, T* buf) const {
    pc->row(i, buf);
    return buf;
  }
  T at(std::size_t i, std::size_t j) const { return (*pc)(i, j); }
  static constexpr bool computes_rows = true;
};

// Calls fn(source) with the cheapest source for `cost`: the caller's own
// memory when it is T with contiguous rows, a point cloud computed on demand,
// or a dense copy in `storage`.  Dense costs are checked (finite, >= 0).
template <class T, class A, class C, class Fn>
decltype(auto) with_cost_source(const C& cost, std::vector<T, A>& storage, Fn&& fn) {
  using B = std::remove_cvref_t<C>;
  if constexpr (is_point_cloud_cost_v<B>) {
    static_assert(std::is_same_v<typename B::value_type, T>, "point_cloud_cost value type must match the solver's");
    return fn(cloud_source<T, B>{&cost});
  } else {
    if (!has_rank_two(cost)) throw invalid_argument("cost must be a 2-D array");
    const std::size_t m = rows(cost), n = cols(cost);
    validation::check_not_empty("cost", m, n);
    if constexpr (has_matrix_memory<B> && std::is_same_v<matrix_value_t<B>, T>) {
      auto v = as_matrix_view(cost);
      if (v.rows_contiguous() && v.row_stride() >= 0) {
        for (std::size_t i = 0; i < m; ++i) {
          const T* r = v.data() + static_cast<std::ptrdiff_t>(i) * v.row_stride();
          for (std::size_t j = 0; j < n; ++j)
            validation::check_entry("cost", i, j, static_cast<double>(r[j]), validation::entry_rule::finite_non_negative);
        }
        return fn(dense_source<T>{v.data(), m, n, v.row_stride()});
      }
    }
    storage.resize(m * n);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const double x = static_cast<double>(at(cost, i, j));
        validation::check_entry("cost", i, j, x, validation::entry_rule::finite_non_negative);
        storage[i * n + j] = static_cast<T>(x);
      }
    return fn(dense_source<T>{storage.data(), m, n, static_cast<std::ptrdiff_t>(n)});
  }
}

// Row blocks: a function of the row count only (never of the thread count).
// At most 64 blocks (the column partial sums cost blocks x n per iteration,
// at most 1/64 of the kernel), at least 64 rows each.
inline std::size_t row_block_size(std::size_t m) { return std::max<std::size_t>(64, (m + 63) / 64); }
inline constexpr std::size_t column_block = 1024;

// w[j] = sum over blocks b (in order) of partials[b * stride + j], j < n.
template <class T>
void reduce_partials(const T* partials, std::size_t blocks, std::size_t n, T* w, const executor& ex,
                     std::size_t stride = 0) {
  if (stride == 0) stride = n;
  auto body = [&](std::size_t, std::size_t j0, std::size_t j1, unsigned) {
    std::copy(partials + j0, partials + j1, w + j0);
    for (std::size_t b = 1; b < blocks; ++b) {
      const T* p = partials + b * stride;
      for (std::size_t j = j0; j < j1; ++j) w[j] += p[j];
    }
  };
  // Small reductions are not worth a dispatch; the result does not depend on
  // it (each column is summed in block order either way).
  if (blocks * n < (std::size_t(1) << 18)) body(0, 0, n, 0u);
  else ex.for_each_block(n, column_block, body);
}

// The scaling forms divide by row and column sums of the kernel
// exp(-C / epsilon): a row (column) of positive mass whose kernel entries
// over the positive-mass columns (rows) all underflow to 0 makes the first
// iteration divide by 0.  Returns a description of the first such row or
// column, or an empty string.  `col_ok` is scratch for n values.
template <class T>
std::string kernel_underflow(const T* K, const T* a, const T* b, std::size_t m, std::size_t n, std::size_t ld,
                             T* col_ok) {
  std::fill(col_ok, col_ok + n, T(0));
  for (std::size_t i = 0; i < m; ++i) {
    if (!(a[i] > 0)) continue;
    const T* k = K + i * ld;
    bool row_ok = false;
    for (std::size_t j = 0; j < n; ++j)
      if (k[j] > 0 && b[j] > 0) row_ok = true, col_ok[j] = 1;
    if (!row_ok) return "the kernel exp(-cost / epsilon) underflows to 0 on every entry of row " + std::to_string(i);
  }
  for (std::size_t j = 0; j < n; ++j)
    if (b[j] > 0 && !col_ok[j])
      return "the kernel exp(-cost / epsilon) underflows to 0 on every entry of column " + std::to_string(j);
  return {};
}

// The message of a scaling form that cannot start (kernel underflow, warm
// start out of range).
inline std::string scaling_failure_message(std::string_view solver, const std::string& reason, double eps,
                                           std::string_view remedy) {
  return std::string(solver) + ": " + reason + " (epsilon = " + validation::format_value(eps) + "); " +
         std::string(remedy);
}

// Accumulates a marginal-violation norm term by term.
struct norm_accumulator {
  marginal_norm kind;
  double acc = 0;
  void add(double d) {
    d = std::abs(d);
    if (kind == marginal_norm::l1) acc += d;
    else if (kind == marginal_norm::l2) acc += d * d;
    else acc = std::max(acc, d);
  }
  double value() const { return kind == marginal_norm::l2 ? std::sqrt(acc) : acc; }
};

}  // namespace detail
}  // namespace ot
LEXALIGN_NAMESPACE_END
