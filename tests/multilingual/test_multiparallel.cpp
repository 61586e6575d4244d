// Multiparallel alignment through pivots: composition with votes and
// Adamic-Adar link prediction on a hand-computed graph.
#include <cmath>
#include <vector>

#include "lexalign/multilingual/multiparallel.hpp"
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
  CHECK(ml::pivot_vote(v, 0, 1) == links{{0, 0}, {1, 1}, {2, 1}});
  CHECK(ml::pivot_vote(v, 0, 1, {.min_votes = 2}) == links{{0, 0}, {1, 1}});
  CHECK(ml::pivot_vote(v, 0, 1, {.min_votes = 2, .keep_direct = false}) == links{{1, 1}});
  // Reverse direction: the same links transposed.
  CHECK(ml::pivot_vote(v, 1, 0) == links{{0, 0}, {1, 1}, {1, 2}});
  CHECK_THROWS_AS(ml::pivot_vote(v, 0, 1, {.min_votes = 0}), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::pivot_vote(v, 0, 0), lexalign::invalid_argument);
  auto bad = v;
  bad.alignments.push_back({0, 2, {{5, 0}}});
  CHECK_THROWS_AS(ml::pivot_vote(bad, 0, 1), lexalign::invalid_argument);
}

#ifdef LEXALIGN_HAVE_BOOST_GRAPH
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
