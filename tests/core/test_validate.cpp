// The validation module: option checks and data checks, with their messages.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "support/catch.hpp"
#include "support/thrown.hpp"

namespace v = lexalign::validation;

namespace {
const double qnan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

using lexalign::test::message_of;
}  // namespace

TEST_CASE("option checks name the option and the value", "[validate]") {
  CHECK(message_of([] { v::positive("x_options.epsilon", qnan); }) == "x_options.epsilon must be finite and > 0 (got nan)");
  CHECK(message_of([] { v::positive("x_options.epsilon", 0.0); }) == "x_options.epsilon must be finite and > 0 (got 0)");
  CHECK(message_of([] { v::positive("x_options.epsilon", inf); }) == "x_options.epsilon must be finite and > 0 (got inf)");
  CHECK_NOTHROW(v::positive("x", 1e-300));
  CHECK(message_of([] { v::non_negative("x.t", -0.5); }) == "x.t must be finite and >= 0 (got -0.5)");
  CHECK_NOTHROW(v::non_negative("x", 0.0));
  CHECK(message_of([] { v::positive_or_infinite("x.tau", 0.0); }) == "x.tau must be > 0 (inf allowed) (got 0)");
  CHECK_NOTHROW(v::positive_or_infinite("x", inf));
  CHECK(message_of([] { v::probability("x.p", 1.5); }) == "x.p must be in [0, 1] (got 1.5)");
  CHECK(message_of([] { v::probability("x.p", qnan); }) == "x.p must be in [0, 1] (got nan)");
  CHECK(message_of([] { v::open_unit("x.d", 1.0); }) == "x.d must be in (0, 1) (got 1)");
  CHECK(message_of([] { v::in_range("x.r", 3.0, 0.0, 2.0); }) == "x.r must be in [0, 2] (got 3)");
  CHECK(message_of([] { v::at_least("x.n", std::size_t{0}, 1); }) == "x.n must be >= 1 (got 0)");
  CHECK(message_of([] { v::at_most("x.n", std::size_t{9}, 8); }) == "x.n must be <= 8 (got 9)");
  CHECK(message_of([] { v::finite("x.f", -inf); }) == "x.f must be finite (got -inf)");
  try {
    v::positive("sinkhorn_options.epsilon", -2.0);
  } catch (const lexalign::invalid_option& e) {
    CHECK(e.option() == "sinkhorn_options.epsilon");
    CHECK(e.value() == "-2");
  }
}

TEST_CASE("weight vectors: every defect has its message", "[validate]") {
  std::vector<double> out;
  CHECK(message_of([&] { v::load_weights(std::vector<double>{1, qnan}, out, "a"); }) == "a[1] is NaN");
  CHECK(message_of([&] { v::load_weights(std::vector<double>{inf, 1}, out, "a"); }) == "a[0] is infinite");
  CHECK(message_of([&] { v::load_weights(std::vector<double>{1, -1}, out, "b"); }) == "b[1] is negative (got -1)");
  CHECK(message_of([&] { v::load_weights(std::vector<double>{0, 0}, out, "b"); }) == "b has zero total mass");
  CHECK(message_of([&] { v::load_weights(std::vector<double>{}, out, "b"); }) == "b is empty");
  CHECK(message_of([&] { v::load_weights(std::vector<double>{1, 2, 3}, out, "b", 4, "the cost has 4 columns"); }) ==
        "b has 3 entries but the cost has 4 columns");
  CHECK(v::load_weights(std::vector<float>{1, 2, 0.5f}, out, "a") == 3.5);
  CHECK(out == std::vector<double>{1, 2, 0.5});
  CHECK(v::check_weights(std::vector<int>{1, 2}, "h") == 3.0);
}

TEST_CASE("matrices and shapes", "[validate]") {
  lexalign::dense_matrix<double> c(2, 3, 1.0);
  CHECK_NOTHROW(v::check_matrix(c, "cost", v::entry_rule::finite_non_negative));
  c(1, 2) = -0.25;
  CHECK(message_of([&] { v::check_matrix(c, "cost", v::entry_rule::finite_non_negative); }) ==
        "cost(1, 2) is negative (got -0.25)");
  CHECK_NOTHROW(v::check_matrix(c, "similarity", v::entry_rule::finite));
  c(0, 1) = qnan;
  CHECK(message_of([&] { v::check_matrix(c, "similarity", v::entry_rule::finite); }) == "similarity(0, 1) is NaN");
  CHECK(message_of([] { v::check_not_empty("cost", 0, 3); }) == "cost is empty (0 x 3)");
  CHECK(message_of([] { v::check_shape("C2", 2, 3, 3, 3, "q has 3 entries"); }) == "C2 is 2 x 3 but q has 3 entries");
}

TEST_CASE("one mass-mismatch rule", "[validate]") {
  CHECK(v::matching_mass(1.0, 1.0, 1e-6) == 1.0);
  CHECK(v::matching_mass(1.0, 1.0 + 1e-9, 1e-6) == Approx(1.0 / (1.0 + 1e-9)));
  const std::string msg = message_of([] { v::matching_mass(1.0, 2.0, 1e-6, "use partial"); });
  CHECK(msg == "a and b must have equal total mass: sum(a) = 1, sum(b) = 2 (relative difference 0.5 > 1e-06); use partial");
}

TEST_CASE("format_value is the shortest round trip", "[validate]") {
  CHECK(v::format_value(0.1) == "0.1");
  CHECK(v::format_value(1e-300) == "1e-300");
  CHECK(v::format_value(-inf) == "-inf");
  CHECK(v::format_value(std::size_t{42}) == "42");
}

TEST_CASE("convergence records of stages add up", "[status]") {
  using lexalign::solver_status;
  lexalign::convergence_info run;
  lexalign::append_stage(run, {solver_status::max_iterations, 5, 0.1});
  lexalign::append_stage(run, {solver_status::converged, 3, 1e-9});
  CHECK(run.iterations == 8);
  CHECK(run.status == solver_status::converged);
  CHECK(run.error == 1e-9);
  lexalign::append_stage(run, {solver_status::stopped_by_observer, 2, 0.5});
  lexalign::append_stage(run, {solver_status::converged, 4, 0.0});  // a stop is what the run reports
  CHECK(run.status == solver_status::stopped_by_observer);
  CHECK(run.error == 0.5);
  CHECK(run.iterations == 14);
}

TEST_CASE("observer_ref binds any observer; prefixed_observer renames stages", "[observer]") {
  int calls = 0;
  auto counting = [&](const lexalign::iteration_event&) { ++calls; };
  auto call = [](lexalign::observer_ref obs) { return obs({"s", 2, 0.0, 0.0}); };
  CHECK(call(counting) == lexalign::observer_action::proceed);
  CHECK(calls == 1);
  CHECK(call([](const lexalign::iteration_event& ev) {
          return ev.iteration == 2 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
        }) == lexalign::observer_action::stop);
  CHECK(call({}) == lexalign::observer_action::proceed);
  CHECK_FALSE(static_cast<bool>(lexalign::observer_ref{}));

  std::string seen;
  auto record = [&](const lexalign::iteration_event& ev) { seen = std::string(ev.stage); };
  lexalign::prefixed_observer<decltype(record)> prefixed("gromov_wasserstein", record);
  lexalign::notify(prefixed, {"sinkhorn", 1, 0.0, 0.0});
  CHECK(seen == "gromov_wasserstein.sinkhorn");
}

TEST_CASE("progress_printer prints budget, rate and the last iteration", "[observer]") {
  std::FILE* sink = std::tmpfile();
  REQUIRE(sink != nullptr);
  lexalign::progress_printer printer(sink, std::chrono::hours(1));
  printer({"em.hmm.forward", 1, 0.5, -10.0, 3});
  printer({"em.hmm.forward", 2, 0.4, -9.0, 3});  // suppressed: inside the interval
  printer({"em.hmm.forward", 3, 0.3, -8.0, 3});  // last of the stage: printed
  std::rewind(sink);
  std::vector<std::string> lines;
  char buf[512];
  while (std::fgets(buf, sizeof buf, sink)) lines.emplace_back(buf);
  std::fclose(sink);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("[lexalign] em.hmm.forward  iteration 1/3") == 0);
  CHECK(lines[1].find("iteration 3/3") != std::string::npos);
}
