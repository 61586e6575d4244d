// A warm symmetrize::workspace (and output vector) makes combine() allocation
// free (counted with support/counting_new.hpp).
#include <random>
#include <vector>

#include "lexalign/symmetrize/symmetrize.hpp"
#include "support/catch.hpp"
#include "support/counting_new.hpp"  // the only includer in test_symmetrize

TEST_CASE("a warm workspace makes combine allocation free", "[symmetrize][memory]") {
  namespace sym = lexalign::symmetrize;
  using L = lexalign::link;
  std::mt19937 rng(3);
  std::vector<std::vector<L>> fwd, rev;
  for (int k = 0; k < 200; ++k) {
    const auto n = static_cast<std::uint32_t>(1 + rng() % 40), m = static_cast<std::uint32_t>(1 + rng() % 40);
    std::vector<L> f, r;
    for (std::uint32_t j = 0; j < m; ++j) f.push_back({static_cast<std::uint32_t>((j * n / m + rng() % 3) % n), j});
    for (std::uint32_t i = 0; i < n; ++i) r.push_back({i, static_cast<std::uint32_t>((i * m / n + rng() % 3) % m)});
    lexalign::normalize_links(f);
    fwd.push_back(f);
    rev.push_back(r);
  }
  fwd.push_back({{0, 0}, {1000000, 5}});  // a sparse sentence (hash path)
  rev.push_back({{0, 0}, {1000001, 5}});
  for (sym::semantics s : {sym::semantics::atools, sym::semantics::moses})
    for (sym::heuristic h : {sym::heuristic::grow, sym::heuristic::grow_diag_final, sym::heuristic::grow_diag_final_and,
                             sym::heuristic::union_}) {
      sym::workspace ws;
      std::vector<L> out;
      out.reserve(200);
      for (std::size_t k = 0; k < fwd.size(); ++k) sym::combine(fwd[k], rev[k], {.method = h, .order = s}, ws, out);
      const std::size_t before = lexalign::test::global_new_calls();
      std::size_t links = 0;
      for (std::size_t k = 0; k < fwd.size(); ++k) {
        sym::combine(fwd[k], rev[k], {.method = h, .order = s}, ws, out);
        links += out.size();
      }
      const std::size_t after = lexalign::test::global_new_calls();
      if (LEXALIGN_COUNTING_NEW) CHECK(after == before);
      CHECK(links > 0);
    }
}
