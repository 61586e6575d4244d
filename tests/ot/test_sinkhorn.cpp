// Balanced Sinkhorn against POT 0.8.2 fixtures and independent checks.
#include <cmath>
#include <limits>
#include <memory_resource>
#include <vector>

#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/sinkhorn.hpp"
#include "ot_test_util.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"
#include "support/fixture.hpp"
#include "support/mdspan_like.hpp"

#ifdef LEXALIGN_HAVE_XTENSOR
#include <xtensor/xtensor.hpp>
#endif

namespace ot = lexalign::ot;
using lexalign::test::fixture;
using lexalign::test::fixture_path;
using ot_test::gauge;
using ot_test::max_abs_diff;

namespace {

template <class T>
void check_against_fixture(const fixture& fx, const lexalign::dense_matrix<T>& M, ot::sinkhorn_options o, double tol,
                           double cost_tol) {
  const auto a = fx.array("a").as_vector<double>();
  const auto b = fx.array("b").as_vector<double>();
  o.epsilon = fx.scalar("epsilon");
  const auto r = ot::sinkhorn(a, b, M, o);
  INFO("status " << lexalign::to_string(r.convergence.status) << " iterations " << r.convergence.iterations << " error " << r.convergence.error);
  CHECK(r.convergence.converged());
  auto [f, g] = gauge(r.f, r.g);
  CHECK(max_abs_diff(f, fx.array("f_gauge").values) < tol);
  CHECK(max_abs_diff(g, fx.array("g_gauge").values) < tol);
  CHECK(std::abs(r.cost - fx.scalar("cost")) < cost_tol);
  // marginals of the returned plan (independent of POT)
  CHECK(max_abs_diff(ot_test::row_sums(r.plan), a) < 10 * tol);
  CHECK(max_abs_diff(ot_test::col_sums(r.plan), b) < 10 * tol);
  CHECK(max_abs_diff(ot_test::row_sums(r.plan), fx.array("plan_row_sums").values) < 10 * tol);
  std::vector<double> row0(r.plan.cols());
  for (std::size_t j = 0; j < row0.size(); ++j) row0[j] = static_cast<double>(r.plan(0, j));
  CHECK(max_abs_diff(row0, fx.array("plan_row0").values) < 10 * tol);
}

}  // namespace

TEST_CASE("sinkhorn matches POT on a small rectangular problem (scaling and log, f64)", "[ot][sinkhorn]") {
  fixture fx(fixture_path("ot/sinkhorn_small.txt"));
  const auto M = ot_test::to_matrix<double>(fx.array("M"));
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    check_against_fixture(fx, M, {.method = method, .max_iterations = 100000, .tolerance = 1e-13}, 1e-9, 1e-10);
    auto full = fx.array("plan");
    const auto r = ot::sinkhorn(fx.array("a").values, fx.array("b").values, M,
                                {.epsilon = 0.1, .method = method, .max_iterations = 100000, .tolerance = 1e-13});
    for (std::size_t i = 0; i < full.rows; ++i)
      for (std::size_t j = 0; j < full.cols; ++j) CHECK(std::abs(r.plan(i, j) - full(i, j)) < 1e-11);
  }
}

TEST_CASE("sinkhorn matches POT on a medium point-cloud problem, cost built or never stored", "[ot][sinkhorn]") {
  fixture fx(fixture_path("ot/sinkhorn_medium.txt"));
  const auto x = ot_test::to_matrix<double>(fx.array("x"));
  const auto y = ot_test::to_matrix<double>(fx.array("y"));
  const double scale = fx.scalar("scale");
  const auto M = ot::cost_matrix(x, y, ot::cost_metric::sqeuclidean, scale);
  check_against_fixture(fx, M, {.max_iterations = 100000, .tolerance = 1e-13}, 1e-9, 1e-10);
  check_against_fixture(fx, M, {.method = ot::sinkhorn_method::log, .max_iterations = 100000, .tolerance = 1e-13}, 1e-9,
                        1e-10);
  // the lazily computed cost gives the same answer without an m x n cost
  ot::point_cloud_cost<double> lazy(x, y, ot::cost_metric::sqeuclidean, scale);
  const auto a = fx.array("a").as_vector<double>();
  const auto b = fx.array("b").as_vector<double>();
  const auto r1 = ot::sinkhorn(a, b, M, {.epsilon = 0.05, .method = ot::sinkhorn_method::log, .tolerance = 1e-12});
  const auto r2 = ot::sinkhorn(a, b, lazy, {.epsilon = 0.05, .method = ot::sinkhorn_method::log, .tolerance = 1e-12});
  CHECK(r1.convergence.iterations == r2.convergence.iterations);
  CHECK(max_abs_diff(r1.f, r2.f) < 1e-12);
  CHECK(std::abs(r1.cost - r2.cost) < 1e-12);
}

TEST_CASE("sinkhorn in float32 agrees with POT's float64 reference", "[ot][sinkhorn][float]") {
  fixture fx(fixture_path("ot/sinkhorn_medium.txt"));
  const auto x = ot_test::to_matrix<float>(fx.array("x"));
  const auto y = ot_test::to_matrix<float>(fx.array("y"));
  const auto M = ot::cost_matrix<float>(x, y, ot::cost_metric::sqeuclidean, fx.scalar("scale"));
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto a = fx.array("a").as_vector<float>();
    const auto b = fx.array("b").as_vector<float>();
    const auto r = ot::sinkhorn(a, b, M, {.epsilon = 0.05, .method = method, .tolerance = 1e-5});
    static_assert(std::is_same_v<decltype(r.plan(0, 0)), const float&>);
    CHECK(r.convergence.converged());
    auto [f, g] = gauge(r.f, r.g);
    CHECK(max_abs_diff(f, fx.array("f_gauge").values) < 2e-4);
    CHECK(max_abs_diff(g, fx.array("g_gauge").values) < 2e-4);
    CHECK(std::abs(r.cost - fx.scalar("cost")) < 1e-4);
  }
}

TEST_CASE("log-domain sinkhorn solves epsilon = 1e-3 with zero masses where scaling fails", "[ot][sinkhorn][hard]") {
  fixture fx(fixture_path("ot/sinkhorn_hard.txt"));
  const auto M = ot_test::to_matrix<double>(fx.array("M"));
  const auto a = fx.array("a").as_vector<double>();
  const auto b = fx.array("b").as_vector<double>();
  SECTION("log domain, with and without epsilon scaling") {
    for (double start : {0.0, 1.0}) {
      const auto r = ot::sinkhorn(a, b, M,
                                  {.epsilon = 1e-3, .method = ot::sinkhorn_method::log, .max_iterations = 200000,
                                   .tolerance = 1e-12, .epsilon_start = start});
      CHECK(r.convergence.converged());
      auto [f, g] = gauge(r.f, r.g);
      CHECK(max_abs_diff(f, fx.array("f_gauge").values) < 1e-8);
      CHECK(max_abs_diff(g, fx.array("g_gauge").values) < 1e-8);
      CHECK(std::abs(r.cost - fx.scalar("cost")) < 1e-9);
      for (std::size_t k = 0; k < r.plan.size(); ++k) REQUIRE(std::isfinite(r.plan.data()[k]));
      // zero-mass rows and columns carry nothing
      for (std::size_t j = 0; j < r.plan.cols(); ++j) CHECK(r.plan(3, j) == 0.0);
      for (std::size_t i = 0; i < r.plan.rows(); ++i) CHECK(r.plan(i, 5) == 0.0);
    }
  }
  SECTION("float32 log domain stays finite") {
    const auto Mf = ot_test::to_matrix<float>(fx.array("M"));
    const auto r = ot::sinkhorn(fx.array("a").as_vector<float>(), fx.array("b").as_vector<float>(), Mf,
                                {.epsilon = 1e-3, .method = ot::sinkhorn_method::log, .max_iterations = 20000,
                                 .tolerance = 1e-6, .epsilon_start = 1.0});
    CHECK(r.convergence.status != lexalign::solver_status::numerical_error);
    for (std::size_t k = 0; k < r.plan.size(); ++k) REQUIRE(std::isfinite(r.plan.data()[k]));
    for (float v : r.f) REQUIRE(std::isfinite(v));
    CHECK(std::abs(r.cost - fx.scalar("cost")) < 2e-3);
  }
  SECTION("scaling form: slow and not converged in 1000 iterations (like POT's), but finite") {
    CHECK(fx.scalar("pot_scaling_ok") == 0.0);
    const auto r = ot::sinkhorn(a, b, M, {.epsilon = 1e-3});
    CHECK(!r.convergence.converged());
    for (std::size_t k = 0; k < r.plan.size(); ++k) REQUIRE(std::isfinite(r.plan.data()[k]));
  }
}

TEST_CASE("log-domain sinkhorn stays finite where POT's sinkhorn_stabilized overflows", "[ot][sinkhorn][hard]") {
  fixture fx(fixture_path("ot/sinkhorn_overflow.txt"));
  CHECK(fx.scalar("pot_stabilized_finite") == 0.0);  // POT's stabilized method returned NaN here
  const auto M = ot_test::to_matrix<double>(fx.array("M"));
  const auto a = fx.array("a").as_vector<double>();
  const auto b = fx.array("b").as_vector<double>();
  for (double start : {0.0, 10.0}) {
    const auto r = ot::sinkhorn(a, b, M,
                                {.epsilon = 1e-3, .method = ot::sinkhorn_method::log, .max_iterations = 200000,
                                 .tolerance = 1e-12, .epsilon_start = start});
    CHECK(r.convergence.converged());
    for (std::size_t k = 0; k < r.plan.size(); ++k) REQUIRE(std::isfinite(r.plan.data()[k]));
    auto [f, g] = gauge(r.f, r.g);
    CHECK(max_abs_diff(f, fx.array("f_gauge").values) < 1e-8);
    CHECK(max_abs_diff(g, fx.array("g_gauge").values) < 1e-8);
    CHECK(std::abs(r.cost - fx.scalar("cost")) < 1e-8);
  }
}

TEST_CASE("a kernel that underflows is an invalid_argument for the scaling form, and fine in the log domain", "[ot][sinkhorn][hard]") {
  lexalign::dense_matrix<double> C(5, 4);
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 4; ++j) C(i, j) = 0.9 + 0.01 * static_cast<double>(i + 2 * j);
  const auto a = ot_test::uniform(5), b = ot_test::uniform(4);
  // exp(-900) == 0: the first scaling iteration would divide by 0
  CHECK_THROWS_WITH(ot::sinkhorn(a, b, C, {.epsilon = 1e-3}),
                    Catch::Contains("underflows to 0 on every entry of row 0") &&
                        Catch::Contains("raise epsilon or use sinkhorn_method::log"));
  const auto rl = ot::sinkhorn(a, b, C, {.epsilon = 1e-3, .method = ot::sinkhorn_method::log, .tolerance = 1e-12});
  CHECK(rl.convergence.converged());
  CHECK(ot_test::max_abs_diff(ot_test::row_sums(rl.plan), a) < 1e-12);
  CHECK(ot_test::max_abs_diff(ot_test::col_sums(rl.plan), b) < 1e-12);
}

TEST_CASE("sinkhorn closed forms", "[ot][sinkhorn]") {
  SECTION("one source point: the plan is b, f is the soft-min") {
    lexalign::dense_matrix<double> C(1, 3);
    C(0, 0) = 0.2;
    C(0, 1) = 0.5;
    C(0, 2) = 0.9;
    std::vector<double> a{1.0}, b{0.5, 0.3, 0.2};
    for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
      const auto r = ot::sinkhorn(a, b, C, {.epsilon = 0.1, .method = method});
      CHECK(r.convergence.converged());
      for (std::size_t j = 0; j < 3; ++j) CHECK(r.plan(0, j) == Approx(b[j]).epsilon(1e-12));
      CHECK(r.cost == Approx(0.5 * 0.2 + 0.3 * 0.5 + 0.2 * 0.9).epsilon(1e-12));
    }
  }
  SECTION("uniform cost: the plan is a b^T") {
    lexalign::dense_matrix<double> C(4, 5, 0.7);
    std::vector<double> a{0.1, 0.2, 0.3, 0.4}, b{0.3, 0.1, 0.2, 0.25, 0.15};
    const auto r = ot::sinkhorn(a, b, C, {.epsilon = 0.01});
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 5; ++j) CHECK(r.plan(i, j) == Approx(a[i] * b[j]).epsilon(1e-12));
    CHECK(r.cost == Approx(0.7).epsilon(1e-12));
  }
  SECTION("2 x 2 brute force: the plan minimises <P, C> + eps sum P log P over the one free parameter") {
    lexalign::dense_matrix<double> C(2, 2);
    C(0, 0) = 0.1;
    C(0, 1) = 0.8;
    C(1, 0) = 0.6;
    C(1, 1) = 0.3;
    std::vector<double> a{0.4, 0.6}, b{0.5, 0.5};
    const double eps = 0.2;
    auto objective = [&](double t) {  // P = [[t, 0.4 - t], [0.5 - t, 0.1 + t]]
      const double p[4] = {t, 0.4 - t, 0.5 - t, 0.1 + t};
      double o = 0;
      for (int k = 0; k < 4; ++k) o += p[k] * C.data()[k] + eps * p[k] * (std::log(p[k]) - 1);
      return o;
    };
    double lo = 1e-12, hi = 0.4 - 1e-12;  // ternary search on a strictly convex function
    for (int it = 0; it < 300; ++it) {
      const double m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;
      if (objective(m1) < objective(m2)) hi = m2;
      else lo = m1;
    }
    const auto r = ot::sinkhorn(a, b, C, {.epsilon = eps, .tolerance = 1e-14});
    CHECK(r.plan(0, 0) == Approx(0.5 * (lo + hi)).epsilon(1e-8));
  }
}

TEST_CASE("sinkhorn accepts any matrix type and gives identical results with 1 and 2 threads", "[ot][sinkhorn]") {
  const auto C = ot_test::random_cost(70, 90, 3);
  const auto a = ot_test::uniform(70), b = ot_test::uniform(90);
  const auto ref = ot::sinkhorn(a, b, C, {.epsilon = 0.05, .method = ot::sinkhorn_method::log});
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto r1 = ot::sinkhorn(a, b, C, {.epsilon = 0.05, .method = method, .parallel = {.threads = 1}});
    const auto r2 = ot::sinkhorn(a, b, C, {.epsilon = 0.05, .method = method, .parallel = {.threads = 2}});
    CHECK(r1.convergence.iterations == r2.convergence.iterations);
    CHECK(max_abs_diff(r1.f, r2.f) == 0.0);
    CHECK(max_abs_diff(r1.g, r2.g) == 0.0);
    CHECK(r1.cost == r2.cost);
    CHECK(std::abs(r1.cost - ref.cost) < 1e-9);
  }
  // a strided (column-major) mdspan-shaped view: copied once into the workspace
  std::vector<double> colmajor(70 * 90);
  for (std::size_t i = 0; i < 70; ++i)
    for (std::size_t j = 0; j < 90; ++j) colmajor[j * 70 + i] = C(i, j);
  lexalign::matrix_view<const double> cm(colmajor.data(), 70, 90, 1, 70);
  const auto r3 = ot::sinkhorn(a, b, cm, {.epsilon = 0.05, .method = ot::sinkhorn_method::log});
  CHECK(max_abs_diff(r3.f, ref.f) == 0.0);
#ifdef LEXALIGN_HAVE_XTENSOR
  xt::xtensor<double, 2> xc = xt::zeros<double>({70, 90});
  for (std::size_t i = 0; i < 70; ++i)
    for (std::size_t j = 0; j < 90; ++j) xc(i, j) = C(i, j);
  xt::xtensor<double, 1> xa = xt::zeros<double>({70});
  for (auto& v : xa) v = 1.0 / 70;
  const auto r4 = ot::sinkhorn(xa, b, xc, {.epsilon = 0.05, .method = ot::sinkhorn_method::log});
  CHECK(max_abs_diff(r4.f, ref.f) < 1e-15);
#endif
}

TEST_CASE("sinkhorn warm start, observer and iteration limit", "[ot][sinkhorn]") {
  const auto C = ot_test::random_cost(40, 30, 5);
  const auto a = ot_test::uniform(40), b = ot_test::uniform(30);
  const auto cold = ot::sinkhorn(a, b, C, {.epsilon = 0.02, .method = ot::sinkhorn_method::log});
  REQUIRE(cold.convergence.converged());
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto warm = ot::sinkhorn(a, b, C, {.epsilon = 0.02, .method = method, .initial_f = cold.f, .initial_g = cold.g});
    CHECK(warm.convergence.converged());
    CHECK(warm.convergence.iterations <= 10);
    CHECK(std::abs(warm.cost - cold.cost) < 1e-9);
  }
  std::size_t calls = 0;
  const auto stopped = ot::sinkhorn(a, b, C, {.epsilon = 0.02}, [&](const lexalign::iteration_event& ev) {
    ++calls;
    CHECK(ev.stage == "sinkhorn");
    return ev.iteration >= 20 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
  });
  CHECK(stopped.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(stopped.convergence.iterations == 20);
  CHECK(calls == 2);
  const auto capped = ot::sinkhorn(a, b, C, {.epsilon = 0.02, .max_iterations = 3});
  CHECK(capped.convergence.status == lexalign::solver_status::max_iterations);
  CHECK(capped.convergence.iterations == 3);
  CHECK(std::isfinite(capped.convergence.error));
  CHECK(capped.convergence.error > 0);
}

TEST_CASE("sinkhorn steady-state iterations allocate nothing", "[ot][sinkhorn][allocation]") {
  const auto C = ot_test::random_cost(50, 60, 7);
  const auto a = ot_test::uniform(50), b = ot_test::uniform(60);
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    lexalign::test::counting_resource res;
    ot::sinkhorn_workspace<double, std::pmr::polymorphic_allocator<double>> ws(&res);
    std::vector<std::size_t> seen;
    const auto r = ot::sinkhorn(a, b, C, {.epsilon = 0.01, .method = method, .max_iterations = 100, .tolerance = 0}, ws,
                                [&](const lexalign::iteration_event&) { seen.push_back(res.allocations()); });
    REQUIRE(seen.size() == 10);
    for (auto s : seen) CHECK(s == seen.front());
    CHECK(r.f.get_allocator().resource() == &res);
    // a second solve with the same workspace allocates only the result
    const auto before = res.allocations();
    const auto r2 = ot::sinkhorn(a, b, C, {.epsilon = 0.01, .method = method, .max_iterations = 100, .tolerance = 0}, ws);
    CHECK(res.allocations() - before <= 3);  // f, g, plan
    CHECK(r2.cost == r.cost);
  }
}

TEST_CASE("cost_matrix matches a direct computation; cosine metric", "[ot][cost]") {
  lexalign::dense_matrix<double> x(2, 2), y(3, 2);
  x(0, 0) = 1; x(0, 1) = 0; x(1, 0) = 0; x(1, 1) = 2;
  y(0, 0) = 1; y(0, 1) = 1; y(1, 0) = -1; y(1, 1) = 0; y(2, 0) = 0; y(2, 1) = 3;
  const auto sq = ot::cost_matrix(x, y);
  CHECK(sq(0, 0) == Approx(1.0));
  CHECK(sq(1, 1) == Approx(5.0));
  CHECK(sq(1, 2) == Approx(1.0));
  const auto cs = ot::cost_matrix(x, y, ot::cost_metric::cosine);
  CHECK(cs(0, 0) == Approx(1 - 1 / std::sqrt(2.0)));
  CHECK(cs(0, 1) == Approx(2.0));
  CHECK(cs(1, 2) == Approx(0.0).margin(1e-15));
  const auto eu = ot::cost_matrix(x, y, ot::cost_metric::euclidean);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(eu(i, j) == Approx(std::sqrt(sq(i, j))));
  const auto self = ot::cost_matrix(x, x, ot::cost_metric::euclidean);
  CHECK(self(1, 1) == 0.0);  // clamped at 0, no sqrt of a rounding -1e-17
}

TEST_CASE("which marginal of the returned plan is exact, and what convergence.error measures", "[ot][sinkhorn][docs]") {
  // A few iterations, far from convergence, so that the inexact marginal is visibly off.
  const auto C = ot_test::random_cost(30, 20, 31);
  std::vector<double> a(30), b(20);
  for (std::size_t i = 0; i < 30; ++i) a[i] = (1.0 + static_cast<double>(i % 3)) / 60.0;
  for (std::size_t j = 0; j < 20; ++j) b[j] = (1.0 + static_cast<double>(j % 4)) / 50.0;
  const double eps = 0.02;
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    INFO("method " << static_cast<int>(method));
    for (auto norm : {ot::marginal_norm::l1, ot::marginal_norm::l2, ot::marginal_norm::linf}) {
      const auto r = ot::sinkhorn(a, b, C, {.epsilon = eps, .method = method, .max_iterations = 7, .tolerance = 0, .norm = norm});
      REQUIRE(r.convergence.iterations == 7);
      // the column marginal of the returned plan is exact (the last update is the column update) ...
      CHECK(max_abs_diff(ot_test::col_sums(r.plan), b) < 1e-15);
      // ... its row marginal is not
      CHECK(max_abs_diff(ot_test::row_sums(r.plan), a) > 1e-6);
      // convergence.error = || P~^T 1 - b || of P~ = exp((f_7 + g_6 - C) / eps): the plan after the row update
      // of the last iteration (whose row marginal is exact), before its column update.
      const auto prev = ot::sinkhorn(a, b, C, {.epsilon = eps, .method = method, .max_iterations = 6, .tolerance = 0});
      std::vector<double> cs(20, 0.0), rs(30, 0.0);
      for (std::size_t i = 0; i < 30; ++i)
        for (std::size_t j = 0; j < 20; ++j) {
          const double p = std::exp((r.f[i] + prev.g[j] - C(i, j)) / eps);
          cs[j] += p;
          rs[i] += p;
        }
      CHECK(max_abs_diff(rs, a) < 1e-15);
      double e = 0;
      for (std::size_t j = 0; j < 20; ++j) {
        const double d = std::abs(cs[j] - b[j]);
        e = norm == ot::marginal_norm::l1 ? e + d : norm == ot::marginal_norm::l2 ? e + d * d : std::max(e, d);
      }
      if (norm == ot::marginal_norm::l2) e = std::sqrt(e);
      CHECK(r.convergence.error == Approx(e).epsilon(1e-9));
    }
  }
}

TEST_CASE("sinkhorn stage names: epsilon-scaling stages, then the method; iterations 1-based per stage", "[ot][sinkhorn][observer]") {
  const auto C = ot_test::random_cost(20, 15, 33);
  const auto a = ot_test::uniform(20), b = ot_test::uniform(15);
  std::vector<lexalign::iteration_event> ev;
  std::vector<std::string> names;
  const auto r = ot::sinkhorn(a, b, C, {.epsilon = 0.01, .method = ot::sinkhorn_method::log, .tolerance = 1e-12,
                                        .epsilon_start = 0.08, .stage_iterations = 20},
                              [&](const lexalign::iteration_event& e) {
                                ev.push_back(e);
                                names.emplace_back(e.stage);
                              });
  REQUIRE(r.convergence.converged());
  // stages at 0.08, 0.04, 0.02 (20 iterations each at most), then sinkhorn_log at 0.01
  std::size_t stages = 0, total = 0;
  for (std::size_t k = 0; k < ev.size(); ++k) {
    if (names[k] == "sinkhorn.epsilon_scaling") {
      CHECK(ev[k].max_iterations == 20);
      if (ev[k].iteration <= 10 && (k == 0 || ev[k - 1].iteration >= ev[k].iteration || names[k - 1] != names[k])) ++stages;
    } else {
      CHECK(names[k] == "sinkhorn_log");
      CHECK(ev[k].max_iterations == 1000);
      total = ev[k].iteration;
    }
  }
  CHECK(stages == 3);
  CHECK(names.back() == "sinkhorn_log");
  CHECK(total < r.convergence.iterations);  // the record adds the stages' iterations up
  // the scaling form names its events "sinkhorn"
  ot::sinkhorn(a, b, C, {.epsilon = 0.05}, [&](const lexalign::iteration_event& e) { CHECK(e.stage == "sinkhorn"); });
}
