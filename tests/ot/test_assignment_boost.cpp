// Cross-check of ot::assignment with Boost's maximum_weighted_matching on
// integer weights only (Boost 1.74's version hangs on real weights, see
// the platform notes, trap 6).  Skipped when Boost.Graph is missing.
#if __has_include(<boost/graph/maximum_weighted_matching.hpp>)
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/maximum_weighted_matching.hpp>
#define LEXALIGN_TEST_HAVE_BOOST_MATCHING 1
#endif

#include <random>

#include "lexalign/ot/assignment.hpp"
#include "exact_reference.hpp"
#include "support/catch.hpp"

#ifdef LEXALIGN_TEST_HAVE_BOOST_MATCHING
TEST_CASE("max-weight assignment agrees with Boost on integer weights", "[assignment][boost]") {
  using graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                      boost::property<boost::edge_weight_t, long>>;
  std::mt19937 rng(9);
  const std::pair<std::size_t, std::size_t> shapes[] = {{5, 5}, {8, 8}, {6, 9}, {9, 6}, {12, 12}};
  for (auto [m, n] : shapes) {
    // Strictly positive weights on a complete bipartite graph: a maximum
    // weight matching can always be grown to min(m, n) pairs at no loss.
    ot_exact_test::mat W(m, n);
    graph g(m + n);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const long w = 1 + static_cast<long>(rng() % 20);
        W(i, j) = static_cast<double>(w);
        boost::add_edge(i, m + j, w, g);
      }
    std::vector<boost::graph_traits<graph>::vertex_descriptor> mate(m + n);
    boost::maximum_weighted_matching(g, &mate[0]);
    const double boost_total = static_cast<double>(boost::matching_weight_sum(g, &mate[0]));
    const auto r = lexalign::ot::assignment(W, {.maximize = true});
    CHECK(r.objective == boost_total);
  }
}
#endif
