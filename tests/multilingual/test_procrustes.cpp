// One-sided Jacobi SVD and orthogonal Procrustes.
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "lexalign/multilingual/procrustes.hpp"
#include "support/catch.hpp"

namespace ml = lexalign::multilingual;
using dm = lexalign::dense_matrix<double>;

namespace {
dm random_matrix(std::size_t r, std::size_t c, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> nd;
  dm m(r, c);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) m(i, j) = nd(gen);
  return m;
}
double orthogonality_error(const dm& q) {  // max |q^T q - I|
  double worst = 0;
  for (std::size_t a = 0; a < q.cols(); ++a)
    for (std::size_t b = 0; b < q.cols(); ++b) {
      double d = 0;
      for (std::size_t i = 0; i < q.rows(); ++i) d += q(i, a) * q(i, b);
      worst = std::max(worst, std::abs(d - (a == b ? 1.0 : 0.0)));
    }
  return worst;
}
}  // namespace

TEST_CASE("SVD reconstructs the matrix with orthonormal factors and sorted values", "[multilingual][svd]") {
  for (auto [m, n, seed] : {std::tuple{5u, 5u, 1u}, std::tuple{9u, 4u, 2u}, std::tuple{30u, 30u, 3u}, std::tuple{1u, 1u, 4u}}) {
    const dm a = random_matrix(m, n, seed);
    const auto r = ml::svd(a);
    CHECK(r.convergence.converged());
    CHECK(orthogonality_error(r.u) < 1e-12);
    CHECK(orthogonality_error(r.v) < 1e-12);
    for (std::size_t k = 0; k + 1 < n; ++k) CHECK(r.s[k] >= r.s[k + 1]);
    double worst = 0;
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        double acc = 0;
        for (std::size_t k = 0; k < n; ++k) acc += r.u(i, k) * r.s[k] * r.v(j, k);
        worst = std::max(worst, std::abs(acc - a(i, j)));
      }
    CHECK(worst < 1e-12 * std::max(1.0, r.s[0]));
  }
}

TEST_CASE("SVD of a known matrix and of a rank-deficient one", "[multilingual][svd]") {
  dm a(2, 2);
  a(0, 0) = 3;
  a(0, 1) = 0;
  a(1, 0) = 4;
  a(1, 1) = 5;  // singular values sqrt(45) and sqrt(5)
  auto r = ml::svd(a);
  CHECK(r.s[0] == Approx(std::sqrt(45.0)).epsilon(1e-14));
  CHECK(r.s[1] == Approx(std::sqrt(5.0)).epsilon(1e-14));
  dm b(3, 3, 0.0);  // rank 1: all rows equal (1 2 2), singular value 3*sqrt(3)
  for (std::size_t i = 0; i < 3; ++i) {
    b(i, 0) = 1;
    b(i, 1) = 2;
    b(i, 2) = 2;
  }
  r = ml::svd(b);
  CHECK(r.s[0] == Approx(3 * std::sqrt(3.0)).epsilon(1e-14));
  CHECK(r.s[1] == Approx(0.0).margin(1e-14));
  CHECK(orthogonality_error(r.u) < 1e-12);
  dm wide(2, 3);
  CHECK_THROWS_AS(ml::svd(wide), lexalign::invalid_argument);
}

TEST_CASE("Procrustes recovers a rotation from noisy pairs", "[multilingual][procrustes]") {
  const std::size_t d = 12, n = 200;
  const auto q = ml::svd(random_matrix(d, d, 7));
  dm rot(d, d, 0.0);  // a random orthogonal matrix u v^T
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j)
      for (std::size_t k = 0; k < d; ++k) rot(i, j) += q.u(i, k) * q.v(j, k);
  const dm x = random_matrix(n, d, 8), noise = random_matrix(n, d, 9);
  dm z(n, d, 0.0);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t j = 0; j < d; ++j) {
      for (std::size_t i = 0; i < d; ++i) z(k, j) += x(k, i) * rot(i, j);
      z(k, j) += 0.01 * noise(k, j);
    }
  const auto r = ml::procrustes(x, z);
  CHECK(orthogonality_error(r.w) < 1e-12);
  double worst = 0;
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) worst = std::max(worst, std::abs(r.w(i, j) - rot(i, j)));
  CHECK(worst < 5e-3);
  CHECK(r.residual < 0.01 * std::sqrt(double(n * d)) * 1.2);
  // 2-D: z = x rotated by 90 degrees exactly.
  dm x2(3, 2), z2(3, 2);
  const double pts[3][2] = {{1, 0}, {0, 2}, {3, 1}};
  for (std::size_t k = 0; k < 3; ++k) {
    x2(k, 0) = pts[k][0];
    x2(k, 1) = pts[k][1];
    z2(k, 0) = -pts[k][1];
    z2(k, 1) = pts[k][0];
  }
  const auto r2 = ml::procrustes(x2, z2);
  CHECK(r2.w(0, 0) == Approx(0).margin(1e-14));
  CHECK(r2.w(0, 1) == Approx(1).epsilon(1e-14));
  CHECK(r2.w(1, 0) == Approx(-1).epsilon(1e-14));
  CHECK(r2.residual == Approx(0).margin(1e-13));
  CHECK_THROWS_AS(ml::procrustes(x2, dm(3, 3)), lexalign::invalid_argument);
}

TEST_CASE("svd and procrustes options are validated; inputs checked through lexalign::validation",
          "[multilingual][validate]") {
  using Catch::Matchers::Equals;
  using Catch::Matchers::StartsWith;
  const double nan_v = std::nan("");
  const dm a = random_matrix(4, 3, 5);
  CHECK_NOTHROW(validate(ml::svd_options{}));
  CHECK_NOTHROW(validate(ml::svd_options{.tolerance = 0}));
  const std::pair<ml::svd_options, std::string> bad[] = {
      {{.max_sweeps = 0}, "svd_options.max_sweeps must be >= 1 (got 0)"},
      {{.tolerance = nan_v}, "svd_options.tolerance must be in [0, 1) (got nan)"},
      {{.tolerance = -1e-16}, "svd_options.tolerance must be in [0, 1) (got -1e-16)"},
      {{.tolerance = 1.0}, "svd_options.tolerance must be in [0, 1) (got 1)"},
      {{.tolerance = INFINITY}, "svd_options.tolerance must be in [0, 1) (got inf)"},
  };
  for (const auto& [opt, message] : bad) {
    INFO(message);
    CHECK_THROWS_AS(validate(opt), lexalign::invalid_option);
    CHECK_THROWS_WITH(validate(opt), Equals(message));
    CHECK_THROWS_WITH(ml::svd(a, opt), Equals(message));
    // procrustes_options nests svd_options and validates them.
    CHECK_THROWS_WITH(validate(ml::procrustes_options{.svd = opt}), Equals(message));
    CHECK_THROWS_AS(ml::procrustes(a, a, {.svd = opt}), lexalign::invalid_option);
  }
  try {
    ml::svd(a, {.max_sweeps = 0});
    FAIL("no exception");
  } catch (const lexalign::invalid_option& e) {
    CHECK(e.option() == "svd_options.max_sweeps");
  }
  dm b = a;
  b(2, 1) = nan_v;
  CHECK_THROWS_WITH(ml::svd(b), Equals("a(2, 1) is NaN"));
  CHECK_THROWS_WITH(ml::procrustes(b, a), Equals("x(2, 1) is NaN"));
  b(2, 1) = -INFINITY;
  CHECK_THROWS_WITH(ml::procrustes(a, b), Equals("z(2, 1) is infinite"));
  CHECK_THROWS_WITH(ml::procrustes(a, dm(4, 2)), Equals("z is 4 x 2 but x is 4 x 3"));
  CHECK_THROWS_WITH(ml::procrustes(dm(0, 3), dm(0, 3)), Equals("x is empty (0 x 3)"));
  CHECK_THROWS_WITH(ml::svd(dm(2, 3)), StartsWith("a is 2 x 3 but svd needs"));
}

TEST_CASE("svd and procrustes report every sweep to the observer; a stop ends the call", "[multilingual][observer]") {
  const dm a = random_matrix(20, 8, 11);
  const auto plain = ml::svd(a);
  REQUIRE(plain.convergence.converged());
  REQUIRE(plain.convergence.iterations >= 3);
  std::vector<std::string> stages;
  std::vector<lexalign::iteration_event> events;
  auto record = [&](const lexalign::iteration_event& ev) {
    stages.emplace_back(ev.stage);
    events.push_back(ev);
  };
  const auto r = ml::svd(a, {}, record);
  CHECK(r.convergence == plain.convergence);
  CHECK(r.s == plain.s);
  REQUIRE(events.size() == r.convergence.iterations);
  for (std::size_t k = 0; k < events.size(); ++k) {
    CHECK(stages[k] == "svd");
    CHECK(events[k].iteration == k + 1);
    CHECK(events[k].max_iterations == 60);
  }
  CHECK(events.back().error == r.convergence.error);

  // Inside procrustes the stage is prefixed.
  stages.clear();
  events.clear();
  const auto p = ml::procrustes(a, random_matrix(20, 8, 12), {}, record);
  REQUIRE(!stages.empty());
  CHECK(stages.size() == p.convergence.iterations);
  for (const auto& s : stages) CHECK(s == "procrustes.svd");

  // A stop before convergence.
  const auto stopped = ml::svd(a, {}, [](const lexalign::iteration_event&) { return lexalign::observer_action::stop; });
  CHECK(stopped.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(stopped.convergence.iterations == 1);
  CHECK(stopped.convergence.error > 1e-15);  // not orthogonal yet
}
