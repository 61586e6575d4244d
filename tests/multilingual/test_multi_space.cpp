// K spaces: hub maps, the barycenter mean language, composed translation and
// transitivity, on K rotated, permuted, slightly noisy copies of one cloud.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "lexalign/multilingual/knn.hpp"
#include "lexalign/multilingual/multi_space.hpp"
#include "support/catch.hpp"

namespace ml = lexalign::multilingual;
using fm = lexalign::dense_matrix<float>;
using dm = lexalign::dense_matrix<double>;

namespace {

struct languages {
  std::vector<fm> x;                           // K spaces
  std::vector<dm> q;                           // x[l] row perm[l][i] = cloud row i times q[l] (+ noise)
  std::vector<std::vector<std::size_t>> perm;  // perm[l][i] = row of cloud word i in language l
};

dm random_orthogonal(std::size_t d, std::mt19937& gen) {
  std::normal_distribution<double> nd;
  dm r(d, d);
  for (std::size_t i = 0; i < d * d; ++i) r.data()[i] = nd(gen);
  return ml::nearest_orthogonal(r);
}

languages make_languages(std::size_t K, std::size_t n, std::size_t d, double sigma, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> nf;
  fm cloud(n, d);
  for (std::size_t i = 0; i < n * d; ++i) cloud.data()[i] = nf(gen);
  ml::normalize_embeddings(cloud, ml::normalization::both);
  languages L;
  std::normal_distribution<double> noise(0.0, sigma > 0 ? sigma : 1.0);  // unused when sigma is 0
  for (std::size_t l = 0; l < K; ++l) {
    L.q.push_back(l == 0 ? dm(d, d, 0.0) : random_orthogonal(d, gen));
    if (l == 0)
      for (std::size_t i = 0; i < d; ++i) L.q[0](i, i) = 1.0;
    std::vector<std::size_t> p(n);
    std::iota(p.begin(), p.end(), std::size_t{0});
    // Keep the first 10 words in place (a frequency-ordered head), shuffle the rest.
    std::shuffle(p.begin() + 10, p.end(), gen);
    const fm m = ml::apply_map(cloud, L.q[l]);
    fm x(n, d);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < d; ++k) x(p[i], k) = static_cast<float>(m(i, k) + (sigma > 0 ? noise(gen) : 0.0));
    L.x.push_back(std::move(x));
    L.perm.push_back(std::move(p));
  }
  return L;
}

// P@1 of l1 -> l2 by nearest neighbour in the shared space.
double shared_space_bli(const languages& L, const ml::multi_mapping_result& r, std::size_t l1, std::size_t l2) {
  const fm a = ml::apply_map(L.x[l1], r.w[l1]), b = ml::apply_map(L.x[l2], r.w[l2]);
  const auto k = ml::knn(a, b, {.k = 1});
  const std::size_t n = L.perm[l1].size();
  std::size_t ok = 0;
  for (std::size_t i = 0; i < n; ++i) ok += k.index(L.perm[l1][i], 0) == L.perm[l2][i];
  return double(ok) / double(n);
}

ml::multi_mapping_result supervised_hub(const languages& L) {
  std::vector<ml::row_pairs> seeds(L.x.size());
  for (std::size_t l = 1; l < L.x.size(); ++l)
    for (std::size_t i = 0; i < 12; ++i) seeds[l].emplace_back(L.perm[l][i], L.perm[0][i]);
  return ml::hub_map_supervised(L.x, 0, seeds, {.iterations = 2});
}

}  // namespace

TEST_CASE("hub maps (supervised and unsupervised) reach BLI 100 % between every pair", "[multilingual][multi]") {
  const languages L = make_languages(3, 60, 6, 0.005, 7);
  const auto sup = supervised_hub(L);
  const auto uns = ml::hub_map(
      L.x, 0,
      {.gw_words = 60,
       .gw = {.max_iterations = 10, .inner = {.epsilon = 5e-2, .method = lexalign::ot::sinkhorn_method::log, .tolerance = 1e-4}},
       .wp_words = 60, .batch = 30, .epochs = 1, .iterations = 3, .refinement = {.iterations = 2, .max_rank = 60}});
  for (const auto* r : {&sup, &uns}) {
    REQUIRE(r->w.size() == 3);
    for (std::size_t a = 0; a < 3; ++a)
      for (std::size_t b = 0; b < 3; ++b)
        if (a != b) CHECK(shared_space_bli(L, *r, a, b) == 1.0);
    // The maps into the hub are the true rotations' relative maps: W_l = Q_l^T.
    for (std::size_t l = 1; l < 3; ++l)
      for (std::size_t i = 0; i < 6; ++i)
        for (std::size_t j = 0; j < 6; ++j) CHECK(r->w[l](i, j) == Approx(L.q[l](j, i)).margin(0.02));
  }
  // The supervised hub reports each language's refinement under "hub.<l>",
  // and a stop ends the call at the first language.
  std::vector<ml::row_pairs> seeds(3);
  for (std::size_t l = 1; l < 3; ++l)
    for (std::size_t i = 0; i < 12; ++i) seeds[l].emplace_back(L.perm[l][i], L.perm[0][i]);
  std::vector<std::string> stages;
  auto record = [&](const lexalign::iteration_event& e) {
    stages.emplace_back(e.stage);
    return lexalign::observer_action::proceed;
  };
  const auto watched = ml::hub_map_supervised(L.x, 0, seeds, {.iterations = 2}, record);
  REQUIRE_FALSE(stages.empty());
  CHECK(stages.front().starts_with("hub.1."));
  CHECK(stages.back().starts_with("hub.2."));
  REQUIRE(watched.w[2].size() == sup.w[2].size());  // observing changes nothing
  CHECK(std::equal(watched.w[2].data(), watched.w[2].data() + sup.w[2].size(), sup.w[2].data()));
  auto stop = [](const lexalign::iteration_event&) { return lexalign::observer_action::stop; };
  const auto stopped = ml::hub_map_supervised(L.x, 0, seeds, {.iterations = 2}, stop);
  CHECK(stopped.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(stopped.w.size() == 2);  // the hub and language 1
}

TEST_CASE("barycenter of exact rotated copies is the common cloud; one Procrustes step onto it (closed form)", "[multilingual][multi]") {
  const languages L = make_languages(3, 40, 5, 0.0, 11);
  // True maps back to the cloud: W_l = Q_l^T.
  std::vector<dm> w(3);
  for (std::size_t l = 0; l < 3; ++l) {
    w[l] = dm(5, 5);
    for (std::size_t i = 0; i < 5; ++i)
      for (std::size_t j = 0; j < 5; ++j) w[l](i, j) = L.q[l](j, i);
  }
  const auto r = ml::barycenter_map(L.x, w, {.words = 40, .iterations = 1});
  // Every mapped language equals the cloud (language 0's rows), so the
  // barycenter support is the cloud itself and the maps do not move.
  REQUIRE(r.support.rows() == 40);
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t c = 0; c < 5; ++c) CHECK(r.support(i, c) == Approx(L.x[0](i, c)).margin(1e-5));
  for (std::size_t l = 0; l < 3; ++l)
    for (std::size_t i = 0; i < 25; ++i) CHECK(r.w[l].data()[i] == Approx(w[l].data()[i]).margin(1e-5));
  CHECK(r.convergence.converged());
}

TEST_CASE("barycenter mean language from hub maps: shared space and composed couplings translate every pair", "[multilingual][multi]") {
  const languages L = make_languages(4, 50, 6, 0.01, 13);
  const auto hub = supervised_hub(L);
  std::vector<std::string> stages;
  auto obs = [&](const lexalign::iteration_event& ev) {
    if (stages.empty() || stages.back() != ev.stage) stages.emplace_back(ev.stage);
  };
  const auto r = ml::barycenter_map(L.x, hub.w, {.words = 50, .iterations = 3}, obs);
  CHECK(r.convergence.ok());
  CHECK(r.convergence.iterations >= 1);
  for (std::size_t a = 0; a < 4; ++a)
    for (std::size_t b = 0; b < 4; ++b) {
      if (a == b) continue;
      CHECK(shared_space_bli(L, r, a, b) == 1.0);
      const auto t = ml::composed_translation(r, a, b);
      REQUIRE(t.size() == 50);
      std::size_t ok = 0;
      for (std::size_t i = 0; i < 50; ++i) ok += t[L.perm[a][i]] == L.perm[b][i];
      CHECK(ok == 50);
    }
  CHECK(std::find(stages.begin(), stages.end(), "barycenter_map.free_support_barycenter") != stages.end());
  CHECK(stages.back() == "barycenter_map.round");
}

TEST_CASE("transitivity: 1 for consistent maps, lower when a pivot is scrambled", "[multilingual][multi]") {
  const languages L = make_languages(3, 50, 6, 0.0, 17);
  const auto hub = supervised_hub(L);
  std::vector<fm> m;
  for (std::size_t l = 0; l < 3; ++l) m.push_back(ml::apply_map(L.x[l], hub.w[l]));
  CHECK(ml::transitivity(m[1], m[2], m[0], 50) == 1.0);
  CHECK(ml::transitivity(m[1], m[2], m[0], 50, ml::retrieval::nearest_neighbor) == 1.0);
  // Hand-made: x -> y direct agrees for 2 of 3 words through p.
  fm x(3, 2, 0.0f), p(3, 2, 0.0f), y(3, 2, 0.0f);
  const float xs[] = {1, 0, 0, 1, -1, 0}, ps[] = {1, 0, 0, 1, -1, 0.1f}, ys[] = {1, 0.1f, 0, 1, -0.2f, -1};
  std::copy(xs, xs + 6, x.data());
  std::copy(ps, ps + 6, p.data());
  std::copy(ys, ys + 6, y.data());
  // x0->y0, x1->y1, x2->y? : (-1,0) closest to y2 (-0.2,-1)? cos = 0.196 vs y0: -0.995, y1: 0 -> y2.
  // x2 -> p2 (-1, 0.1) -> y: cos to y1 = 0.0995, to y2 = 0.099...: y1 wins.
  CHECK(ml::transitivity(x, p, y, 3, ml::retrieval::nearest_neighbor) == Approx(2.0 / 3));
}

TEST_CASE("transitivity_all: every triple as brute force (nn) and as transitivity (csls)", "[multilingual][multi]") {
  // Unrelated random spaces, so that agreement is neither 0 nor 1.
  std::mt19937 gen(29);
  std::normal_distribution<float> nf;
  const std::size_t K = 4, n = 30, d = 5, words = 20;
  std::vector<fm> x(K, fm(n, d));
  for (auto& m : x)
    for (std::size_t i = 0; i < n * d; ++i) m.data()[i] = nf(gen);
  // Brute force: best b word (cosine, lowest index on ties) of each of a's first `words` words among b's first `words`.
  auto best = [&](const fm& a, const fm& b) {
    std::vector<std::size_t> out(words);
    for (std::size_t i = 0; i < words; ++i) {
      double top = -2;
      for (std::size_t j = 0; j < words; ++j) {
        double ab = 0, aa = 0, bb = 0;
        for (std::size_t c = 0; c < d; ++c) ab += double(a(i, c)) * b(j, c), aa += double(a(i, c)) * a(i, c), bb += double(b(j, c)) * b(j, c);
        const double cs = ab / std::sqrt(aa * bb);
        if (cs > top) top = cs, out[i] = j;
      }
    }
    return out;
  };
  const auto nn = ml::transitivity_all(x, {.words = words, .method = ml::retrieval::nearest_neighbor});
  const auto cs = ml::transitivity_all(x, {.words = words});
  REQUIRE(nn.languages == K);
  CHECK(nn.queries == std::vector<std::size_t>(K, words));
  std::vector<fm> head;
  for (const auto& m : x) {
    fm h(words, d);
    std::copy_n(m.data(), words * d, h.data());
    head.push_back(std::move(h));
  }
  double sum = 0;
  for (std::size_t a = 0; a < K; ++a)
    for (std::size_t p = 0; p < K; ++p)
      for (std::size_t b = 0; b < K; ++b) {
        if (a == p || p == b || a == b) {
          CHECK(std::isnan(nn(a, p, b)));
          continue;
        }
        const auto ab = best(x[a], x[b]), ap = best(x[a], x[p]), pb = best(x[p], x[b]);
        std::size_t agree = 0;
        for (std::size_t i = 0; i < words; ++i) agree += ab[i] == pb[ap[i]];
        CHECK(nn(a, p, b) == double(agree) / double(words));
        sum += nn(a, p, b);
        CHECK(cs(a, p, b) == ml::transitivity(head[a], head[p], head[b], words));
      }
  CHECK(nn.mean() == Approx(sum / 24));
  CHECK(nn.mean_over_pivots(0, 1) == Approx((nn(0, 2, 1) + nn(0, 3, 1)) / 2));
  // words = 0: every row.
  const auto all = ml::transitivity_all(x, {.words = 0});
  CHECK(all(1, 2, 3) == ml::transitivity(x[1], x[2], x[3], n));
  CHECK_THROWS_AS(ml::transitivity_all({x[0], x[1]}), lexalign::invalid_argument);
}

TEST_CASE("K-space errors", "[multilingual][multi][errors]") {
  const languages L = make_languages(2, 20, 4, 0.0, 3);
  CHECK_THROWS_AS(ml::hub_map({L.x[0]}, 0), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::hub_map(L.x, 5), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::barycenter_map(L.x, {dm(4, 4, 0.0)}), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::barycenter_map(L.x, {dm(4, 4, 0.0), dm(4, 4, 0.0)}, {.iterations = 0}), lexalign::invalid_option);
  std::vector<fm> bad = L.x;
  bad[1] = fm(20, 3, 0.0f);
  CHECK_THROWS_AS(ml::hub_map_supervised(bad, 0, {{}, {}}), lexalign::invalid_argument);
}
