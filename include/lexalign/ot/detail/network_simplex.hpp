// lexalign/ot/detail/network_simplex.hpp - primal network simplex for the
// dense transportation problem (the engine behind ot::emd).
//
// Graph: m supply nodes 0..m-1, n demand nodes m..m+n-1 and a root m+n.
// Real arcs i -> m+j (id i*n + j, cost C_ij, uncapacitated); one artificial
// arc per node joining it to the root (supply: k -> root, demand: root -> k)
// with the big cost M = (max|C| + 1) * nodes.  The artificial arcs form the
// initial, strongly feasible spanning tree (all masses must be positive; the
// caller removes zero-mass nodes).  Artificial arcs are never priced again:
// with this M they cannot regain a negative reduced cost.
//
// Pricing: block search over the arcs in row-major order, resuming where the
// last search stopped; the most negative reduced cost of the first block that
// has one enters.  Leaving arc: Cunningham's rule (the last blocking arc met
// when walking the cycle in flow direction from its apex), which keeps the
// tree strongly feasible and rules out cycling.
//
// Tree: parent, the pred arc of each node with its direction and flow (only
// tree arcs carry flow in an uncapacitated problem), a preorder thread with
// its reverse, subtree sizes and the last node of each subtree.  A pivot
// costs O(size of the re-hung subtree + cycle length).  Nothing allocates
// after reset().
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/status.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot::detail {

template <class T, class Allocator = std::allocator<T>>
class network_simplex {
 public:
  using node = std::int32_t;
  using arc = std::int64_t;

  explicit network_simplex(const Allocator& alloc = Allocator())
      : parent_(alloc), pred_(alloc), up_(alloc), flow_(alloc), pi_(alloc), thread_(alloc), rev_thread_(alloc),
        succ_num_(alloc), last_succ_(alloc), path_(alloc), order_(alloc), new_size_(alloc), in_tree_(alloc) {}

  // Sizes the buffers for an m x n problem (reallocates only to grow).
  void reset(std::size_t m, std::size_t n) {
    m_ = m;
    n_ = n;
    const std::size_t nodes = m + n + 1;
    parent_.resize(nodes);
    pred_.resize(nodes);
    up_.resize(nodes);
    flow_.resize(nodes);
    pi_.resize(nodes);
    thread_.resize(nodes);
    rev_thread_.resize(nodes);
    succ_num_.resize(nodes);
    last_succ_.resize(nodes);
    path_.resize(nodes);
    order_.resize(nodes);
    new_size_.resize(nodes);
    in_tree_.resize(m * n);
  }

  struct outcome {
    solver_status status = solver_status::converged;
    std::size_t pivots = 0;
    double min_reduced_cost = 0;  // most negative reduced cost left (0 when optimal)
  };

  // Pivots between two refreshes of the potentials from the tree (they are
  // also the points where solve() calls its `on_refresh` hook).
  static std::size_t refresh_interval(std::size_t m, std::size_t n) { return std::max<std::size_t>(1024, m + n); }

  // A hook that never stops the solve.
  struct no_hook {
    constexpr bool operator()(std::size_t) const noexcept { return false; }
  };

  // cost: m x n row-major; a, b: positive masses of equal total.
  // on_refresh(pivots) is called after every refresh_interval(m, n) pivots,
  // once the potentials are exact; returning true ends the solve with status
  // stopped_by_observer (the current basis is kept).
  template <class Hook = no_hook>
  outcome solve(const T* cost, const double* a, const double* b, std::size_t max_pivots, std::size_t block_size,
                Hook&& on_refresh = {}) {
    cost_ = cost;
    const std::size_t m = m_, n = n_;
    const node root = static_cast<node>(m + n);
    double max_abs = 0;
    for (std::size_t e = 0; e < m * n; ++e) max_abs = std::max(max_abs, std::abs(static_cast<double>(cost[e])));
    big_ = (max_abs + 1.0) * static_cast<double>(m + n + 1);
    // Reduced costs carry rounding of order ulp(big_): anything above -tol_ is
    // treated as non-negative.
    tol_ = 256.0 * std::numeric_limits<double>::epsilon() * big_;

    std::fill(in_tree_.begin(), in_tree_.end(), std::uint8_t{0});
    for (node k = 0; k < root; ++k) {
      parent_[k] = root;
      pred_[k] = artificial(k);
      const bool supply = static_cast<std::size_t>(k) < m;
      up_[k] = supply ? 1 : 0;
      flow_[k] = supply ? a[k] : b[static_cast<std::size_t>(k) - m];
      pi_[k] = supply ? -big_ : big_;
      thread_[k] = k + 1;
      rev_thread_[k] = k == 0 ? root : k - 1;
      succ_num_[k] = 1;
      last_succ_[k] = k;
    }
    parent_[root] = -1;
    pred_[root] = -1;
    up_[root] = 0;
    flow_[root] = 0;
    pi_[root] = 0;
    thread_[root] = 0;
    rev_thread_[root] = root - 1;
    thread_[root - 1] = root;
    succ_num_[root] = root + 1;
    last_succ_[root] = root - 1;

    const std::size_t arcs = m * n;
    block_ = block_size ? block_size : std::max<std::size_t>(16, static_cast<std::size_t>(std::sqrt(double(arcs))));
    block_ = std::min(block_, arcs);
    next_i_ = 0;
    next_j_ = 0;

    outcome out;
    const std::size_t refresh = refresh_interval(m, n);
    for (;;) {
      arc e = find_entering();
      if (e < 0) {
        // Confirm with exact potentials before declaring optimality.
        recompute_potentials(false);
        e = find_entering();
        if (e < 0) break;
      }
      if (out.pivots >= max_pivots) {
        out.status = solver_status::max_iterations;
        break;
      }
      if (!pivot(e)) {
        out.status = solver_status::numerical_error;
        break;
      }
      ++out.pivots;
      if (out.pivots % refresh == 0) {
        recompute_potentials(false);
        if (on_refresh(out.pivots)) {
          out.status = solver_status::stopped_by_observer;
          break;
        }
      }
    }
    // Final potentials: exact path sums of real costs.  At the optimum every
    // arc still joining the root is of one kind (see emd.hpp), so the big-M
    // offset is the same for all nodes and is dropped.
    recompute_potentials(true);
    out.min_reduced_cost = out.status == solver_status::converged ? 0.0 : most_negative_reduced_cost();
    return out;
  }

  // Potential of supply node i / demand node j, reduced cost C_ij + pi_i - pi_j.
  double pi_row(std::size_t i) const { return pi_[i]; }
  double pi_col(std::size_t j) const { return pi_[m_ + j]; }

  // Calls f(i, j, flow) for every real tree arc (flows may be zero).
  template <class F>
  void for_each_basic(F&& f) const {
    const arc real = static_cast<arc>(m_ * n_);
    for (std::size_t k = 0; k < m_ + n_; ++k) {
      const arc e = pred_[k];
      if (e >= 0 && e < real) f(static_cast<std::size_t>(e) / n_, static_cast<std::size_t>(e) % n_, flow_[k]);
    }
  }

  // sum C_ij x_ij over the real tree arcs (the cost of the current basis,
  // without the mass still on artificial arcs), accumulated in double.
  double real_cost() const {
    double c = 0;
    for_each_basic([&](std::size_t i, std::size_t j, double f) { c += f * static_cast<double>(cost_[i * n_ + j]); });
    return c;
  }

  // Most negative reduced cost C_ij + pi_i - pi_j over the arcs outside the
  // tree under the current potentials (0 when none is negative).  O(m n).
  double most_negative_reduced_cost() const {
    double worst = 0;
    for (std::size_t i = 0; i < m_; ++i)
      for (std::size_t j = 0; j < n_; ++j)
        if (!in_tree_[i * n_ + j])
          worst = std::min(worst, static_cast<double>(cost_[i * n_ + j]) + pi_[i] - pi_[m_ + j]);
    return worst;
  }

  // Largest flow left on an artificial arc (zero for a feasible balanced problem).
  double artificial_flow() const {
    const arc real = static_cast<arc>(m_ * n_);
    double f = 0;
    for (std::size_t k = 0; k < m_ + n_; ++k)
      if (pred_[k] >= real) f = std::max(f, flow_[k]);
    return f;
  }

 private:
  template <class U>
  using vec = std::vector<U, typename std::allocator_traits<Allocator>::template rebind_alloc<U>>;

  arc artificial(node k) const { return static_cast<arc>(m_ * n_) + k; }

  double arc_cost(arc e) const {
    return e < static_cast<arc>(m_ * n_) ? static_cast<double>(cost_[e]) : big_;
  }

  // Block search; returns -1 when no arc has reduced cost below -tol_.
  arc find_entering() {
    const std::size_t m = m_, n = n_;
    const std::size_t total = m * n;
    std::size_t i = next_i_, j = next_j_;
    std::size_t budget = block_;
    std::size_t scanned = 0;
    double best = -tol_;
    arc best_e = -1;
    const double* pcol = pi_.data() + m;
    while (scanned < total) {
      const std::size_t len = std::min(n - j, budget);
      const T* row = cost_ + i * n;
      const std::uint8_t* st = in_tree_.data() + i * n;
      const double pii = pi_[i];
      for (std::size_t jj = j; jj < j + len; ++jj) {
        const double rc = static_cast<double>(row[jj]) + pii - pcol[jj];
        if (rc < best && !st[jj]) {
          best = rc;
          best_e = static_cast<arc>(i * n + jj);
        }
      }
      scanned += len;
      budget -= len;
      j += len;
      if (j == n) {
        j = 0;
        if (++i == m) i = 0;
      }
      if (budget == 0) {
        if (best_e >= 0) break;
        budget = block_;
      }
    }
    next_i_ = i;
    next_j_ = j;
    return best_e;
  }

  // pi from the tree in preorder: zero reduced cost on every tree arc.  With
  // drop_big, the children of the root get potential 0 instead of -+M.
  void recompute_potentials(bool drop_big) {
    const node root = static_cast<node>(m_ + n_);
    pi_[root] = 0;
    for (node x = thread_[root]; x != root; x = thread_[x]) {
      const node p = parent_[x];
      const double c = (drop_big && p == root) ? 0.0 : arc_cost(pred_[x]);
      pi_[x] = up_[x] ? pi_[p] - c : pi_[p] + c;
    }
  }

  bool pivot(arc e) {
    const std::size_t n = n_;
    const node s = static_cast<node>(static_cast<std::size_t>(e) / n);
    const node t = static_cast<node>(m_ + static_cast<std::size_t>(e) % n);

    // Apex of the cycle.
    node x = s, y = t;
    while (x != y) {
      if (succ_num_[x] < succ_num_[y]) x = parent_[x];
      else y = parent_[y];
    }
    const node join = x;

    // Blocking arc (Cunningham): s side first with strict <, then t side with <=.
    double delta = std::numeric_limits<double>::infinity();
    node u_out = -1;
    bool out_on_s_side = false;
    for (node u = s; u != join; u = parent_[u])
      if (up_[u] && flow_[u] < delta) {
        delta = flow_[u];
        u_out = u;
        out_on_s_side = true;
      }
    for (node u = t; u != join; u = parent_[u])
      if (!up_[u] && flow_[u] <= delta) {
        delta = flow_[u];
        u_out = u;
        out_on_s_side = false;
      }
    if (u_out < 0) return false;

    if (delta > 0) {
      for (node u = s; u != join; u = parent_[u]) flow_[u] += up_[u] ? -delta : delta;
      for (node u = t; u != join; u = parent_[u]) flow_[u] += up_[u] ? delta : -delta;
    }

    const double rc = static_cast<double>(cost_[e]) + pi_[s] - pi_[t];
    const node u_in = out_on_s_side ? s : t;
    const node v_in = out_on_s_side ? t : s;
    const double sigma = out_on_s_side ? -rc : rc;

    const arc leaving = pred_[u_out];
    if (leaving < static_cast<arc>(m_ * n_)) in_tree_[static_cast<std::size_t>(leaving)] = 0;
    in_tree_[static_cast<std::size_t>(e)] = 1;

    // Path p_0 = u_in, ..., p_k = u_out.
    std::size_t k = 0;
    path_[0] = u_in;
    while (path_[k] != u_out) {
      path_[k + 1] = parent_[path_[k]];
      ++k;
    }
    const node size_s = succ_num_[u_out];
    const node old_last = last_succ_[u_out];
    const node old_parent_out = parent_[u_out];

    // New preorder of the cut subtree: p_0's subtree, then each p_i with its
    // old subtree minus the branch of p_{i-1}.
    std::size_t len = 0;
    {
      node z = u_in;
      for (node c = 0; c < succ_num_[u_in]; ++c) {
        order_[len++] = z;
        z = thread_[z];
      }
    }
    for (std::size_t i = 1; i <= k; ++i) {
      const node p = path_[i], prev = path_[i - 1];
      for (node z = p; z != prev; z = thread_[z]) order_[len++] = z;
      const node prev_last = last_succ_[prev];
      if (prev_last != last_succ_[p]) {
        node z = thread_[prev_last];
        for (;;) {
          order_[len++] = z;
          if (z == last_succ_[p]) break;
          z = thread_[z];
        }
      }
    }
    if (len != static_cast<std::size_t>(size_s)) return false;

    // New subtree sizes along the path, from the top down.
    for (std::size_t i = k + 1; i-- > 0;) {
      node sz = succ_num_[path_[i]];
      if (i > 0) sz -= succ_num_[path_[i - 1]];
      if (i < k) sz += new_size_[i + 1];
      new_size_[i] = sz;
    }

    // Reverse the path's parent links.
    for (std::size_t i = k; i >= 1; --i) {
      const node c = path_[i], below = path_[i - 1];
      parent_[c] = below;
      pred_[c] = pred_[below];
      up_[c] = up_[below] ? 0 : 1;
      flow_[c] = flow_[below];
    }
    parent_[u_in] = v_in;
    pred_[u_in] = e;
    up_[u_in] = out_on_s_side ? 1 : 0;
    flow_[u_in] = delta;

    // Unlink the old segment from the thread.
    const node before = rev_thread_[u_out];
    const node after = thread_[old_last];
    thread_[before] = after;
    rev_thread_[after] = before;
    for (node a = old_parent_out; a >= 0 && last_succ_[a] == old_last; a = parent_[a]) last_succ_[a] = before;
    for (node a = old_parent_out; a != join; a = parent_[a]) succ_num_[a] -= size_s;

    // Link the new segment right after v_in.
    for (std::size_t i = 0; i + 1 < len; ++i) {
      thread_[order_[i]] = order_[i + 1];
      rev_thread_[order_[i + 1]] = order_[i];
    }
    const node new_last = order_[len - 1];
    const node nxt = thread_[v_in];
    thread_[v_in] = u_in;
    rev_thread_[u_in] = v_in;
    thread_[new_last] = nxt;
    rev_thread_[nxt] = new_last;
    if (last_succ_[v_in] == v_in)
      for (node a = v_in; a >= 0 && last_succ_[a] == v_in; a = parent_[a]) last_succ_[a] = new_last;
    for (node a = v_in; a != join; a = parent_[a]) succ_num_[a] += size_s;

    for (std::size_t i = 0; i <= k; ++i) {
      succ_num_[path_[i]] = new_size_[i];
      last_succ_[path_[i]] = new_last;
    }
    if (sigma != 0)
      for (std::size_t i = 0; i < len; ++i) pi_[order_[i]] += sigma;
    return true;
  }

  std::size_t m_ = 0, n_ = 0;
  const T* cost_ = nullptr;
  double big_ = 0, tol_ = 0;
  std::size_t block_ = 0, next_i_ = 0, next_j_ = 0;
  vec<node> parent_;
  vec<arc> pred_;
  vec<std::uint8_t> up_;
  vec<double> flow_;
  vec<double> pi_;
  vec<node> thread_, rev_thread_, succ_num_, last_succ_;
  vec<node> path_, order_, new_size_;
  vec<std::uint8_t> in_tree_;
};

}  // namespace ot::detail
LEXALIGN_NAMESPACE_END
