// lexalign/ot/assignment.hpp - dense rectangular linear assignment
// (shortest augmenting paths with potentials, Jonker-Volgenant style).
//
//   auto r = lexalign::ot::assignment(cost);                          // min cost
//   auto s = lexalign::ot::assignment(sim, {.maximize = true});       // SimAlign "Match"
//   for (std::size_t i = 0; i < r.row_to_col.size(); ++i) ...         // -1 = unmatched
//
// Exactly min(rows, cols) pairs are matched.  See docs/ot/assignment.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/ot/exact_result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct assignment_options {
  // Maximise the sum of the matched entries (weights) instead of minimising.
  bool maximize = false;
};

// Every assignment_options value is valid (a bool); here so that every
// algorithm's options have a validate() and callers need not know which are trivial.
inline void validate(const assignment_options&) noexcept {}

// Reusable buffers: repeated solves of the same or smaller size allocate
// nothing here.
template <class Allocator = std::allocator<double>>
class assignment_workspace {
 public:
  explicit assignment_workspace(const Allocator& alloc = Allocator())
      : alloc_(alloc), cost_(alloc), u_(alloc), v_(alloc), shortest_(alloc), match_(alloc), way_(alloc), used_(alloc) {}
  Allocator get_allocator() const { return alloc_; }

 private:
  template <class U>
  using vec = std::vector<U, typename std::allocator_traits<Allocator>::template rebind_alloc<U>>;
  template <lexalign::matrix M, class T, class Alloc, class WAlloc>
  friend void assignment_into(const M&, const assignment_options&, assignment_workspace<WAlloc>&,
                              assignment_result<T, Alloc>&);

  Allocator alloc_;
  vec<double> cost_;  // the short side's rows, contiguous, signed for minimisation
  vec<double> u_, v_, shortest_;
  vec<std::ptrdiff_t> match_, way_;
  vec<unsigned char> used_;
};

namespace detail {

// Minimum-cost assignment of every one of r rows into c >= r columns of the
// row-major r x c matrix `cost`.  Rows are added one at a time; each finds a
// shortest augmenting path (Dijkstra on reduced costs) to a free column.
// match[j] = row of column j or -1; u, v are the duals (v_j <= 0, and 0 on
// free columns).  O(r^2 c).
template <class Vec, class IVec, class BVec>
void shortest_augmenting_paths(const double* cost, std::size_t r, std::size_t c, Vec& u, Vec& v, Vec& shortest,
                               IVec& match, IVec& way, BVec& used) {
  const double inf = std::numeric_limits<double>::infinity();
  // Column c is a virtual column holding the row being inserted.
  u.assign(r, 0.0);
  v.assign(c + 1, 0.0);
  match.assign(c + 1, -1);
  way.assign(c + 1, 0);
  shortest.resize(c + 1);
  used.resize(c + 1);
  const auto vc = static_cast<std::ptrdiff_t>(c);
  for (std::size_t row = 0; row < r; ++row) {
    match[c] = static_cast<std::ptrdiff_t>(row);
    std::fill(shortest.begin(), shortest.end(), inf);
    std::fill(used.begin(), used.end(), static_cast<unsigned char>(0));
    std::ptrdiff_t j0 = vc;
    do {
      used[static_cast<std::size_t>(j0)] = 1;
      const auto i0 = static_cast<std::size_t>(match[static_cast<std::size_t>(j0)]);
      const double* ci = cost + i0 * c;
      const double ui = u[i0];
      double delta = inf;
      std::ptrdiff_t j1 = -1;
      for (std::size_t j = 0; j < c; ++j) {
        if (used[j]) continue;
        const double red = ci[j] - ui - v[j];
        if (red < shortest[j]) {
          shortest[j] = red;
          way[j] = j0;
        }
        if (shortest[j] < delta) {
          delta = shortest[j];
          j1 = static_cast<std::ptrdiff_t>(j);
        }
      }
      for (std::size_t j = 0; j <= c; ++j) {
        if (used[j]) {
          u[static_cast<std::size_t>(match[j])] += delta;
          v[j] -= delta;
        } else {
          shortest[j] -= delta;
        }
      }
      j0 = j1;
    } while (match[static_cast<std::size_t>(j0)] != -1);
    // Flip the path.
    do {
      const std::ptrdiff_t j1 = way[static_cast<std::size_t>(j0)];
      match[static_cast<std::size_t>(j0)] = match[static_cast<std::size_t>(j1)];
      j0 = j1;
    } while (j0 != vc);
  }
}

}  // namespace detail

// Fills `out` (reusing its buffers).
template <lexalign::matrix M, class T, class Alloc, class WAlloc>
void assignment_into(const M& cost, const assignment_options& opt, assignment_workspace<WAlloc>& ws,
                     assignment_result<T, Alloc>& out) {
  validate(opt);
  require_rank_two(cost, "cost");
  const std::size_t m = rows(cost), n = cols(cost);
  validation::check_not_empty("cost", m, n);
  // Work on the short side as rows: r x c with r <= c.
  const bool transposed = m > n;
  const std::size_t r = transposed ? n : m, c = transposed ? m : n;
  const double sign = opt.maximize ? -1.0 : 1.0;
  ws.cost_.resize(r * c);
  auto fill = [&](auto&& get) {
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const double x = static_cast<double>(get(i, j));
        validation::check_entry("cost", i, j, x, validation::entry_rule::finite);  // any sign
        ws.cost_[transposed ? j * c + i : i * c + j] = sign * x;
      }
  };
  if constexpr (has_matrix_memory<const M>) {
    const auto view = as_matrix_view(cost);
    fill([&](std::size_t i, std::size_t j) { return view(i, j); });
  } else {
    fill([&](std::size_t i, std::size_t j) { return at(cost, i, j); });
  }
  detail::shortest_augmenting_paths(ws.cost_.data(), r, c, ws.u_, ws.v_, ws.shortest_, ws.match_, ws.way_, ws.used_);

  out.row_to_col.assign(m, assignment_result<T, Alloc>::unassigned);
  out.col_to_row.assign(n, assignment_result<T, Alloc>::unassigned);
  out.u.resize(m);
  out.v.resize(n);
  out.objective = 0;
  out.pairs = r;
  for (std::size_t j = 0; j < c; ++j) {
    const std::ptrdiff_t i = ws.match_[j];
    if (i < 0) continue;
    const auto ii = static_cast<std::size_t>(i);
    const std::size_t row = transposed ? j : ii, col = transposed ? ii : j;
    out.row_to_col[row] = static_cast<std::ptrdiff_t>(col);
    out.col_to_row[col] = static_cast<std::ptrdiff_t>(row);
    out.objective += sign * ws.cost_[ii * c + j];
  }
  // Duals of the short side are u, of the long side v (<= 0, 0 when free).
  for (std::size_t k = 0; k < r; ++k) (transposed ? out.v : out.u)[k] = static_cast<T>(sign * ws.u_[k]);
  for (std::size_t k = 0; k < c; ++k) (transposed ? out.u : out.v)[k] = static_cast<T>(sign * ws.v_[k]);
}

// Dense rectangular assignment with a reusable workspace.
template <lexalign::matrix M, class WAlloc>
assignment_result<exact_value_t<matrix_value_t<M>>> assignment(const M& cost, const assignment_options& opt,
                                                               assignment_workspace<WAlloc>& ws) {
  assignment_result<exact_value_t<matrix_value_t<M>>> out;
  assignment_into(cost, opt, ws, out);
  return out;
}

// Dense rectangular assignment: a one-to-one matching of min(rows, cols)
// pairs minimising (or, with .maximize, maximising) the sum of the entries.
template <lexalign::matrix M>
assignment_result<exact_value_t<matrix_value_t<M>>> assignment(const M& cost, const assignment_options& opt = {}) {
  assignment_workspace<> ws;
  return assignment(cost, opt, ws);
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
