// ot::free_support_barycenter against the library contract: validate() of
// its options (and of the nested emd_options), the input checks of
// lexalign::validation, the mass-mismatch rule and the observer convention.
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "exact_contract.hpp"
#include "lexalign/ot/free_support_barycenter.hpp"
#include "support/catch.hpp"
#include "support/fixture.hpp"

using ot_exact_test::rejected_option;
using ot_exact_test::rejection_message;
namespace ot = lexalign::ot;
using dm = lexalign::dense_matrix<double>;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

// One measure of 3 points in 2-D and a 2-point starting support.
struct small_problem {
  std::vector<dm> Y{dm(3, 2, 1.0)};
  std::vector<std::vector<double>> b{{0.2, 0.3, 0.5}};
  dm X0 = dm(2, 2, 0.0);
  small_problem() {
    for (std::size_t i = 0; i < 3; ++i) Y[0](i, 0) = double(i);
  }
};

}  // namespace

TEST_CASE("validate(free_support_barycenter_options) rejects each bad value", "[free_support_barycenter][options][validate]") {
  using opts = ot::free_support_barycenter_options;
  CHECK_NOTHROW(validate(opts{}));
  CHECK_NOTHROW(validate(opts{.tolerance = 0, .measure_weights = {0.0, 1.0}, .metric = ot::cost_metric::euclidean}));
  const std::pair<opts, const char*> bad[] = {
      {{.max_iterations = 0}, "free_support_barycenter_options.max_iterations"},
      {{.tolerance = nan_v}, "free_support_barycenter_options.tolerance"},
      {{.tolerance = -1e-3}, "free_support_barycenter_options.tolerance"},
      {{.tolerance = inf_v}, "free_support_barycenter_options.tolerance"},
      {{.barycenter_weights = {0.5, 0.0}}, "free_support_barycenter_options.barycenter_weights[1]"},
      {{.barycenter_weights = {-0.5, 1.5}}, "free_support_barycenter_options.barycenter_weights[0]"},
      {{.barycenter_weights = {nan_v, 1.0}}, "free_support_barycenter_options.barycenter_weights[0]"},
      {{.barycenter_weights = {0.5, inf_v}}, "free_support_barycenter_options.barycenter_weights[1]"},
      {{.measure_weights = {-1.0}}, "free_support_barycenter_options.measure_weights[0]"},
      {{.measure_weights = {nan_v}}, "free_support_barycenter_options.measure_weights[0]"},
      {{.measure_weights = {inf_v}}, "free_support_barycenter_options.measure_weights[0]"},
      {{.measure_weights = {0.0}}, "free_support_barycenter_options.measure_weights"},
      {{.metric = ot::cost_metric::cosine}, "free_support_barycenter_options.metric"},
      // The nested emd_options are validated by their own validate().
      {{.inner = {.max_iterations = 0}}, "emd_options.max_iterations"},
      {{.inner = {.mass_tolerance = -1.0}}, "emd_options.mass_tolerance"},
  };
  const small_problem p;
  for (const auto& [opt, name] : bad) {
    INFO(name);
    CHECK(rejected_option([&] { validate(opt); }) == name);
    CHECK(rejected_option([&] { ot::free_support_barycenter(p.Y, p.b, p.X0, opt); }) == name);
    ot::exact_inner_solver<double> inner;
    CHECK(rejected_option([&] {
            ot::free_support_barycenter(p.Y, p.b, p.X0, opt, inner, lexalign::no_observer{});
          }) == name);
  }
}

TEST_CASE("free-support barycenter checks its input through lexalign::validation", "[free_support_barycenter][errors]") {
  small_problem p;
  CHECK(ot::free_support_barycenter(p.Y, p.b, p.X0).convergence.converged());
  const auto msg = [&](const ot::free_support_barycenter_options& opt = {}) {
    return rejection_message([&] { ot::free_support_barycenter(p.Y, p.b, p.X0, opt); });
  };
  SECTION("no measures, and as many weight vectors as point sets") {
    CHECK(rejection_message([&] {
            ot::free_support_barycenter(std::vector<dm>{}, std::vector<std::vector<double>>{}, p.X0);
          }) == "points is empty: no measures given");
    p.b.push_back({1.0});
    CHECK(msg() == "weights has 2 entries but points has 1 point sets");
  }
  SECTION("weights: NaN, infinite, negative, zero mass, count") {
    p.b[0] = {0.2, nan_v, 0.8};
    CHECK(msg() == "weights[0][1] is NaN");
    p.b[0] = {inf_v, 0.5, 0.5};
    CHECK(msg() == "weights[0][0] is infinite");
    p.b[0] = {-0.2, 0.7, 0.5};
    CHECK(msg() == "weights[0][0] is negative (got -0.2)");
    p.b[0] = {0, 0, 0};
    CHECK(msg() == "weights[0] has zero total mass");
    p.b[0] = {0.5, 0.5};
    CHECK(msg() == "weights[0] has 2 entries but points[0] has 3 rows");
  }
  SECTION("points and x_init: NaN, infinite, empty, dimension") {
    p.Y[0](1, 1) = nan_v;
    CHECK(msg() == "points[0](1, 1) is NaN");
    p.Y[0](1, 1) = 0;
    p.X0(0, 1) = -inf_v;
    CHECK(msg() == "x_init(0, 1) is infinite");
    p.X0 = dm(0, 2);
    CHECK(msg() == "x_init is empty (0 x 2)");
    p.X0 = dm(2, 2, 0.0);
    p.Y[0] = dm(3, 4, 1.0);
    CHECK(msg() == "points[0] is 3 x 4 but x_init has 2 columns");
    p.Y[0] = dm(0, 2);
    CHECK(msg().find("points[0] is empty") == 0);
  }
  SECTION("option sizes against the data") {
    CHECK(msg({.barycenter_weights = {1.0, 1.0, 1.0}}) ==
          "free_support_barycenter_options.barycenter_weights has 3 entries but x_init has 2 rows");
    CHECK(msg({.measure_weights = {0.5, 0.5}}) ==
          "free_support_barycenter_options.measure_weights has 2 entries but points has 1 point sets");
  }
  SECTION("mass mismatch: beyond inner.mass_tolerance an error, within it b_l is rescaled to sum(a)") {
    p.b[0] = {0.2, 0.3, 0.6};
    const std::string m = msg();
    CHECK(m.rfind("a and b must have equal total mass: sum(a) = 1, sum(b) = 1.1", 0) == 0);
    CHECK(m.find("; a = the barycenter weights, b = weights[0]") != std::string::npos);
    // Within the tolerance the inner solver (any policy) is given b_l
    // rescaled to sum(a), and the result is that of the rescaled weights.
    const std::vector<std::vector<double>> scaled{{0.2 / 1.1, 0.3 / 1.1, 0.6 / 1.1}};
    double seen_total = 0;
    auto inner = [&, exact = ot::exact_inner_solver<double>()](std::span<const double> a, std::span<const double> b,
                                                              lexalign::matrix_view<const double> c,
                                                              lexalign::matrix_view<double> plan) mutable {
      seen_total = 0;
      for (double x : b) seen_total += x;
      return exact(a, b, c, plan);
    };
    const auto r = ot::free_support_barycenter(p.Y, p.b, p.X0, {.inner = {.mass_tolerance = 0.1}}, inner,
                                               lexalign::no_observer{});
    CHECK(seen_total == Approx(1.0).epsilon(1e-15));
    const auto s = ot::free_support_barycenter(p.Y, scaled, p.X0);
    REQUIRE(r.convergence.converged());
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t c = 0; c < 2; ++c) CHECK(r.support(i, c) == Approx(s.support(i, c)).margin(1e-12));
  }
}

TEST_CASE("free-support barycenter observer: every update reported, stop semantics", "[free_support_barycenter][observer]") {
  const lexalign::test::fixture f(lexalign::test::fixture_path("ot_exact/fsb_three.txt"));
  std::vector<lexalign::matrix_view<const double>> Y;
  std::vector<std::vector<double>> b;
  for (std::size_t l = 0; l < 3; ++l) {
    Y.push_back(f.array("Y" + std::to_string(l)).view());
    b.push_back(f.array("b" + std::to_string(l)).as_vector());
  }
  const ot::free_support_barycenter_options opt{.max_iterations = 50, .measure_weights = f.array("lambda").as_vector()};
  const auto plain = ot::free_support_barycenter(Y, b, f.array("X_init").view(), opt);
  REQUIRE(plain.convergence.converged());
  REQUIRE(plain.convergence.iterations >= 2);

  std::vector<lexalign::iteration_event> events;
  std::vector<std::string> stages;
  const auto r = ot::free_support_barycenter(Y, b, f.array("X_init").view(), opt, [&](const lexalign::iteration_event& ev) {
    events.push_back(ev);
    stages.emplace_back(ev.stage);
  });
  CHECK(r.convergence == plain.convergence);
  REQUIRE(events.size() == r.convergence.iterations);
  for (std::size_t k = 0; k < events.size(); ++k) {
    CHECK(stages[k] == "free_support_barycenter");
    CHECK(events[k].iteration == k + 1);
    CHECK(events[k].max_iterations == 50);
    CHECK(events[k].error >= 0);
  }
  CHECK(events.back().error == r.convergence.error);
  CHECK(events.back().objective == r.cost);

  // A stop before convergence ends the call after the reported update.
  std::size_t calls = 0;
  const auto stopped = ot::free_support_barycenter(Y, b, f.array("X_init").view(), opt,
                                                   [&](const lexalign::iteration_event&) {
                                                     ++calls;
                                                     return lexalign::observer_action::stop;
                                                   });
  CHECK(calls == 1);
  CHECK(stopped.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(stopped.convergence.iterations == 1);
  CHECK(stopped.convergence.error == events.front().error);

  // A stop on the update that meets the tolerance is still a stop (one rule
  // for every algorithm); the result is the same iterate.
  const std::size_t last = r.convergence.iterations;
  const auto at_end = ot::free_support_barycenter(Y, b, f.array("X_init").view(), opt,
                                                  [&](const lexalign::iteration_event& ev) {
                                                    return ev.iteration == last ? lexalign::observer_action::stop
                                                                                : lexalign::observer_action::proceed;
                                                  });
  CHECK(at_end.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(at_end.convergence.iterations == plain.convergence.iterations);
  CHECK(at_end.convergence.error == plain.convergence.error);
}
