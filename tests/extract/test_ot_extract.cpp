// OTAlign-style extraction: the pipeline against its transcription (cost,
// masses, solver call, minmax, threshold), and properties of each plan.
#include <cmath>
#include <random>

#include "lexalign/extract/ot_extract.hpp"
#include "reference.hpp"
#include "support/catch.hpp"

namespace ex = lexalign::extract;
namespace ot = lexalign::ot;
using extract_test::mat;

namespace {
// OTAlign's cost: 1 - minmax(Distort(S, kappa)), written from the formulas.
mat otalign_cost(const mat& s, double kappa) {
  const std::size_t m = s.rows(), n = s.cols();
  mat c(m, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double d = m < 2 || n < 2 ? 0.0 : double(i) / double(m - 1) - double(j) / double(n - 1);
      c(i, j) = s(i, j) * (1 - kappa * d * d);
    }
  double lo = c(0, 0), hi = c(0, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) lo = std::min(lo, c(i, j)), hi = std::max(hi, c(i, j));
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) c(i, j) = 1 - (c(i, j) - lo + 1e-10) / (hi - lo + 1e-10);
  return c;
}

template <class P>
std::vector<lexalign::link> thresholded(const P& plan, double theta) {
  double lo = plan(0, 0), hi = plan(0, 0);
  for (std::size_t i = 0; i < plan.rows(); ++i)
    for (std::size_t j = 0; j < plan.cols(); ++j) lo = std::min(lo, double(plan(i, j))), hi = std::max(hi, double(plan(i, j)));
  std::vector<lexalign::link> out;
  for (std::size_t i = 0; i < plan.rows(); ++i)
    for (std::size_t j = 0; j < plan.cols(); ++j)
      if (plan(i, j) > 0 && (plan(i, j) - lo + 1e-10) / (hi - lo + 1e-10) > theta)
        out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
  return out;
}
}  // namespace

TEST_CASE("ot_extract: cost and solver calls as OTAlign makes them", "[extract][ot]") {
  std::mt19937 rng(51);
  for (int rep = 0; rep < 6; ++rep) {
    const std::size_t m = 3 + rng() % 6, n = 3 + rng() % 6;
    const mat s = extract_test::random_matrix(rng, m, n, 0);
    const double kappa = rep % 2 ? 0.2 : 0.0;
    const mat c = otalign_cost(s, kappa);
    ex::ot_extract_workspace<> ws;
    ex::ot_extract_result r;
    const std::vector<double> ones_a(m, 1.0), ones_b(n, 1.0), ua(m, 1.0 / double(m)), ub(n, 1.0 / double(n));
    const ex::ot_extract_options base{.distortion = {.kappa = kappa}, .threshold = 0.3};

    ex::ot_extract_into(s, ones_a, ones_b, base, ws, r);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) REQUIRE(ws.cost(i, j) == Approx(c(i, j)).margin(1e-12));
    const auto bal = ot::sinkhorn(ua, ub, c, base.sinkhorn);
    CHECK(r.alignment.sure == thresholded(bal.plan, 0.3));
    CHECK(r.convergence.converged());
    CHECK(r.transported_mass == Approx(1.0).epsilon(1e-6));

    auto opt = base;
    opt.plan = ex::ot_plan::unbalanced;
    ex::ot_extract_into(s, ones_a, ones_b, opt, ws, r);
    const auto unb = ot::sinkhorn_unbalanced(ones_a, ones_b, c, base.unbalanced);
    CHECK(r.alignment.sure == thresholded(unb.plan, 0.3));

    opt.plan = ex::ot_plan::partial;
    ex::ot_extract_into(s, ones_a, ones_b, opt, ws, r);
    auto po = base.partial;
    po.mass = 0.5 * double(std::min(m, n));
    const auto par = ot::partial(ones_a, ones_b, c, po);
    CHECK(r.alignment.sure == thresholded(par.plan, 0.3));
    CHECK(r.transported_mass == Approx(po.mass).epsilon(1e-4));

    opt.plan = ex::ot_plan::balanced_exact;
    ex::ot_extract_into(s, ones_a, ones_b, opt, ws, r);
    const auto exact = ot::emd(ua, ub, c);
    CHECK(r.alignment.sure == thresholded(exact.plan, 0.3));
    for (std::size_t k = 0; k < r.size(); ++k) CHECK(r.scores[k] > 0.3);
  }
}

TEST_CASE("ot_extract: exact partial moves exactly the requested mass", "[extract][ot]") {
  std::mt19937 rng(52);
  for (int rep = 0; rep < 8; ++rep) {
    const std::size_t m = 2 + rng() % 5, n = 2 + rng() % 5;
    const mat s = extract_test::random_matrix(rng, m, n, rep % 2 ? 4 : 0);
    std::vector<double> a(m), b(n);
    for (auto& x : a) x = 0.5 + double(rng() % 4);
    for (auto& x : b) x = 0.5 + double(rng() % 4);
    const double fraction = 0.3 + 0.1 * double(rep % 5);
    ex::ot_extract_workspace<> ws;
    ex::ot_extract_result r;
    ex::ot_extract_into(s, a, b, {.plan = ex::ot_plan::partial_exact, .threshold = 0.0, .transported_fraction = fraction}, ws,
                        r);
    double sa = 0, sb = 0;
    for (double x : a) sa += x;
    for (double x : b) sb += x;
    const double target = fraction * std::min(sa, sb);
    CHECK(r.transported_mass == Approx(target).epsilon(1e-9));
    CHECK(r.convergence.converged());
  }
}

TEST_CASE("ot_extract: a clear permutation is found by every plan", "[extract][ot]") {
  const std::size_t n = 6;
  const std::size_t perm[n] = {3, 0, 5, 1, 4, 2};
  mat s(n, n, 0.2);
  for (std::size_t i = 0; i < n; ++i) s(i, perm[i]) = 0.95;
  std::vector<lexalign::link> expected;
  for (std::size_t i = 0; i < n; ++i) expected.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(perm[i])});
  for (auto p : {ex::ot_plan::balanced, ex::ot_plan::balanced_exact, ex::ot_plan::unbalanced}) {
    INFO(static_cast<int>(p));
    CHECK(ex::ot_extract(s, {.plan = p}).alignment.sure == expected);
  }
  // Partial with every mass: the same; with half, a subset.
  CHECK(ex::ot_extract(s, {.plan = ex::ot_plan::partial_exact, .threshold = 0.0, .transported_fraction = 1.0})
            .alignment.sure == expected);
  const auto half = ex::ot_extract(s, {.plan = ex::ot_plan::partial_exact, .threshold = 0.0});
  CHECK(half.size() == 3);
  CHECK(std::includes(expected.begin(), expected.end(), half.links().begin(), half.links().end()));
}

TEST_CASE("ot_extract: norm masses, options and inputs are checked", "[extract][ot][errors]") {
  mat x(2, 2);
  x(0, 0) = 3; x(0, 1) = 4; x(1, 0) = 0; x(1, 1) = 2;
  CHECK(ex::norm_masses(x) == std::vector<double>{5.0, 2.0});
  const mat s(3, 3, 0.5);
  CHECK_THROWS_WITH(ex::ot_extract(s, {.threshold = 1.0}), "extract::ot_extract_options.threshold must be in [0, 1) (got 1)");
  CHECK_THROWS_WITH(ex::ot_extract(s, {.transported_fraction = 0}),
                    "extract::ot_extract_options.transported_fraction must be in (0, 1] (got 0)");
  ex::ot_extract_options bad;
  bad.partial.mass = 2;
  CHECK_THROWS_AS(ex::ot_extract(s, bad), lexalign::invalid_option);
  bad = {};
  bad.sinkhorn.epsilon = -1;
  CHECK_THROWS_AS(ex::ot_extract(s, bad), lexalign::invalid_option);
  CHECK_THROWS_WITH(ex::ot_extract(s, std::vector<double>{1, 1}, std::vector<double>{1, 1, 1}),
                    "a has 2 entries but the similarity has 3 rows");
}
