// lexalign/extract/matching.hpp - SimAlign's "Match" (mwmf): a maximum-weight
// one-to-one matching of min(m, n) links.
//
//   auto r = lexalign::extract::matching(sim);
//
// SimAlign calls networkx's max_weight_matching on the complete bipartite
// graph; with positive similarities a maximum-weight matching has exactly
// min(m, n) pairs, which is the rectangular assignment solved here: the
// matrix is padded to max(m, n) square with constant rows or columns and
// solved by Jonker and Volgenant's LAPJV (column reduction, reduction
// transfer, two rounds of augmenting row reduction, then shortest augmenting
// paths with lazy price updates; Computing 38, 1987; here the path search is
// a dense Dijkstra whose relaxation and minimum are one vector pass per
// step), a dense solver written
// for this header (ot::assignment is the plain shortest-augmenting-path one).  For any input the result maximises the
// sum over exactly min(m, n) pairs.  Among optimal matchings the one returned
// may differ from networkx's.  Scores are the similarities.  See
// docs/extract/matching.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"
#include "lexalign/ot/detail/simd.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

// No knob: maximum weight, maximum cardinality.  Here for the contract.
struct matching_options {};

inline void validate(const matching_options&) noexcept {}

// The shared buffers plus the assignment solver's.
template <class Allocator = std::allocator<double>>
struct matching_workspace {
  template <class U>
  using vec = typename workspace<Allocator>::template vec<U>;
  explicit matching_workspace(const Allocator& alloc = Allocator())
      : base(alloc), cost(alloc), v(alloc), d(alloc), open(alloc), dfin(alloc), x(alloc), y(alloc),
        free_rows(alloc), columns(alloc), pred(alloc), matches(alloc) {}
  workspace<Allocator> base;
  // LAPJV on the padded N x N cost: prices v, distances d, row -> column x,
  // column -> row y, and its lists.
  vec<double> cost, v, d, open, dfin;
  vec<std::ptrdiff_t> x, y, free_rows, columns, pred, matches;
};

namespace detail {

// The two smallest of h_j = c[j] - v[j], j < n, in (value, index) order:
// umin at j1 (the first index of the minimum), usub at j2 (the next in that
// order; +inf and -1 when n == 1).  The same answer as the sequential scan
// of LAPJV's augmenting row reduction; vectorised, each lane keeps its own
// two smallest (in index order, so ties keep the lower index), then the
// lanes are merged.
inline void two_smallest(const double* c, const double* v, std::ptrdiff_t n, double& umin, std::ptrdiff_t& j1,
                         double& usub, std::ptrdiff_t& j2) noexcept {
  const double inf = std::numeric_limits<double>::infinity();
  umin = inf;
  usub = inf;
  j1 = -1;
  j2 = -1;
  std::ptrdiff_t j = 0;
  auto take = [&](double h, std::ptrdiff_t at) {
    if (h < umin || (h == umin && at < j1)) {
      usub = umin;
      j2 = j1;
      umin = h;
      j1 = at;
    } else if (h < usub || (h == usub && at < j2)) {
      usub = h;
      j2 = at;
    }
  };
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = ot::detail::vd_t;
  using vi = ot::detail::vi64_t;
  constexpr std::ptrdiff_t W = sizeof(vd) / sizeof(double);
  // Shorter rows: the scalar scan is cheaper than the merge (with AVX-512's
  // masked tail, from two vectors on).
  if (n >= (LEXALIGN_OT_MASKED_TAILS ? 2 : 4) * W) {
    vd m1 = vd{} + inf, m2 = m1;
    vi i1 = vi{} - 1, i2 = i1, lane;
    for (std::ptrdiff_t l = 0; l < W; ++l) lane[l] = l;
    auto step = [&](const vd& x) {
      const vi at = lane + static_cast<std::int64_t>(j);
      const auto lt1 = x < m1, lt2 = x < m2;
      m2 = lt1 ? m1 : (lt2 ? x : m2);
      i2 = lt1 ? i1 : (lt2 ? at : i2);
      m1 = lt1 ? x : m1;
      i1 = lt1 ? at : i1;
    };
    for (; j + W <= n; j += W) step(ot::detail::vload(c + j) - ot::detail::vload(v + j));
    if (LEXALIGN_OT_MASKED_TAILS && j < n) {  // padding: +inf, never below a real value
      vd cj, vj;
      ot::detail::vload_tail(cj, c + j, static_cast<std::size_t>(n - j), inf);
      ot::detail::vload_tail(vj, v + j, static_cast<std::size_t>(n - j), 0.0);
      step(cj - vj);
      j = n;
    }
    // Merge without branches: the first is the smallest lane first (lowest
    // index on ties); the second, the smallest of the other lanes' firsts
    // and the winning lane's second.
#if LEXALIGN_OT_MASKED_TAILS
    // In register: the largest of -x at the lowest index is the smallest x.
    double a, b;
    const std::int64_t ia = first_lane_max(-m1, i1, a);
    a = -a;
    const auto win = i1 == ia;
    const vd cand = win ? m2 : m1;
    const vi icand = win ? i2 : i1;
    const std::int64_t ib = first_lane_max(-cand, icand, b);
    b = -b;
#else
    const std::int64_t big = std::numeric_limits<std::int64_t>::max();
    double a = m1[0];
    for (std::ptrdiff_t l = 1; l < W; ++l) a = m1[l] < a ? m1[l] : a;
    vi pick = m1 == a ? i1 : vi{} + big;
    std::int64_t ia = pick[0];
    for (std::ptrdiff_t l = 1; l < W; ++l) ia = pick[l] < ia ? pick[l] : ia;
    const auto win = i1 == ia;
    const vd cand = win ? m2 : m1;
    const vi icand = win ? i2 : i1;
    double b = cand[0];
    for (std::ptrdiff_t l = 1; l < W; ++l) b = cand[l] < b ? cand[l] : b;
    pick = cand == b ? icand : vi{} + big;
    std::int64_t ib = pick[0];
    for (std::ptrdiff_t l = 1; l < W; ++l) ib = pick[l] < ib ? pick[l] : ib;
#endif
    umin = a;
    j1 = ia;
    usub = b;
    j2 = b < inf ? ib : -1;
  }
#endif
  if (j == 0) {  // LAPJV's sequential scan (its order gives the same ties)
    umin = c[0] - v[0];
    j1 = 0;
    for (j = 1; j < n; ++j) {
      const double h = c[j] - v[j];
      if (h < usub) {
        if (h >= umin) {
          usub = h;
          j2 = j;
        } else {
          usub = umin;
          umin = h;
          j2 = j1;
          j1 = j;
        }
      }
    }
    return;
  }
  for (; j < n; ++j) take(c[j] - v[j], j);
}

// The smallest of c[j] - v[j] over j < n, j != skip (+inf when there is
// none): the reduction transfer's price step, which needs neither the
// minimum's index nor the second smallest (two_smallest's merges are about
// twice as long a dependency chain).  The minimum is exact, so any order
// gives the same value.
inline double min_excluding(const double* c, const double* v, std::ptrdiff_t n, std::ptrdiff_t skip) noexcept {
  const double inf = std::numeric_limits<double>::infinity();
  double best = inf;
  std::ptrdiff_t j = 0;
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = ot::detail::vd_t;
  using vi = ot::detail::vi64_t;
  constexpr std::ptrdiff_t W = sizeof(vd) / sizeof(double);
  if (n >= W) {
    vi lane;
    for (std::ptrdiff_t l = 0; l < W; ++l) lane[l] = l;
    const vi vskip = vi{} + static_cast<std::int64_t>(skip);
    vd m = vd{} + inf;
    auto step = [&](const vd& h) {
      const vd x = lane + static_cast<std::int64_t>(j) == vskip ? vd{} + inf : h;
      m = x < m ? x : m;
    };
    for (; j + W <= n; j += W) step(ot::detail::vload(c + j) - ot::detail::vload(v + j));
    if (LEXALIGN_OT_MASKED_TAILS && j < n) {  // padding: +inf
      vd cj, vj;
      ot::detail::vload_tail(cj, c + j, static_cast<std::size_t>(n - j), inf);
      ot::detail::vload_tail(vj, v + j, static_cast<std::size_t>(n - j), 0.0);
      step(cj - vj);
      j = n;
    }
#if LEXALIGN_OT_MASKED_TAILS && LEXALIGN_HAS_SHUFFLEVECTOR
    typedef double v4d __attribute__((vector_size(32)));
    typedef double v2d __attribute__((vector_size(16)));
    const v4d lo = __builtin_shufflevector(m, m, 0, 1, 2, 3), hi = __builtin_shufflevector(m, m, 4, 5, 6, 7);
    const v4d h = lo < hi ? lo : hi;
    const v2d a = __builtin_shufflevector(h, h, 0, 1), b = __builtin_shufflevector(h, h, 2, 3);
    const v2d q = a < b ? a : b;
    best = q[0] < q[1] ? q[0] : q[1];
#else
    for (std::ptrdiff_t l = 0; l < W; ++l) best = m[l] < best ? m[l] : best;
#endif
  }
#endif
  for (; j < n; ++j) {
    const double h = c[j] - v[j];
    best = j != skip && h < best ? h : best;
  }
  return best;
}

// The first index of the smallest of d[0..n) (n >= 1), its value in `mn`.
inline std::ptrdiff_t dense_argmin(const double* d, std::ptrdiff_t n, double& mn) noexcept {
  std::ptrdiff_t at = 0;
  mn = d[0];
  for (std::ptrdiff_t j = 1; j < n; ++j)
    if (d[j] < mn) {
      mn = d[j];
      at = j;
    }
  return at;
}

// One Dijkstra step of the dense shortest augmenting path: for every open
// column j (open[j] == 0; scanned ones hold +inf there and in d),
// d[j] = min(d[j], c_i[j] - v[j] + h), pred[j] = i where it improved; returns
// the first column of the new smallest d (its value in `mn`).  Vectorised:
// the relaxation and the minimum in one pass (per lane the first minimum,
// then the lowest index among the lanes holding it).
inline std::ptrdiff_t dense_relax(const double* ci, const double* v, const double* open, double* d,
                                  std::ptrdiff_t* pred, std::ptrdiff_t i, double h, std::ptrdiff_t n,
                                  double& mn) noexcept {
  std::ptrdiff_t j = 0;
  double best = std::numeric_limits<double>::infinity();
  std::ptrdiff_t at = -1;
#if LEXALIGN_HAVE_VECTOR_EXT
  using vd = ot::detail::vd_t;
  using vi = ot::detail::vi64_t;
  constexpr std::ptrdiff_t W = sizeof(vd) / sizeof(double);
  static_assert(sizeof(std::ptrdiff_t) == sizeof(std::int64_t));
  if (n >= W) {
    const vd vh = vd{} + h;
    const vi vrow = vi{} + static_cast<std::int64_t>(i);
    vi lane;
    for (std::ptrdiff_t l = 0; l < W; ++l) lane[l] = l;
    vd m = vd{} + std::numeric_limits<double>::infinity();
    vi mi = vi{} - 1;
    for (; j + W <= n; j += W) {
      const vd nd = ot::detail::vload(ci + j) - ot::detail::vload(v + j) + vh + ot::detail::vload(open + j);
      vd dj = ot::detail::vload(d + j);
      vi pj;
      std::memcpy(&pj, pred + j, sizeof pj);
      const auto lt = nd < dj;
      dj = lt ? nd : dj;
      pj = lt ? vrow : pj;
      ot::detail::vstore(d + j, dj);
      std::memcpy(pred + j, &pj, sizeof pj);
      const auto lm = dj < m;
      m = lm ? dj : m;
      mi = lm ? lane + static_cast<std::int64_t>(j) : mi;
    }
    for (std::ptrdiff_t l = 0; l < W; ++l)
      if (m[l] < best || (m[l] == best && mi[l] < at)) {
        best = m[l];
        at = mi[l];
      }
  }
#endif
  for (; j < n; ++j) {
    const double nd = ci[j] - v[j] + h + open[j];
    if (nd < d[j]) {
      d[j] = nd;
      pred[j] = i;
    }
    if (d[j] < best) {
      best = d[j];
      at = j;
    }
  }
  mn = best;
  return at;
}

// Minimum-cost perfect assignment of the row-major N x N `c` (LAPJV); on
// return x[i] is row i's column.  Ties are broken by the scan order (no
// promise beyond optimality).
template <class WAlloc>
void lapjv(std::size_t N, matching_workspace<WAlloc>& ws) {
  const double* c = ws.cost.data();
  const auto n = static_cast<std::ptrdiff_t>(N);
  auto& v = ws.v;
  auto& d = ws.d;
  auto& x = ws.x;
  auto& y = ws.y;
  auto& fr = ws.free_rows;
  auto& cl = ws.columns;
  auto& pred = ws.pred;
  auto& matches = ws.matches;
  v.assign(N, 0.0);
  d.resize(N);
  x.assign(N, -1);
  y.assign(N, -1);
  fr.resize(N);
  cl.resize(N);
  pred.resize(N);
  matches.assign(N, 0);
  // 1. Column reduction: each column to its cheapest row (the first on
  // ties), found row by row (contiguous, branch-free: vectorises); then the
  // columns are assigned last column first.
  for (std::ptrdiff_t j = 0; j < n; ++j) {
    v[j] = c[j];
    d[j] = 0;  // the row of the minimum, as a double (exact below 2^53)
  }
  for (std::ptrdiff_t i = 1; i < n; ++i) {
    const double* ci = c + i * n;
    double* vv = v.data();
    double* dd = d.data();
    const double row = static_cast<double>(i);
    for (std::ptrdiff_t j = 0; j < n; ++j) {
      const bool lt = ci[j] < vv[j];
      vv[j] = lt ? ci[j] : vv[j];
      dd[j] = lt ? row : dd[j];
    }
  }
  for (std::ptrdiff_t j = n - 1; j >= 0; --j) {
    const auto imin = static_cast<std::ptrdiff_t>(d[j]);
    if (++matches[imin] == 1) {
      x[imin] = j;
      y[j] = imin;
    } else if (v[j] < v[x[imin]]) {
      const std::ptrdiff_t j1 = x[imin];
      x[imin] = j;
      y[j] = imin;
      y[j1] = -1;
    } else {
      y[j] = -1;
    }
  }
  // 2. Reduction transfer from rows assigned once; the unassigned rows are free.
  std::ptrdiff_t nfree = 0;
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    if (matches[i] == 0) {
      fr[nfree++] = i;
    } else if (matches[i] == 1) {
      const std::ptrdiff_t j1 = x[i];
      v[j1] -= min_excluding(c + i * n, v.data(), n, j1);
    }
  }
  // 3. Augmenting row reduction, twice.
  // A displaced row goes to the next round (then to step 4, which is exact),
  // not back to the front of this one: on dense similarity matrices the
  // immediate re-reassignment of the original ping-pongs (about 12 row scans
  // per row at N = 100, against about 1 here and 2.5 Dijkstra steps per row
  // in step 4, which is cheaper since it is vectorised).
  for (int round = 0; round < 2 && nfree > 0; ++round) {
    std::ptrdiff_t k = 0;
    const std::ptrdiff_t previous = nfree;
    nfree = 0;
    while (k < previous) {
      const std::ptrdiff_t i = fr[k++];
      double umin, usub;
      std::ptrdiff_t j1, j2;
      two_smallest(c + i * n, v.data(), n, umin, j1, usub, j2);
      std::ptrdiff_t i0 = y[j1];
      bool strict = umin < usub;
      if (strict) {
        const double lowered = v[j1] - (usub - umin);
        if (lowered == v[j1]) strict = false;
        else v[j1] = lowered;
      }
      if (!strict && i0 >= 0 && j2 >= 0) {
        j1 = j2;
        i0 = y[j2];
      }
      x[i] = j1;
      y[j1] = i;
      if (i0 >= 0) {
        x[i0] = -1;
        fr[nfree++] = i0;
      }
    }
  }
  // 4. Shortest augmenting paths (Dijkstra on reduced costs) for the rest,
  // dense: each step relaxes every open column of the scanned row in one
  // vector pass that also finds the next minimum (no column lists).
  if (nfree > 0) {
    auto& open = ws.open;  // 0 for an open column, +inf once scanned
    auto& dfin = ws.dfin;  // a scanned column's final distance
    open.resize(N);
    dfin.resize(N);
    for (std::ptrdiff_t f = 0; f < nfree; ++f) {
      const std::ptrdiff_t row = fr[f];
      for (std::ptrdiff_t j = 0; j < n; ++j) {
        d[j] = c[row * n + j] - v[j];
        open[j] = 0.0;
        pred[j] = row;
      }
      double mn;
      std::ptrdiff_t jmin = dense_argmin(d.data(), n, mn);
      std::ptrdiff_t scanned = 0;
      while (y[jmin] >= 0) {  // jmin is assigned: scan its row
        cl[scanned++] = jmin;
        dfin[jmin] = mn;
        open[jmin] = std::numeric_limits<double>::infinity();
        d[jmin] = std::numeric_limits<double>::infinity();
        const std::ptrdiff_t i = y[jmin];
        const double* ci = c + i * n;
        const double h = mn - (ci[jmin] - v[jmin]);
        jmin = dense_relax(ci, v.data(), open.data(), d.data(), pred.data(), i, h, n, mn);
      }
      for (std::ptrdiff_t k = 0; k < scanned; ++k) {  // prices of the scanned columns
        const std::ptrdiff_t j = cl[k];
        v[j] += dfin[j] - mn;
      }
      std::ptrdiff_t end = jmin;
      for (;;) {  // flip the path
        const std::ptrdiff_t i = pred[end];
        y[end] = i;
        const std::ptrdiff_t j = end;
        end = x[i];
        x[i] = j;
        if (i == row) break;
      }
    }
  }
}

}  // namespace detail

template <lexalign::matrix M, class WAlloc>
void matching_into(const M& similarity, const matching_options& opt, matching_workspace<WAlloc>& ws,
                   extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws.base);
  const std::size_t m = ws.base.rows, n = ws.base.cols, N = m > n ? m : n;
  const double* s = ws.base.src;
  // Cost -S, padded with zero rows (m < n) or zero columns (m > n): every
  // perfect assignment of the square matrix restricts to a matching of
  // min(m, n) real pairs, and the padding adds the same 0 to each.
  ws.cost.resize(N * N);
  double* c = ws.cost.data();
  for (std::size_t i = 0; i < m; ++i) {
    const double* si = s + i * n;
    double* ci = c + i * N;
    for (std::size_t j = 0; j < n; ++j) ci[j] = -si[j];
    for (std::size_t j = n; j < N; ++j) ci[j] = 0.0;
  }
  for (std::size_t k = m * N; k < N * N; ++k) c[k] = 0.0;
  detail::lapjv(N, ws);
  out.clear();
  for (std::size_t i = 0; i < m; ++i) {
    const auto j = static_cast<std::size_t>(ws.x[i]);
    if (j < n) out.push(i, j, s[i * n + j]);
  }
}

template <lexalign::matrix M, class WAlloc>
extract_result matching(const M& similarity, const matching_options& opt, matching_workspace<WAlloc>& ws) {
  extract_result out;
  matching_into(similarity, opt, ws, out);
  return out;
}

template <lexalign::matrix M>
extract_result matching(const M& similarity, const matching_options& opt = {}) {
  matching_workspace<> ws;
  return matching(similarity, opt, ws);
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
