// lexalign/ot/detail/problem.hpp - input checks, cost sources and the shared
// workspace of the entropic solvers.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/detail/simd.hpp"
#include "lexalign/ot/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

// Reusable memory for the entropic solvers.  Pass the same workspace to
// repeated calls (same or smaller sizes) and nothing is allocated after the
// first; its contents between calls are unspecified.
template <class T, class Allocator = std::allocator<T>>
struct entropic_workspace {
  using allocator_type = Allocator;
  explicit entropic_workspace(const Allocator& alloc = Allocator())
      : cost(alloc), kernel(alloc), a(alloc), b(alloc), f(alloc), g(alloc), f_prev(alloc), g_prev(alloc),
        partials(alloc), scratch(alloc), w(alloc), extra(alloc), extra2(alloc) {}
  Allocator get_allocator() const { return cost.get_allocator(); }

  std::vector<T, Allocator> cost;      // dense copy of a cost that exposes no usable memory
  std::vector<T, Allocator> kernel;    // exp(-C / epsilon) (scaling forms)
  std::vector<T, Allocator> a, b;      // marginals
  std::vector<T, Allocator> f, g;      // potentials or scalings
  std::vector<T, Allocator> f_prev, g_prev;
  std::vector<T, Allocator> partials;  // per-row-block column sums
  std::vector<T, Allocator> scratch;   // per-worker rows
  std::vector<T, Allocator> w;         // column sums
  std::vector<T, Allocator> extra;     // solver specific
  std::vector<T, Allocator> extra2;    // solver specific
};

// A view of potentials for warm starts: converts from std::vector / std::span
// of float or double.
struct potentials_view {
  const double* d = nullptr;
  const float* s = nullptr;
  std::size_t count = 0;

  potentials_view() = default;
  potentials_view(std::span<const double> x) : d(x.data()), count(x.size()) {}
  potentials_view(std::span<const float> x) : s(x.data()), count(x.size()) {}
  template <class A>
  potentials_view(const std::vector<double, A>& x) : d(x.data()), count(x.size()) {}
  template <class A>
  potentials_view(const std::vector<float, A>& x) : s(x.data()), count(x.size()) {}

  bool empty() const noexcept { return count == 0; }
  std::size_t size() const noexcept { return count; }
  double operator[](std::size_t i) const { return d ? d[i] : static_cast<double>(s[i]); }
};

namespace detail {

template <class T>
inline constexpr T ninf = -std::numeric_limits<T>::infinity();

// Relative tolerance on |sum a - sum b| for balanced problems.
template <class T>
inline constexpr double mass_tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-6;

inline void check_epsilon(double eps, const char* what = "epsilon") {
  if (!(eps > 0) || !std::isfinite(eps))
    throw invalid_argument(std::string(what) + " must be finite and > 0 (got " + std::to_string(eps) + ")");
}

// Copies a marginal into `out` (as T), checking rank, length, sign, finiteness
// and positive total.  Returns the total mass (double).
template <class T, class A, vector V>
double load_marginal(const V& v, std::vector<T, A>& out, std::size_t expected, const char* name) {
  require_rank_one(v, name);
  const std::size_t n = size(v);
  if (n == 0) throw invalid_argument(std::string(name) + " is empty");
  if (expected != 0 && n != expected)
    throw invalid_argument(std::string(name) + " has " + std::to_string(n) + " entries but the cost has " +
                           std::to_string(expected));
  out.resize(n);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(at(v, i));
    if (std::isnan(x)) throw invalid_argument(std::string(name) + "[" + std::to_string(i) + "] is NaN");
    if (!std::isfinite(x)) throw invalid_argument(std::string(name) + "[" + std::to_string(i) + "] is infinite");
    if (x < 0) throw invalid_argument(std::string(name) + "[" + std::to_string(i) + "] is negative");
    out[i] = static_cast<T>(x);
    total += x;
  }
  if (!(total > 0)) throw invalid_argument(std::string(name) + " has zero total mass");
  return total;
}

inline void check_equal_mass(double ta, double tb, double rel) {
  if (std::abs(ta - tb) > rel * std::max(ta, tb))
    throw invalid_argument("balanced OT needs marginals of equal mass: sum(a) = " + std::to_string(ta) +
                           ", sum(b) = " + std::to_string(tb) + " (use sinkhorn_unbalanced or partial otherwise)");
}

inline void check_cost_entry(double x, std::size_t i, std::size_t j) {
  if (std::isnan(x)) throw invalid_argument("cost(" + std::to_string(i) + ", " + std::to_string(j) + ") is NaN");
  if (!std::isfinite(x)) throw invalid_argument("cost(" + std::to_string(i) + ", " + std::to_string(j) + ") is infinite");
  if (x < 0) throw invalid_argument("cost(" + std::to_string(i) + ", " + std::to_string(j) + ") is negative");
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
    require_rank_two(cost, "cost");
    const std::size_t m = rows(cost), n = cols(cost);
    if (m == 0 || n == 0) throw invalid_argument("cost is empty (" + std::to_string(m) + " x " + std::to_string(n) + ")");
    if constexpr (has_matrix_memory<B> && std::is_same_v<matrix_value_t<B>, T>) {
      auto v = as_matrix_view(cost);
      if (v.rows_contiguous() && v.row_stride() >= 0) {
        for (std::size_t i = 0; i < m; ++i) {
          const T* r = v.data() + static_cast<std::ptrdiff_t>(i) * v.row_stride();
          for (std::size_t j = 0; j < n; ++j)
            if (!(r[j] >= 0) || !std::isfinite(r[j])) check_cost_entry(static_cast<double>(r[j]), i, j);
        }
        return fn(dense_source<T>{v.data(), m, n, v.row_stride()});
      }
    }
    storage.resize(m * n);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const double x = static_cast<double>(at(cost, i, j));
        if (!(x >= 0) || !std::isfinite(x)) check_cost_entry(x, i, j);
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

// w[j] = sum over blocks b (in order) of partials[b * n + j].
template <class T>
void reduce_partials(const T* partials, std::size_t blocks, std::size_t n, T* w, unsigned threads) {
  // Small reductions are not worth starting threads; the result does not
  // depend on it (each column is summed in block order either way).
  if (blocks * n < (std::size_t(1) << 18)) threads = 1;
  for_each_block(threads, n, column_block, [&](std::size_t, std::size_t j0, std::size_t j1, unsigned) {
    std::copy(partials + j0, partials + j1, w + j0);
    for (std::size_t b = 1; b < blocks; ++b) {
      const T* p = partials + b * n;
      for (std::size_t j = j0; j < j1; ++j) w[j] += p[j];
    }
  });
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
