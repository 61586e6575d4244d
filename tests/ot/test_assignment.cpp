// ot::assignment against brute force over all permutations / injections,
// with dual certificates; random, tied and rectangular problems both ways.
#include <cmath>
#include <memory_resource>
#include <random>
#include <set>
#include <vector>

#include "lexalign/ot/assignment.hpp"
#include "lexalign/ot/emd.hpp"
#include "exact_reference.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"

using ot_exact_test::mat;
namespace ot = lexalign::ot;

namespace {

template <class R>
void check_assignment(const R& r, const mat& C, bool maximize, double tol = 1e-12) {
  const std::size_t m = C.r, n = C.c, k = std::min(m, n);
  REQUIRE(r.row_to_col.size() == m);
  REQUIRE(r.col_to_row.size() == n);
  CHECK(r.pairs == k);
  std::size_t matched = 0;
  double obj = 0;
  std::set<std::ptrdiff_t> used;
  for (std::size_t i = 0; i < m; ++i) {
    const auto j = r.row_to_col[i];
    if (j < 0) continue;
    ++matched;
    CHECK(used.insert(j).second);  // one-to-one
    CHECK(r.col_to_row[static_cast<std::size_t>(j)] == static_cast<std::ptrdiff_t>(i));
    obj += C(i, static_cast<std::size_t>(j));
  }
  CHECK(matched == k);
  CHECK(obj == Approx(r.objective).margin(tol));
  CHECK(r.objective == Approx(ot_exact_test::brute_force_assignment(C, maximize)).margin(tol));
  // Dual certificate: feasibility, equality on matched pairs, zero on the
  // unmatched and the right sign on the long side, equal objective.
  const double sgn = maximize ? -1.0 : 1.0;
  double dual = 0;
  for (std::size_t i = 0; i < m; ++i) {
    dual += r.u[i];
    for (std::size_t j = 0; j < n; ++j) {
      const double slack = sgn * (C(i, j) - r.u[i] - r.v[j]);
      CHECK(slack >= -tol);
      if (r.row_to_col[i] == static_cast<std::ptrdiff_t>(j)) CHECK(std::abs(slack) <= tol);
    }
    if (r.row_to_col[i] < 0) CHECK(r.u[i] == 0);
    if (m > n) CHECK(sgn * r.u[i] <= tol);
  }
  for (std::size_t j = 0; j < n; ++j) {
    dual += r.v[j];
    if (r.col_to_row[j] < 0) CHECK(r.v[j] == 0);
    if (n > m) CHECK(sgn * r.v[j] <= tol);
  }
  CHECK(dual == Approx(r.objective).margin(tol));
}

}  // namespace

TEST_CASE("assignment equals brute force on random square problems", "[assignment][reference]") {
  std::mt19937 rng(1);
  for (std::size_t n = 1; n <= 7; ++n)
    for (int rep = 0; rep < 3; ++rep) {
      INFO(n << " rep " << rep);
      const mat C = ot_exact_test::random_matrix(rng, n, n, -2.0, 5.0);
      check_assignment(ot::assignment(C), C, false);
      check_assignment(ot::assignment(C, {.maximize = true}), C, true);
    }
}

TEST_CASE("assignment with ties", "[assignment][reference]") {
  std::mt19937 rng(2);
  for (std::size_t n = 2; n <= 7; ++n) {
    mat C = ot_exact_test::random_matrix(rng, n, n);
    for (auto& x : C.x) x = std::floor(x * 2);  // only 0 and 1
    check_assignment(ot::assignment(C), C, false);
    check_assignment(ot::assignment(C, {.maximize = true}), C, true);
    const mat Z(n, n, 0.5);  // all equal
    check_assignment(ot::assignment(Z), Z, false);
  }
}

TEST_CASE("rectangular assignment, wide and tall, min and max", "[assignment][reference]") {
  std::mt19937 rng(3);
  const std::pair<std::size_t, std::size_t> shapes[] = {{1, 5}, {5, 1}, {2, 6}, {6, 2}, {3, 7}, {7, 3}, {4, 6}, {6, 4}};
  for (auto [m, n] : shapes)
    for (int rep = 0; rep < 3; ++rep) {
      INFO(m << " x " << n << " rep " << rep);
      mat C = ot_exact_test::random_matrix(rng, m, n, -1.0, 1.0);
      if (rep == 2)
        for (auto& x : C.x) x = std::round(x * 2);
      check_assignment(ot::assignment(C), C, false);
      check_assignment(ot::assignment(C, {.maximize = true}), C, true);
    }
}

TEST_CASE("square assignment agrees with emd on uniform masses", "[assignment][emd]") {
  std::mt19937 rng(4);
  const std::size_t n = 40;
  const mat C = ot_exact_test::random_matrix(rng, n, n);
  const auto r = ot::assignment(C);
  const std::vector<double> u(n, 1.0);
  const auto e = ot::emd(u, u, C);
  CHECK(r.objective == Approx(e.cost).epsilon(1e-12));
  // The emd plan of a permutation problem is a permutation matrix too.
  CHECK(e.entries.size() == n);
}

TEST_CASE("assignment in float and through a strided view", "[assignment][generic]") {
  std::mt19937 rng(5);
  const mat C = ot_exact_test::random_matrix(rng, 5, 4);
  std::vector<float> Cf(C.x.begin(), C.x.end());
  // Transposed view: 4 x 5.
  const lexalign::matrix_view<const float> Vt(Cf.data(), 4, 5, 1, 4);
  const auto r = ot::assignment(Vt, {.maximize = true});
  static_assert(std::is_same_v<decltype(r.u)::value_type, float>);
  mat Ct(4, 5);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 5; ++j) Ct(i, j) = double(Cf[j * 4 + i]);
  CHECK(r.objective == Approx(ot_exact_test::brute_force_assignment(Ct, true)).epsilon(1e-6));
}

TEST_CASE("assignment reuses its workspace without allocating", "[assignment][memory]") {
  lexalign::test::counting_resource res;
  using alloc = std::pmr::polymorphic_allocator<double>;
  ot::assignment_workspace<alloc> ws{alloc(&res)};
  ot::assignment_result<double, alloc> out{alloc(&res)};
  std::mt19937 rng(6);
  const mat C = ot_exact_test::random_matrix(rng, 30, 50);
  ot::assignment_into(C, {}, ws, out);
  const double first = out.objective;
  const auto before = res.allocations();
  ot::assignment_into(C, {}, ws, out);
  CHECK(res.allocations() == before);
  CHECK(out.objective == first);
}
