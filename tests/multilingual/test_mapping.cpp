// Two spaces: normalisation, supervised Procrustes with refinement, the
// Wasserstein-Procrustes step and the unsupervised GW mapping, on synthetic
// spaces that are a known orthogonal map (+ permutation, + noise) of one cloud.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "lexalign/multilingual/knn.hpp"
#include "lexalign/multilingual/mapping.hpp"
#include "lexalign/multilingual/unsupervised.hpp"
#include "support/catch.hpp"

namespace ml = lexalign::multilingual;
using fm = lexalign::dense_matrix<float>;
using dm = lexalign::dense_matrix<double>;

namespace {

fm gaussian(std::size_t n, std::size_t d, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> nd;
  fm m(n, d);
  for (std::size_t i = 0; i < n * d; ++i) m.data()[i] = nd(gen);
  return m;
}

dm random_orthogonal(std::size_t d, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> nd;
  dm r(d, d);
  for (std::size_t i = 0; i < d * d; ++i) r.data()[i] = nd(gen);
  return ml::nearest_orthogonal(r);
}

struct synthetic {
  fm x, z;                       // z row perm[i] = x row i mapped by q (+ noise)
  dm q;
  std::vector<std::size_t> perm;
};

// x: n unit vectors (centred, normalised); z = permuted rows of x q plus noise
// of standard deviation sigma per coordinate.
synthetic make_pair(std::size_t n, std::size_t d, double sigma, unsigned seed) {
  synthetic s;
  s.x = gaussian(n, d, seed);
  ml::normalize_embeddings(s.x, ml::normalization::both);
  s.q = random_orthogonal(d, seed + 1);
  s.perm.resize(n);
  std::iota(s.perm.begin(), s.perm.end(), std::size_t{0});
  std::mt19937 gen(seed + 2);
  std::shuffle(s.perm.begin(), s.perm.end(), gen);
  const fm xq = ml::apply_map(s.x, s.q);
  std::normal_distribution<double> nd(0.0, sigma > 0 ? sigma : 1.0);  // unused when sigma is 0
  s.z = fm(n, d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) s.z(s.perm[i], k) = static_cast<float>(xq(i, k) + (sigma > 0 ? nd(gen) : 0.0));
  return s;
}

double max_diff(const dm& a, const dm& b) {
  double w = 0;
  for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, std::abs(a.data()[i] - b.data()[i]));
  return w;
}

// Fraction of source rows whose nearest mapped neighbour is the true one.
double bli_at_1(const synthetic& s, const dm& w) {
  const fm mapped = ml::apply_map(s.x, w);
  const auto r = ml::knn(mapped, s.z, {.k = 1});
  std::size_t ok = 0;
  for (std::size_t i = 0; i < s.x.rows(); ++i) ok += r.index(i, 0) == s.perm[i];
  return double(ok) / double(s.x.rows());
}

}  // namespace

TEST_CASE("normalisations: centre, unit length, both in the reference's order", "[multilingual][normalize]") {
  fm x(3, 2);
  const float v[] = {1, 2, 3, 6, 5, 1};
  std::copy(v, v + 6, x.data());
  fm c = x;
  ml::normalize_embeddings(c, ml::normalization::center);  // mean (3, 3)
  CHECK(c(0, 0) == -2.0f);
  CHECK(c(1, 1) == 3.0f);
  CHECK(c(2, 1) == -2.0f);
  fm u = x;
  ml::normalize_embeddings(u, ml::normalization::unit);
  CHECK(u(1, 0) == Approx(3 / std::sqrt(45.0)));
  fm b = x;
  ml::normalize_embeddings(b, ml::normalization::both);  // centre first: (-2,-1) -> unit
  CHECK(b(0, 0) == Approx(-2 / std::sqrt(5.0)));
  CHECK(b(0, 1) == Approx(-1 / std::sqrt(5.0)));
  CHECK(b(1, 1) == Approx(1.0));
  fm t = x;
  ml::normalize_embeddings(t, ml::normalization::unit_center_unit);
  for (std::size_t i = 0; i < 3; ++i) CHECK(t(i, 0) * t(i, 0) + t(i, 1) * t(i, 1) == Approx(1.0));
  fm z(2, 2, 0.0f);
  ml::normalize_embeddings(z, ml::normalization::unit);  // zero rows stay zero
  CHECK(z(0, 0) == 0.0f);
}

TEST_CASE("nearest orthogonal matrix and one Wasserstein-Procrustes step against closed forms", "[multilingual][procrustes]") {
  // 2-D: R = I + t Q with Q the rotation by theta is r * Rot(phi),
  // phi = atan2(t sin theta, 1 + t cos theta); its nearest orthogonal matrix is Rot(phi).
  const double theta = 0.4, t = 0.7;
  const double c = std::cos(theta), s = std::sin(theta);
  fm x(2, 2, 0.0f), z(2, 2);
  x(0, 0) = x(1, 1) = 1.0f;
  z(0, 0) = float(c), z(0, 1) = float(-s), z(1, 0) = float(s), z(1, 1) = float(c);  // rows of Q
  dm w(2, 2, 0.0);
  w(0, 0) = w(1, 1) = 1.0;
  const std::size_t rows[] = {0, 1};
  ml::wasserstein_procrustes_step(x, z, rows, rows, t, w);
  const double phi = std::atan2(t * double(float(s)), 1 + t * double(float(c)));
  CHECK(w(0, 0) == Approx(std::cos(phi)).margin(1e-6));
  CHECK(w(0, 1) == Approx(-std::sin(phi)).margin(1e-6));
  CHECK(w(1, 0) == Approx(std::sin(phi)).margin(1e-6));
  // A batch given in the opposite order is matched back by the assignment.
  dm w2(2, 2, 0.0);
  w2(0, 0) = w2(1, 1) = 1.0;
  const std::size_t swapped[] = {1, 0};
  ml::wasserstein_procrustes_step(x, z, rows, swapped, t, w2);
  CHECK(max_diff(w, w2) < 1e-12);
}

TEST_CASE("supervised Procrustes recovers a rotation from a few pairs (closed form) and reaches BLI 100 %", "[multilingual][mapping]") {
  const synthetic s = make_pair(300, 10, 0.0, 21);
  ml::row_pairs seed;
  for (std::size_t i = 0; i < 20; ++i) seed.emplace_back(i, s.perm[i]);
  const auto plain = ml::refine_procrustes(s.x, s.z, seed, {.iterations = 0});
  CHECK(max_diff(plain.w, s.q) < 1e-5);  // noiseless: the closed form is Q itself
  CHECK(plain.residual < 1e-4);
  CHECK(plain.convergence.converged());
  CHECK(bli_at_1(s, plain.w) == 1.0);
}

TEST_CASE("refinement repairs a noisy seed dictionary on noisy spaces", "[multilingual][mapping]") {
  const synthetic s = make_pair(300, 10, 0.02, 31);
  ml::row_pairs seed;
  for (std::size_t i = 0; i < 40; ++i) seed.emplace_back(i, s.perm[i < 28 ? i : (i * 7 + 3) % 300]);  // 30 % wrong
  const auto plain = ml::refine_procrustes(s.x, s.z, seed, {.iterations = 0});
  const auto refined = ml::refine_procrustes(s.x, s.z, seed, {.iterations = 5, .max_rank = 300});
  CHECK(max_diff(refined.w, s.q) < max_diff(plain.w, s.q));
  CHECK(max_diff(refined.w, s.q) < 0.02);
  CHECK(bli_at_1(s, refined.w) == 1.0);
  CHECK(refined.convergence.iterations >= 1);
  CHECK(refined.dictionary.size() > 250);  // mutual neighbours cover most words
  std::size_t wrong = 0;
  for (auto [i, j] : refined.dictionary) wrong += s.perm[i] != j;
  CHECK(wrong == 0);
}

TEST_CASE("unsupervised GW + Wasserstein-Procrustes recovers rotation and permutation", "[multilingual][unsupervised]") {
  const synthetic s = make_pair(60, 6, 0.005, 41);
  std::vector<std::string> stages;
  auto obs = [&](const lexalign::iteration_event& ev) {
    if (stages.empty() || stages.back() != ev.stage) stages.emplace_back(ev.stage);
  };
  const auto r = ml::unsupervised_map(
      s.x, s.z,
      {.gw_words = 60,
       .gw = {.max_iterations = 10, .inner = {.epsilon = 5e-2, .method = lexalign::ot::sinkhorn_method::log, .tolerance = 1e-4}},
       .wp_words = 60, .batch = 30, .epochs = 2, .iterations = 5, .refinement = {.iterations = 3, .max_rank = 60}},
      obs);
  CHECK(r.gromov_wasserstein.ok());
  CHECK(r.gw_pairs.size() > 30);
  CHECK(max_diff(r.w, s.q) < 0.02);
  CHECK(bli_at_1(s, r.w) == 1.0);
  REQUIRE(!stages.empty());
  CHECK(stages.front().rfind("unsupervised.gromov_wasserstein", 0) == 0);
  CHECK(std::find(stages.begin(), stages.end(), "unsupervised.wasserstein_procrustes") != stages.end());
  CHECK(stages.back() == "unsupervised.refinement");
}

TEST_CASE("mapping errors", "[multilingual][mapping][errors]") {
  const fm a = gaussian(5, 3, 1), b = gaussian(5, 4, 2);
  CHECK_THROWS_AS(ml::refine_procrustes(a, b, {{0, 0}, {1, 1}}), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::refine_procrustes(a, a, {}), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::refine_procrustes(a, a, {{0, 9}}), lexalign::invalid_argument);
  CHECK_THROWS_AS(ml::refine_procrustes(a, a, {{0, 0}}, {.max_rank = 0}), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::unsupervised_map(a, a, {.batch = 0}), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::unsupervised_map(a, a, {.learning_rate = -1}), lexalign::invalid_option);
  CHECK_THROWS_AS(ml::unsupervised_map(a, b), lexalign::invalid_argument);
  const dm w(3, 3, 0.0);
  CHECK_THROWS_AS(ml::apply_map(b, w), lexalign::invalid_argument);
}
