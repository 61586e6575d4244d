// Every entropic OT options struct is validated at the entry point (one
// invalid_option per bad value, naming the field), and every solver checks
// its data through lexalign::validation (NaN, infinite, negative, zero total
// mass, mass mismatch, shape mismatch).
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "lexalign/core/error.hpp"
#include "lexalign/ot/barycenter.hpp"
#include "lexalign/ot/gromov_wasserstein.hpp"
#include "lexalign/ot/partial.hpp"
#include "lexalign/ot/sinkhorn.hpp"
#include "lexalign/ot/unbalanced.hpp"
#include "ot_test_util.hpp"
#include "support/catch.hpp"

namespace ot = lexalign::ot;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// The option an invalid_option names, or a description of what happened.
template <class F>
std::string option_of(F&& f) {
  try {
    f();
  } catch (const lexalign::invalid_option& e) {
    return e.option();
  } catch (const std::exception& e) {
    return std::string("other exception: ") + e.what();
  }
  return "no exception";
}

}  // namespace

using ot_test::error_of;
using ot_test::has;

TEST_CASE("sinkhorn_options: each bad value is an invalid_option naming its field", "[ot][options]") {
  const auto C = ot_test::random_cost(4, 3, 1);
  const auto a = ot_test::uniform(4), b = ot_test::uniform(3);
  struct bad {
    std::function<void(ot::sinkhorn_options&)> set;
    const char* field;
  };
  const std::vector<bad> cases = {
      {[](auto& o) { o.epsilon = 0; }, "sinkhorn_options.epsilon"},
      {[](auto& o) { o.epsilon = -1; }, "sinkhorn_options.epsilon"},
      {[](auto& o) { o.epsilon = kNaN; }, "sinkhorn_options.epsilon"},
      {[](auto& o) { o.epsilon = kInf; }, "sinkhorn_options.epsilon"},
      {[](auto& o) { o.max_iterations = 0; }, "sinkhorn_options.max_iterations"},
      {[](auto& o) { o.tolerance = -1e-9; }, "sinkhorn_options.tolerance"},
      {[](auto& o) { o.tolerance = kNaN; }, "sinkhorn_options.tolerance"},
      {[](auto& o) { o.check_every = 0; }, "sinkhorn_options.check_every"},
      {[](auto& o) { o.norm = static_cast<ot::marginal_norm>(7); }, "sinkhorn_options.norm"},
      {[](auto& o) { o.method = static_cast<ot::sinkhorn_method>(7); }, "sinkhorn_options.method"},
      {[](auto& o) { o.mass_tolerance = -0.1; }, "sinkhorn_options.mass_tolerance"},
      {[](auto& o) { o.mass_tolerance = kNaN; }, "sinkhorn_options.mass_tolerance"},
      {[](auto& o) { o.epsilon_start = -1; }, "sinkhorn_options.epsilon_start"},
      {[](auto& o) { o.epsilon_start = kInf; }, "sinkhorn_options.epsilon_start"},
      {[](auto& o) { o.epsilon_decay = 0; }, "sinkhorn_options.epsilon_decay"},
      {[](auto& o) { o.epsilon_decay = 1; }, "sinkhorn_options.epsilon_decay"},
      {[](auto& o) { o.epsilon_decay = kNaN; }, "sinkhorn_options.epsilon_decay"},
      {[](auto& o) { o.stage_iterations = 0; }, "sinkhorn_options.stage_iterations"},
      {[](auto& o) { o.parallel.threads = 100000; }, "parallel_options.threads"},
  };
  for (const auto& c : cases) {
    ot::sinkhorn_options o;
    c.set(o);
    INFO(c.field);
    CHECK(option_of([&] { validate(o); }) == c.field);
    CHECK(option_of([&] { ot::sinkhorn(a, b, C, o); }) == c.field);
    ot::unbalanced_options u;
    u.sinkhorn = o;
    CHECK(option_of([&] { ot::sinkhorn_unbalanced(a, b, C, u); }) == c.field);
    ot::gromov_wasserstein_options g;
    g.inner = o;
    CHECK(option_of([&] { validate(g); }) == c.field);
  }
  // the message says what is required and what was given
  CHECK(error_of([&] { ot::sinkhorn(a, b, C, {.epsilon = kNaN}); }) ==
        "sinkhorn_options.epsilon must be finite and > 0 (got nan)");
  CHECK(option_of([&] { validate(ot::sinkhorn_options{}); }) == "no exception");
}

TEST_CASE("unbalanced_options, partial_options, barycenter_options, gromov_wasserstein_options", "[ot][options]") {
  const auto C = ot_test::random_cost(4, 3, 1);
  const auto a = ot_test::uniform(4), b = ot_test::uniform(3);
  SECTION("unbalanced: marginal_relaxation > 0, inf allowed") {
    for (double tau : {0.0, -1.0, kNaN})
      CHECK(option_of([&] { ot::sinkhorn_unbalanced(a, b, C, {.marginal_relaxation = tau}); }) ==
            "unbalanced_options.marginal_relaxation");
    CHECK(option_of([&] { ot::sinkhorn_unbalanced(a, b, C, {.marginal_relaxation = kInf}); }) == "no exception");
  }
  SECTION("partial") {
    CHECK(option_of([&] { ot::partial(a, b, C, {.epsilon = 0}); }) == "partial_options.epsilon");
    CHECK(option_of([&] { ot::partial(a, b, C, {.epsilon = kNaN}); }) == "partial_options.epsilon");
    CHECK(option_of([&] { ot::partial(a, b, C, {.mass = -0.5}); }) == "partial_options.mass");
    CHECK(option_of([&] { ot::partial(a, b, C, {.mass = kNaN}); }) == "partial_options.mass");
    CHECK(option_of([&] { ot::partial(a, b, C, {.mass = kInf}); }) == "partial_options.mass");
    CHECK(option_of([&] { ot::partial(a, b, C, {.max_iterations = 0}); }) == "partial_options.max_iterations");
    CHECK(option_of([&] { ot::partial(a, b, C, {.tolerance = -1}); }) == "partial_options.tolerance");
    CHECK(option_of([&] { ot::partial(a, b, C, {.check_every = 0}); }) == "partial_options.check_every");
    CHECK(option_of([&] { ot::partial(a, b, C, {.parallel = {.threads = 5000}}); }) == "parallel_options.threads");
  }
  SECTION("barycenter") {
    lexalign::dense_matrix<double> H(2, 3, 1.0 / 3);
    CHECK(option_of([&] { ot::barycenter(H, C, {.epsilon = -1}); }) == "barycenter_options.epsilon");
    CHECK(option_of([&] { ot::barycenter(H, C, {.method = static_cast<ot::sinkhorn_method>(3)}); }) ==
          "barycenter_options.method");
    CHECK(option_of([&] { ot::barycenter(H, C, {.max_iterations = 0}); }) == "barycenter_options.max_iterations");
    CHECK(option_of([&] { ot::barycenter(H, C, {.tolerance = kNaN}); }) == "barycenter_options.tolerance");
    CHECK(option_of([&] { ot::barycenter(H, C, {.check_every = 0}); }) == "barycenter_options.check_every");
    CHECK(option_of([&] { ot::barycenter(H, C, {.mass_tolerance = 2}); }) == "barycenter_options.mass_tolerance");
  }
  SECTION("gromov_wasserstein") {
    lexalign::dense_matrix<double> C1(3, 3, 0.5);
    const auto p = ot_test::uniform(3);
    CHECK(option_of([&] { ot::gromov_wasserstein(C1, C1, p, p, {.max_iterations = 0}); }) ==
          "gromov_wasserstein_options.max_iterations");
    CHECK(option_of([&] { ot::gromov_wasserstein(C1, C1, p, p, {.tolerance = -1}); }) ==
          "gromov_wasserstein_options.tolerance");
    CHECK(option_of([&] { ot::gromov_wasserstein(C1, C1, p, p, {.check_every = 0}); }) ==
          "gromov_wasserstein_options.check_every");
    CHECK(option_of([&] { ot::gromov_wasserstein(C1, C1, p, p, {.inner = {.epsilon = 0}}); }) ==
          "sinkhorn_options.epsilon");
    CHECK(option_of([&] { ot::gromov_wasserstein(C1, C1, p, p, {.inner = {.parallel = {.threads = 2}}}); }) ==
          "gromov_wasserstein_options.inner.parallel");
    CHECK(option_of([&] { ot::gromov_wasserstein(C1, C1, p, p, {.inner = {.initial_g = p}}); }) ==
          "gromov_wasserstein_options.inner.initial_f / initial_g");
    CHECK(option_of([&] { ot::gromov_wasserstein(C1, C1, p, p, {.parallel = {.threads = 9999}}); }) ==
          "parallel_options.threads");
  }
}

// Each solver, each data defect.
TEST_CASE("every entropic solver rejects bad marginals and costs with the validation module's messages",
          "[ot][errors]") {
  using marginals = std::vector<double>;
  const auto C = ot_test::random_cost(3, 2, 1);
  const marginals a = ot_test::uniform(3), b = ot_test::uniform(2);
  using solver = std::function<void(const marginals&, const marginals&, const lexalign::dense_matrix<double>&)>;
  const std::vector<std::pair<const char*, solver>> solvers = {
      {"sinkhorn", [](const auto& x, const auto& y, const auto& c) { ot::sinkhorn(x, y, c); }},
      {"sinkhorn log",
       [](const auto& x, const auto& y, const auto& c) { ot::sinkhorn(x, y, c, {.method = ot::sinkhorn_method::log}); }},
      {"unbalanced", [](const auto& x, const auto& y, const auto& c) { ot::sinkhorn_unbalanced(x, y, c); }},
      {"partial", [](const auto& x, const auto& y, const auto& c) { ot::partial(x, y, c); }},
  };
  for (const auto& [name, solve] : solvers) {
    INFO(name);
    CHECK(error_of([&] { solve({0.5, kNaN, 0.5}, b, C); }) == "a[1] is NaN");
    CHECK(error_of([&] { solve({0.5, kInf, 0.5}, b, C); }) == "a[1] is infinite");
    CHECK(error_of([&] { solve({0.5, -0.1, 0.6}, b, C); }) == "a[1] is negative (got -0.1)");
    CHECK(error_of([&] { solve(a, {-1, 2}, C); }) == "b[0] is negative (got -1)");
    CHECK(error_of([&] { solve({0, 0, 0}, b, C); }) == "a has zero total mass");
    CHECK(error_of([&] { solve(a, {0, 0}, C); }) == "b has zero total mass");
    CHECK(error_of([&] { solve(ot_test::uniform(4), b, C); }) == "a has 4 entries but the cost has 3 rows");
    CHECK(error_of([&] { solve(a, ot_test::uniform(3), C); }) == "b has 3 entries but the cost has 2 columns");
    auto bad = C;
    bad(2, 1) = kNaN;
    CHECK(error_of([&] { solve(a, b, bad); }) == "cost(2, 1) is NaN");
    bad(2, 1) = -kInf;
    CHECK(error_of([&] { solve(a, b, bad); }) == "cost(2, 1) is infinite");
    bad(2, 1) = -0.5;
    CHECK(error_of([&] { solve(a, b, bad); }) == "cost(2, 1) is negative (got -0.5)");
    lexalign::dense_matrix<double> empty(0, 2);
    CHECK(error_of([&] { solve(a, b, empty); }) == "cost is empty (0 x 2)");
  }
  // mass mismatch: the balanced solvers only
  CHECK(has(error_of([&] { ot::sinkhorn(a, ot_test::uniform(2, 1.5), C); }),
            "a and b must have equal total mass: sum(a) = 1, sum(b) = 1.5"));
  CHECK(error_of([&] { ot::sinkhorn_unbalanced(a, ot_test::uniform(2, 1.5), C); }) == "no exception");
  CHECK(error_of([&] { ot::partial(a, ot_test::uniform(2, 1.5), C); }) == "no exception");
}

TEST_CASE("barycenter and gromov_wasserstein reject bad data with the same messages", "[ot][errors]") {
  lexalign::dense_matrix<double> M(3, 2, 0.1), H(2, 2, 0.5);
  auto Hb = H;
  Hb(1, 0) = kNaN;
  CHECK(error_of([&] { ot::barycenter(Hb, M); }) == "histograms(1, 0) is NaN");
  Hb(1, 0) = kInf;
  CHECK(error_of([&] { ot::barycenter(Hb, M); }) == "histograms(1, 0) is infinite");
  Hb(1, 0) = -0.5;
  CHECK(error_of([&] { ot::barycenter(Hb, M); }) == "histograms(1, 0) is negative (got -0.5)");
  Hb(1, 0) = 0;
  Hb(1, 1) = 0;
  CHECK(error_of([&] { ot::barycenter(Hb, M); }) == "histograms row 1 has zero total mass");
  Hb(1, 0) = 1;
  Hb(1, 1) = 1;
  CHECK(has(error_of([&] { ot::barycenter(Hb, M); }), "must have equal total mass: sum(a) = 1, sum(b) = 2"));
  CHECK(error_of([&] { ot::barycenter(H, M, std::vector<double>{1.0, kNaN}); }) == "lambdas[1] is NaN");
  CHECK(error_of([&] { ot::barycenter(H, M, std::vector<double>{0.0, 0.0}); }) == "lambdas has zero total mass");
  auto Mb = M;
  Mb(0, 1) = -1;
  CHECK(error_of([&] { ot::barycenter(H, Mb); }) == "cost(0, 1) is negative (got -1)");

  lexalign::dense_matrix<double> C1(3, 3, 0.5), C2(2, 2, 0.5);
  const auto p = ot_test::uniform(3), q = ot_test::uniform(2);
  auto C1b = C1;
  C1b(1, 2) = kNaN;
  CHECK(error_of([&] { ot::gromov_wasserstein(C1b, C2, p, q); }) == "C1(1, 2) is NaN");
  C1b(1, 2) = kInf;
  CHECK(error_of([&] { ot::gromov_wasserstein(C1b, C2, p, q); }) == "C1(1, 2) is infinite");
  C1b(1, 2) = -1;
  CHECK(error_of([&] { ot::gromov_wasserstein(C1b, C2, p, q); }) == "C1(1, 2) is negative (got -1)");
  CHECK(error_of([&] { ot::gromov_wasserstein(C1, C2, std::vector<double>{0.5, kNaN, 0.5}, q); }) == "p[1] is NaN");
  CHECK(error_of([&] { ot::gromov_wasserstein(C1, C2, std::vector<double>{0, 0, 0}, q); }) == "p has zero total mass");
  CHECK(error_of([&] { ot::gromov_wasserstein(C1, C2, p, ot_test::uniform(3)); }) ==
        "q has 3 entries but C2 has 2 rows");
  CHECK(has(error_of([&] { ot::gromov_wasserstein(C1, C2, p, ot_test::uniform(2, 3.0)); }),
            "must have equal total mass: sum(a) = 1, sum(b) = 3"));
}

TEST_CASE("one mass rule: within mass_tolerance b is rescaled to sum(a), beyond it an error", "[ot][mass]") {
  const auto C = ot_test::random_cost(5, 4, 2);
  const auto a = ot_test::uniform(5);
  auto b = ot_test::uniform(4, 1.0 + 5e-7);  // relative difference 5e-7 < 1e-6
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    const auto r = ot::sinkhorn(a, b, C, {.epsilon = 0.1, .method = method, .tolerance = 1e-14});
    REQUIRE(r.convergence.converged());
    const auto cs = ot_test::col_sums(r.plan);
    for (std::size_t j = 0; j < 4; ++j) CHECK(cs[j] == Approx(b[j] / (1.0 + 5e-7)).epsilon(1e-13));
  }
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C, {.mass_tolerance = 1e-7}); }), "relative difference"));
  b = ot_test::uniform(4, 1.01);
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C); }), "use sinkhorn_unbalanced or partial for unequal masses"));
  CHECK(error_of([&] { ot::sinkhorn(a, b, C, {.mass_tolerance = 0.02}); }) == "no exception");
}
