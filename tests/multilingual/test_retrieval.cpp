// Blocked k-NN by cosine, CSLS and the BLI evaluator against brute force.
#include <algorithm>
#include <cmath>
#include <memory_resource>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "lexalign/core/thread_pool.hpp"
#include "lexalign/multilingual/bli.hpp"
#include "lexalign/multilingual/csls.hpp"
#include "lexalign/multilingual/knn.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"

namespace ml = lexalign::multilingual;
using fm = lexalign::dense_matrix<float>;

namespace {

// Rows with exactly `w` entries in {-1, +1} and the rest 0: all norms are
// sqrt(w), dot products are small integers, so ties are real and exact.
fm ternary(std::size_t n, std::size_t d, std::size_t w, unsigned seed) {
  std::mt19937 gen(seed);
  fm m(n, d, 0.0f);
  std::vector<std::size_t> pos(d);
  std::iota(pos.begin(), pos.end(), std::size_t{0});
  for (std::size_t i = 0; i < n; ++i) {
    std::shuffle(pos.begin(), pos.end(), gen);
    for (std::size_t k = 0; k < w; ++k) m(i, pos[k]) = (gen() & 1u) ? 1.0f : -1.0f;
  }
  return m;
}

fm gaussian(std::size_t n, std::size_t d, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> nd;
  fm m(n, d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) m(i, k) = nd(gen);
  return m;
}

double cosine(const fm& a, std::size_t i, const fm& b, std::size_t j) {
  double d = 0, na = 0, nb = 0;
  for (std::size_t k = 0; k < a.cols(); ++k) {
    d += double(a(i, k)) * b(j, k);
    na += double(a(i, k)) * a(i, k);
    nb += double(b(j, k)) * b(j, k);
  }
  return na > 0 && nb > 0 ? d / std::sqrt(na * nb) : 0.0;
}

// Brute force: every target sorted by (score desc, index asc).
std::vector<std::size_t> ranking(const std::vector<double>& s) {
  std::vector<std::size_t> o(s.size());
  std::iota(o.begin(), o.end(), std::size_t{0});
  std::stable_sort(o.begin(), o.end(), [&](std::size_t a, std::size_t b) { return s[a] > s[b]; });
  return o;
}

}  // namespace

TEST_CASE("knn equals brute force with exact ties, for any blocks and threads", "[multilingual][knn]") {
  const fm q = ternary(37, 9, 3, 1), t = ternary(301, 9, 3, 2);
  // Brute force on the exact integer dot products (all norms equal).
  std::vector<std::vector<std::size_t>> expected(q.rows());
  for (std::size_t i = 0; i < q.rows(); ++i) {
    std::vector<double> s(t.rows());
    for (std::size_t j = 0; j < t.rows(); ++j) {
      double dot = 0;
      for (std::size_t k = 0; k < q.cols(); ++k) dot += double(q(i, k)) * t(j, k);
      s[j] = dot;
    }
    expected[i] = ranking(s);
  }
  const ml::knn_result base = ml::knn(q, t, {.k = 12});
  REQUIRE(base.k == 12);
  for (std::size_t i = 0; i < q.rows(); ++i)
    for (std::size_t c = 0; c < 12; ++c) {
      CHECK(base.index(i, c) == expected[i][c]);
      CHECK(base.score(i, c) == Approx(cosine(q, i, t, expected[i][c])).margin(1e-6));
    }
  lexalign::thread_pool pool(3);
  for (auto [qb, tb, threads] : {std::tuple{1u, 1u, 1u}, std::tuple{5u, 16u, 2u}, std::tuple{64u, 50u, 3u},
                                 std::tuple{8u, 1000u, 0u}, std::tuple{3u, 17u, 99u}}) {
    ml::knn_options o{.k = 12, .query_block = qb, .target_block = tb, .parallel = {.threads = threads}};
    if (threads == 99) o.parallel = {.pool = &pool};
    const auto r = ml::knn(q, t, o);
    CHECK(r.index.size() == base.index.size());
    CHECK(std::equal(r.index.data(), r.index.data() + r.index.size(), base.index.data()));
    CHECK(std::equal(r.score.data(), r.score.data() + r.score.size(), base.score.data()));
  }
}

TEST_CASE("knn on random vectors agrees with a double-precision brute force", "[multilingual][knn]") {
  const fm q = gaussian(23, 33, 3), t = gaussian(170, 33, 4);
  const auto r = ml::knn(q, t, {.k = 5, .query_block = 8, .target_block = 32});
  for (std::size_t i = 0; i < q.rows(); ++i) {
    std::vector<double> s(t.rows());
    for (std::size_t j = 0; j < t.rows(); ++j) s[j] = cosine(q, i, t, j);
    const auto o = ranking(s);
    for (std::size_t c = 0; c < 5; ++c) {
      // The c-th returned is the c-th best up to float rounding.
      CHECK(s[r.index(i, c)] == Approx(s[o[c]]).margin(1e-5));
      CHECK(double(r.score(i, c)) == Approx(s[r.index(i, c)]).margin(1e-5));
      if (c > 0) CHECK(r.score(i, c - 1) >= r.score(i, c));
    }
  }
}

TEST_CASE("scored_knn subtracts the per-target penalty", "[multilingual][knn]") {
  const fm q = ternary(11, 4, 1, 5), t = ternary(40, 4, 1, 6);  // unit vectors: cos = dot, exact
  std::vector<float> pen(t.rows());
  for (std::size_t j = 0; j < pen.size(); ++j) pen[j] = float(j % 3) * 0.25f;  // exact in float
  ml::knn_workspace<> ws;
  ml::knn_result r;
  ml::scored_knn_into(q.view(), t.view(), std::span<const float>(pen), {.k = 4, .target_block = 16}, ws, r);
  for (std::size_t i = 0; i < q.rows(); ++i) {
    std::vector<double> s(t.rows());
    for (std::size_t j = 0; j < t.rows(); ++j) {
      double dot = 0;
      for (std::size_t k = 0; k < q.cols(); ++k) dot += double(q(i, k)) * t(j, k);
      s[j] = dot - pen[j];
    }
    const auto o = ranking(s);
    for (std::size_t c = 0; c < 4; ++c) {
      CHECK(r.index(i, c) == o[c]);
      CHECK(r.score(i, c) == Approx(s[o[c]]).margin(1e-6));
    }
  }
}

TEST_CASE("knn: k above the target count, zero vectors, reuse without allocation", "[multilingual][knn]") {
  fm q = gaussian(9, 4, 7), t = gaussian(3, 4, 8);
  for (std::size_t k = 0; k < 4; ++k) t(1, k) = 0.0f;  // a zero target has cosine 0
  const auto r = ml::knn(q, t, {.k = 10});
  CHECK(r.k == 3);
  for (std::size_t i = 0; i < q.rows(); ++i) {
    std::vector<std::size_t> seen(r.index.data() + i * 3, r.index.data() + i * 3 + 3);
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<std::size_t>{0, 1, 2});
    for (std::size_t c = 0; c < 3; ++c)
      if (r.index(i, c) == 1) CHECK(r.score(i, c) == 0.0f);
  }
  lexalign::test::counting_resource res;
  ml::knn_workspace<std::pmr::polymorphic_allocator<float>> ws(&res);
  ml::knn_result out;
  const fm big_q = gaussian(50, 8, 9), big_t = gaussian(90, 8, 10);
  lexalign::thread_pool pool(2);
  const ml::knn_options o{.k = 5, .query_block = 8, .target_block = 32, .parallel = {.pool = &pool}};
  ml::knn_into(big_q.view(), big_t.view(), o, ws, out);
  const auto before = res.allocations();
  ml::knn_into(big_q.view(), big_t.view(), o, ws, out);
  CHECK(res.allocations() == before);
}

TEST_CASE("knn errors", "[multilingual][knn][errors]") {
  const fm q = gaussian(2, 3, 1), t = gaussian(4, 3, 2), t4 = gaussian(4, 4, 3);
  CHECK_THROWS_AS(ml::knn(q, t, {.k = 0}), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::knn(q, t, {.query_block = 0}), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::knn(q, t4), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::knn(q, fm()), lexalign::invalid_argument);
  fm bad = t;
  bad(2, 1) = std::nanf("");
  CHECK_THROWS_WITH(ml::knn(q, bad), Catch::Matchers::Contains("targets(2, 1) is NaN"));
  CHECK_THROWS_AS(ml::csls(q, t, {.neighborhood = 0}), lexalign::invalid_option);
}

TEST_CASE("CSLS equals its definition computed by brute force", "[multilingual][csls]") {
  const fm s = gaussian(31, 12, 11), t = gaussian(45, 12, 12);
  const std::size_t nb = 4;
  auto mean_top = [&](const fm& a, std::size_t i, const fm& b) {
    std::vector<double> c(b.rows());
    for (std::size_t j = 0; j < b.rows(); ++j) c[j] = cosine(a, i, b, j);
    std::sort(c.begin(), c.end(), std::greater<>());
    return std::accumulate(c.begin(), c.begin() + nb, 0.0) / double(nb);
  };
  const auto r = ml::csls(s, t, {.neighborhood = nb, .search = {.k = 3, .target_block = 16}});
  std::vector<double> rs(s.rows()), rt(t.rows());
  for (std::size_t i = 0; i < s.rows(); ++i) rs[i] = mean_top(s, i, t);
  for (std::size_t j = 0; j < t.rows(); ++j) rt[j] = mean_top(t, j, s);
  for (std::size_t i = 0; i < s.rows(); ++i) {
    CHECK(r.terms.r_source[i] == Approx(rs[i]).margin(1e-5));
    std::vector<double> v(t.rows());
    for (std::size_t j = 0; j < t.rows(); ++j) v[j] = 2 * cosine(s, i, t, j) - rs[i] - rt[j];
    const auto o = ranking(v);
    for (std::size_t c = 0; c < 3; ++c) {
      CHECK(v[r.neighbours.index(i, c)] == Approx(v[o[c]]).margin(1e-5));
      CHECK(double(r.neighbours.score(i, c)) == Approx(v[r.neighbours.index(i, c)]).margin(1e-5));
    }
  }
  for (std::size_t j = 0; j < t.rows(); ++j) CHECK(r.terms.r_target[j] == Approx(rt[j]).margin(1e-5));
}

namespace {
lexalign::io::word_embeddings embeddings(const std::string& text) {
  std::istringstream in(text);
  return lexalign::io::read_embeddings(in, "vec");
}
}  // namespace

TEST_CASE("BLI: precision at 1, 5, 10 with several references and coverage", "[multilingual][bli]") {
  // Target words on the unit circle in 2-D; sources at chosen angles, so the
  // cosine ranking of targets is known.
  std::string tgt;
  for (int a = 0; a < 12; ++a)
    tgt += "t" + std::to_string(a) + " " + std::to_string(std::cos(a * 0.5)) + " " + std::to_string(std::sin(a * 0.5)) + "\n";
  const auto target = embeddings(tgt);
  // s0 sits on t0, s1 on t3, s2 on t6 (angles 0, 1.5, 3.0).
  const auto source = embeddings("s0 1 0\ns1 " + std::to_string(std::cos(1.5)) + " " + std::to_string(std::sin(1.5)) +
                                 "\ns2 " + std::to_string(std::cos(3.0)) + " " + std::to_string(std::sin(3.0)) + "\n");
  std::istringstream dict_text(
      "s0 t0\n"        // correct at 1
      "s1 t9\ns1 t4\n"  // t4 (angle 2.0) is the 2nd or 3rd neighbour of s1: correct at 5, not at 1
      "s2 t0\n"        // t0 (angle 0) is the last of the 12 targets for s2 (angle 3.0)
      "s3 t1\n"        // no vector for s3: not covered
      "s0 zzz\n");     // unusable pair of a covered word
  const auto dict = ml::read_dictionary(dict_text, "dict");
  REQUIRE(dict.size() == 6);
  const auto r = ml::evaluate_bli(source, target, dict, {.method = ml::retrieval::nearest_neighbor});
  CHECK(r.dictionary_sources == 4);
  CHECK(r.usable_pairs == 4);
  CHECK(r.queries == 3);
  CHECK(r.coverage == Approx(0.75));
  // Brute-force ranks of each query's references.
  CHECK(r.precision_at_1 == Approx(1.0 / 3));
  CHECK(r.precision_at_5 == Approx(2.0 / 3));
  CHECK(r.precision_at_10 == Approx(2.0 / 3));
  const auto rc = ml::evaluate_bli(source, target, dict);  // CSLS runs too
  CHECK(rc.queries == 3);
  CHECK(rc.neighbours.k == 10);
}

TEST_CASE("BLI dictionary errors name file and line", "[multilingual][bli][errors]") {
  std::istringstream bad("a b\nc d e\n");
  CHECK_THROWS_WITH(ml::read_dictionary(bad, "x.dict"), Catch::Matchers::Contains("x.dict:2"));
  const auto a = embeddings("a 1 0\n"), b = embeddings("b 1 0 0\n");
  CHECK_THROWS_AS(ml::evaluate_bli(a, b, {{"a", "b"}}), lexalign::invalid_argument);
}
