// argmax (forward / reverse / mutual) and IterMax against literal
// transcriptions of SimAlign's NumPy code, on random matrices with ties.
#include <array>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "reference.hpp"
#include "support/catch.hpp"

namespace ex = lexalign::extract;
using extract_test::mat;

namespace {
const std::pair<std::size_t, std::size_t> shapes[] = {{1, 1}, {1, 4}, {4, 1}, {2, 2}, {2, 5}, {3, 3}, {3, 7},
                                                      {7, 3}, {5, 5}, {8, 6}, {6, 9}, {12, 12}, {20, 17},
                                                      // the fused sweep: blocks of 4 rows plus 1-3 left over,
                                                      // whole vectors of 2/4/8 lanes plus a tail
                                                      {9, 33}, {31, 16}, {18, 41}};
}

namespace {
// The three directions against NumPy's eye(n)[argmax] products; leaves
// the mutual links in r.
void check_argmax_directions(const mat& s, ex::workspace<>& ws, ex::extract_result& r) {
  const mat f = extract_test::forward_matrix(s), b = extract_test::backward_matrix(s);
  ex::argmax_into(s, {.direction = ex::argmax_direction::forward}, ws, r);
  CHECK(r.alignment.sure == extract_test::links_of(f));
  ex::argmax_into(s, {.direction = ex::argmax_direction::reverse}, ws, r);
  CHECK(r.alignment.sure == extract_test::links_of(b));
  ex::argmax_into(s, {}, ws, r);
  CHECK(r.alignment.sure == extract_test::links_of(extract_test::hadamard(f, b)));
}
}  // namespace

TEST_CASE("argmax directions equal NumPy's eye(n)[argmax] products, ties to the lowest index", "[extract][argmax]") {
  std::mt19937 rng(1);
  ex::workspace<> ws;
  ex::extract_result r;
  for (int levels : {0, 2, 3, 5})
    for (auto [m, n] : shapes)
      for (int rep = 0; rep < 4; ++rep) {
        const mat s = extract_test::random_matrix(rng, m, n, levels);
        check_argmax_directions(s, ws, r);
        REQUIRE(r.scores.size() == r.size());
        for (std::size_t k = 0; k < r.size(); ++k) CHECK(r.scores[k] == s(r.links()[k].source, r.links()[k].target));
      }
}

TEST_CASE("argmax tie rule on a hand-made matrix", "[extract][argmax]") {
  // Row 0 ties between columns 0 and 2: column 0 wins.  Column 2 ties between
  // rows 0 and 1: row 0 wins.
  const mat s = [] {
    mat x(2, 3, 0.0);
    x(0, 0) = 1; x(0, 2) = 1; x(1, 2) = 1; x(1, 1) = 0.5;
    return x;
  }();
  const auto fwd = ex::argmax(s, {.direction = ex::argmax_direction::forward});
  CHECK(fwd.alignment.sure == std::vector<lexalign::link>{{0, 0}, {1, 2}});
  const auto rev = ex::argmax(s, {.direction = ex::argmax_direction::reverse});
  CHECK(rev.alignment.sure == std::vector<lexalign::link>{{0, 0}, {0, 2}, {1, 1}});
  CHECK(ex::argmax(s).alignment.sure == std::vector<lexalign::link>{{0, 0}});
}

TEST_CASE("IterMax equals SimAlign's iter_max transcription", "[extract][itermax]") {
  std::mt19937 rng(2);
  ex::workspace<> ws;
  ex::extract_result r;
  std::size_t grew = 0;
  for (int levels : {0, 2, 4})
    for (auto [m, n] : shapes)
      for (int rep = 0; rep < 4; ++rep) {
        const mat s = extract_test::random_matrix(rng, m, n, levels);
        for (std::size_t max_count : {1u, 2u, 3u, 5u}) {
          ex::itermax_into(s, {.max_count = max_count}, ws, r);
          const auto expected = extract_test::links_of(extract_test::simalign_itermax(s, max_count));
          CHECK(r.alignment.sure == expected);
          for (std::size_t k = 0; k < r.size(); ++k) CHECK(r.scores[k] == s(r.links()[k].source, r.links()[k].target));
        }
        grew += ex::itermax(s).size() > ex::argmax(s).size();
      }
  CHECK(grew > 20);  // the extra round does add links
}

TEST_CASE("argmax and IterMax on negative entries and the lowest double, every tail width", "[extract][argmax][itermax]") {
  // The vector sweep pads a partial last vector with the lowest double
  // (AVX-512 builds): real entries equal to it, or rows of negative values
  // only, must still win over the padding (they have lower indices).
  std::mt19937 rng(3);
  ex::workspace<> ws;
  ex::extract_result r;
  const double lowest = std::numeric_limits<double>::lowest();
  for (std::size_t n = 1; n <= 19; ++n)
    for (std::size_t m : {1u, 3u, 4u, 6u, 9u})
      for (int rep = 0; rep < 3; ++rep) {
        mat s = extract_test::random_matrix(rng, m, n, rep == 0 ? 0 : 3);
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t j = 0; j < n; ++j) {
            s(i, j) = -1 - s(i, j);
            if (rep == 2 && (rng() % 3 == 0 || i == 1)) s(i, j) = lowest;  // row 1: all lowest
          }
        check_argmax_directions(s, ws, r);
        if (rep < 2) {  // SimAlign's masks multiply: lowest * 0.9 is still finite, but keep it simple
          ex::itermax_into(s, {}, ws, r);
          CHECK(r.alignment.sure == extract_test::links_of(extract_test::simalign_itermax(s, 2)));
        }
      }
}

TEST_CASE("IterMax with another weight equals the transcription", "[extract][itermax]") {
  std::mt19937 rng(3);
  for (double w : {0.0, 0.5, 1.0})
    for (int rep = 0; rep < 20; ++rep) {
      const mat s = extract_test::random_matrix(rng, 6, 8, rep % 2 ? 3 : 0);
      CHECK(ex::itermax(s, {.weight = w, .max_count = 3}).alignment.sure ==
            extract_test::links_of(extract_test::simalign_itermax(s, 3, w)));
    }
}

TEST_CASE("IterMax keeps argmax for small sentences", "[extract][itermax]") {
  std::mt19937 rng(4);
  for (auto [m, n] : {std::pair<std::size_t, std::size_t>{2, 9}, {9, 2}, {1, 1}, {2, 2}}) {
    const mat s = extract_test::random_matrix(rng, m, n, 0);
    CHECK(ex::itermax(s, {.max_count = 10}).alignment.sure == ex::argmax(s).alignment.sure);
  }
}

TEST_CASE("argmax and IterMax accept float and strided inputs", "[extract][argmax]") {
  std::mt19937 rng(5);
  const mat s = extract_test::random_matrix(rng, 7, 9, 0);
  lexalign::dense_matrix<float> f(7, 9);
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t j = 0; j < 9; ++j) f(i, j) = static_cast<float>(s(i, j));
  // Column-major view of the transpose's memory: the same matrix, strided.
  const mat t = extract_test::transpose(s);
  const lexalign::matrix_view<const double> strided(t.data(), 7, 9, 1, 7);
  CHECK(ex::itermax(f).alignment.sure == ex::itermax(s).alignment.sure);
  CHECK(ex::itermax(strided).alignment.sure == ex::itermax(s).alignment.sure);
}

TEST_CASE("argmax and IterMax reject bad options and inputs", "[extract][argmax][errors]") {
  mat s(3, 3, 0.5);
  CHECK_THROWS_WITH(ex::itermax(s, {.weight = 1.5}),
                    "extract::itermax_options.weight must be in [0, 1] (got 1.5)");
  CHECK_THROWS_WITH(ex::itermax(s, {.max_count = 0}), "extract::itermax_options.max_count must be >= 1 (got 0)");
  s(1, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(ex::argmax(s), "similarity(1, 2) is NaN");
  // The entries are checked inside the fused sweep: every direction and
  // IterMax, in a vector lane, a tail column and a left-over row.
  for (auto [m, n, i, j] : {std::array<std::size_t, 4>{3, 3, 1, 2}, {9, 33, 2, 5}, {9, 33, 8, 32}, {9, 33, 4, 31}}) {
    for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity()}) {
      mat t(m, n, 0.5);
      t(i, j) = bad;
      const std::string where = "similarity(" + std::to_string(i) + ", " + std::to_string(j) + ") is ";
      const std::string what = where + (std::isnan(bad) ? "NaN" : "infinite");
      CHECK_THROWS_WITH(ex::argmax(t), what);
      CHECK_THROWS_WITH(ex::argmax(t, {.direction = ex::argmax_direction::forward}), what);
      CHECK_THROWS_WITH(ex::argmax(t, {.direction = ex::argmax_direction::reverse}), what);
      CHECK_THROWS_WITH(ex::itermax(t), what);
    }
  }
  const mat empty(0, 3);
  CHECK_THROWS_WITH(ex::argmax(empty), "similarity is empty (0 x 3)");
}
