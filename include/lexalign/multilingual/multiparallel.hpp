// lexalign/multilingual/multiparallel.hpp - word alignment of one language
// pair improved by the alignments of both languages to other languages of a
// multiparallel corpus (Imani, Jalili Sabet, Dufter, Yvon & Schuetze 2021,
// "Graph Algorithms for Multiparallel Word Alignment").
//
//   namespace ml = lexalign::multilingual;
//   ml::multiparallel_verse v{.lengths = {5, 6, 5}};          // tokens of languages 0, 1, 2
//   v.alignments.push_back({0, 1, links01});                 // pairwise alignments (any pairs)
//   v.alignments.push_back({0, 2, links02});
//   v.alignments.push_back({2, 1, links21});
//   auto voted = ml::pivot_vote(v, 0, 1, {.min_votes = 1});   // X-P then P-Y, voted over pivots
//   // the whole corpus (align every pair, then this per verse): multiparallel_corpus.hpp
//   auto aa = ml::adamic_adar(v, 0, 1);                       // link-prediction scores (Boost.Graph)
//   auto better = ml::predict_links(v, 0, 1, {.threshold = 1.0});
//
// Graph: one vertex per token of every language of the verse, one edge per
// link of every pairwise alignment (duplicates once; a link (i, j) of the
// alignment {a, b} joins token i of a and token j of b).
// pivot_vote: for every pivot p (not x, y) with alignments x-p and p-y,
//   composed(i, j) = exists k: (i, k) in x-p and (k, j) in p-y; votes(i, j) =
//   number of pivots composing (i, j); the result is the direct x-y links
//   plus every (i, j) with votes >= min_votes (0: a majority of the pivots
//   aligned to both x and y in the verse), or only the voted links with
//   keep_direct = false.
// adamic_adar: score(i, j) = sum over common neighbours z of token i of x and
//   token j of y (in any language) of 1 / log(deg z); every common neighbour
//   has degree >= 2, so the terms are finite.
// predict_links: the direct links plus every (i, j) with score >= threshold.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/validate.hpp"

// Boost.Graph (header-only; Debian: libboost-graph-dev) is optional: the
// CMake option LEXALIGN_WITH_BOOST_GRAPH (on when Boost is found) links
// Boost::headers and defines LEXALIGN_WITH_BOOST_GRAPH=1; without it the
// link-prediction functions below are not declared (pivot_vote needs only
// the standard library).  Outside CMake, define the macro yourself.
#if defined(LEXALIGN_WITH_BOOST_GRAPH) && LEXALIGN_WITH_BOOST_GRAPH
#include <boost/graph/adjacency_list.hpp>
#define LEXALIGN_HAS_LINK_PREDICTION 1
#else
#define LEXALIGN_HAS_LINK_PREDICTION 0
#endif

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

// The alignment between languages `a` and `b` of a verse: link.source
// indexes a token of a, link.target a token of b.
struct pair_alignment {
  std::size_t a = 0;
  std::size_t b = 0;
  std::vector<link> links;
};

// One verse of a K-language multiparallel corpus.
struct multiparallel_verse {
  std::vector<std::size_t> lengths;           // tokens per language
  std::vector<pair_alignment> alignments;     // any subset of the pairs, in either order
};

namespace detail {

inline void check_verse(const multiparallel_verse& v, std::size_t x, std::size_t y) {
  const std::size_t K = v.lengths.size();
  if (x >= K || y >= K || x == y)
    throw invalid_argument("languages " + std::to_string(x) + " and " + std::to_string(y) +
                           " must be two different languages of the verse's " + std::to_string(K));
  for (std::size_t n = 0; n < v.alignments.size(); ++n) {
    const auto& p = v.alignments[n];
    if (p.a >= K || p.b >= K || p.a == p.b)
      throw invalid_argument("alignments[" + std::to_string(n) + "] joins languages " + std::to_string(p.a) + " and " +
                             std::to_string(p.b) + " of " + std::to_string(K));
    for (const auto& l : p.links)
      if (l.source >= v.lengths[p.a] || l.target >= v.lengths[p.b])
        throw invalid_argument("alignments[" + std::to_string(n) + "] has the link " + std::to_string(l.source) + "-" +
                               std::to_string(l.target) + " outside the sentences (" +
                               std::to_string(v.lengths[p.a]) + " and " + std::to_string(v.lengths[p.b]) + " tokens)");
  }
}

// The links between languages a and b oriented a -> b (union over every
// alignment given for the pair, in either order), sorted, unique.
inline std::vector<link> oriented_links(const multiparallel_verse& v, std::size_t a, std::size_t b) {
  std::vector<link> out;
  for (const auto& p : v.alignments) {
    if (p.a == a && p.b == b) out.insert(out.end(), p.links.begin(), p.links.end());
    if (p.a == b && p.b == a)
      for (const auto& l : p.links) out.push_back({l.target, l.source});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace detail

struct pivot_vote_options {
  // Pivots that must compose a link to add it; 0 = a majority of the verse's
  // voting pivots (more than half of those with links to both x and y).
  std::size_t min_votes = 0;
  bool keep_direct = true;     // start from the direct x-y links
};

inline void validate(const pivot_vote_options&) {}

// The votes of a verse: votes[i * n_y + j] = number of pivots p (not x, y)
// with some token k of p such that (i, k) is in x-p and (k, j) in p-y;
// `voters` = the pivots with links to both x and y in this verse.
struct pivot_votes {
  std::vector<std::size_t> votes;
  std::size_t voters = 0;
};

inline pivot_votes pivot_vote_counts(const multiparallel_verse& v, std::size_t x, std::size_t y) {
  detail::check_verse(v, x, y);
  const std::size_t nx = v.lengths[x], ny = v.lengths[y];
  pivot_votes out;
  out.votes.assign(nx * ny, 0);
  std::vector<unsigned char> composed(nx * ny);
  for (std::size_t p = 0; p < v.lengths.size(); ++p) {
    if (p == x || p == y) continue;
    const auto xp = detail::oriented_links(v, x, p), py = detail::oriented_links(v, p, y);
    if (xp.empty() || py.empty()) continue;
    ++out.voters;
    std::fill(composed.begin(), composed.end(), 0);
    for (const auto& a : xp)
      for (auto it = std::lower_bound(py.begin(), py.end(), link{a.target, 0}); it != py.end() && it->source == a.target; ++it)
        composed[a.source * ny + it->target] = 1;
    for (std::size_t k = 0; k < nx * ny; ++k) out.votes[k] += composed[k];
  }
  return out;
}

// The vote count a link needs: min_votes, or the majority of `voters` when 0.
constexpr std::size_t required_votes(std::size_t min_votes, std::size_t voters) noexcept {
  return min_votes ? min_votes : voters / 2 + 1;
}

// Links x -> y: direct (if kept) plus those composed through enough pivots; sorted.
inline std::vector<link> pivot_vote(const multiparallel_verse& v, std::size_t x, std::size_t y,
                                    const pivot_vote_options& options = {}) {
  validate(options);
  const auto pv = pivot_vote_counts(v, x, y);
  const std::size_t nx = v.lengths[x], ny = v.lengths[y];
  const std::size_t need = required_votes(options.min_votes, pv.voters);
  std::vector<link> out = options.keep_direct ? detail::oriented_links(v, x, y) : std::vector<link>{};
  for (std::size_t i = 0; i < nx; ++i)
    for (std::size_t j = 0; j < ny; ++j)
      if (pv.votes[i * ny + j] >= need)
        out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

#if LEXALIGN_HAS_LINK_PREDICTION

// Adamic-Adar scores of every (token i of x, token j of y): an nx x ny matrix.
inline dense_matrix<double> adamic_adar(const multiparallel_verse& v, std::size_t x, std::size_t y) {
  detail::check_verse(v, x, y);
  const std::size_t K = v.lengths.size();
  std::vector<std::size_t> offset(K + 1, 0);
  for (std::size_t l = 0; l < K; ++l) offset[l + 1] = offset[l] + v.lengths[l];
  using graph = boost::adjacency_list<boost::setS, boost::vecS, boost::undirectedS>;  // setS: one edge per pair
  graph g(offset[K]);
  for (const auto& p : v.alignments)
    for (const auto& l : p.links) boost::add_edge(offset[p.a] + l.source, offset[p.b] + l.target, g);
  const std::size_t nx = v.lengths[x], ny = v.lengths[y];
  dense_matrix<double> score(nx, ny, 0.0);
  std::vector<std::size_t> nb_i;
  for (std::size_t i = 0; i < nx; ++i) {
    nb_i.clear();
    for (auto [a, e] = boost::adjacent_vertices(offset[x] + i, g); a != e; ++a) nb_i.push_back(*a);
    std::sort(nb_i.begin(), nb_i.end());
    for (std::size_t j = 0; j < ny; ++j) {
      double s = 0;
      for (auto [a, e] = boost::adjacent_vertices(offset[y] + j, g); a != e; ++a)
        if (std::binary_search(nb_i.begin(), nb_i.end(), *a)) s += 1.0 / std::log(double(boost::degree(*a, g)));
      score(i, j) = s;
    }
  }
  return score;
}

struct link_prediction_options {
  double threshold = 1.0;   // add (i, j) when its Adamic-Adar score >= threshold (> 0)
  bool keep_direct = true;  // start from the direct x-y links
};

inline void validate(const link_prediction_options& o) {
  validation::positive("link_prediction_options.threshold", o.threshold);
}

// Links x -> y: direct (if kept) plus the pairs whose Adamic-Adar score reaches the threshold; sorted.
inline std::vector<link> predict_links(const multiparallel_verse& v, std::size_t x, std::size_t y,
                                       const link_prediction_options& options = {}) {
  validate(options);
  const auto s = adamic_adar(v, x, y);
  std::vector<link> out = options.keep_direct ? detail::oriented_links(v, x, y) : std::vector<link>{};
  for (std::size_t i = 0; i < s.rows(); ++i)
    for (std::size_t j = 0; j < s.cols(); ++j)
      if (s(i, j) >= options.threshold) out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

#endif  // LEXALIGN_HAS_LINK_PREDICTION

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
