// Symmetrization: hand-made cases for every heuristic, cases that tell the
// atools and Moses semantics apart, and a comparison against a literal
// (quadratic, std::set based) transcription of both reference algorithms.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lexalign/io/pharaoh.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"
#include "support/catch.hpp"

using L = lexalign::link;
using Links = std::vector<L>;
namespace sym = lexalign::symmetrize;
using sym::heuristic;
using sym::semantics;

namespace {

Links run(const Links& f, const Links& r, heuristic h, semantics s = semantics::atools) {
  return sym::combine(f, r, {.method = h, .order = s});
}

// --- Reference transcriptions of docs/symmetrization.md, written for clarity, not speed.
struct reference {
  std::set<L> fwd, rev, uni, res;
  std::set<std::uint32_t> rows, cols;  // aligned source / target words

  reference(const Links& f, const Links& r) : fwd(f.begin(), f.end()), rev(r.begin(), r.end()) {
    uni = fwd;
    uni.insert(rev.begin(), rev.end());
    for (const L& l : fwd)
      if (rev.count(l)) add(l);
  }
  void add(const L& l) {
    res.insert(l);
    rows.insert(l.source);
    cols.insert(l.target);
  }
  bool either_unaligned(const L& l) const { return !rows.count(l.source) || !cols.count(l.target); }
  bool both_unaligned(const L& l) const { return !rows.count(l.source) && !cols.count(l.target); }
  // Neighbour by (d_target, d_source); false if outside the uint32 range.
  static bool shifted(const L& l, int dt, int ds, L& out) {
    const std::int64_t s = std::int64_t{l.source} + ds, t = std::int64_t{l.target} + dt;
    if (s < 0 || t < 0 || s > std::numeric_limits<std::uint32_t>::max() ||
        t > std::numeric_limits<std::uint32_t>::max())
      return false;
    out = L{static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(t)};
    return true;
  }
  static constexpr int dirs[8][2] = {{-1, 0}, {0, -1}, {1, 0}, {0, 1}, {-1, -1}, {-1, 1}, {1, -1}, {1, 1}};

  void atools_grow(bool diag) {
    std::vector<L> cand;
    for (const L& l : uni)
      if (!res.count(l)) cand.push_back(l);
    bool added = true;
    while (added) {
      added = false;
      std::vector<L> left;
      for (const L& c : cand) {
        bool near = false;
        for (int d = 0; d < (diag ? 8 : 4); ++d) {
          L n;
          if (shifted(c, dirs[d][0], dirs[d][1], n) && res.count(n)) near = true;
        }
        if (near && either_unaligned(c)) {
          add(c);
          added = true;
        } else {
          left.push_back(c);
        }
      }
      cand = left;
    }
  }
  void atools_final(bool both) {
    for (const auto* side : {&fwd, &rev})
      for (const L& l : *side)
        if (!res.count(l) && (both ? both_unaligned(l) : either_unaligned(l))) add(l);
  }
  void moses_grow(bool diag) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> cur;  // (target, source)
    for (const L& l : res) cur.insert({l.target, l.source});
    bool added = true;
    while (added) {
      added = false;
      for (auto it = cur.begin(); it != cur.end(); ++it) {
        const L p{it->second, it->first};
        for (int d = 0; d < (diag ? 8 : 4); ++d) {
          L n;
          if (!shifted(p, dirs[d][0], dirs[d][1], n)) continue;
          if (uni.count(n) && !res.count(n) && either_unaligned(n)) {
            add(n);
            cur.insert({n.target, n.source});
            added = true;
          }
        }
      }
    }
  }
  void moses_final(bool both) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> order;  // union in (target, source) order
    for (const L& l : uni) order.insert({l.target, l.source});
    // symal's inverse alignment (visited first) is our forward one.
    for (const bool forward_pass : {true, false})
      for (const auto& [t, s] : order) {
        const L l{s, t};
        const bool only_here = forward_pass ? (fwd.count(l) && !rev.count(l)) : (rev.count(l) && !fwd.count(l));
        if (only_here && !res.count(l) && (both ? both_unaligned(l) : either_unaligned(l))) add(l);
      }
  }
  Links result() const { return Links(res.begin(), res.end()); }
};

Links reference_run(const Links& f, const Links& r, heuristic h, semantics s) {
  reference ref(f, r);
  switch (h) {
    case heuristic::union_: return Links(ref.uni.begin(), ref.uni.end());
    case heuristic::source_to_target: return Links(ref.fwd.begin(), ref.fwd.end());
    case heuristic::target_to_source: return Links(ref.rev.begin(), ref.rev.end());
    default: break;
  }
  const auto p = *sym::policy_of(h);
  if (p.grow) {
    if (s == semantics::atools) ref.atools_grow(p.diagonal);
    else ref.moses_grow(p.diagonal);
  }
  if (p.final != sym::final_rule::none) {
    if (s == semantics::atools) ref.atools_final(p.final == sym::final_rule::both_unaligned);
    else ref.moses_final(p.final == sym::final_rule::both_unaligned);
  }
  return ref.result();
}

constexpr heuristic all_heuristics[] = {heuristic::intersection,    heuristic::union_,
                                        heuristic::grow,            heuristic::grow_diag,
                                        heuristic::grow_diag_final, heuristic::grow_diag_final_and,
                                        heuristic::source_to_target, heuristic::target_to_source};

bool subset(const Links& a, const Links& b) { return std::includes(b.begin(), b.end(), a.begin(), a.end()); }

}  // namespace

TEST_CASE("the minimal example that tells atools and Moses apart", "[symmetrize]") {
  // Measured against the real binaries: intersection {1-1}; atools adds the diagonal
  // candidate 0-0 first, which blocks 1-0; Moses tries 1-0 first.
  const Links f{{1, 0}, {1, 1}}, r{{0, 0}, {1, 1}};
  for (heuristic h : {heuristic::grow_diag, heuristic::grow_diag_final, heuristic::grow_diag_final_and}) {
    CHECK(run(f, r, h, semantics::atools) == Links{{0, 0}, {1, 1}});
    CHECK(run(f, r, h, semantics::moses) == Links{{0, 0}, {1, 0}, {1, 1}});
  }
  // Plain grow: 1-0 grows from 1-1 (target 0 unaligned), then 0-0 from 1-0
  // (source 0 unaligned), in both semantics.
  CHECK(run(f, r, heuristic::grow, semantics::atools) == Links{{0, 0}, {1, 0}, {1, 1}});
  CHECK(run(f, r, heuristic::grow, semantics::moses) == Links{{0, 0}, {1, 0}, {1, 1}});
}

TEST_CASE("set operations", "[symmetrize]") {
  const Links f{{0, 0}, {1, 2}, {2, 1}}, r{{0, 0}, {2, 1}, {3, 3}};
  for (semantics s : {semantics::atools, semantics::moses}) {
    CHECK(run(f, r, heuristic::intersection, s) == Links{{0, 0}, {2, 1}});
    CHECK(run(f, r, heuristic::union_, s) == Links{{0, 0}, {1, 2}, {2, 1}, {3, 3}});
    CHECK(run(f, r, heuristic::source_to_target, s) == f);
    CHECK(run(f, r, heuristic::target_to_source, s) == r);
  }
  CHECK(sym::invert(Links{{0, 2}, {1, 0}, {1, 0}}) == Links{{0, 1}, {2, 0}});
  CHECK(run({}, {}, heuristic::grow_diag_final) == Links{});
}

TEST_CASE("grow uses block neighbours only, grow-diag also diagonal ones", "[symmetrize]") {
  // Intersection {0-0}; 1-1 is only a diagonal neighbour, 0-1 a block one.
  const Links f{{0, 0}, {1, 1}}, r{{0, 0}};
  for (semantics s : {semantics::atools, semantics::moses}) {
    CHECK(run(f, r, heuristic::grow, s) == Links{{0, 0}});
    CHECK(run(f, r, heuristic::grow_diag, s) == Links{{0, 0}, {1, 1}});
    CHECK(run(Links{{0, 0}, {0, 1}}, r, heuristic::grow, s) == Links{{0, 0}, {0, 1}});
  }
  // Row-major candidates: 0-1 joins (target 1 unaligned), then 1-1 (source 1 unaligned).
  CHECK(run(Links{{0, 0}, {0, 1}, {1, 1}}, Links{{0, 0}}, heuristic::grow_diag) == Links{{0, 0}, {0, 1}, {1, 1}});
  // Growing needs an unaligned word: after 0-1 and 1-0, both words of 1-1 are aligned.
  CHECK(run(Links{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, Links{{0, 0}}, heuristic::grow_diag) ==
        Links{{0, 0}, {0, 1}, {1, 0}});
}

TEST_CASE("grow continues from added points until nothing changes", "[symmetrize]") {
  // A chain 0-0 .. 4-4 of which only 4-4 is in the intersection: atools needs
  // one sweep per link (candidates come before the point they touch), Moses
  // one pass per link too (each new point sorts before the current one).
  Links f, r{{4, 4}};
  for (std::uint32_t i = 0; i < 5; ++i) f.push_back({i, i});
  for (semantics s : {semantics::atools, semantics::moses}) CHECK(run(f, r, heuristic::grow_diag, s) == f);
}

TEST_CASE("final and final-and", "[symmetrize]") {
  // Intersection {0-0}; 0-2 (reverse only) is far from it and its target is unaligned.
  const Links f{{0, 0}}, r{{0, 0}, {0, 2}};
  for (semantics s : {semantics::atools, semantics::moses}) {
    CHECK(run(f, r, heuristic::grow_diag, s) == Links{{0, 0}});
    CHECK(run(f, r, heuristic::grow_diag_final, s) == Links{{0, 0}, {0, 2}});
    CHECK(run(f, r, heuristic::grow_diag_final_and, s) == Links{{0, 0}});
  }
}

TEST_CASE("the final step visits the forward-only links first", "[symmetrize]") {
  // 1-2 (forward only) and 2-2 (reverse only) compete for target 2.  atools
  // passes over the forward alignment first; Moses over the links only in
  // symal's inverse alignment, which is our forward one, first.
  const Links f{{0, 0}, {1, 2}}, r{{0, 0}, {2, 2}};
  for (semantics s : {semantics::atools, semantics::moses}) {
    CHECK(run(f, r, heuristic::grow_diag_final_and, s) == Links{{0, 0}, {1, 2}});
    CHECK(run(f, r, heuristic::grow_diag_final, s) == Links{{0, 0}, {1, 2}, {2, 2}});
    // Swapping the inputs swaps the winner.
    CHECK(run(r, f, heuristic::grow_diag_final_and, s) == Links{{0, 0}, {2, 2}});
  }
}

TEST_CASE("grow-diag-final-and is not always a subset of grow-diag-final", "[symmetrize]") {
  // final adds 0-5 and 5-0 (one word unaligned each), which then cover both
  // words of 5-5; final-and skips those two and adds 5-5.
  const Links f{{0, 0}, {0, 5}, {5, 0}, {5, 5}}, r{{0, 0}};
  CHECK(run(f, r, heuristic::grow_diag_final) == Links{{0, 0}, {0, 5}, {5, 0}});
  CHECK(run(f, r, heuristic::grow_diag_final_and) == Links{{0, 0}, {5, 5}});
}

TEST_CASE("grow is not always a subset of grow-diag", "[symmetrize]") {
  // Intersection {1-2}; candidates 0-0, 0-1, 0-2, 3-0.  grow: 0-2 (block
  // neighbour of 1-2), then 0-1, then 0-0, one per sweep.  grow-diag: 0-1
  // first (diagonal neighbour of 1-2), after which both words of 0-2 are aligned.
  const Links f{{1, 2}, {3, 0}}, r{{0, 0}, {0, 1}, {0, 2}, {1, 2}};
  CHECK(run(f, r, heuristic::grow) == Links{{0, 0}, {0, 1}, {0, 2}, {1, 2}});
  CHECK(run(f, r, heuristic::grow_diag) == Links{{0, 0}, {0, 1}, {1, 2}});
}

TEST_CASE("custom policies and sentence lengths", "[symmetrize]") {
  const Links f{{0, 0}, {2, 2}}, r{{0, 0}, {0, 1}};
  // grow (block) + final-and: 0-1 grows, 2-2 comes in at the final step.
  const auto out = sym::combine(
      f, r, {.policy = sym::growth_policy{.grow = true, .diagonal = false, .final = sym::final_rule::both_unaligned}});
  CHECK(out == Links{{0, 0}, {0, 1}, {2, 2}});
  sym::workspace ws;
  Links res;
  sym::combine(f, r, sym::sentence_lengths{3, 3}, {}, ws, res);
  CHECK(res == run(f, r, heuristic::grow_diag_final_and));
  CHECK_THROWS_AS(sym::combine(f, r, sym::sentence_lengths{2, 3}, {}, ws, res), lexalign::invalid_argument);
}

TEST_CASE("names round-trip", "[symmetrize]") {
  for (heuristic h : all_heuristics) CHECK(sym::parse_heuristic(sym::to_string(h)) == h);
  CHECK(sym::parse_heuristic("intersection") == heuristic::intersection);
  CHECK(sym::parse_heuristic("gdfa") == std::nullopt);
  CHECK(sym::parse_semantics("moses") == semantics::moses);
  CHECK(sym::parse_semantics("atools") == semantics::atools);
}

TEST_CASE("corpus-level combine takes sure and possible links together", "[symmetrize]") {
  lexalign::alignment_corpus f{{{{0, 0}}, {{1, 1}}}, {}}, r{{{{0, 0}, {1, 1}}, {}}, {}};
  const auto out = sym::combine(f, r, {.method = heuristic::intersection});
  REQUIRE(out.size() == 2);
  CHECK(out[0].sure == Links{{0, 0}, {1, 1}});
  CHECK(out[1].empty());
  CHECK_THROWS_AS(sym::combine(f, lexalign::alignment_corpus{}), lexalign::invalid_argument);
}

TEST_CASE("fuzz: random alignments agree with the reference transcription", "[symmetrize][fuzz]") {
  std::mt19937 rng(20261122);
  auto below = [&](std::uint32_t k) { return static_cast<std::uint32_t>(rng() % k); };
  sym::workspace ws;  // reused across sentences of all shapes
  Links out;
  std::size_t differ_gdfa = 0;
  const int trials = 3000;
  for (int trial = 0; trial < trials; ++trial) {
    const std::uint32_t n = 1 + below(14), m = 1 + below(14);
    Links f, r;
    if (trial % 3 == 0) {
      // Arbitrary relations with duplicates, in random order.
      for (std::uint32_t k = below(2 * (n + m)); k > 0; --k) f.push_back({below(n), below(m)});
      for (std::uint32_t k = below(2 * (n + m)); k > 0; --k) r.push_back({below(n), below(m)});
    } else {
      // Noisy functional alignments, as directional aligners produce: each
      // target word links to one source word (forward), each source word to
      // one target word (reverse), near the diagonal, some left unaligned.
      for (std::uint32_t j = 0; j < m; ++j)
        if (below(5) != 0) f.push_back({std::min(n - 1, j * n / m + below(3)), j});
      for (std::uint32_t i = 0; i < n; ++i)
        if (below(5) != 0) r.push_back({i, std::min(m - 1, i * m / n + below(3))});
      std::shuffle(f.begin(), f.end(), rng);
    }
    const Links inter = reference_run(f, r, heuristic::intersection, semantics::atools);
    const Links uni = reference_run(f, r, heuristic::union_, semantics::atools);
    for (semantics s : {semantics::atools, semantics::moses}) {
      for (heuristic h : all_heuristics) {
        sym::combine(f, r, {.method = h, .order = s}, ws, out);
        const Links expected = reference_run(f, r, h, s);
        INFO("trial " << trial << " heuristic " << sym::to_string(h) << " semantics " << sym::to_string(s));
        REQUIRE(out == expected);
        CHECK(std::is_sorted(out.begin(), out.end()));
        CHECK(std::adjacent_find(out.begin(), out.end()) == out.end());
        CHECK(subset(inter, out));
        CHECK(subset(out, uni));
      }
      const Links gd = run(f, r, heuristic::grow_diag, s);
      CHECK(subset(gd, run(f, r, heuristic::grow_diag_final, s)));
      CHECK(subset(gd, run(f, r, heuristic::grow_diag_final_and, s)));
      // Symmetrizing an alignment with itself gives it back.
      CHECK(run(f, f, heuristic::grow_diag_final, s) == reference_run(f, f, heuristic::union_, s));
    }
    if (run(f, r, heuristic::grow_diag_final_and, semantics::atools) !=
        run(f, r, heuristic::grow_diag_final_and, semantics::moses))
      ++differ_gdfa;
  }
  // Measurements against the real binaries found about one pair in six on similar inputs; the
  // test only requires that the semantics really differ, and not always.
  CHECK(differ_gdfa > trials / 50);
  CHECK(differ_gdfa < trials / 2);
}

TEST_CASE("fuzz: extreme indices and long sentences, no grid", "[symmetrize][fuzz]") {
  constexpr std::uint32_t top = std::numeric_limits<std::uint32_t>::max();
  std::mt19937 rng(7);
  // Links at the edges of the index range: neighbours must not wrap around.
  const Links f{{top, top}, {top - 1, top}, {0, top}, {top, 0}, {0, 0}}, r{{top, top}, {0, 0}, {1, 1}};
  for (semantics s : {semantics::atools, semantics::moses})
    for (heuristic h : all_heuristics) CHECK(run(f, r, h, s) == reference_run(f, r, h, s));
  // A "sentence" of a billion tokens with a few thousand links runs in no time.
  Links bf, br;
  for (std::uint32_t k = 0; k < 4000; ++k) {
    const std::uint32_t i = static_cast<std::uint32_t>(rng() % 1000000000u);
    bf.push_back({i, i + static_cast<std::uint32_t>(rng() % 3)});
    br.push_back({i + static_cast<std::uint32_t>(rng() % 3), i});
  }
  for (semantics s : {semantics::atools, semantics::moses}) {
    const Links inter = run(bf, br, heuristic::intersection, s), uni = run(bf, br, heuristic::union_, s);
    const Links out = run(bf, br, heuristic::grow_diag_final_and, s);
    CHECK(subset(inter, out));
    CHECK(subset(out, uni));
  }
  // A long diagonal sentence (the worst case for sweep counts): 20000 links,
  // only the last in the intersection, grows back to the start.
  Links lf, lr{{19999, 19999}};
  for (std::uint32_t i = 0; i < 20000; ++i) lf.push_back({i, i});
  for (semantics s : {semantics::atools, semantics::moses}) CHECK(run(lf, lr, heuristic::grow_diag, s) == lf);
}

TEST_CASE("bundled gold sets: engine equals the reference transcription", "[symmetrize][data]") {
  // Directional alignments derived from each gold set: forward links every
  // target word to the source word of its last gold link (or, if it has
  // none, to nothing), reverse every source word to the target word of its
  // first gold link: realistic, partly disagreeing functional alignments.
  for (const char* set : {"enfr", "roen", "zhen", "ende-sample"}) {
    INFO(set);
    const auto gold = lexalign::io::read_pharaoh_file(std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/" + set + ".gold");
    sym::workspace ws;
    Links out;
    std::size_t differ = 0;
    for (const auto& g : gold) {
      std::map<std::uint32_t, std::uint32_t> src_of, tgt_of;
      for (const auto* links : {&g.sure, &g.possible})
        for (const L& l : *links) {
          src_of[l.target] = l.source;
          tgt_of.emplace(l.source, l.target);
        }
      Links f, r;
      for (const auto& [t, s] : src_of) f.push_back({s, t});
      for (const auto& [s, t] : tgt_of) r.push_back({s, t});
      for (semantics s : {semantics::atools, semantics::moses})
        for (heuristic h : all_heuristics) {
          sym::combine(f, r, {.method = h, .order = s}, ws, out);
          REQUIRE(out == reference_run(f, r, h, s));
        }
      differ += run(f, r, heuristic::grow_diag_final_and) !=
                run(f, r, heuristic::grow_diag_final_and, semantics::moses);
    }
    CHECK(differ < gold.size());
  }
}

TEST_CASE("symmetrize_options are validated at every entry point", "[symmetrize][validate]") {
  const std::vector<lexalign::link> f{{0, 0}}, r{{0, 0}};
  auto option_of = [&](const sym::symmetrize_options& o) -> std::string {
    try {
      (void)sym::combine(f, r, o);
    } catch (const lexalign::invalid_option& e) {
      return e.option();
    }
    return "no exception";
  };
  CHECK(option_of({.method = static_cast<sym::heuristic>(42)}) == "symmetrize_options.method");
  CHECK(option_of({.order = static_cast<sym::semantics>(-1)}) == "symmetrize_options.order");
  CHECK(option_of({.policy = sym::growth_policy{.grow = false, .diagonal = true}}) ==
        "symmetrize_options.policy.diagonal");
  CHECK(option_of({.policy = sym::growth_policy{.grow = true, .final = static_cast<sym::final_rule>(7)}}) ==
        "symmetrize_options.policy.final");
  sym::workspace ws;
  std::vector<lexalign::link> out;
  CHECK_THROWS_AS(sym::combine(f, r, {.method = static_cast<sym::heuristic>(42)}, ws, out), lexalign::invalid_option);
  CHECK_THROWS_AS(sym::combine(f, r, sym::sentence_lengths{1, 1}, {.order = static_cast<sym::semantics>(9)}, ws, out),
                  lexalign::invalid_option);
  lexalign::alignment_corpus fc(1), rc(1);
  CHECK_THROWS_AS(sym::combine(fc, rc, {.method = static_cast<sym::heuristic>(42)}), lexalign::invalid_option);
  CHECK(option_of({}) == "no exception");
}
