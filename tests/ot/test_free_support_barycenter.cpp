// ot::free_support_barycenter against POT 0.8.2's
// ot.lp.free_support_barycenter, plus the policy, observer, memory and
// error behaviour.
#include <cmath>
#include <random>
#include <span>
#include <vector>

#include "lexalign/ot/free_support_barycenter.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"
#include "support/fixture.hpp"

namespace ot = lexalign::ot;
using lexalign::test::fixture;
using lexalign::test::fixture_path;

namespace {

struct measures {
  std::vector<lexalign::matrix_view<const double>> Y;
  std::vector<std::vector<double>> b;
};

measures load(const fixture& f, std::size_t L) {
  measures m;
  for (std::size_t l = 0; l < L; ++l) {
    m.Y.push_back(f.array("Y" + std::to_string(l)).view());
    m.b.push_back(f.array("b" + std::to_string(l)).as_vector());
  }
  return m;
}

}  // namespace

TEST_CASE("free-support barycenter matches POT with measure weights", "[free_support_barycenter][fixture]") {
  const fixture f(fixture_path("ot_exact/fsb_three.txt"));
  const auto m = load(f, 3);
  const auto lam = f.array("lambda").as_vector();
  const auto r = ot::free_support_barycenter(m.Y, m.b, f.array("X_init").view(),
                                             {.max_iterations = 100, .tolerance = 1e-7, .measure_weights = lam});
  CHECK(r.convergence.converged());
  const auto& X = f.array("X");
  REQUIRE(r.support.rows() == X.rows);
  for (std::size_t i = 0; i < X.rows; ++i)
    for (std::size_t c = 0; c < X.cols; ++c) CHECK(r.support(i, c) == Approx(X(i, c)).margin(1e-10));
}

TEST_CASE("free-support barycenter matches POT with barycenter weights", "[free_support_barycenter][fixture]") {
  const fixture f(fixture_path("ot_exact/fsb_weighted.txt"));
  const auto m = load(f, 2);
  const auto a = f.array("a").as_vector();
  const auto r = ot::free_support_barycenter(m.Y, m.b, f.array("X_init").view(), {.barycenter_weights = a});
  CHECK(r.convergence.converged());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(r.weights[i] == a[i]);
  const auto& X = f.array("X");
  for (std::size_t i = 0; i < X.rows; ++i)
    for (std::size_t c = 0; c < X.cols; ++c) CHECK(r.support(i, c) == Approx(X(i, c)).margin(1e-10));
}

TEST_CASE("barycenter of one measure with its own support is a fixed point", "[free_support_barycenter]") {
  // With k = n, uniform weights and X = Y, the identity plan is optimal and
  // the update keeps X.
  std::mt19937 rng(8);
  std::normal_distribution<double> N;
  lexalign::dense_matrix<double> Y(7, 3);
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t c = 0; c < 3; ++c) Y(i, c) = N(rng);
  const std::vector<lexalign::dense_matrix<double>> Ys{Y};
  const std::vector<std::vector<double>> bs{std::vector<double>(7, 1.0 / 7)};
  const auto r = ot::free_support_barycenter(Ys, bs, Y);
  CHECK(r.convergence.converged());
  CHECK(r.convergence.iterations == 1);
  CHECK(r.cost == Approx(0).margin(1e-15));
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t c = 0; c < 3; ++c) CHECK(r.support(i, c) == Approx(Y(i, c)));
  // The same under the Euclidean ground metric.
  const auto e = ot::free_support_barycenter(Ys, bs, Y, {.metric = ot::cost_metric::euclidean});
  CHECK(e.convergence.converged());
  CHECK(e.cost == Approx(0).margin(1e-15));
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t c = 0; c < 3; ++c) CHECK(e.support(i, c) == Approx(Y(i, c)));
}

TEST_CASE("the inner solver is a policy and iterations do not allocate", "[free_support_barycenter][policy][memory]") {
  const fixture f(fixture_path("ot_exact/fsb_three.txt"));
  const auto m = load(f, 3);
  const auto lam = f.array("lambda").as_vector();
  lexalign::test::counting_resource res;
  using alloc = std::pmr::polymorphic_allocator<double>;
  // A custom policy: the exact solver with a pmr workspace, counting calls.
  struct counted {
    ot::exact_inner_solver<double, alloc> exact;
    int calls = 0;
    lexalign::solver_status operator()(std::span<const double> a, std::span<const double> b,
                                       lexalign::matrix_view<const double> c, lexalign::matrix_view<double> p) {
      ++calls;
      return exact(a, b, c, p);
    }
  } inner{ot::exact_inner_solver<double, alloc>({}, alloc(&res))};
  static_assert(ot::inner_ot_solver<counted, double>);
  std::vector<std::size_t> allocs;
  auto obs = [&](const lexalign::iteration_event& ev) {
    CHECK(ev.stage == "free_support_barycenter");
    allocs.push_back(res.allocations());
  };
  const auto r = ot::free_support_barycenter(m.Y, m.b, f.array("X_init").view(), {.measure_weights = lam}, inner, obs);
  CHECK(r.convergence.converged());
  REQUIRE(allocs.size() >= 3);
  CHECK(inner.calls == static_cast<int>(3 * r.convergence.iterations));
  // After the first iteration has sized the inner workspace: no allocation.
  CHECK(allocs.back() == allocs[0]);
  CHECK(allocs[0] > 0);
}

TEST_CASE("barycenter observer can stop and the cap is a status", "[free_support_barycenter][status]") {
  const fixture f(fixture_path("ot_exact/fsb_three.txt"));
  const auto m = load(f, 3);
  auto stop = [](const lexalign::iteration_event& ev) {
    return ev.iteration >= 1 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
  };
  const auto r = ot::free_support_barycenter(m.Y, m.b, f.array("X_init").view(), {}, stop);
  CHECK(r.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(r.convergence.iterations == 1);
  const auto r2 = ot::free_support_barycenter(m.Y, m.b, f.array("X_init").view(), {.max_iterations = 1, .tolerance = 0});
  CHECK(r2.convergence.status == lexalign::solver_status::max_iterations);
  CHECK(r2.convergence.error > 0);
}

TEST_CASE("free-support barycenter in float", "[free_support_barycenter][float]") {
  const fixture f(fixture_path("ot_exact/fsb_weighted.txt"));
  std::vector<std::vector<float>> store;
  std::vector<lexalign::matrix_view<const float>> Y;
  std::vector<std::vector<float>> b;
  for (std::size_t l = 0; l < 2; ++l) store.push_back(f.array("Y" + std::to_string(l)).as_vector<float>());
  for (std::size_t l = 0; l < 2; ++l) {
    const auto& A = f.array("Y" + std::to_string(l));
    Y.emplace_back(store[l].data(), A.rows, A.cols);
    b.push_back(f.array("b" + std::to_string(l)).as_vector<float>());
  }
  const auto x0 = f.array("X_init").as_vector<float>();
  const lexalign::matrix_view<const float> X0(x0.data(), f.array("X_init").rows, f.array("X_init").cols);
  const auto a = f.array("a").as_vector();
  const auto r = ot::free_support_barycenter(Y, b, X0, {.barycenter_weights = a});
  static_assert(std::is_same_v<decltype(r.support)::value_type, float>);
  const auto& X = f.array("X");
  for (std::size_t i = 0; i < X.rows; ++i)
    for (std::size_t c = 0; c < X.cols; ++c) CHECK(double(r.support(i, c)) == Approx(X(i, c)).margin(1e-4));
}

TEST_CASE("a temporary lambda works as the inner solver", "[free_support_barycenter][policy]") {
  const fixture f(fixture_path("ot_exact/fsb_weighted.txt"));
  const auto m = load(f, 2);
  const auto a = f.array("a").as_vector();
  ot::emd_workspace<double> ws;
  ot::emd_result<double> res;
  auto r = ot::free_support_barycenter(
      m.Y, m.b, f.array("X_init").view(), {.barycenter_weights = a},
      [&](std::span<const double> wa, std::span<const double> wb, lexalign::matrix_view<const double> c,
          lexalign::matrix_view<double> p) {
        ot::emd_into(wa, wb, c, {.dense_plan = false}, ws, res);
        for (std::size_t i = 0; i < p.rows(); ++i)
          for (std::size_t j = 0; j < p.cols(); ++j) p(i, j) = 0;
        for (const auto& e : res.entries) p(e.i, e.j) = e.mass;
        return res.convergence.status;
      },
      lexalign::no_observer{});
  CHECK(r.convergence.converged());
  const auto& X = f.array("X");
  for (std::size_t i = 0; i < X.rows; ++i)
    for (std::size_t c = 0; c < X.cols; ++c) CHECK(r.support(i, c) == Approx(X(i, c)).margin(1e-10));
}
