// lexalign/ot/exact_result.hpp - result types of the exact solvers
// (ot::emd, ot::assignment, ot::free_support_barycenter).
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/status.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

// The value type the exact solvers compute in: the matrix's floating type,
// double for integer matrices.
template <class V>
using exact_value_t = std::conditional_t<std::is_floating_point_v<V>, V, double>;

// One non-zero entry of a transport plan: `mass` moves from source i to target j.
template <class T>
struct transport_entry {
  std::size_t i = 0;
  std::size_t j = 0;
  T mass = 0;

  friend bool operator==(const transport_entry&, const transport_entry&) = default;
};

// Result of ot::emd.
template <class T, class Allocator = std::allocator<T>>
struct emd_result {
  using entry_allocator = typename std::allocator_traits<Allocator>::template rebind_alloc<transport_entry<T>>;

  explicit emd_result(const Allocator& alloc = Allocator())
      : entries(entry_allocator(alloc)), plan(alloc), u(alloc), v(alloc) {}

  // Non-zero plan entries in row-major order (at most m + n - 1 of them).
  std::vector<transport_entry<T>, entry_allocator> entries;
  // The dense m x n plan; left empty when emd_options::dense_plan is false.
  dense_matrix<T, Allocator> plan;
  // Dual potentials: u_i + v_j <= C_ij for all i, j, with equality wherever
  // the plan is positive.  Centred so that sum_i a_i u_i = sum_j b_j v_j
  // (as POT's center_dual) unless emd_options::center_potentials is false.
  std::vector<T, Allocator> u, v;
  // sum_ij C_ij P_ij, accumulated in double.
  double cost = 0;
  // iterations = simplex pivots; error = the most negative reduced cost C_ij - u_i - v_j left (0 when converged).
  convergence_info convergence;
};

// Result of ot::assignment.  Not iterative (one augmenting path per row of
// the short side, always to the end), so it has no convergence record.
template <class T, class Allocator = std::allocator<T>>
struct assignment_result {
  using index_allocator = typename std::allocator_traits<Allocator>::template rebind_alloc<std::ptrdiff_t>;

  explicit assignment_result(const Allocator& alloc = Allocator())
      : row_to_col(index_allocator(alloc)), col_to_row(index_allocator(alloc)), u(alloc), v(alloc) {}

  static constexpr std::ptrdiff_t unassigned = -1;
  // Column matched to row i, or -1 (only when rows > cols).
  std::vector<std::ptrdiff_t, index_allocator> row_to_col;
  // Row matched to column j, or -1 (only when cols > rows).
  std::vector<std::ptrdiff_t, index_allocator> col_to_row;
  // Dual potentials.  Minimisation: u_i + v_j <= C_ij everywhere, equality
  // on matched pairs, and the potential of every unmatched row or column is 0
  // while all others are <= 0 on the longer side.  Maximisation: the same
  // with >= and W, i.e. the minimisation duals of -W negated.
  std::vector<T, Allocator> u, v;
  // Sum of the matched entries (costs, or weights when maximising), in double.
  double objective = 0;
  // Number of matched pairs = min(rows, cols).
  std::size_t pairs = 0;
};

// Result of ot::free_support_barycenter.
template <class T, class Allocator = std::allocator<T>>
struct free_support_barycenter_result {
  explicit free_support_barycenter_result(const Allocator& alloc = Allocator())
      : support(alloc), weights(alloc) {}

  // k x d barycenter support (one point per row).
  dense_matrix<T, Allocator> support;
  // Barycenter weights a (fixed during the iterations).
  std::vector<T, Allocator> weights;
  // sum_l lambda_l <C_l, T_l> for the plans of the last iteration, where
  // C_l is the ground cost between the support before the last update and Y_l.
  double cost = 0;
  // iterations = support updates; error = squared Frobenius displacement ||X_new - X||^2 of the last update.
  convergence_info convergence;
};

}  // namespace ot
LEXALIGN_NAMESPACE_END
