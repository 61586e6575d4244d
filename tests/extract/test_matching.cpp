// Maximum-weight matching ("mwmf") against brute force (ties included) and
// Boost.Graph's maximum_weighted_matching on integer weights.
#if __has_include(<boost/graph/maximum_weighted_matching.hpp>)
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/maximum_weighted_matching.hpp>
#define LEXALIGN_TEST_HAVE_BOOST_MATCHING 1
#endif

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "lexalign/extract/matching.hpp"
#include "lexalign/ot/assignment.hpp"
#include "reference.hpp"
#include "support/catch.hpp"

namespace ex = lexalign::extract;
using extract_test::mat;

namespace {
// Best sum over every injection of the short side into the long side.
double brute_force_best(const mat& s) {
  const bool t = s.rows() > s.cols();
  const std::size_t r = t ? s.cols() : s.rows(), c = t ? s.rows() : s.cols();
  std::vector<std::size_t> perm(c);
  std::iota(perm.begin(), perm.end(), 0);
  double best = -1e300;
  do {
    double sum = 0;
    for (std::size_t k = 0; k < r; ++k) sum += t ? s(perm[k], k) : s(k, perm[k]);
    best = std::max(best, sum);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}
}  // namespace

TEST_CASE("matching is a maximum-weight one-to-one matching of min(m, n) links", "[extract][matching]") {
  std::mt19937 rng(11);
  ex::matching_workspace<> ws;
  ex::extract_result r;
  const std::pair<std::size_t, std::size_t> shapes[] = {{1, 1}, {1, 5}, {5, 1}, {3, 3}, {4, 6}, {6, 4}, {6, 6}, {5, 7}};
  for (int levels : {0, 2, 3})
    for (auto [m, n] : shapes)
      for (int rep = 0; rep < 5; ++rep) {
        const mat s = extract_test::random_matrix(rng, m, n, levels);
        ex::matching_into(s, {}, ws, r);
        REQUIRE(r.size() == std::min(m, n));
        std::set<std::uint32_t> src, tgt;
        double sum = 0;
        for (std::size_t k = 0; k < r.size(); ++k) {
          src.insert(r.links()[k].source);
          tgt.insert(r.links()[k].target);
          CHECK(r.scores[k] == s(r.links()[k].source, r.links()[k].target));
          sum += r.scores[k];
        }
        CHECK(src.size() == r.size());
        CHECK(tgt.size() == r.size());
        CHECK(lexalign::is_sorted_unique(r.links()));
        CHECK(sum == Approx(brute_force_best(s)).margin(1e-12));
      }
}

TEST_CASE("matching on larger dense matrices equals ot::assignment's optimum", "[extract][matching]") {
  // Sizes where most rows reach the dense shortest-augmenting-path phase
  // (after two rounds of augmenting row reduction): the optimum of the
  // independent plain solver (ot::assignment, maximize), on continuous
  // cosine-like values and on integer values with many ties, square and
  // rectangular; the result is one-to-one with min(m, n) links.
  std::mt19937 rng(13);
  ex::matching_workspace<> ws;
  ex::extract_result r;
  std::vector<std::pair<std::size_t, std::size_t>> shapes = {{17, 17}, {33, 33}, {50, 50}, {64, 64}, {100, 100},
                                                             {31, 47}, {47, 31}, {9, 70}, {101, 99}};
  // every width of the vector passes' last (masked) vector, with AVX-512 8 doubles
  for (std::size_t n = 8; n <= 24; ++n) shapes.push_back({n, n});
  for (std::size_t n = 9; n <= 16; ++n) shapes.push_back({n - 3, n});
  for (int levels : {0, 3, 20})
    for (auto [m, n] : shapes)
      for (int rep = 0; rep < 3; ++rep) {
        const mat s = extract_test::random_matrix(rng, m, n, levels);
        ex::matching_into(s, {}, ws, r);
        REQUIRE(r.size() == std::min(m, n));
        std::vector<char> row_used(m, 0), col_used(n, 0);
        double sum = 0;
        for (std::size_t k = 0; k < r.size(); ++k) {
          const auto l = r.links()[k];
          CHECK(!row_used[l.source]);
          CHECK(!col_used[l.target]);
          row_used[l.source] = col_used[l.target] = 1;
          sum += s(l.source, l.target);
        }
        const auto ref = lexalign::ot::assignment(s, {.maximize = true});
        double best = 0;
        for (std::size_t i = 0; i < m; ++i)
          if (ref.row_to_col[i] >= 0) best += s(i, static_cast<std::size_t>(ref.row_to_col[i]));
        INFO(m << "x" << n << " levels " << levels);
        CHECK(sum == Approx(best).epsilon(1e-12));
      }
}

#ifdef LEXALIGN_TEST_HAVE_BOOST_MATCHING
TEST_CASE("matching agrees with Boost's maximum_weighted_matching on integer weights", "[extract][matching][boost]") {
  using graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                      boost::property<boost::edge_weight_t, long>>;
  std::mt19937 rng(12);
  const std::pair<std::size_t, std::size_t> shapes[] = {{4, 4}, {7, 7}, {5, 9}, {9, 5}, {12, 10}, {15, 15}};
  for (auto [m, n] : shapes)
    for (int rep = 0; rep < 3; ++rep) {
      // Positive integer weights (SimAlign's similarities are positive; Boost
      // 1.74 hangs on real weights), with ties.
      mat s(m, n);
      graph g(m + n);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          const long w = 1 + static_cast<long>(rng() % 8);
          s(i, j) = static_cast<double>(w);
          boost::add_edge(i, m + j, w, g);
        }
      std::vector<boost::graph_traits<graph>::vertex_descriptor> mate(m + n);
      boost::maximum_weighted_matching(g, &mate[0]);
      const auto r = ex::matching(s);
      double sum = 0;
      for (double x : r.scores) sum += x;
      CHECK(sum == static_cast<double>(boost::matching_weight_sum(g, &mate[0])));
      CHECK(r.size() == std::min(m, n));
    }
}
#endif

TEST_CASE("the reduction transfer's minimum skips exactly one column", "[extract][matching]") {
  // detail::min_excluding against the literal loop, at every width 1..40
  // (every tail of the last vector) and every skipped column, with integer
  // values so that ties and a minimum at the skipped column both occur.
  std::mt19937_64 rng(41);
  std::uniform_int_distribution<int> u(-3, 3);
  const double inf = std::numeric_limits<double>::infinity();
  for (std::ptrdiff_t n = 1; n <= 40; ++n)
    for (int rep = 0; rep < 6; ++rep) {
      std::vector<double> c(static_cast<std::size_t>(n)), v(static_cast<std::size_t>(n));
      for (auto& x : c) x = u(rng);
      for (auto& x : v) x = 0.5 * u(rng);
      for (std::ptrdiff_t skip = 0; skip < n; ++skip) {
        double want = inf;
        for (std::ptrdiff_t j = 0; j < n; ++j)
          if (j != skip) want = std::min(want, c[static_cast<std::size_t>(j)] - v[static_cast<std::size_t>(j)]);
        INFO("n " << n << " skip " << skip);
        CHECK(ex::detail::min_excluding(c.data(), v.data(), n, skip) == want);
      }
    }
}
