// lexalign/ot/emd.hpp - exact (unregularised) optimal transport between two
// discrete measures: the earth mover's distance by the network simplex.
//
//   std::vector<double> a{0.5, 0.5}, b{0.25, 0.75};
//   auto r = lexalign::ot::emd(a, b, cost);        // cost: any 2 x 2 matrix
//   r.cost; r.entries; r.plan; r.u; r.v; r.convergence.status;
//
// See docs/ot/emd.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
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
#include "lexalign/ot/detail/network_simplex.hpp"
#include "lexalign/ot/exact_result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

struct emd_options {
  // Cap on simplex pivots (>= 1); when reached the status is max_iterations
  // and the plan is the last (feasible for the augmented problem) basis.
  std::size_t max_iterations = 10'000'000;
  // Allowed relative difference between sum(a) and sum(b), in [0, 1]; b is
  // rescaled to the mass of a (as POT does) when within it
  // (validation::matching_mass).
  double mass_tolerance = 1e-6;
  // Also fill the dense plan (the sparse `entries` are always filled).
  bool dense_plan = true;
  // Shift the potentials so that sum_i a_i u_i = sum_j b_j v_j.
  bool center_potentials = true;
  // Arcs priced per block in the block-search pivot rule; 0 = sqrt(m n).
  std::size_t block_size = 0;
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const emd_options& o) {
  validation::at_least("emd_options.max_iterations", o.max_iterations, 1);
  validation::in_range("emd_options.mass_tolerance", o.mass_tolerance, 0.0, 1.0);
}

// Reusable buffers for repeated solves (free-support barycenters, batches).
// Sized on first use; later solves of the same or smaller size allocate
// nothing here.
template <class T, class Allocator = std::allocator<T>>
class emd_workspace {
 public:
  explicit emd_workspace(const Allocator& alloc = Allocator())
      : alloc_(alloc), simplex_(alloc), cost_(alloc), a_(alloc), b_(alloc), rows_(alloc), cols_(alloc), u_(alloc), v_(alloc) {}
  Allocator get_allocator() const { return alloc_; }

 private:
  template <class U>
  using vec = std::vector<U, typename std::allocator_traits<Allocator>::template rebind_alloc<U>>;
  template <lexalign::vector A, lexalign::vector B, lexalign::matrix M, class U, class Alloc, lexalign::observer Obs>
  friend void emd_into(const A&, const B&, const M&, const emd_options&, emd_workspace<U, Alloc>&,
                       emd_result<U, Alloc>&, Obs);

  Allocator alloc_;
  detail::network_simplex<T, Allocator> simplex_;
  vec<T> cost_;
  vec<double> a_, b_;
  vec<std::size_t> rows_, cols_;
  vec<double> u_, v_;
};

// Fills `out` (reusing its buffers) with the optimal plan, cost and
// potentials.  The observer sees stage "emd" every
// max(1024, m' + n') pivots (m', n': rows and columns of positive mass) and
// once at the end; see docs/ot/emd.md.
template <lexalign::vector A, lexalign::vector B, lexalign::matrix M, class T, class Alloc,
          lexalign::observer Obs = no_observer>
void emd_into(const A& a, const B& b, const M& cost, const emd_options& opt, emd_workspace<T, Alloc>& ws,
              emd_result<T, Alloc>& out, Obs obs = {}) {
  validate(opt);
  require_rank_two(cost, "cost");
  const std::size_t m = rows(cost), n = cols(cost);
  validation::check_not_empty("cost", m, n);
  // (The expected sizes are checked first so that no message is built on success.)
  if (has_rank_one(a) && lexalign::size(a) != m)
    validation::check_size("a", lexalign::size(a), m, "the cost has " + std::to_string(m) + " rows");
  if (has_rank_one(b) && lexalign::size(b) != n)
    validation::check_size("b", lexalign::size(b), n, "the cost has " + std::to_string(n) + " columns");
  const double sa = validation::check_weights(a, "a");
  const double sb = validation::check_weights(b, "b");
  const double scale_b = validation::matching_mass(sa, sb, opt.mass_tolerance);

  ws.rows_.clear();
  ws.cols_.clear();
  ws.a_.clear();
  ws.b_.clear();
  for (std::size_t i = 0; i < m; ++i)
    if (const double x = static_cast<double>(at(a, i)); x > 0) {
      ws.rows_.push_back(i);
      ws.a_.push_back(x);
    }
  for (std::size_t j = 0; j < n; ++j)
    if (const double x = static_cast<double>(at(b, j)) * scale_b; x > 0) {
      ws.cols_.push_back(j);
      ws.b_.push_back(x);
    }
  const std::size_t mr = ws.rows_.size(), nc = ws.cols_.size();

  // Compact contiguous copy of the cost restricted to the positive masses;
  // validates every entry of the full matrix on the way.
  ws.cost_.resize(mr * nc);
  auto copy_cost = [&](auto&& get) {
    std::size_t r = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const bool active = r < mr && ws.rows_[r] == i;
      std::size_t c = 0;
      for (std::size_t j = 0; j < n; ++j) {
        const double x = static_cast<double>(get(i, j));
        validation::check_entry("cost", i, j, x, validation::entry_rule::finite);
        if (active && c < nc && ws.cols_[c] == j) ws.cost_[r * nc + c++] = static_cast<T>(x);
      }
      if (active) ++r;
    }
  };
  if constexpr (has_matrix_memory<const M>) {
    const auto view = as_matrix_view(cost);
    copy_cost([&](std::size_t i, std::size_t j) { return view(i, j); });
  } else {
    copy_cost([&](std::size_t i, std::size_t j) { return at(cost, i, j); });
  }

  ws.simplex_.reset(mr, nc);
  auto& simplex = ws.simplex_;
  const auto event = [&](std::size_t pivots, double error) {
    return iteration_event{"emd", pivots, error, simplex.real_cost(), opt.max_iterations};
  };
  std::size_t reported = 0;  // pivots at the last observer call
  const auto res = [&] {
    if constexpr (std::is_same_v<Obs, no_observer>) {
      return simplex.solve(ws.cost_.data(), ws.a_.data(), ws.b_.data(), opt.max_iterations, opt.block_size);
    } else {
      return simplex.solve(ws.cost_.data(), ws.a_.data(), ws.b_.data(), opt.max_iterations, opt.block_size,
                           [&](std::size_t pivots) {
                             reported = pivots;
                             return notify(obs, event(pivots, simplex.most_negative_reduced_cost())) ==
                                    observer_action::stop;
                           });
    }
  }();
  out.convergence.status = res.status;
  out.convergence.iterations = res.pivots;
  out.convergence.error = res.min_reduced_cost;
  if (res.status == solver_status::converged && simplex.artificial_flow() > 1e-9 * sa)
    out.convergence.status = solver_status::numerical_error;
  // The final state, unless the observer has just seen it.  Its answer is
  // moot: the solve has ended already.
  if constexpr (!std::is_same_v<Obs, no_observer>)
    if (res.pivots != reported) notify(obs, event(res.pivots, res.min_reduced_cost));

  // Plan.
  out.entries.clear();
  out.cost = 0;
  ws.simplex_.for_each_basic([&](std::size_t r, std::size_t c, double f) {
    if (f > 0) {
      out.entries.push_back({ws.rows_[r], ws.cols_[c], static_cast<T>(f)});
      out.cost += f * static_cast<double>(ws.cost_[r * nc + c]);
    }
  });
  std::sort(out.entries.begin(), out.entries.end(),
            [](const auto& x, const auto& y) { return x.i != y.i ? x.i < y.i : x.j < y.j; });
  if (opt.dense_plan) {
    out.plan.resize(m, n, T{0});
    for (const auto& e : out.entries) out.plan(e.i, e.j) = e.mass;
  } else {
    out.plan.resize(0, 0);
  }

  // Potentials: reduced cost C_ij + pi_i - pi_j, so u = -pi_row, v = pi_col.
  // Zero-mass rows and columns get the c-transform (the largest feasible value).
  auto& u = ws.u_;
  auto& v = ws.v_;
  u.resize(m);
  v.resize(n);
  auto cost_at = [&](std::size_t i, std::size_t j) { return static_cast<double>(at(cost, i, j)); };
  std::size_t r = 0, c = 0;
  for (std::size_t i = 0; i < m; ++i) u[i] = (r < mr && ws.rows_[r] == i) ? -ws.simplex_.pi_row(r++) : std::nan("");
  for (std::size_t j = 0; j < n; ++j) v[j] = (c < nc && ws.cols_[c] == j) ? ws.simplex_.pi_col(c++) : std::nan("");
  if (mr < m)
    for (std::size_t i = 0; i < m; ++i) {
      if (!std::isnan(u[i])) continue;
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t cc = 0; cc < nc; ++cc) best = std::min(best, cost_at(i, ws.cols_[cc]) - v[ws.cols_[cc]]);
      u[i] = best;
    }
  if (nc < n)
    for (std::size_t j = 0; j < n; ++j) {
      if (!std::isnan(v[j])) continue;
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i < m; ++i) best = std::min(best, cost_at(i, j) - u[i]);
      v[j] = best;
    }
  if (opt.center_potentials) {
    double au = 0, bv = 0;
    for (std::size_t i = 0; i < m; ++i) au += static_cast<double>(at(a, i)) * u[i];
    for (std::size_t j = 0; j < n; ++j) bv += static_cast<double>(at(b, j)) * scale_b * v[j];
    const double shift = (bv - au) / (2.0 * sa);
    for (auto& x : u) x += shift;
    for (auto& x : v) x -= shift;
  }
  out.u.assign(u.begin(), u.end());
  out.v.assign(v.begin(), v.end());
}

// Exact OT with a reusable workspace; the result uses the workspace's allocator.
template <lexalign::vector A, lexalign::vector B, lexalign::matrix M, class T, class Alloc,
          lexalign::observer Obs = no_observer>
emd_result<T, Alloc> emd(const A& a, const B& b, const M& cost, const emd_options& opt, emd_workspace<T, Alloc>& ws,
                         Obs obs = {}) {
  emd_result<T, Alloc> out(ws.get_allocator());
  emd_into(a, b, cost, opt, ws, out, std::move(obs));
  return out;
}

// Exact OT: min_P <C, P> subject to P 1 = a, P^T 1 = b, P >= 0.
template <lexalign::vector A, lexalign::vector B, lexalign::matrix M, lexalign::observer Obs = no_observer>
emd_result<exact_value_t<matrix_value_t<M>>> emd(const A& a, const B& b, const M& cost, const emd_options& opt = {},
                                                 Obs obs = {}) {
  emd_workspace<exact_value_t<matrix_value_t<M>>> ws;
  return emd(a, b, cost, opt, ws, std::move(obs));
}

}  // namespace ot
LEXALIGN_NAMESPACE_END
