// lexalign/symmetrize/symmetrize.hpp - combine a forward and a reverse
// directional alignment into one (intersection, union, grow, grow-diag,
// grow-diag-final, grow-diag-final-and, source-to-target, target-to-source),
// with fast_align atools (default) or Moses symal semantics.
//
//   using namespace lexalign::symmetrize;
//   std::vector<lexalign::link> out = combine(forward, reverse,
//       {.method = heuristic::grow_diag_final_and, .order = semantics::moses});
//
// Both inputs are in source-target orientation (link.source indexes the
// source sentence in both; invert a target-source file first).  They may be
// any relations, not only functions, in any order, with duplicates.  The
// result is sorted by (source, target) and free of duplicates, and always
// satisfies  intersection ⊆ result ⊆ union.
//
// No grid of the sentence's size is needed: links are indexed in a small
// dense grid when their bounding box is small next to their number, in hash
// tables otherwise, so the cost is O(K log K) for K = |forward| + |reverse|
// links whatever the sentence lengths (the log from sorting unsorted input
// and the visiting queues; at most 8 neighbour probes per link and visit).
// docs/symmetrization.md gives the exact rules of both semantics.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/symmetrize/detail/link_index.hpp"
#include "lexalign/symmetrize/heuristic.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace symmetrize {

struct symmetrize_options {
  heuristic method = heuristic::grow_diag_final_and;  // what to compute
  semantics order = semantics::atools;                // visit order of the growing heuristics
  // Overrides `method`'s policy when set: any combination of growth,
  // neighbourhood and final rule (e.g. grow + final-and).
  std::optional<growth_policy> policy = std::nullopt;
};
// The 0.1 name.
using options = symmetrize_options;

// Rejects values outside the enumerations (e.g. a cast from a bad integer)
// and a diagonal neighbourhood without growing, which would be ignored.
inline void validate(const symmetrize_options& o) {
  const auto m = static_cast<int>(o.method);
  validation::require(m >= 0 && m <= static_cast<int>(heuristic::target_to_source), "symmetrize_options.method",
                      std::to_string(m), "a symmetrize::heuristic");
  const auto s = static_cast<int>(o.order);
  validation::require(s >= 0 && s <= static_cast<int>(semantics::moses), "symmetrize_options.order", std::to_string(s),
                      "a symmetrize::semantics");
  if (o.policy) {
    const auto f = static_cast<int>(o.policy->final);
    validation::require(f >= 0 && f <= static_cast<int>(final_rule::both_unaligned), "symmetrize_options.policy.final",
                        std::to_string(f), "a symmetrize::final_rule");
    validation::require(o.policy->grow || !o.policy->diagonal, "symmetrize_options.policy.diagonal", "true",
                        "false when policy.grow is false (no growing step to use it)");
  }
}

// True sentence lengths.  They never change the result (no grid is used);
// when given, links outside them are rejected with invalid_argument.
struct sentence_lengths {
  std::size_t source = 0;
  std::size_t target = 0;
};

namespace detail {
class engine;
}

// Reusable buffers: symmetrizing with one workspace allocates only while the
// largest sentence seen grows.
class workspace {
 public:
  workspace() = default;

 private:
  friend class detail::engine;
  struct entry {
    link l;                 // the union link
    std::uint8_t from = 0;  // 1: in forward, 2: in reverse, 3: both
    std::uint8_t state = 0; // 1: in the result, 2: dead candidate (atools)
    std::uint8_t queued = 0;  // in the visit queue: 1 this pass, 2 the next
    std::uint8_t near = 0;    // a neighbour is a candidate (Moses: worth visiting)
    std::uint32_t row = 0;  // compact id of l.source
    std::uint32_t col = 0;  // compact id of l.target
  };
  std::vector<link> forward_, reverse_;
  std::vector<entry> entries_;
  detail::index_map cells_, rows_, cols_;  // sparse path: hash indexes
  std::vector<std::uint32_t> grid_;         // dense path: cell -> entry, npos outside the union
  bool dense_ = false;
  std::size_t stride_ = 0;                  // dense grid row length: largest target + 3 (a border of npos)
  std::vector<std::uint8_t> row_aligned_, col_aligned_;
  std::vector<std::uint32_t> current_, next_, counts_;
  std::vector<entry> sorted_entries_;
  std::vector<link> sorted_links_;
};

namespace detail {

// The engine behind combine(): see docs/symmetrization.md for the exact rules.
class engine {
 public:
  using entry = workspace::entry;

  static void run(std::span<const link> forward_in, std::span<const link> reverse_in, const symmetrize_options& opt,
                  workspace& ws, std::vector<link>& out) {
    out.clear();
    const auto fwd = as_set(forward_in, ws.forward_);
    const auto rev = as_set(reverse_in, ws.reverse_);
    const std::optional<growth_policy> pol = opt.policy ? opt.policy : policy_of(opt.method);
    if (!pol) {
      switch (opt.method) {
        case heuristic::source_to_target: out.assign(fwd.begin(), fwd.end()); return;
        case heuristic::target_to_source: out.assign(rev.begin(), rev.end()); return;
        default:  // union_
          out.reserve(fwd.size() + rev.size());
          std::set_union(fwd.begin(), fwd.end(), rev.begin(), rev.end(), std::back_inserter(out));
          return;
      }
    }
    build(fwd, rev, opt.order, ws);
    if (pol->grow) {
      if (ws.dense_) {
        const dense_lookup lookup(ws);
        if (opt.order == semantics::atools) grow_atools(pol->diagonal, ws, lookup);
        else grow_moses(pol->diagonal, ws, lookup);
      } else {
        const sparse_lookup lookup{ws};
        if (opt.order == semantics::atools) grow_atools(pol->diagonal, ws, lookup);
        else grow_moses(pol->diagonal, ws, lookup);
      }
    }
    if (pol->final != final_rule::none) {
      const bool both = pol->final == final_rule::both_unaligned;
      if (opt.order == semantics::atools) {
        final_pass_atools(fwd, both, ws);
        final_pass_atools(rev, both, ws);
      } else {
        // symal's inverse alignment is our forward one (see docs/symmetrization.md).
        final_pass_moses(1, both, ws);  // inverse-only (forward-only) links first
        final_pass_moses(2, both, ws);  // then direct-only (reverse-only) links
      }
    }
    clear_grid(ws);
    for (const entry& e : ws.entries_)
      if (e.state == 1) out.push_back(e.l);
    // Moses keeps the links in (target, source) order: back to (source, target).
    if (opt.order == semantics::moses)
      sort_by_key(out, ws.sorted_links_, ws.counts_, [](const link& l) { return l.source; },
                  [](const link& a, const link& b) { return link_key(a) < link_key(b); });
  }

 private:
  static std::span<const link> as_set(std::span<const link> s, std::vector<link>& buffer) {
    if (is_sorted_unique(s)) return s;
    buffer.assign(s.begin(), s.end());
    normalize_links(buffer);
    return buffer;
  }

  // Stable sort of `v` by key(x), a uint32: a counting sort when the keys'
  // range is small next to the size (linear), else std::sort with `less`
  // (which must order by the key first and then as `v` is ordered now).
  template <class T, class Key, class Less>
  static void sort_by_key(std::vector<T>& v, std::vector<T>& tmp, std::vector<std::uint32_t>& counts, Key key,
                          Less less) {
    std::uint32_t top = 0;
    for (const T& x : v) top = std::max(top, key(x));
    if (std::uint64_t{top} >= 4 * std::uint64_t{v.size()} + 64) {
      std::sort(v.begin(), v.end(), less);
      return;
    }
    counts.assign(std::size_t{top} + 2, 0);
    for (const T& x : v) ++counts[std::size_t{key(x)} + 1];
    for (std::size_t k = 1; k < counts.size(); ++k) counts[k] += counts[k - 1];
    tmp.reserve(v.capacity());  // the two buffers trade places: keep them equally large
    tmp.resize(v.size());
    for (const T& x : v) tmp[counts[key(x)]++] = x;
    v.swap(tmp);
  }

  // The union, in the semantics' order, with origins, compact row/column ids,
  // the hash index and the intersection as the starting alignment.
  static void build(std::span<const link> fwd, std::span<const link> rev, semantics order, workspace& ws) {
    clear_grid(ws);  // in case an exception left it in use
    auto& es = ws.entries_;
    es.clear();
    es.reserve(fwd.size() + rev.size());
    auto f = fwd.begin(), r = rev.begin();
    while (f != fwd.end() || r != rev.end()) {
      entry e;
      if (r == rev.end() || (f != fwd.end() && link_key(*f) < link_key(*r))) {
        e.l = *f++;
        e.from = 1;
      } else if (f == fwd.end() || link_key(*r) < link_key(*f)) {
        e.l = *r++;
        e.from = 2;
      } else {
        e.l = *f++;
        ++r;
        e.from = 3;
      }
      es.push_back(e);
    }
    if (order == semantics::moses)  // (source, target) order -> (target, source) order
      sort_by_key(es, ws.sorted_entries_, ws.counts_, [](const entry& e) { return e.l.target; },
                  [](const entry& a, const entry& b) {
                    return a.l.target != b.l.target ? a.l.target < b.l.target : a.l.source < b.l.source;
                  });
    // Small boxes (the usual case) get a dense cell -> entry grid, which is
    // cleared link by link after use, so its cost stays linear in the links;
    // long or sparse sentences get hash indexes.
    std::uint32_t max_s = 0, max_t = 0;
    for (const entry& e : es) {
      max_s = std::max(max_s, e.l.source);
      max_t = std::max(max_t, e.l.target);
    }
    // The grid has a border of one npos cell on every side, so that
    // neighbour probes need no bounds checks.
    const std::uint64_t limit = dense_cell_limit(es.size());
    const std::uint64_t height = std::uint64_t{max_s} + 3, width = std::uint64_t{max_t} + 3;
    const std::uint64_t cells = height * width;  // no overflow once both are checked against the limit
    ws.dense_ = !es.empty() && height <= limit && width <= limit && cells <= limit;
    std::uint32_t rows = 0, cols = 0;
    if (ws.dense_) {
      ws.stride_ = static_cast<std::size_t>(width);
      if (ws.grid_.size() < cells) ws.grid_.resize(static_cast<std::size_t>(cells), index_map::npos);
      for (std::size_t i = 0; i < es.size(); ++i) {
        entry& e = es[i];
        ws.grid_[cell(e.l, ws)] = static_cast<std::uint32_t>(i);
        e.row = e.l.source;
        e.col = e.l.target;
      }
      rows = max_s + 1;
      cols = max_t + 1;
    } else {
      ws.cells_.reset(es.size());
      ws.rows_.reset(es.size());
      ws.cols_.reset(es.size());
      for (std::size_t i = 0; i < es.size(); ++i) {
        entry& e = es[i];
        ws.cells_.insert(link_key(e.l.source, e.l.target), static_cast<std::uint32_t>(i));
        e.row = ws.rows_.insert(e.l.source, rows);
        if (e.row == rows) ++rows;
        e.col = ws.cols_.insert(e.l.target, cols);
        if (e.col == cols) ++cols;
      }
    }
    ws.row_aligned_.assign(rows, 0);
    ws.col_aligned_.assign(cols, 0);
    for (entry& e : es)
      if (e.from == 3) add(e, ws);
  }

  static void add(entry& e, workspace& ws) noexcept {
    e.state = 1;
    ws.row_aligned_[e.row] = 1;
    ws.col_aligned_[e.col] = 1;
  }

  static bool row_aligned(const entry& e, const workspace& ws) noexcept { return ws.row_aligned_[e.row] != 0; }
  static bool col_aligned(const entry& e, const workspace& ws) noexcept { return ws.col_aligned_[e.col] != 0; }

  // Index of the union link at (source + ds, target + dt), or npos.
  static std::uint32_t neighbour(const link& l, int ds, int dt, const workspace& ws) noexcept {
    constexpr std::uint32_t top = std::numeric_limits<std::uint32_t>::max();
    if ((ds < 0 && l.source == 0) || (ds > 0 && l.source == top)) return index_map::npos;
    if ((dt < 0 && l.target == 0) || (dt > 0 && l.target == top)) return index_map::npos;
    const auto s = static_cast<std::uint32_t>(static_cast<std::int64_t>(l.source) + ds);
    const auto t = static_cast<std::uint32_t>(static_cast<std::int64_t>(l.target) + dt);
    return ws.cells_.find(link_key(s, t));
  }

  // Index of the union link `l` (which must be in the union).
  static std::uint32_t find(const link& l, const workspace& ws) noexcept {
    return ws.dense_ ? ws.grid_[cell(l, ws)] : ws.cells_.find(link_key(l.source, l.target));
  }

  // Position of link `l` in the dense grid.
  static std::size_t cell(const link& l, const workspace& ws) noexcept {
    return (std::size_t{l.source} + 1) * ws.stride_ + l.target + 1;
  }

  // Neighbour lookups: through the hash index (any indices) ...
  struct sparse_lookup {
    const workspace& ws;
    std::uint32_t operator()(const link& l, int d) const noexcept {
      return neighbour(l, offsets[d][1], offsets[d][0], ws);
    }
  };
  // ... or through the bordered dense grid, with precomputed cell offsets.
  struct dense_lookup {
    const workspace& ws;
    std::ptrdiff_t delta[8];
    explicit dense_lookup(const workspace& w) : ws(w) {
      for (int d = 0; d < 8; ++d)
        delta[d] = static_cast<std::ptrdiff_t>(offsets[d][1]) * static_cast<std::ptrdiff_t>(w.stride_) + offsets[d][0];
    }
    std::uint32_t operator()(const link& l, int d) const noexcept {
      return ws.grid_[static_cast<std::size_t>(static_cast<std::ptrdiff_t>(cell(l, ws)) + delta[d])];
    }
  };

  // Largest dense grid used for a sentence of `links` union links.
  static constexpr std::uint64_t dense_cell_limit(std::size_t links) noexcept {
    return std::min<std::uint64_t>(4096 + 64 * std::uint64_t{links}, std::uint64_t{1} << 24);
  }

  // Puts the dense grid back to all-npos, touching only the union's cells.
  static void clear_grid(workspace& ws) noexcept {
    if (!ws.dense_) return;
    for (const entry& e : ws.entries_) ws.grid_[cell(e.l, ws)] = index_map::npos;
    ws.dense_ = false;
  }

  // Neighbour offsets as (d_target, d_source), in symal's priority order:
  // the 4 block neighbours, then the 4 diagonal ones.
  static constexpr int offsets[8][2] = {{-1, 0}, {0, -1}, {1, 0}, {0, 1}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}};

  // The entries to visit in increasing index order, pass after pass: an
  // entry pushed ahead of the current position is visited in this pass, one
  // pushed at or behind it in the next.  A pass with many entries is a scan
  // over the `queued` flags, one with few a binary heap, so the total cost is
  // O(K log K) however many passes there are (at most one entry per pass
  // when a chain grows backwards).
  class visit_queue {
   public:
    explicit visit_queue(workspace& ws) : es_(ws.entries_), heap_(ws.current_), next_(ws.next_) {
      heap_.clear();
      next_.clear();
    }

    // Queues `i` for the first pass (before begin_pass()) or for the current or next pass.
    void push(std::uint32_t i) {
      entry& e = es_[i];
      if (e.queued != 0) return;
      if (static_cast<std::int64_t>(i) > position_) {
        e.queued = 1;
        if (!scan_) {
          heap_.push_back(i);
          std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
        }
      } else {
        e.queued = 2;
        next_.push_back(i);
      }
    }

    // Starts the next pass with the entries queued for it; false if there are none.
    bool begin_pass() {
      if (next_.empty()) return false;
      position_ = -1;
      scan_ = next_.size() * 16 >= es_.size();
      heap_.clear();
      for (std::uint32_t i : next_) es_[i].queued = 1;
      if (!scan_) {
        heap_.swap(next_);
        std::make_heap(heap_.begin(), heap_.end(), std::greater<>{});
      }
      next_.clear();
      return true;
    }

    // The next entry of this pass, or false at its end.
    bool pop(std::uint32_t& i) {
      if (scan_) {
        for (std::size_t k = static_cast<std::size_t>(position_ + 1); k < es_.size(); ++k)
          if (es_[k].queued == 1) {
            i = static_cast<std::uint32_t>(k);
            return take(i);
          }
        position_ = static_cast<std::int64_t>(es_.size());
        return false;
      }
      if (heap_.empty()) return false;
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
      i = heap_.back();
      heap_.pop_back();
      return take(i);
    }

   private:
    bool take(std::uint32_t i) {
      es_[i].queued = 0;
      position_ = i;
      return true;
    }

    std::vector<entry>& es_;
    std::vector<std::uint32_t>& heap_;
    std::vector<std::uint32_t>& next_;
    std::int64_t position_ = std::numeric_limits<std::int64_t>::max();  // before the first pass: all go to "next"
    bool scan_ = false;
  };

  // atools: sweeps over the candidates (union \ intersection) in (source,
  // target) order; a candidate is added at once if its source or its target
  // is unaligned and one of its neighbours is in the alignment; sweeps repeat
  // until one adds nothing.  Simulated exactly with the visit queue: a
  // candidate can only become addable when a neighbour is added (it is then
  // queued: for the current sweep if it lies ahead of the sweep's position,
  // else for the next), and once both its words are aligned it never can again.
  template <class Lookup>
  static void grow_atools(bool diagonal, workspace& ws, const Lookup& lookup) {
    auto& es = ws.entries_;
    visit_queue queue(ws);
    const int directions = diagonal ? 8 : 4;
    auto activate = [&](const entry& added) {
      for (int d = 0; d < directions; ++d) {
        const std::uint32_t q = lookup(added.l, d);
        if (q != index_map::npos && es[q].state == 0) queue.push(q);
      }
    };
    // Seed the first sweep from the candidates' side (there are usually fewer
    // candidates than intersection links): those next to the intersection.
    for (std::uint32_t i = 0; i < es.size(); ++i) {
      if (es[i].state != 0) continue;
      for (int d = 0; d < directions; ++d) {
        const std::uint32_t q = lookup(es[i].l, d);
        if (q != index_map::npos && es[q].state == 1) {
          queue.push(i);
          break;
        }
      }
    }
    while (queue.begin_pass()) {
      std::uint32_t q = 0;
      while (queue.pop(q)) {
        entry& c = es[q];
        if (row_aligned(c, ws) && col_aligned(c, ws)) {
          c.state = 2;  // can never be added
          continue;
        }
        add(c, ws);
        activate(c);
      }
    }
  }

  // Moses symal: passes over the points of the alignment in (target, source)
  // order, points added during a pass being visited in that pass if they sort
  // after the current one; each visited point tries its neighbours in the
  // order of `offsets` and adds those in the union whose words are not both
  // aligned; passes repeat until one adds nothing.  A point's second visit
  // can add nothing (its neighbours are all in the alignment or have both
  // words aligned for good), so each point is visited once: in the pass that
  // follows its insertion when it was inserted behind the pass position.
  template <class Lookup>
  static void grow_moses(bool diagonal, workspace& ws, const Lookup& lookup) {
    auto& es = ws.entries_;
    visit_queue queue(ws);
    const int directions = diagonal ? 8 : 4;
    // A point with no candidate among its neighbours adds nothing when
    // visited: mark the others once, and skip the visits of the rest.
    bool any = false;
    for (const entry& e : es) {
      if (e.state != 0) continue;
      any = true;
      for (int d = 0; d < directions; ++d) {
        const std::uint32_t q = lookup(e.l, d);
        if (q != index_map::npos) es[q].near = 1;
      }
    }
    if (!any) return;
    for (std::uint32_t i = 0; i < es.size(); ++i)
      if (es[i].state == 1 && es[i].near) queue.push(i);
    while (queue.begin_pass()) {
      std::uint32_t p = 0;
      while (queue.pop(p)) {
        const link pl = es[p].l;
        for (int d = 0; d < directions; ++d) {
          const std::uint32_t q = lookup(pl, d);
          if (q == index_map::npos) continue;
          entry& c = es[q];
          if (c.state == 1 || (row_aligned(c, ws) && col_aligned(c, ws))) continue;
          add(c, ws);
          if (c.near) queue.push(q);
        }
      }
    }
  }

  static bool final_ok(const entry& e, bool both, const workspace& ws) noexcept {
    const bool r = row_aligned(e, ws), c = col_aligned(e, ws);
    return both ? (!r && !c) : (!r || !c);
  }

  // atools: one pass over one input alignment in (source, target) order.
  static void final_pass_atools(std::span<const link> links, bool both, workspace& ws) {
    for (const link& l : links) {
      entry& e = ws.entries_[find(l, ws)];
      if (e.state != 1 && final_ok(e, both, ws)) add(e, ws);
    }
  }

  // Moses: one pass over the union links that come only from one side, in (target, source) order.
  static void final_pass_moses(std::uint8_t from, bool both, workspace& ws) {
    for (entry& e : ws.entries_)
      if (e.from == from && e.state != 1 && final_ok(e, both, ws)) add(e, ws);
  }
};

inline void check_lengths(std::span<const link> links, const sentence_lengths& n, const char* which) {
  for (const link& l : links)
    if (l.source >= n.source || l.target >= n.target)
      throw invalid_argument("symmetrize::combine: " + std::string(which) + " link " + std::to_string(l.source) +
                             "-" + std::to_string(l.target) + " is outside a sentence pair of " +
                             std::to_string(n.source) + " x " + std::to_string(n.target) + " tokens");
}
}  // namespace detail

// Symmetrizes one sentence pair into `out` (cleared first), reusing `ws`.
inline void combine(std::span<const link> forward, std::span<const link> reverse, const symmetrize_options& opt, workspace& ws,
                    std::vector<link>& out) {
  validate(opt);
  detail::engine::run(forward, reverse, opt, ws, out);
}

// As above, checking every link against the true sentence lengths first.
inline void combine(std::span<const link> forward, std::span<const link> reverse, const sentence_lengths& lengths,
                    const symmetrize_options& opt, workspace& ws, std::vector<link>& out) {
  validate(opt);
  detail::check_lengths(forward, lengths, "forward");
  detail::check_lengths(reverse, lengths, "reverse");
  detail::engine::run(forward, reverse, opt, ws, out);
}

// Allocating convenience.
inline std::vector<link> combine(std::span<const link> forward, std::span<const link> reverse,
                                 const symmetrize_options& opt = {}) {
  validate(opt);
  workspace ws;
  std::vector<link> out;
  detail::engine::run(forward, reverse, opt, ws, out);
  return out;
}

// Symmetrizes two corpora line by line (equal sizes, else invalid_argument).
// Each sentence's sure and possible links are taken together.
inline alignment_corpus combine(const alignment_corpus& forward, const alignment_corpus& reverse,
                                const symmetrize_options& opt = {}) {
  validate(opt);
  if (forward.size() != reverse.size())
    throw invalid_argument("symmetrize::combine: forward has " + std::to_string(forward.size()) +
                           " sentence pairs, reverse has " + std::to_string(reverse.size()));
  workspace ws;
  alignment_corpus out(forward.size());
  std::vector<link> f, r;
  for (std::size_t k = 0; k < forward.size(); ++k) {
    std::span<const link> fs = forward[k].sure, rs = reverse[k].sure;
    if (!forward[k].possible.empty()) {
      f.assign(forward[k].sure.begin(), forward[k].sure.end());
      f.insert(f.end(), forward[k].possible.begin(), forward[k].possible.end());
      fs = f;
    }
    if (!reverse[k].possible.empty()) {
      r.assign(reverse[k].sure.begin(), reverse[k].sure.end());
      r.insert(r.end(), reverse[k].possible.begin(), reverse[k].possible.end());
      rs = r;
    }
    detail::engine::run(fs, rs, opt, ws, out[k].sure);
  }
  return out;
}

// The alignment with source and target swapped, sorted (atools `invert`).
inline std::vector<link> invert(std::span<const link> links) {
  std::vector<link> out(links.begin(), links.end());
  invert_links(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace symmetrize
LEXALIGN_NAMESPACE_END
