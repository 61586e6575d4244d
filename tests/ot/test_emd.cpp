// ot::emd against POT 0.8.2 fixtures and independent references: the LP
// optimum by vertex enumeration, brute force over permutations, duality,
// complementary slackness and the marginals of the plan.
#include <cmath>
#include <memory_resource>
#include <numeric>
#include <random>
#include <vector>

#include "lexalign/ot/emd.hpp"
#include "exact_reference.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"
#include "support/fixture.hpp"

#ifdef LEXALIGN_HAVE_XTENSOR
#include <xtensor/xtensor.hpp>
#endif

using ot_exact_test::mat;
namespace ot = lexalign::ot;

namespace {

// Marginals, dual feasibility, complementary slackness and zero duality gap.
template <class R, class C>
void check_optimality_certificate(const R& r, const std::vector<double>& a, const std::vector<double>& b, const C& cost,
                                  double tol) {
  const std::size_t m = a.size(), n = b.size();
  REQUIRE(r.convergence.status == lexalign::solver_status::converged);
  REQUIRE(r.plan.rows() == m);
  REQUIRE(r.plan.cols() == n);
  std::vector<double> rs(m, 0.0), cs(n, 0.0);
  double primal = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double p = static_cast<double>(r.plan(i, j));
      REQUIRE(p >= 0);
      rs[i] += p;
      cs[j] += p;
      primal += p * static_cast<double>(cost(i, j));
      const double slack = static_cast<double>(cost(i, j)) - static_cast<double>(r.u[i]) - static_cast<double>(r.v[j]);
      CHECK(slack >= -tol);                   // dual feasibility
      if (p > 1e-12) CHECK(std::abs(slack) <= tol);  // complementary slackness
    }
  for (std::size_t i = 0; i < m; ++i) CHECK(rs[i] == Approx(a[i]).margin(tol));
  for (std::size_t j = 0; j < n; ++j) CHECK(cs[j] == Approx(b[j]).margin(tol));
  double dual = 0;
  for (std::size_t i = 0; i < m; ++i) dual += a[i] * static_cast<double>(r.u[i]);
  for (std::size_t j = 0; j < n; ++j) dual += b[j] * static_cast<double>(r.v[j]);
  CHECK(primal == Approx(r.cost).margin(tol));
  CHECK(dual == Approx(r.cost).margin(tol));  // zero duality gap
  // Sparse entries agree with the dense plan.
  double s = 0;
  for (const auto& e : r.entries) {
    CHECK(e.mass > 0);
    CHECK(r.plan(e.i, e.j) == e.mass);
    s += static_cast<double>(e.mass);
  }
  CHECK(s == Approx(std::accumulate(a.begin(), a.end(), 0.0)).margin(tol));
  CHECK(r.entries.size() <= m + n - 1);
}

}  // namespace

TEST_CASE("emd matches POT on the fixtures", "[emd][fixture]") {
  for (const char* name : {"emd_square", "emd_rect_tall", "emd_rect_wide", "emd_zeros", "emd_medium", "emd_ties"}) {
    INFO(name);
    const lexalign::test::fixture f(lexalign::test::fixture_path(std::string("ot_exact/") + name + ".txt"));
    const auto a = f.array("a").as_vector(), b = f.array("b").as_vector();
    const auto& C = f.array("cost");
    const auto r = ot::emd(a, b, C.view());
    CHECK(r.cost == Approx(f.scalar("emd2")).epsilon(1e-12).margin(1e-14));
    check_optimality_certificate(r, a, b, C, 1e-12);
    if (std::string(name) != "emd_ties") {  // unique optimum: same plan and duals
      const auto& P = f.array("plan");
      for (std::size_t i = 0; i < P.rows; ++i)
        for (std::size_t j = 0; j < P.cols; ++j) CHECK(r.plan(i, j) == Approx(P(i, j)).margin(1e-12));
    }
    if (std::string(name) == "emd_square" || std::string(name) == "emd_rect_tall") {
      // Non-degenerate: the duals are unique up to the centring, which both use.
      for (std::size_t i = 0; i < a.size(); ++i) CHECK(r.u[i] == Approx(f.array("u").values[i]).margin(1e-10));
      for (std::size_t j = 0; j < b.size(); ++j) CHECK(r.v[j] == Approx(f.array("v").values[j]).margin(1e-10));
    }
  }
}

TEST_CASE("emd in float agrees with POT within float precision", "[emd][fixture][float]") {
  const lexalign::test::fixture f(lexalign::test::fixture_path("ot_exact/emd_medium.txt"));
  const auto a = f.array("a").as_vector<float>(), b = f.array("b").as_vector<float>();
  const auto Cf = f.array("cost").as_vector<float>();
  const lexalign::matrix_view<const float> C(Cf.data(), f.array("cost").rows, f.array("cost").cols);
  const auto r = ot::emd(a, b, C);
  static_assert(std::is_same_v<decltype(r.plan)::value_type, float>);
  CHECK(r.convergence.converged());
  CHECK(r.cost == Approx(f.scalar("emd2")).epsilon(1e-5));
  double slack_min = 0;
  for (std::size_t i = 0; i < C.rows(); ++i)
    for (std::size_t j = 0; j < C.cols(); ++j)
      slack_min = std::min(slack_min, double(C(i, j)) - double(r.u[i]) - double(r.v[j]));
  CHECK(slack_min >= -1e-5);
}

TEST_CASE("emd reaches the LP optimum found by vertex enumeration", "[emd][reference]") {
  std::mt19937 rng(7);
  const std::pair<std::size_t, std::size_t> shapes[] = {{2, 2}, {2, 5}, {5, 2}, {3, 3}, {3, 4}, {4, 3}};
  for (auto [m, n] : shapes)
    for (int rep = 0; rep < 4; ++rep) {
      INFO(m << " x " << n << " rep " << rep);
      const mat C = ot_exact_test::random_matrix(rng, m, n, -1.0, 2.0);  // negative costs are allowed
      auto a = ot_exact_test::random_masses(rng, m, 2.5), b = ot_exact_test::random_masses(rng, n, 2.5);
      if (rep == 3) {  // a zero mass on each side
        a[0] = 0;
        b[n - 1] = 0;
        const double sa = std::accumulate(a.begin(), a.end(), 0.0), sb = std::accumulate(b.begin(), b.end(), 0.0);
        for (auto& x : b) x *= sa / sb;
      }
      const auto r = ot::emd(a, b, C);
      CHECK(r.cost == Approx(ot_exact_test::transport_lp_by_vertices(C, a, b)).margin(1e-12));
      check_optimality_certificate(r, a, b, C, 1e-12);
    }
}

TEST_CASE("emd with uniform masses equals the best permutation", "[emd][reference]") {
  std::mt19937 rng(11);
  for (std::size_t n = 1; n <= 6; ++n)
    for (int rep = 0; rep < 3; ++rep) {
      mat C = ot_exact_test::random_matrix(rng, n, n);
      if (rep == 2)  // many ties and a degenerate basis
        for (auto& x : C.x) x = std::floor(x * 3);
      const std::vector<double> u(n, 1.0 / double(n));
      const auto r = ot::emd(u, u, C);
      CHECK(r.cost == Approx(ot_exact_test::brute_force_assignment(C, false) / double(n)).margin(1e-12));
      check_optimality_certificate(r, u, u, C, 1e-12);
    }
}

TEST_CASE("emd on degenerate problems: equal partial sums and constant costs", "[emd][degenerate]") {
  // a and b share partial sums, so the optimal basis is degenerate.
  const std::vector<double> a{0.25, 0.25, 0.5}, b{0.5, 0.25, 0.25};
  mat C(3, 3, 1.0);
  auto r = ot::emd(a, b, C);
  CHECK(r.cost == Approx(1.0));
  check_optimality_certificate(r, a, b, C, 1e-12);
  mat D(3, 3);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) D(i, j) = std::abs(double(i) - double(j));
  r = ot::emd(a, b, D);
  CHECK(r.cost == Approx(ot_exact_test::transport_lp_by_vertices(D, a, b)));
  check_optimality_certificate(r, a, b, D, 1e-12);
}

TEST_CASE("emd accepts any matrix type and strided views", "[emd][generic]") {
  std::mt19937 rng(3);
  const mat C = ot_exact_test::random_matrix(rng, 4, 6);
  const auto a = ot_exact_test::random_masses(rng, 6), b = ot_exact_test::random_masses(rng, 4);
  // The transpose as a column-major view of C's memory.
  const lexalign::matrix_view<const double> Ct(C.x.data(), 6, 4, 1, 6);
  mat Ctd(6, 4);
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t j = 0; j < 4; ++j) Ctd(i, j) = C(j, i);
  const auto r1 = ot::emd(a, b, Ct), r2 = ot::emd(a, b, Ctd);
  CHECK(r1.cost == r2.cost);
  CHECK(r1.entries == r2.entries);
  // Integer costs compute in double.
  lexalign::dense_matrix<int> Ci(2, 2);
  Ci(0, 0) = 0; Ci(0, 1) = 3; Ci(1, 0) = 2; Ci(1, 1) = 0;
  const std::vector<int> ones{1, 1};
  const auto ri = ot::emd(ones, ones, Ci);
  static_assert(std::is_same_v<decltype(ri.u)::value_type, double>);
  CHECK(ri.cost == 0.0);
#ifdef LEXALIGN_HAVE_XTENSOR
  xt::xtensor<double, 2> X = xt::zeros<double>({6, 4});
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t j = 0; j < 4; ++j) X(i, j) = C(j, i);
  CHECK(ot::emd(a, b, X).cost == r1.cost);
#endif
}

TEST_CASE("emd without a dense plan and without centring", "[emd][options]") {
  const lexalign::test::fixture f(lexalign::test::fixture_path("ot_exact/emd_square.txt"));
  const auto a = f.array("a").as_vector(), b = f.array("b").as_vector();
  const auto r = ot::emd(a, b, f.array("cost").view(), {.dense_plan = false, .center_potentials = false});
  CHECK(r.plan.empty());
  CHECK(r.cost == Approx(f.scalar("emd2")));
  const auto r2 = ot::emd(a, b, f.array("cost").view(), {.block_size = 1});
  CHECK(r2.cost == Approx(f.scalar("emd2")));
}

TEST_CASE("emd reuses its workspace without allocating", "[emd][memory]") {
  lexalign::test::counting_resource res;
  using alloc = std::pmr::polymorphic_allocator<double>;
  ot::emd_workspace<double, alloc> ws{alloc(&res)};
  ot::emd_result<double, alloc> out{alloc(&res)};
  const lexalign::test::fixture f(lexalign::test::fixture_path("ot_exact/emd_medium.txt"));
  const auto a = f.array("a").as_vector(), b = f.array("b").as_vector();
  ot::emd_into(a, b, f.array("cost").view(), {}, ws, out);
  const double first = out.cost;
  const auto before = res.allocations();
  CHECK(before > 0);  // everything went through the resource
  ot::emd_into(a, b, f.array("cost").view(), {}, ws, out);
  CHECK(res.allocations() == before);
  CHECK(out.cost == first);
}

TEST_CASE("emd reports the iteration cap as a status", "[emd][status]") {
  const lexalign::test::fixture f(lexalign::test::fixture_path("ot_exact/emd_medium.txt"));
  const auto a = f.array("a").as_vector(), b = f.array("b").as_vector();
  const auto r = ot::emd(a, b, f.array("cost").view(), {.max_iterations = 5});
  CHECK(r.convergence.status == lexalign::solver_status::max_iterations);
  CHECK(r.convergence.iterations == 5);
  CHECK(r.convergence.error < 0);  // some reduced cost is still negative
  for (const auto& x : r.u) CHECK(std::isfinite(x));
}
