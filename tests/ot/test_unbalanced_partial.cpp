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

TEST_CASE("sinkhorn_into, partial_into and sinkhorn_unbalanced_into reuse the result: no allocation when warm",
          "[ot][unbalanced][partial][allocations]") {
  // Workspace and result both draw from one counting resource; after a warm
  // call at the largest size, whole calls (setup, iterations, plan,
  // potentials) allocate nothing, and the results equal the allocating
  // overloads' bit for bit.
  using pmr_alloc = std::pmr::polymorphic_allocator<double>;
  auto make = [](std::size_t m, std::size_t n, unsigned seed) {
    lexalign::dense_matrix<double> C(m, n);
    std::vector<double> a(m), b(n);
    unsigned x = seed;
    auto next = [&] { return ((x = x * 1103515245u + 12345u) >> 8 & 0xffff) / 65536.0; };
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) C(i, j) = next();
    double sa = 0, sb = 0;
    for (auto& v : a) sa += (v = 0.2 + next());
    for (auto& v : b) sb += (v = 0.2 + next());
    for (auto& v : b) v *= sa / sb;  // equal masses for the balanced solver
    return std::tuple{C, a, b};
  };
  const auto [Cb, ab, bb] = make(12, 9, 1);
  const auto [Cs, as, bs] = make(5, 7, 2);
  const ot::sinkhorn_options so{.epsilon = 0.1, .method = ot::sinkhorn_method::log, .max_iterations = 200};
  const ot::sinkhorn_options ss{.epsilon = 0.2, .max_iterations = 200};
  const ot::unbalanced_options uo{.sinkhorn = so, .marginal_relaxation = 0.5};
  const ot::partial_options po{.epsilon = 0.1, .mass = 0.5, .max_iterations = 200};
  lexalign::test::counting_resource res;
  ot::entropic_workspace<double, pmr_alloc> ws(&res);
  ot::ot_result<double, pmr_alloc> r{std::vector<double, pmr_alloc>(&res), std::vector<double, pmr_alloc>(&res),
                                     lexalign::dense_matrix<double, pmr_alloc>(pmr_alloc(&res)), 0.0, {}};
  auto all = [&](const auto& C, const auto& a, const auto& b, auto&& check) {
    ot::sinkhorn_into(a, b, C, so, ws, r);
    check(ot::sinkhorn(a, b, C, so));
    ot::sinkhorn_into(a, b, C, ss, ws, r);
    check(ot::sinkhorn(a, b, C, ss));
    ot::sinkhorn_unbalanced_into(a, b, C, uo, ws, r);
    check(ot::sinkhorn_unbalanced(a, b, C, uo));
    ot::partial_into(a, b, C, po, ws, r);
    check(ot::partial(a, b, C, po));
  };
  auto same = [&](const auto& fresh) {
    CHECK(r.convergence.status == fresh.convergence.status);
    CHECK(r.convergence.iterations == fresh.convergence.iterations);
    CHECK(std::vector<double>(r.f.begin(), r.f.end()) == fresh.f);
    CHECK(std::vector<double>(r.g.begin(), r.g.end()) == fresh.g);
    CHECK(r.plan.rows() == fresh.plan.rows());
    CHECK(r.plan.cols() == fresh.plan.cols());
    CHECK(std::vector<double>(r.plan.data(), r.plan.data() + r.plan.size()) ==
          std::vector<double>(fresh.plan.data(), fresh.plan.data() + fresh.plan.size()));
    CHECK(r.cost == fresh.cost);
  };
  all(Cb, ab, bb, same);  // warm up at the largest size (and compare)
  const auto before = res.allocations();
  all(Cs, as, bs, [](const auto&) {});
  all(Cb, ab, bb, [](const auto&) {});
  CHECK(res.allocations() == before);
  all(Cs, as, bs, same);  // a smaller problem in the warm buffers: same answers
  // return_plan = false leaves the plan empty; warm start from r's own potentials.
  ot::sinkhorn_options np = so;
  np.return_plan = false;
  ot::sinkhorn_into(ab, bb, Cb, np, ws, r);
  CHECK(r.plan.size() == 0);
  const auto cold = ot::sinkhorn(ab, bb, Cb, so);
  ot::sinkhorn_options warm = so;
  warm.initial_f = cold.f;
  warm.initial_g = cold.g;
  ot::sinkhorn_into(ab, bb, Cb, so, ws, r);
  warm.initial_f = r.f;  // aliasing r's own potentials
  warm.initial_g = r.g;
  ot::sinkhorn_into(ab, bb, Cb, warm, ws, r);
  CHECK(r.convergence.converged());
  CHECK(r.convergence.iterations <= so.check_every);
  CHECK(max_abs_diff(std::vector<double>(r.f.begin(), r.f.end()), cold.f) < 1e-6);
}
