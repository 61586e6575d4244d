// Bad input raises lexalign::invalid_argument with a message naming the problem.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "lexalign/ot/barycenter.hpp"
#include "lexalign/ot/gromov_wasserstein.hpp"
#include "lexalign/ot/partial.hpp"
#include "lexalign/ot/sinkhorn.hpp"
#include "lexalign/ot/unbalanced.hpp"
#include "ot_test_util.hpp"
#include "support/catch.hpp"

namespace ot = lexalign::ot;
using ot_test::error_of;
using ot_test::has;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("sinkhorn rejects bad costs", "[ot][errors]") {
  auto C = ot_test::random_cost(3, 2, 1);
  const auto a = ot_test::uniform(3), b = ot_test::uniform(2);
  C(1, 0) = -0.5;
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C); }), "cost(1, 0) is negative"));
  C(1, 0) = kNaN;
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C); }), "cost(1, 0) is NaN"));
  C(1, 0) = kInf;
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C); }), "cost(1, 0) is infinite"));
}

TEST_CASE("sinkhorn rejects bad marginals", "[ot][errors]") {
  const auto C = ot_test::random_cost(3, 2, 1);
  const auto b = ot_test::uniform(2);
  CHECK(has(error_of([&] { ot::sinkhorn(std::vector<double>{0.5, -0.1, 0.6}, b, C); }), "a[1] is negative"));
  CHECK(has(error_of([&] { ot::sinkhorn(std::vector<double>{0.5, kNaN, 0.5}, b, C); }), "a[1] is NaN"));
  CHECK(has(error_of([&] { ot::sinkhorn(std::vector<double>{0.5, kInf, 0.5}, b, C); }), "a[1] is infinite"));
  CHECK(has(error_of([&] { ot::sinkhorn(std::vector<double>{0, 0, 0}, b, C); }), "a has zero total mass"));
  CHECK(has(error_of([&] { ot::sinkhorn(ot_test::uniform(3), std::vector<double>{0.5, 0.6}, C); }), "must have equal total mass"));
}

TEST_CASE("sinkhorn rejects shape mismatches and empty problems", "[ot][errors]") {
  const auto C = ot_test::random_cost(3, 2, 1);
  CHECK(has(error_of([&] { ot::sinkhorn(ot_test::uniform(4), ot_test::uniform(2), C); }), "a has 4 entries but the cost has 3 rows"));
  CHECK(has(error_of([&] { ot::sinkhorn(ot_test::uniform(3), ot_test::uniform(3), C); }), "b has 3 entries but the cost has 2 columns"));
  lexalign::dense_matrix<double> E(0, 0);
  CHECK(has(error_of([&] { ot::sinkhorn(std::vector<double>{}, std::vector<double>{}, E); }), "cost is empty"));
  CHECK(has(error_of([&] { ot::sinkhorn(std::vector<double>{}, ot_test::uniform(2), C); }), "a is empty"));
}

TEST_CASE("sinkhorn rejects epsilon <= 0 and bad warm starts", "[ot][errors]") {
  const auto C = ot_test::random_cost(3, 2, 1);
  const auto a = ot_test::uniform(3), b = ot_test::uniform(2);
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C, {.epsilon = 0}); }), "epsilon must be finite and > 0"));
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C, {.epsilon = -1}); }), "epsilon must be finite and > 0"));
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C, {.epsilon = kNaN}); }), "epsilon"));
  const std::vector<double> g0{0.0, 0.0, 0.0};
  CHECK(has(error_of([&] { ot::sinkhorn(a, b, C, {.initial_g = g0}); }), "initial_g has 3 entries but b has 2"));
}

TEST_CASE("unbalanced, partial, barycenter and GW reject bad input", "[ot][errors]") {
  const auto C = ot_test::random_cost(3, 2, 1);
  const auto a = ot_test::uniform(3), b = ot_test::uniform(2, 0.5);
  CHECK(has(error_of([&] { ot::sinkhorn_unbalanced(a, b, C, {.marginal_relaxation = 0}); }), "marginal_relaxation"));
  CHECK(has(error_of([&] { ot::sinkhorn_unbalanced(a, b, C, {.sinkhorn = {.epsilon = 0}}); }), "epsilon"));
  CHECK(has(error_of([&] { ot::partial(a, b, C, {.mass = 0.8}); }), "mass must be in (0, min(sum a, sum b)]"));
  CHECK(has(error_of([&] { ot::partial(a, b, C, {.epsilon = -2}); }), "epsilon"));
  lexalign::dense_matrix<double> H(2, 2, 0.5), M(3, 2, 0.1);
  CHECK(has(error_of([&] { ot::barycenter(H, M, std::vector<double>{1.0}); }), "lambdas has 1 entries but there are 2 histograms"));
  H(1, 1) = -0.1;
  CHECK(has(error_of([&] { ot::barycenter(H, M); }), "histograms(1, 1) is negative"));
  lexalign::dense_matrix<double> H3(2, 3, 0.3);
  CHECK(has(error_of([&] { ot::barycenter(H3, M); }), "histograms is 2 x 3 but the cost has 2 columns"));
  lexalign::dense_matrix<double> C1(3, 3, 0.5), C2(2, 3, 0.5);
  CHECK(has(error_of([&] { ot::gromov_wasserstein(C1, C2, a, ot_test::uniform(2)); }), "C2 is 2 x 3 but it must be square"));
  lexalign::dense_matrix<double> C2s(2, 2, 0.5);
  CHECK(has(error_of([&] { ot::gromov_wasserstein(C1, C2s, a, ot_test::uniform(2, 2.0)); }), "must have equal total mass"));
}

TEST_CASE("point clouds of different dimension are rejected", "[ot][errors]") {
  lexalign::dense_matrix<double> x(3, 2, 0.0), y(4, 3, 0.0);
  CHECK(has(error_of([&] { ot::point_cloud_cost<double> c(x, y); }), "x has 2 columns but y has 3"));
}

TEST_CASE("point clouds: empty, non-finite coordinates and a bad scale", "[ot][errors][cost]") {
  lexalign::dense_matrix<double> x(3, 2, 0.0), y(4, 2, 0.0), e(0, 2);
  CHECK(error_of([&] { ot::point_cloud_cost<double> c(e, y); }) == "point_cloud_cost: x is empty (0 x 2)");
  y(2, 0) = kNaN;
  CHECK(error_of([&] { ot::point_cloud_cost<double> c(x, y); }) == "point_cloud_cost: y(2, 0) is NaN");
  y(2, 0) = 0;
  CHECK_THROWS_AS(ot::point_cloud_cost<double>(x, y, ot::cost_metric::sqeuclidean, 0.0), lexalign::invalid_option);
  CHECK(error_of([&] { ot::point_cloud_cost<double> c(x, y, ot::cost_metric::sqeuclidean, kInf); }) ==
        "point_cloud_cost.scale must be finite and > 0 (got inf)");
}
