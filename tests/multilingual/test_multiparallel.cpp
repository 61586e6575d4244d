// Multiparallel alignment through pivots: composition with votes and
// Adamic-Adar link prediction on a hand-computed graph; the corpus driver on
// a synthetic corpus whose true links are known.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "lexalign/multilingual/multiparallel.hpp"
#include "lexalign/multilingual/multiparallel_corpus.hpp"
#include "support/catch.hpp"

namespace ml = lexalign::multilingual;
using links = std::vector<lexalign::link>;

namespace {
// Languages X = 0 (3 tokens), Y = 1 (3), P = 2 (3), Q = 3 (2).
// Edges: X0-Y0 (direct), X0-P0, X1-P1, X2-P1, P0-Y0, P1-Y1 (given as Y-P),
// X1-Q0, Q0-Y1 (given as Q-Y).
ml::multiparallel_verse verse() {
  ml::multiparallel_verse v;
  v.lengths = {3, 3, 3, 2};
  v.alignments.push_back({0, 1, {{0, 0}}});
  v.alignments.push_back({0, 2, {{0, 0}, {1, 1}, {2, 1}}});
  v.alignments.push_back({1, 2, {{0, 0}, {1, 1}}});
  v.alignments.push_back({0, 3, {{1, 0}}});
  v.alignments.push_back({3, 1, {{0, 1}}});
  return v;
}
}  // namespace

TEST_CASE("pivot composition with votes over pivots", "[multilingual][multiparallel]") {
  const auto v = verse();
  // Through P: (0,0), (1,1), (2,1); through Q: (1,1).  Votes: (1,1) 2, others 1.
  CHECK(ml::pivot_vote(v, 0, 1, {.min_votes = 1}) == links{{0, 0}, {1, 1}, {2, 1}});
  // Default: a majority of the 2 voting pivots (P and Q), i.e. 2 votes.
  CHECK(ml::pivot_vote(v, 0, 1) == links{{0, 0}, {1, 1}});
  const auto counts = ml::pivot_vote_counts(v, 0, 1);
  CHECK(counts.voters == 2);
  CHECK(counts.votes == std::vector<std::size_t>{1, 0, 0, 0, 2, 0, 0, 1, 0});
  CHECK(ml::pivot_vote(v, 0, 1, {.min_votes = 2}) == links{{0, 0}, {1, 1}});
  CHECK(ml::pivot_vote(v, 0, 1, {.min_votes = 2, .keep_direct = false}) == links{{1, 1}});
  // Reverse direction: the same links transposed.
  CHECK(ml::pivot_vote(v, 1, 0, {.min_votes = 1}) == links{{0, 0}, {1, 1}, {1, 2}});
  CHECK_THROWS_AS(ml::pivot_vote(v, 0, 0), lexalign::invalid_argument);
  auto bad = v;
  bad.alignments.push_back({0, 2, {{5, 0}}});
  CHECK_THROWS_AS(ml::pivot_vote(bad, 0, 1), lexalign::invalid_argument);
}

#if LEXALIGN_HAS_LINK_PREDICTION
TEST_CASE("Adamic-Adar scores and link prediction on a hand-computed graph", "[multilingual][multiparallel]") {
  const auto v = verse();
  const auto s = ml::adamic_adar(v, 0, 1);
  // deg P0 = 2, deg P1 = 3, deg Q0 = 2.
  const double l2 = 1 / std::log(2.0), l3 = 1 / std::log(3.0);
  CHECK(s(0, 0) == Approx(l2));       // common neighbour P0
  CHECK(s(1, 1) == Approx(l3 + l2));  // P1 and Q0
  CHECK(s(2, 1) == Approx(l3));       // P1
  CHECK(s(1, 0) == 0.0);
  CHECK(s(0, 1) == 0.0);
  CHECK(s(2, 2) == 0.0);
  CHECK(ml::predict_links(v, 0, 1) == links{{0, 0}, {1, 1}});
  CHECK(ml::predict_links(v, 0, 1, {.threshold = 0.9}) == links{{0, 0}, {1, 1}, {2, 1}});
  CHECK(ml::predict_links(v, 0, 1, {.threshold = 2.0, .keep_direct = false}) == links{{1, 1}});
  CHECK_THROWS_AS(ml::predict_links(v, 0, 1, {.threshold = 0}), lexalign::invalid_option);
}
#endif

namespace {

// A synthetic corpus of 3 or 4 languages: verse k holds concepts in a
// different random order per language; the token of concept c in language
// l is "<letter l><c>", so the true links are known.  An empty line: the
// language lacks the verse.
using lines = std::vector<std::vector<std::string>>;

std::vector<lines> synthetic(std::size_t K, std::size_t verses, unsigned seed) {
  std::mt19937 gen(seed);
  std::vector<lines> out(K, lines(verses));
  for (std::size_t k = 0; k < verses; ++k) {
    std::vector<int> concepts;
    for (int c = 0; c < 10; ++c)
      if (gen() % 2) concepts.push_back(c);
    if (concepts.empty()) concepts.push_back(int(k % 10));
    for (std::size_t l = 0; l < K; ++l) {
      auto order = concepts;
      std::shuffle(order.begin(), order.end(), gen);
      for (int c : order) out[l][k].push_back(std::string(1, char('a' + l)) + std::to_string(c));
    }
  }
  return out;
}

int concept_of(const std::string& w) { return std::stoi(w.substr(1)); }

// The oracle aligner: links tokens of the same concept, except concepts 3 and
// 7 between languages a and b (the "direct" pair misses them).  Checks that it
// never sees an empty sentence.
ml::pair_aligner oracle(bool gaps_between_a_and_b) {
  return [gaps_between_a_and_b](const lexalign::parallel_corpus& c, const lexalign::parallel_options&,
                                lexalign::observer_ref) {
    lexalign::alignment_corpus out(c.size());
    const bool gaps = gaps_between_a_and_b && c.source_vocabulary().word(0)[0] == 'a' &&
                      c.target_vocabulary().word(0)[0] == 'b';
    for (std::size_t k = 0; k < c.size(); ++k) {
      REQUIRE(!c.source(k).empty());
      REQUIRE(!c.target(k).empty());
      for (std::size_t i = 0; i < c.source(k).size(); ++i)
        for (std::size_t j = 0; j < c.target(k).size(); ++j) {
          const int ci = concept_of(c.source_vocabulary().word(c.source(k)[i]));
          const int cj = concept_of(c.target_vocabulary().word(c.target(k)[j]));
          if (ci == cj && !(gaps && (ci == 3 || ci == 7)))
            out[k].sure.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
        }
    }
    return out;
  };
}

// The true links between languages a and b of verse k (by concept).
links truth(const std::vector<lines>& t, std::size_t a, std::size_t b, std::size_t k, bool without_gaps = false) {
  links out;
  for (std::size_t i = 0; i < t[a][k].size(); ++i)
    for (std::size_t j = 0; j < t[b][k].size(); ++j) {
      const int c = concept_of(t[a][k][i]);
      if (c == concept_of(t[b][k][j]) && !(without_gaps && (c == 3 || c == 7)))
        out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
    }
  return out;
}

ml::multiparallel_corpus make_corpus(const std::vector<lines>& t) {
  ml::multiparallel_corpus c;
  for (std::size_t l = 0; l < t.size(); ++l) c.add_language(std::string(1, char('a' + l)), t[l]);
  return c;
}

}  // namespace

TEST_CASE("multiparallel driver: pivot composition recovers the links the direct pair misses", "[multilingual][multiparallel]") {
  auto t = synthetic(3, 12, 5);
  t[2][2].clear();  // the pivot lacks verse 2
  t[1][4].clear();  // y lacks verse 4
  const auto c = make_corpus(t);
  const auto r = ml::multiparallel_align(c, 0, 1, {}, oracle(true));
  REQUIRE(r.links.size() == 12);
  CHECK(r.convergence.status == lexalign::solver_status::max_iterations);
  CHECK(r.convergence.iterations == 3 + 1);  // a-b, a-c, c-b, then the graph step
  REQUIRE(r.pairs.size() == 3);
  CHECK((r.pairs[1].a == 0 && r.pairs[1].b == 2 && r.pairs[2].a == 2 && r.pairs[2].b == 1));
  for (std::size_t k = 0; k < 12; ++k) {
    INFO("verse " << k);
    CHECK(r.direct[k].sure == truth(t, 0, 1, k, true));
    if (k == 4) CHECK(r.links[k].sure.empty());
    else if (k == 2) CHECK(r.links[k].sure == truth(t, 0, 1, k, true));  // no pivot: direct only
    else CHECK(r.links[k].sure == truth(t, 0, 1, k));                    // the gaps filled through c
  }
  // intersection: the direct links the pivot confirms (all of them here); replace: the composed ones.
  const auto inter = ml::improve_alignment(c, r.pairs, 0, 1, {.combine = ml::direct_combination::intersect});
  const auto repl = ml::improve_alignment(c, r.pairs, 0, 1, {.combine = ml::direct_combination::replace});
  for (std::size_t k = 0; k < 12; ++k) {
    if (k == 2) {
      CHECK(inter[k].sure.empty());  // no pivot confirms anything
      continue;
    }
    CHECK(inter[k].sure == truth(t, 0, 1, k, true));
    CHECK(repl[k].sure == truth(t, 0, 1, k));
  }
  // The reverse pair: the same links transposed.
  const auto rev = ml::multiparallel_align(c, 1, 0, {}, oracle(true));
  for (std::size_t k = 0; k < 12; ++k) {
    links tr;
    for (const auto& l : r.links[k].sure) tr.push_back({l.target, l.source});
    std::sort(tr.begin(), tr.end());
    CHECK(rev.links[k].sure == (k == 2 ? truth(t, 1, 0, k) : tr));  // b-a has no gaps in the oracle
  }
}

TEST_CASE("multiparallel driver: votes need a majority of the pivots", "[multilingual][multiparallel]") {
  // 4 languages; the oracle gives a-b gaps.  A wrong link added to the a-c
  // alignment is composed through c only (1 of 2 pivots): the default
  // majority (2) rejects it, min_votes 1 accepts it.
  const auto t = synthetic(4, 6, 9);
  const auto c = make_corpus(t);
  auto noisy = [base = oracle(true)](const lexalign::parallel_corpus& pc, const lexalign::parallel_options& p,
                                     lexalign::observer_ref o) {
    auto out = base(pc, p, o);
    if (pc.source_vocabulary().word(0)[0] == 'a' && pc.target_vocabulary().word(0)[0] == 'c')
      for (std::size_t k = 0; k < pc.size(); ++k)
        if (pc.source(k).size() > 1) out[k].sure.push_back({0, static_cast<std::uint32_t>(pc.target(k).size() - 1)});
    for (auto& s : out) lexalign::normalize_links(s.sure);
    return out;
  };
  const auto r = ml::multiparallel_align(c, 0, 1, {}, noisy);
  const auto lax = ml::improve_alignment(c, r.pairs, 0, 1, {.min_votes = 1});
  std::size_t extra = 0;
  for (std::size_t k = 0; k < 6; ++k) {
    CHECK(r.links[k].sure == truth(t, 0, 1, k));
    extra += lax[k].sure.size() - truth(t, 0, 1, k).size();
  }
  CHECK(extra > 0);
}

TEST_CASE("multiparallel driver: refine drops unsupported direct links and fills gaps", "[multilingual][multiparallel]") {
  // The direct a-b alignment misses concepts 3 and 7 and has a false link
  // (first a token, last b token); the pivots c and d are right.  refine:
  // the false link has no pivot support and goes, the gaps are filled: the truth.
  const auto t = synthetic(4, 10, 13);
  const auto c = make_corpus(t);
  std::size_t false_links = 0;
  auto noisy_direct = [&, base = oracle(true)](const lexalign::parallel_corpus& pc, const lexalign::parallel_options& p,
                                               lexalign::observer_ref o) {
    auto out = base(pc, p, o);
    if (pc.source_vocabulary().word(0)[0] == 'a' && pc.target_vocabulary().word(0)[0] == 'b')
      for (std::size_t k = 0; k < pc.size(); ++k) {
        const auto last = static_cast<std::uint32_t>(pc.target(k).size() - 1);
        if (pc.source_vocabulary().word(pc.source(k)[0]).substr(1) != pc.target_vocabulary().word(pc.target(k)[last]).substr(1)) {
          out[k].sure.push_back({0, last});
          ++false_links;
        }
        lexalign::normalize_links(out[k].sure);
      }
    return out;
  };
  const auto r = ml::multiparallel_align(c, 0, 1, {.combine = ml::direct_combination::refine}, noisy_direct);
  CHECK(false_links > 0);
  for (std::size_t k = 0; k < 10; ++k) CHECK(r.links[k].sure == truth(t, 0, 1, k));
#if LEXALIGN_HAS_LINK_PREDICTION
  const auto aa = ml::improve_alignment(c, r.pairs, 0, 1, {.method = ml::pivot_method::adamic_adar,
                                                            .combine = ml::direct_combination::refine, .threshold = 2.5});
  for (std::size_t k = 0; k < 10; ++k) CHECK(aa[k].sure == truth(t, 0, 1, k));
#endif
  // union keeps the false links.
  const auto u = ml::improve_alignment(c, r.pairs, 0, 1);
  std::size_t n_u = 0, n_t = 0;
  for (std::size_t k = 0; k < 10; ++k) {
    n_u += u[k].sure.size();
    n_t += truth(t, 0, 1, k).size();
  }
  CHECK(n_u == n_t + false_links);
}

#if LEXALIGN_HAS_LINK_PREDICTION
TEST_CASE("multiparallel driver: Adamic-Adar link prediction fills the gaps", "[multilingual][multiparallel]") {
  const auto t = synthetic(4, 8, 11);
  const auto c = make_corpus(t);
  // Two pivots of degree 2 each: score 2/ln 2 = 2.89 for a true link.
  const auto r = ml::multiparallel_align(c, 0, 1, {.method = ml::pivot_method::adamic_adar, .threshold = 2.5}, oracle(true));
  for (std::size_t k = 0; k < 8; ++k) CHECK(r.links[k].sure == truth(t, 0, 1, k));
  // all_pairs adds c-d (degrees 3: score 2/ln 3 = 1.82 < 2.5): nothing is added.
  const auto full = ml::multiparallel_align(c, 0, 1, {.method = ml::pivot_method::adamic_adar, .threshold = 2.5,
                                                      .all_pairs = true}, oracle(true));
  CHECK(full.pairs.size() == 6);
  for (std::size_t k = 0; k < 8; ++k) CHECK(full.links[k].sure == truth(t, 0, 1, k, true));
}
#endif

TEST_CASE("multiparallel driver: observer stages, stop, bad input", "[multilingual][multiparallel]") {
  const auto t = synthetic(3, 5, 2);
  const auto c = make_corpus(t);
  // The EM aligner (IBM1, 2 iterations) reports its stages under the pair's name.
  lexalign::em::train_options topt;
  topt.model = lexalign::em::model_kind::ibm1;
  topt.ibm1.iterations = 2;
  const auto em = ml::em_pair_aligner(topt);
  std::vector<std::string> stages;
  const auto r = ml::multiparallel_align(c, 0, 1, {}, em, [&](const lexalign::iteration_event& e) {
    if (stages.empty() || stages.back() != e.stage) stages.emplace_back(e.stage);
  });
  CHECK(r.convergence.status == lexalign::solver_status::max_iterations);
  REQUIRE(!stages.empty());
  CHECK(stages.front() == "multiparallel.a-b.em.ibm1.forward");
  CHECK(std::find(stages.begin(), stages.end(), "multiparallel.c-b.em.ibm1.reverse") != stages.end());
  CHECK(stages.back() == "multiparallel.graph");
  // A stop at the first event: nothing more is aligned, no graph step.
  const auto s = ml::multiparallel_align(c, 0, 1, {}, em, [](const lexalign::iteration_event&) {
    return lexalign::observer_action::stop;
  });
  CHECK(s.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(s.pairs.empty());
  CHECK(s.links.empty());
  // Bad input and options.
  CHECK_THROWS_AS(ml::multiparallel_align(c, 0, 0, {}, oracle(false)), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::multiparallel_align(c, 0, 3, {}, oracle(false)), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::multiparallel_align(make_corpus({t[0], t[1]}), 0, 1, {}, oracle(false)), lexalign::invalid_argument);
  auto c2 = c;
  CHECK_THROWS_AS(c2.add_language("d", lines(4)), lexalign::invalid_argument);  // 4 lines, not 5
  CHECK_THROWS_AS(c2.add_language("a", t[0]), lexalign::invalid_argument);      // taken
  CHECK_THROWS_AS(ml::multiparallel_align(c, 0, 1, {.threshold = 0}, oracle(false)), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::multiparallel_align(c, 0, 1, {.combine = ml::direct_combination::intersect, .only_unaligned = true},
                                          oracle(false)),
                  lexalign::invalid_option);
  CHECK_THROWS_AS(ml::multiparallel_align(c, 0, 1, {.block_size = 0}, oracle(false)), lexalign::invalid_option);
  // A pair alignment of the wrong length, or with a link outside its verse.
  auto pairs = r.pairs;
  pairs[1].links.pop_back();
  CHECK_THROWS_AS(ml::improve_alignment(c, pairs, 0, 1), lexalign::invalid_argument);
  pairs = r.pairs;
  pairs[1].links[0].sure.push_back({99, 0});
  CHECK_THROWS_AS(ml::improve_alignment(c, pairs, 0, 1), lexalign::invalid_argument);
  pairs = {r.pairs[1], r.pairs[2]};  // no a-b
  CHECK_THROWS_AS(ml::improve_alignment(c, pairs, 0, 1), lexalign::invalid_argument);
}

TEST_CASE("multiparallel driver: the default Gibbs aligner gives the same result for 1 and 3 threads",
          "[multilingual][multiparallel]") {
  auto t = synthetic(3, 24, 4);
  t[2][5].clear();
  const auto c = make_corpus(t);
  lexalign::bayes::gibbs_options g;
  g.samplers = 2;
  g.schedule_scale = 0.2;
  const auto one = ml::multiparallel_align(c, 0, 1, {.parallel = {.threads = 1}}, ml::gibbs_pair_aligner(g));
  const auto three = ml::multiparallel_align(c, 0, 1, {.parallel = {.threads = 3}, .block_size = 2},
                                             ml::gibbs_pair_aligner(g));
  REQUIRE(one.pairs.size() == three.pairs.size());
  for (std::size_t n = 0; n < one.pairs.size(); ++n) CHECK(one.pairs[n].links == three.pairs[n].links);
  CHECK(one.links == three.links);
  std::size_t n_links = 0;
  for (const auto& s : one.links) n_links += s.sure.size();
  CHECK(n_links > 0);
}
