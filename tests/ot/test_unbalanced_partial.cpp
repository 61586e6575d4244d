// Unbalanced (KL) and partial entropic OT against POT 0.8.2 and closed forms.
#include <cmath>
#include <memory_resource>
#include <vector>

#include "lexalign/ot/partial.hpp"
#include "lexalign/ot/unbalanced.hpp"
#include "ot_test_util.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"
#include "support/fixture.hpp"

namespace ot = lexalign::ot;
using lexalign::test::fixture;
using lexalign::test::fixture_path;
using ot_test::max_abs_diff;

TEST_CASE("sinkhorn_unbalanced matches POT (scaling and log, f64 and f32)", "[ot][unbalanced]") {
  fixture fx(fixture_path("ot/unbalanced.txt"));
  const auto M = ot_test::to_matrix<double>(fx.array("M"));
  const auto a = fx.array("a").as_vector<double>();
  const auto b = fx.array("b").as_vector<double>();
  const double eps = fx.scalar("epsilon"), tau = fx.scalar("tau");
  const auto P = fx.array("plan");
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto r = ot::sinkhorn_unbalanced(
        a, b, M, {.sinkhorn = {.epsilon = eps, .method = method, .max_iterations = 100000, .tolerance = 1e-13}, .marginal_relaxation = tau});
    CHECK(r.convergence.converged());
    // potentials are unique here (no gauge freedom)
    CHECK(max_abs_diff(r.f, fx.array("f").values) < 1e-10);
    CHECK(max_abs_diff(r.g, fx.array("g").values) < 1e-10);
    CHECK(max_abs_diff(std::vector<double>(r.plan.data(), r.plan.data() + r.plan.size()), P.values) < 1e-11);
    CHECK(std::abs(r.cost - fx.scalar("cost")) < 1e-11);
  }
  const auto Mf = ot_test::to_matrix<float>(fx.array("M"));
  const auto rf = ot::sinkhorn_unbalanced(fx.array("a").as_vector<float>(), fx.array("b").as_vector<float>(), Mf,
                                          {.sinkhorn = {.epsilon = eps, .method = ot::sinkhorn_method::log, .tolerance = 1e-6},
                                           .marginal_relaxation = tau});
  CHECK(rf.convergence.converged());
  CHECK(max_abs_diff(rf.f, fx.array("f").values) < 1e-5);
  CHECK(std::abs(rf.cost - fx.scalar("cost")) < 1e-5);
}

TEST_CASE("sinkhorn_unbalanced closed form: one point each", "[ot][unbalanced]") {
  // With m = n = 1 the plan is a scalar p minimising POT's objective
  // p c + eps (p log p - p) + tau (p log(p/a) - p + a) + tau (p log(p/b) - p + b):
  // log p = (tau log a + tau log b - c) / (eps + 2 tau).
  // a b != 1 here, so an entropy taken against a b^T (an extra eps log(ab)
  // in the numerator) would fail this test.
  lexalign::dense_matrix<double> C(1, 1, 0.3);
  std::vector<double> a{0.25}, b{0.5};
  const double eps = 0.1, tau = 0.4;
  const double expect = std::exp((tau * std::log(0.25) + tau * std::log(0.5) - 0.3) / (eps + 2 * tau));
  const double kl_to_ab = std::exp((eps * std::log(0.125) + tau * std::log(0.25) + tau * std::log(0.5) - 0.3) / (eps + 2 * tau));
  REQUIRE(std::abs(expect - kl_to_ab) > 1e-2);
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto r = ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = eps, .method = method, .tolerance = 1e-14}, .marginal_relaxation = tau});
    CHECK(r.convergence.converged());
    CHECK(r.plan(0, 0) == Approx(expect).epsilon(1e-10));
  }
}

TEST_CASE("sinkhorn_unbalanced with large tau approaches balanced sinkhorn", "[ot][unbalanced]") {
  const auto C = ot_test::random_cost(12, 9, 11);
  const auto a = ot_test::uniform(12), b = ot_test::uniform(9);
  const auto bal = ot::sinkhorn(a, b, C, {.epsilon = 0.1, .tolerance = 1e-12});
  const auto unb = ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = 0.1, .max_iterations = 100000, .tolerance = 1e-12}, .marginal_relaxation = 1e6});
  CHECK(std::abs(unb.cost - bal.cost) < 1e-5);
}

TEST_CASE("partial matches POT's entropic_partial_wasserstein", "[ot][partial]") {
  fixture fx(fixture_path("ot/partial.txt"));
  const auto M = ot_test::to_matrix<double>(fx.array("M"));
  const auto a = fx.array("a").as_vector<double>();
  const auto b = fx.array("b").as_vector<double>();
  const double mass = fx.scalar("mass");
  const auto r = ot::partial(a, b, M, {.epsilon = fx.scalar("epsilon"), .mass = mass, .max_iterations = 100000, .tolerance = 1e-14});
  CHECK(r.convergence.converged());
  const auto P = fx.array("plan");
  CHECK(max_abs_diff(std::vector<double>(r.plan.data(), r.plan.data() + r.plan.size()), P.values) < 1e-9);
  // constraints, checked directly
  double total = 0;
  for (std::size_t k = 0; k < r.plan.size(); ++k) total += r.plan.data()[k];
  CHECK(total == Approx(mass).epsilon(1e-10));
  const auto rs = ot_test::row_sums(r.plan), cs = ot_test::col_sums(r.plan);
  for (std::size_t i = 0; i < rs.size(); ++i) CHECK(rs[i] <= a[i] + 1e-10);
  for (std::size_t j = 0; j < cs.size(); ++j) CHECK(cs[j] <= b[j] + 1e-10);
  // float
  const auto rf = ot::partial(fx.array("a").as_vector<float>(), fx.array("b").as_vector<float>(), ot_test::to_matrix<float>(fx.array("M")),
                              {.epsilon = fx.scalar("epsilon"), .mass = mass, .tolerance = 1e-6});
  CHECK(max_abs_diff(std::vector<float>(rf.plan.data(), rf.plan.data() + rf.plan.size()), P.values) < 1e-5);
}

TEST_CASE("partial with the full mass of balanced marginals is balanced sinkhorn", "[ot][partial]") {
  const auto C = ot_test::random_cost(10, 8, 13);
  const auto a = ot_test::uniform(10), b = ot_test::uniform(8);
  const auto bal = ot::sinkhorn(a, b, C, {.epsilon = 0.1, .tolerance = 1e-13});
  const auto par = ot::partial(a, b, C, {.epsilon = 0.1, .max_iterations = 100000, .tolerance = 1e-13});
  CHECK(max_abs_diff(std::vector<double>(bal.plan.data(), bal.plan.data() + bal.plan.size()),
                     std::vector<double>(par.plan.data(), par.plan.data() + par.plan.size())) < 1e-9);
}

TEST_CASE("unbalanced and partial iterations allocate nothing", "[ot][allocation]") {
  const auto C = ot_test::random_cost(30, 20, 17);
  const auto a = ot_test::uniform(30), b = ot_test::uniform(20, 0.7);
  lexalign::test::counting_resource res;
  ot::entropic_workspace<double, std::pmr::polymorphic_allocator<double>> ws(&res);
  std::vector<std::size_t> seen;
  auto obs = [&](const lexalign::iteration_event&) { seen.push_back(res.allocations()); };
  ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = 0.05, .max_iterations = 50, .tolerance = 0}}, ws, obs);
  ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = 0.05, .method = ot::sinkhorn_method::log, .max_iterations = 50, .tolerance = 0}}, ws, obs);
  REQUIRE(seen.size() == 10);
  for (std::size_t k = 1; k < 5; ++k) CHECK(seen[k] == seen[0]);
  for (std::size_t k = 6; k < 10; ++k) CHECK(seen[k] == seen[5]);
  seen.clear();
  ot::partial(a, b, C, {.epsilon = 0.05, .mass = 0.5, .max_iterations = 50, .tolerance = 0}, ws, obs);
  REQUIRE(seen.size() == 5);
  for (auto s : seen) CHECK(s == seen[0]);
}
