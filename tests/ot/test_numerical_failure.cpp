// Numerical failure is reported one way: a scaling form that cannot start
// (its kernel exp(-C / epsilon) underflows on a whole row or column) is an
// invalid_argument that says to raise epsilon or use the log method; a
// non-finite value during the iterations is status numerical_error with the
// last finite iterate (never -inf potentials with cost 0).  The iteration
// driver itself is tested here with a synthetic policy.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "lexalign/ot/barycenter.hpp"
#include "lexalign/ot/detail/iteration_driver.hpp"
#include "lexalign/ot/gromov_wasserstein.hpp"
#include "lexalign/ot/partial.hpp"
#include "lexalign/ot/sinkhorn.hpp"
#include "lexalign/ot/unbalanced.hpp"
#include "ot_test_util.hpp"
#include "support/catch.hpp"

namespace ot = lexalign::ot;
using lexalign::solver_status;

namespace {
lexalign::dense_matrix<double> uniform_cost(std::size_t m, std::size_t n, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, hi);
  lexalign::dense_matrix<double> c(m, n);
  for (std::size_t k = 0; k < m * n; ++k) c.data()[k] = u(rng);
  return c;
}
}  // namespace

TEST_CASE("scaling sinkhorn with eps 1e-4 on costs in [0, 100]: a clear error, and the log method solves it",
          "[ot][numerical]") {
  const auto C = uniform_cost(20, 15, 100.0, 1);
  const auto a = ot_test::uniform(20), b = ot_test::uniform(15);
  // before: status numerical_error with f = -inf, an all-zero plan and cost 0
  CHECK_THROWS_AS(ot::sinkhorn(a, b, C, {.epsilon = 1e-4}), lexalign::invalid_argument);
  CHECK_THROWS_WITH(ot::sinkhorn(a, b, C, {.epsilon = 1e-4}),
                    Catch::Contains("underflows to 0") && Catch::Contains("(epsilon = 1e-04)") &&
                        Catch::Contains("raise epsilon or use sinkhorn_method::log"));
  CHECK_THROWS_WITH(ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = 1e-4}}),
                    Catch::StartsWith("sinkhorn_unbalanced: the kernel"));
  // the log domain has no kernel to underflow: finite potentials, a plan with exact column marginals
  const auto r = ot::sinkhorn(a, b, C, {.epsilon = 1e-4, .method = ot::sinkhorn_method::log, .epsilon_start = 10.0});
  CHECK(r.convergence.ok());
  for (double f : r.f) CHECK(std::isfinite(f));
  for (double g : r.g) CHECK(std::isfinite(g));
  CHECK(ot_test::max_abs_diff(ot_test::col_sums(r.plan), b) < 1e-12);
  CHECK(r.cost > 0);
}

TEST_CASE("partial with eps 1e-4: a clear error instead of an infeasible plan with status max_iterations",
          "[ot][numerical]") {
  // costs in [0, 1]: exp(-C / 1e-4) underflows wherever C > 0.075, whole rows included.  Before, Dykstra ran
  // on that truncated kernel and returned a plan violating P 1 <= a by 0.009 with status max_iterations.
  const auto C = uniform_cost(20, 15, 1.0, 7);
  const auto a = ot_test::uniform(20), b = ot_test::uniform(15, 0.7);
  CHECK_THROWS_WITH(ot::partial(a, b, C, {.epsilon = 1e-4, .mass = 0.5}),
                    Catch::StartsWith("partial: the kernel exp(-cost / epsilon) underflows to 0 on every entry of") &&
                        Catch::EndsWith("raise epsilon"));
  // a representable kernel: the constraints hold
  const auto r = ot::partial(a, b, C, {.epsilon = 1e-2, .mass = 0.5, .max_iterations = 100000, .tolerance = 1e-13});
  CHECK(r.convergence.converged());
  const auto rs = ot_test::row_sums(r.plan), cs = ot_test::col_sums(r.plan);
  for (std::size_t i = 0; i < 20; ++i) CHECK(rs[i] <= a[i] + 1e-12);
  for (std::size_t j = 0; j < 15; ++j) CHECK(cs[j] <= b[j] + 1e-12);
}

TEST_CASE("barycenter scaling form with an underflowing kernel is the same clear error", "[ot][numerical]") {
  const auto M = uniform_cost(6, 5, 100.0, 3);
  lexalign::dense_matrix<double> H(2, 5, 0.2);
  CHECK_THROWS_WITH(ot::barycenter(H, M, {.epsilon = 1e-4}),
                    Catch::StartsWith("barycenter: the kernel") &&
                        Catch::EndsWith("raise epsilon or use sinkhorn_method::log"));
  const auto r = ot::barycenter(H, M, {.epsilon = 1e-1, .method = ot::sinkhorn_method::log});
  CHECK(r.convergence.ok());
}

TEST_CASE("a warm start out of the scaling form's range is an error, not -inf potentials", "[ot][numerical]") {
  const auto C = ot_test::random_cost(6, 5, 2);
  const auto a = ot_test::uniform(6), b = ot_test::uniform(5);
  const std::vector<double> g0{0, 0, 50, 0, 0};  // exp(50 / 0.01) overflows
  CHECK_THROWS_WITH(ot::sinkhorn(a, b, C, {.epsilon = 0.01, .initial_g = g0}),
                    Catch::Contains("exp(initial_g[2] / epsilon) is not representable"));
  const auto r = ot::sinkhorn(a, b, C, {.epsilon = 0.01, .method = ot::sinkhorn_method::log, .initial_g = g0});
  CHECK(r.convergence.converged());
}

TEST_CASE("gromov_wasserstein: an inner problem that fails is numerical_error with the last finite plan",
          "[ot][numerical][gw]") {
  const std::size_t n = 5;
  lexalign::dense_matrix<double> C1(n, n), C2(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      C1(i, j) = std::abs(double(i) - double(j));
      C2(i, j) = std::pow(double(i) - double(j), 2);
    }
  const auto p = ot_test::uniform(n);
  // the first gradient spans ~1e3 and epsilon is 1e-3: its scaling kernel underflows on whole rows
  const auto r = ot::gromov_wasserstein(C1, C2, p, p, {.inner = {.epsilon = 1e-3, .method = ot::sinkhorn_method::scaling}});
  CHECK(r.convergence.status == solver_status::numerical_error);
  CHECK(r.convergence.iterations == 1);
  // the last finite iterate: the start p q^T, and its finite GW loss
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) CHECK(r.plan(i, j) == p[i] * p[j]);
  CHECK(std::isfinite(r.cost));
  CHECK(r.cost > 0);
  // the log domain solves the same problem
  const auto rl = ot::gromov_wasserstein(C1, C2, p, p, {.inner = {.epsilon = 1e-3, .method = ot::sinkhorn_method::log}});
  CHECK(rl.convergence.ok());
}

namespace {
// A synthetic policy: x_k = k after step k, error 1 / k, non-finite from step `bad` on (or a step that reports a
// failure / a stop at once).
struct toy_policy {
  std::size_t bad = 0, fail_at = 0, stop_at = 0;
  double x = 0, saved = -1;
  std::size_t k = 0, saves = 0;
  ot::detail::step_outcome step(bool) {
    ++k;
    x = (bad != 0 && k >= bad) ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(k);
    if (k == fail_at) return ot::detail::step_outcome::numerical_error;
    if (k == stop_at) return ot::detail::step_outcome::stopped;
    return ot::detail::step_outcome::proceed;
  }
  double error() const { return 1.0 / static_cast<double>(k); }
  bool finite() const { return std::isfinite(x); }
  void save() { saved = x, ++saves; }
  void restore() { x = saved; }
  double objective() const { return 2 * x; }
};
}  // namespace

TEST_CASE("the iteration driver: schedule, stopping, roll-back, observer", "[ot][driver]") {
  std::vector<lexalign::iteration_event> seen;
  auto obs = [&](const lexalign::iteration_event& e) { seen.push_back(e); };
  SECTION("checks every check_every and at the last iteration; max_iterations when the budget runs out") {
    toy_policy pol;
    const auto c = ot::detail::drive(pol, {"toy", 25, 0.0, 10}, obs);
    CHECK(c.status == solver_status::max_iterations);
    CHECK(c.iterations == 25);
    CHECK(c.error == 1.0 / 25);
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].iteration == 10);
    CHECK(seen[1].iteration == 20);
    CHECK(seen[2].iteration == 25);
    for (const auto& e : seen) {
      CHECK(e.stage == "toy");
      CHECK(e.max_iterations == 25);
      CHECK(e.objective == 2.0 * static_cast<double>(e.iteration));
    }
  }
  SECTION("converged when the error at a check is below the tolerance") {
    toy_policy pol;
    const auto c = ot::detail::drive(pol, {"toy", 1000, 0.03, 10}, obs);
    CHECK(c.status == solver_status::converged);
    CHECK(c.iterations == 40);  // 1/40 < 0.03, 1/30 is not
    CHECK(c.error == 1.0 / 40);
  }
  SECTION("a non-finite iterate rolls back to the last checked one") {
    toy_policy pol{.bad = 25};
    const auto c = ot::detail::drive(pol, {"toy", 100, 0.0, 10}, obs);
    CHECK(c.status == solver_status::numerical_error);
    CHECK(c.iterations == 30);  // found at the check of iteration 30
    CHECK(pol.x == 20.0);       // the iterate saved at iteration 20
    CHECK(c.error == 1.0 / 20); // the last finite error
    CHECK(seen.size() == 2);
  }
  SECTION("a failure before any check rolls back to the start") {
    toy_policy pol{.bad = 1};
    pol.x = 0.5;
    const auto c = ot::detail::drive(pol, {"toy", 100, 0.0, 10}, obs);
    CHECK(c.status == solver_status::numerical_error);
    CHECK(pol.x == 0.5);
    CHECK(std::isnan(c.error));
    CHECK(seen.empty());
  }
  SECTION("a step may end the run at once: failure (roll back) or a component's stop (keep)") {
    toy_policy pol{.fail_at = 13};
    auto c = ot::detail::drive(pol, {"toy", 100, 0.0, 10}, obs);
    CHECK(c.status == solver_status::numerical_error);
    CHECK(c.iterations == 13);
    CHECK(pol.x == 10.0);
    toy_policy pol2{.stop_at = 13};
    c = ot::detail::drive(pol2, {"toy", 100, 0.0, 10}, obs);
    CHECK(c.status == solver_status::stopped_by_observer);
    CHECK(c.iterations == 13);
    CHECK(pol2.x == 13.0);
  }
  SECTION("the observer's stop ends the run after the iteration it saw") {
    toy_policy pol;
    auto stop = [&](const lexalign::iteration_event& e) {
      return e.iteration >= 20 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
    };
    const auto c = ot::detail::drive(pol, {"toy", 100, 0.0, 10}, stop);
    CHECK(c.status == solver_status::stopped_by_observer);
    CHECK(c.iterations == 20);
    CHECK(pol.x == 20.0);
  }
}
