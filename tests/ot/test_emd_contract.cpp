// ot::emd and ot::assignment against the library contract: validate() of
// their options, the input checks of lexalign::validation (messages and the
// mass-mismatch rule) and emd's observer.
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "exact_contract.hpp"
#include "exact_reference.hpp"
#include "lexalign/ot/assignment.hpp"
#include "lexalign/ot/emd.hpp"
#include "support/catch.hpp"

using ot_exact_test::mat;
using ot_exact_test::rejected_option;
using ot_exact_test::rejection_message;
namespace ot = lexalign::ot;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

// A square problem large enough for several observer reports (each
// max(1024, m + n) pivots).
struct big_problem {
  std::size_t n = 300;
  mat C = mat(0, 0);
  std::vector<double> a, b;
  big_problem() {
    std::mt19937 rng(21);
    C = ot_exact_test::random_matrix(rng, n, n);
    a = ot_exact_test::random_masses(rng, n);
    b = ot_exact_test::random_masses(rng, n);
  }
};

}  // namespace

TEST_CASE("validate(emd_options) rejects each bad value, at every entry point", "[emd][options][validate]") {
  CHECK_NOTHROW(validate(ot::emd_options{}));
  CHECK_NOTHROW(validate(ot::emd_options{.mass_tolerance = 0}));
  CHECK_NOTHROW(validate(ot::emd_options{.mass_tolerance = 1}));
  const std::pair<ot::emd_options, const char*> bad[] = {
      {{.max_iterations = 0}, "emd_options.max_iterations"},
      {{.mass_tolerance = nan_v}, "emd_options.mass_tolerance"},
      {{.mass_tolerance = -1e-9}, "emd_options.mass_tolerance"},
      {{.mass_tolerance = 1.5}, "emd_options.mass_tolerance"},
      {{.mass_tolerance = inf_v}, "emd_options.mass_tolerance"},
  };
  const mat C(2, 2, 1.0);
  const std::vector<double> w{0.5, 0.5};
  for (const auto& [opt, name] : bad) {
    INFO(name);
    CHECK(rejected_option([&] { validate(opt); }) == name);
    CHECK(rejected_option([&] { ot::emd(w, w, C, opt); }) == name);
    ot::emd_workspace<double> ws;
    ot::emd_result<double> out;
    CHECK(rejected_option([&] { ot::emd_into(w, w, C, opt, ws, out); }) == name);
    CHECK(rejected_option([&] { ot::emd(w, w, C, opt, ws); }) == name);
  }
  // The message names the option and the value.
  try {
    ot::emd(w, w, C, {.mass_tolerance = -0.5});
    FAIL("no exception");
  } catch (const lexalign::invalid_option& e) {
    CHECK(std::string(e.what()) == "emd_options.mass_tolerance must be in [0, 1] (got -0.5)");
    CHECK(e.value() == "-0.5");
  }
}

TEST_CASE("validate(assignment_options) accepts every value", "[assignment][options][validate]") {
  CHECK_NOTHROW(validate(ot::assignment_options{}));
  CHECK_NOTHROW(validate(ot::assignment_options{.maximize = true}));
}

TEST_CASE("emd checks its input through lexalign::validation", "[emd][errors]") {
  mat C(2, 3, 1.0);
  const std::vector<double> a{0.5, 0.5}, b{0.2, 0.3, 0.5};
  CHECK_NOTHROW(ot::emd(a, b, C));
  const auto msg = [&](const std::vector<double>& x, const std::vector<double>& y, const mat& c) {
    return rejection_message([&] { ot::emd(x, y, c); });
  };
  SECTION("costs: NaN and infinite entries; negative costs are fine") {
    C(1, 2) = nan_v;
    CHECK(msg(a, b, C) == "cost(1, 2) is NaN");
    C(1, 2) = 1;
    C(0, 1) = inf_v;
    CHECK(msg(a, b, C) == "cost(0, 1) is infinite");
    C(0, 1) = -inf_v;
    CHECK(msg(a, b, C) == "cost(0, 1) is infinite");
    C(0, 1) = -3;
    CHECK(ot::emd(a, b, C).convergence.converged());
  }
  SECTION("masses: NaN, infinite, negative, zero total") {
    CHECK(msg(a, {0.2, nan_v, 0.5}, C) == "b[1] is NaN");
    CHECK(msg({inf_v, 0.5}, b, C) == "a[0] is infinite");
    CHECK(msg({1.5, -0.5}, b, C) == "a[1] is negative (got -0.5)");
    CHECK(msg({0, 0}, {0, 0, 0}, C) == "a has zero total mass");
    CHECK(msg(a, {0, 0, 0}, C) == "b has zero total mass");
  }
  SECTION("mass mismatch: beyond mass_tolerance an error, within it b is rescaled to sum(a)") {
    const std::string m = msg(a, {0.2, 0.3, 0.6}, C);
    CHECK(m.rfind("a and b must have equal total mass: sum(a) = 1, sum(b) = 1.1", 0) == 0);
    CHECK(m.find("(relative difference 0.0909") != std::string::npos);
    CHECK(m.find(" > 1e-06)") != std::string::npos);
    CHECK(rejection_message([&] {
            ot::emd(a, std::vector<double>{0.2, 0.3, 0.6}, C, {.mass_tolerance = 0.05});
          }).find("> 0.05") != std::string::npos);
    // Within the tolerance: the plan moves sum(a), b scaled by sum(a) / sum(b).
    mat D(2, 3);
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < 3; ++j) D(i, j) = std::abs(double(i) - double(j));
    const std::vector<double> b2{0.2, 0.3, 0.6};
    const auto r = ot::emd(a, b2, D, {.mass_tolerance = 0.1});
    REQUIRE(r.convergence.converged());
    std::vector<double> cs(3, 0.0);
    double total = 0;
    for (const auto& e : r.entries) {
      cs[e.j] += e.mass;
      total += e.mass;
    }
    CHECK(total == Approx(1.0).epsilon(1e-15));
    for (std::size_t j = 0; j < 3; ++j) CHECK(cs[j] == Approx(b2[j] / 1.1).epsilon(1e-14));
  }
  SECTION("shapes") {
    CHECK(msg(b, b, C) == "a has 3 entries but the cost has 2 rows");
    CHECK(msg(a, a, C) == "b has 2 entries but the cost has 3 columns");
    CHECK(msg({}, {}, mat(0, 0)) == "cost is empty (0 x 0)");
    CHECK(msg({}, b, C) == "a has 0 entries but the cost has 2 rows");
  }
}

TEST_CASE("assignment checks its matrix through lexalign::validation", "[assignment][errors]") {
  mat C(3, 3, 1.0);
  C(1, 1) = -5;  // negative costs (and weights) are fine
  CHECK(ot::assignment(C).objective == Approx(-3.0));
  CHECK(ot::assignment(C, {.maximize = true}).objective == Approx(3.0));
  C(2, 0) = nan_v;
  CHECK(rejection_message([&] { ot::assignment(C); }) == "cost(2, 0) is NaN");
  C(2, 0) = -inf_v;
  CHECK(rejection_message([&] { ot::assignment(C, {.maximize = true}); }) == "cost(2, 0) is infinite");
  CHECK(rejection_message([&] { ot::assignment(mat(0, 4)); }) == "cost is empty (0 x 4)");
}

TEST_CASE("emd observer: stage, schedule, final event; observing changes nothing", "[emd][observer]") {
  const big_problem p;
  const ot::emd_options opt{.max_iterations = 1'000'000};
  const auto plain = ot::emd(p.a, p.b, p.C, opt);
  REQUIRE(plain.convergence.converged());
  const std::size_t every = std::max<std::size_t>(1024, 2 * p.n);
  REQUIRE(plain.convergence.iterations > 2 * every);  // several reports before the end

  std::vector<lexalign::iteration_event> events;
  std::vector<std::string> stages;
  const auto r = ot::emd(p.a, p.b, p.C, opt, [&](const lexalign::iteration_event& ev) {
    events.push_back(ev);
    stages.emplace_back(ev.stage);
  });
  // The same solve, pivot for pivot.
  CHECK(r.convergence == plain.convergence);
  CHECK(r.entries == plain.entries);
  CHECK(r.cost == plain.cost);
  CHECK(r.u == plain.u);

  REQUIRE(events.size() == plain.convergence.iterations / every + 1);
  for (std::size_t k = 0; k < events.size(); ++k) {
    INFO("event " << k);
    CHECK(stages[k] == "emd");
    CHECK(events[k].max_iterations == opt.max_iterations);
    CHECK(events[k].error <= 0);  // the most negative reduced cost
    CHECK(std::isfinite(events[k].objective));
    if (k + 1 < events.size()) CHECK(events[k].iteration == (k + 1) * every);
  }
  // The first report still has mass on artificial arcs: reduced costs far below 0.
  CHECK(events.front().error < 0);
  // The final event is the final state.
  CHECK(events.back().iteration == r.convergence.iterations);
  CHECK(events.back().error == r.convergence.error);
  CHECK(events.back().error == 0);
  CHECK(events.back().objective == Approx(r.cost).epsilon(1e-14));
}

TEST_CASE("emd observer: a stop ends the solve with the current basis", "[emd][observer]") {
  const big_problem p;
  std::size_t calls = 0;
  auto stop_at_first = [&](const lexalign::iteration_event&) {
    ++calls;
    return lexalign::observer_action::stop;
  };
  ot::emd_workspace<double> ws;
  const auto r = ot::emd(p.a, p.b, p.C, {}, ws, stop_at_first);
  CHECK(calls == 1);  // no final event after a stop
  CHECK(r.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK_FALSE(r.convergence.ok());
  CHECK(r.convergence.iterations == std::max<std::size_t>(1024, 2 * p.n));
  CHECK(r.convergence.error < 0);  // not optimal yet
  // The plan is the real part of a feasible basis: non-negative, marginals
  // not exceeded, cost consistent with the entries.
  std::vector<double> rs(p.n, 0.0), cs(p.n, 0.0);
  double cost = 0;
  for (const auto& e : r.entries) {
    CHECK(e.mass > 0);
    rs[e.i] += e.mass;
    cs[e.j] += e.mass;
    cost += e.mass * p.C(e.i, e.j);
    CHECK(r.plan(e.i, e.j) == e.mass);
  }
  for (std::size_t i = 0; i < p.n; ++i) CHECK(rs[i] <= p.a[i] * (1 + 1e-12));
  for (std::size_t j = 0; j < p.n; ++j) CHECK(cs[j] <= p.b[j] * (1 + 1e-12));
  CHECK(cost == Approx(r.cost).epsilon(1e-12));
  // The workspace is fine for the next, unobserved solve.
  const auto full = ot::emd(p.a, p.b, p.C, {}, ws);
  CHECK(full.convergence.converged());
  const auto fresh = ot::emd(p.a, p.b, p.C);
  CHECK(full.entries == fresh.entries);
  CHECK(full.cost == fresh.cost);
}

TEST_CASE("emd observer on a small problem: one final event; its answer cannot undo convergence",
          "[emd][observer]") {
  mat C(3, 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) C(i, j) = std::abs(double(i) - double(j));
  const std::vector<double> a{0.2, 0.3, 0.5}, b{0.5, 0.25, 0.25};
  std::vector<std::size_t> seen;
  const auto r = ot::emd(a, b, C, {}, [&](const lexalign::iteration_event& ev) {
    seen.push_back(ev.iteration);
    return lexalign::observer_action::stop;  // too late: the solve has ended
  });
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == r.convergence.iterations);
  CHECK(r.convergence.converged());
  CHECK(r.cost == ot::emd(a, b, C).cost);
  // progress_printer is an observer too.
  std::FILE* sink = std::tmpfile();
  REQUIRE(sink != nullptr);
  CHECK(ot::emd(a, b, C, {}, lexalign::progress_printer(sink)).convergence.converged());
  CHECK(std::ftell(sink) > 0);
  std::fclose(sink);
}
