// Fixed-support barycenter and entropic Gromov-Wasserstein against POT 0.8.2.
#include <algorithm>
#include <cmath>
#include <string>
#include <memory_resource>
#include <vector>

#include "lexalign/ot/barycenter.hpp"
#include "lexalign/ot/gromov_wasserstein.hpp"
#include "ot_test_util.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"
#include "support/fixture.hpp"

namespace ot = lexalign::ot;
using lexalign::test::fixture;
using lexalign::test::fixture_path;
using ot_test::max_abs_diff;

TEST_CASE("barycenter matches POT (eps 1e-2 uniform weights, eps 2e-3 weighted; f64 and f32)", "[ot][barycenter]") {
  for (const char* name : {"ot/barycenter.txt", "ot/barycenter_log.txt"}) {
    fixture fx(fixture_path(name));
    const auto H = ot_test::to_matrix<double>(fx.array("histograms"));
    const auto M = ot_test::to_matrix<double>(fx.array("M"));
    const auto lam = fx.array("lambdas").as_vector<double>();
    const double eps = fx.scalar("epsilon");
    const auto& ref = fx.array("weights").values;
    INFO(name);
    for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
      if (eps < 5e-3 && method == ot::sinkhorn_method::scaling) continue;  // kernel too small for scaling
      const auto r = ot::barycenter(H, M, lam, {.epsilon = eps, .method = method, .max_iterations = 200000, .tolerance = 1e-13});
      CHECK(r.convergence.converged());
      CHECK(max_abs_diff(r.weights, ref) < 1e-9);
      for (std::size_t i = 1; i < 3; ++i) CHECK(r.weights[i] >= 0);
    }
    const auto Hf = ot_test::to_matrix<float>(fx.array("histograms"));
    const auto Mf = ot_test::to_matrix<float>(fx.array("M"));
    const auto rf = ot::barycenter(Hf, Mf, lam, {.epsilon = eps, .method = ot::sinkhorn_method::log, .max_iterations = 20000, .tolerance = 1e-6});
    CHECK(max_abs_diff(rf.weights, ref) < 2e-4);
  }
}

TEST_CASE("barycenter of identical histograms is close to that histogram; one histogram with weight 1", "[ot][barycenter]") {
  const std::size_t n = 20;
  lexalign::dense_matrix<double> M(n, n), H(2, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) M(i, j) = std::pow((double(i) - double(j)) / double(n), 2);
  double s = 0;
  for (std::size_t j = 0; j < n; ++j) s += (H(0, j) = 1.0 + std::sin(double(j)));
  for (std::size_t j = 0; j < n; ++j) H(1, j) = (H(0, j) /= s);
  // weight all on histogram 0: the barycenter is the row marginal of the entropic plan to H0 with a free row marginal,
  // which for a tiny epsilon is H0 itself
  const auto r = ot::barycenter(H, M, std::vector<double>{1.0, 0.0}, {.epsilon = 1e-4, .method = ot::sinkhorn_method::log, .max_iterations = 5000, .tolerance = 1e-12});
  CHECK(max_abs_diff(r.weights, std::vector<double>(H.data(), H.data() + n)) < 1e-6);
  const auto r2 = ot::barycenter(H, M, {.epsilon = 1e-4, .method = ot::sinkhorn_method::log, .max_iterations = 5000, .tolerance = 1e-12});
  CHECK(max_abs_diff(r2.weights, std::vector<double>(H.data(), H.data() + n)) < 1e-6);
}

TEST_CASE("barycenter: threads give identical results; no allocation in iterations", "[ot][barycenter][allocation]") {
  fixture fx(fixture_path("ot/barycenter.txt"));
  const auto H = ot_test::to_matrix<double>(fx.array("histograms"));
  const auto M = ot_test::to_matrix<double>(fx.array("M"));
  const auto lam = fx.array("lambdas").as_vector<double>();
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto r1 = ot::barycenter(H, M, lam, {.epsilon = 0.01, .method = method, .parallel = {.threads = 1}});
    const auto r2 = ot::barycenter(H, M, lam, {.epsilon = 0.01, .method = method, .parallel = {.threads = 2}});
    CHECK(r1.convergence.iterations == r2.convergence.iterations);
    CHECK(max_abs_diff(r1.weights, r2.weights) == 0.0);
    lexalign::test::counting_resource res;
    ot::barycenter_workspace<double, std::pmr::polymorphic_allocator<double>> ws(&res);
    std::vector<std::size_t> seen;
    ot::barycenter(H, M, lam, {.epsilon = 0.01, .method = method, .max_iterations = 60, .tolerance = 0}, ws,
                   [&](const lexalign::iteration_event&) { seen.push_back(res.allocations()); });
    REQUIRE(seen.size() == 6);
    for (std::size_t k = 1; k < seen.size(); ++k) CHECK(seen[k] == seen[1]);  // the first check assigns the result
  }
}

TEST_CASE("gromov_wasserstein matches POT's entropic_gromov_wasserstein", "[ot][gw]") {
  fixture fx(fixture_path("ot/gromov_wasserstein.txt"));
  const auto C1 = ot_test::to_matrix<double>(fx.array("C1"));
  const auto C2 = ot_test::to_matrix<double>(fx.array("C2"));
  const auto p = fx.array("p").as_vector<double>();
  const auto q = fx.array("q").as_vector<double>();
  const auto& P = fx.array("plan");
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto r = ot::gromov_wasserstein(C1, C2, p, q,
                                          {.max_iterations = 10000, .tolerance = 1e-13,
                                           .inner = {.epsilon = fx.scalar("epsilon"), .method = method, .max_iterations = 100000,
                                                     .tolerance = 1e-14}});
    CHECK(r.convergence.converged());
    CHECK(max_abs_diff(std::vector<double>(r.plan.data(), r.plan.data() + r.plan.size()), P.values) < 1e-8);
    CHECK(r.cost == Approx(fx.scalar("loss")).epsilon(1e-7));
    CHECK(max_abs_diff(ot_test::row_sums(r.plan), p) < 1e-12);
  }
}

TEST_CASE("gromov_wasserstein of a space with itself (isometric) has a near-zero loss at small epsilon", "[ot][gw]") {
  const std::size_t n = 6;
  lexalign::dense_matrix<double> C(n, n);
  const double xs[6] = {0.0, 0.13, 0.31, 0.58, 0.74, 1.0};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) C(i, j) = std::abs(xs[i] - xs[j]);
  const auto u = ot_test::uniform(n);
  // the identity coupling has loss 0; distinct pairwise distances make it the only isometry
  const auto r = ot::gromov_wasserstein(C, C, u, u, {.max_iterations = 500, .inner = {.epsilon = 2e-3, .method = ot::sinkhorn_method::log}});
  CHECK(r.cost < 1e-3);
  for (std::size_t i = 0; i < n; ++i) CHECK(r.plan(i, i) > 0.9 / double(n));
}

TEST_CASE("gromov_wasserstein reports inner problems under its prefix; stop in one ends the whole call", "[ot][gw][observer]") {
  const std::size_t n = 8;
  lexalign::dense_matrix<double> C1(n, n), C2(n, n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      C1(i, j) = std::abs(double(i) - double(j)) / n;
      C2(i, j) = std::pow((double(i) - double(j)) / n, 2);
    }
  const auto u = ot_test::uniform(n);
  std::vector<std::string> stages;
  const auto full = ot::gromov_wasserstein(C1, C2, u, u, {.max_iterations = 30, .inner = {.epsilon = 0.01, .method = ot::sinkhorn_method::log}},
                                           [&](const lexalign::iteration_event& e) { stages.emplace_back(e.stage); });
  REQUIRE(!stages.empty());
  for (const auto& s : stages) CHECK((s == "gromov_wasserstein" || s == "gromov_wasserstein.sinkhorn_log"));
  CHECK(std::count(stages.begin(), stages.end(), "gromov_wasserstein") >= 1);
  // stop at the first inner event: the whole call ends after that outer iteration
  std::size_t outer = 0;
  const auto stopped = ot::gromov_wasserstein(C1, C2, u, u, {.max_iterations = 30, .inner = {.epsilon = 0.01, .method = ot::sinkhorn_method::log}},
                                              [&](const lexalign::iteration_event& e) {
                                                if (e.stage == "gromov_wasserstein") ++outer;
                                                return e.stage == "gromov_wasserstein.sinkhorn_log"
                                                           ? lexalign::observer_action::stop
                                                           : lexalign::observer_action::proceed;
                                              });
  CHECK(stopped.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(stopped.convergence.iterations == 1);
  CHECK(outer == 0);
  for (std::size_t k = 0; k < stopped.plan.size(); ++k) CHECK(std::isfinite(stopped.plan.data()[k]));
  CHECK(full.convergence.error < 1e-3);
  // the scaling method's inner events are "gromov_wasserstein.sinkhorn"
  ot::gromov_wasserstein(C1, C2, u, u, {.max_iterations = 3, .inner = {.epsilon = 0.05}}, [&](const lexalign::iteration_event& e) {
    CHECK((e.stage == "gromov_wasserstein" || e.stage == "gromov_wasserstein.sinkhorn"));
  });
}
