// The matrix/vector concepts accept xtensor, mdspan-shaped types, the
// in-repo matrix_view and user types through ADL hooks, in float and double.
#include <array>
#include <memory_resource>
#include <vector>

#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "support/catch.hpp"
#include "support/counting_resource.hpp"
#include "support/mdspan_like.hpp"

#ifdef LEXALIGN_HAVE_XTENSOR
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#endif

namespace user {
// A user type that knows nothing about lexalign, opted in with ADL hooks.
template <class T>
struct grid {
  std::size_t r, c;
  std::vector<T> cells;
};
template <class T>
std::size_t lexalign_rows(const grid<T>& g) { return g.r; }
template <class T>
std::size_t lexalign_cols(const grid<T>& g) { return g.c; }
template <class T>
const T& lexalign_at(const grid<T>& g, std::size_t i, std::size_t j) { return g.cells[i * g.c + j]; }
template <class T>
T& lexalign_at(grid<T>& g, std::size_t i, std::size_t j) { return g.cells[i * g.c + j]; }

// A 1-D user type.
struct weights {
  std::array<float, 3> w{1, 2, 3};
};
inline std::size_t lexalign_size(const weights&) { return 3; }
inline float lexalign_at(const weights& w, std::size_t i) { return w.w[i]; }
}  // namespace user

namespace {

// The generic code path every algorithm uses: sums through the CPOs.
template <lexalign::matrix M>
double generic_sum(const M& m) {
  double s = 0;
  for (std::size_t i = 0; i < lexalign::rows(m); ++i)
    for (std::size_t j = 0; j < lexalign::cols(m); ++j) s += static_cast<double>(lexalign::at(m, i, j));
  return s;
}

template <lexalign::vector V>
double generic_vsum(const V& v) {
  double s = 0;
  for (std::size_t i = 0; i < lexalign::size(v); ++i) s += static_cast<double>(lexalign::at(v, i));
  return s;
}

}  // namespace

// Concept membership pinned down at compile time.
static_assert(lexalign::matrix<lexalign::matrix_view<double>>);
static_assert(lexalign::matrix<lexalign::matrix_view<const float>>);
static_assert(lexalign::writable_matrix<lexalign::matrix_view<double>>);
static_assert(!lexalign::writable_matrix<lexalign::matrix_view<const double>>);
static_assert(lexalign::matrix<lexalign::dense_matrix<float>>);
static_assert(lexalign::matrix<lexalign::test::mdspan_like<double>>);
static_assert(!lexalign::matrix<lexalign::test::mdspan_like<double, 1>>);
static_assert(lexalign::vector<lexalign::test::mdspan_like<double, 1>>);
static_assert(lexalign::matrix<user::grid<double>>);
static_assert(lexalign::writable_matrix<user::grid<float>>);
static_assert(lexalign::vector<user::weights>);
static_assert(lexalign::vector<std::vector<double>>);
static_assert(!lexalign::matrix<std::vector<double>>);
static_assert(!lexalign::vector<lexalign::matrix_view<double>>);
static_assert(!lexalign::matrix<int>);
static_assert(lexalign::has_matrix_memory<lexalign::dense_matrix<double>>);
static_assert(lexalign::has_matrix_memory<lexalign::test::mdspan_like<float>>);
static_assert(!lexalign::has_matrix_memory<user::grid<double>>);
static_assert(std::is_trivially_copyable_v<lexalign::matrix_view<double>>);
#ifdef LEXALIGN_HAVE_XTENSOR
static_assert(lexalign::matrix<xt::xtensor<double, 2>>);
static_assert(lexalign::matrix<xt::xarray<float>>);
static_assert(!lexalign::matrix<xt::xtensor<double, 1>>);
static_assert(!lexalign::matrix<xt::xtensor<double, 3>>);
static_assert(lexalign::vector<xt::xtensor<double, 1>>);
static_assert(!lexalign::vector<xt::xtensor<double, 2>>);
static_assert(lexalign::has_matrix_memory<xt::xtensor<double, 2>>);
#endif

TEMPLATE_TEST_CASE("matrix_view indexes strided memory", "[matrix]", float, double) {
  std::vector<TestType> data(12);
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = static_cast<TestType>(k);
  lexalign::matrix_view<TestType> rm(data.data(), 3, 4);  // row-major 3x4
  CHECK(rm(2, 1) == TestType(9));
  lexalign::matrix_view<TestType> cm(data.data(), 4, 3, 1, 4);  // the transpose
  CHECK(cm(1, 2) == rm(2, 1));
  lexalign::matrix_view<const TestType> sliced(data.data() + 1, 3, 2, 4, 2);  // columns 1 and 3
  CHECK(sliced(2, 1) == TestType(11));
  CHECK(generic_sum(rm) == Approx(66));
  CHECK(generic_sum(cm) == Approx(66));
  CHECK(generic_sum(sliced) == Approx(1 + 3 + 5 + 7 + 9 + 11));
  lexalign::matrix_view<const TestType> converted = rm;
  CHECK(converted(0, 3) == TestType(3));
  CHECK(rm.rows_contiguous());
  CHECK_FALSE(sliced.rows_contiguous());
}

TEMPLATE_TEST_CASE("mdspan-shaped types are matrices with memory", "[matrix]", float, double) {
  std::vector<TestType> data{1, 2, 3, 4, 5, 6};
  lexalign::test::mdspan_like<TestType> m(data.data(), {2, 3}, {3, 1});
  CHECK(lexalign::rows(m) == 2);
  CHECK(lexalign::cols(m) == 3);
  CHECK(lexalign::at(m, 1, 2) == TestType(6));
  CHECK(generic_sum(m) == Approx(21));
  auto v = lexalign::as_matrix_view(m);
  CHECK(v(1, 0) == TestType(4));
  v(1, 0) = 40;  // writes through
  CHECK(data[3] == TestType(40));
  lexalign::test::mdspan_like<TestType, 1> vec(data.data(), {6}, {1});
  CHECK(generic_vsum(vec) == Approx(21 - 4 + 40));
}

TEMPLATE_TEST_CASE("user types are matrices through ADL hooks", "[matrix]", float, double) {
  user::grid<TestType> g{2, 2, {1, 2, 3, 4}};
  CHECK(lexalign::rows(g) == 2);
  CHECK(generic_sum(g) == Approx(10));
  lexalign::at(g, 0, 1) = 20;
  CHECK(g.cells[1] == TestType(20));
  auto dense = lexalign::to_dense(g);
  CHECK(dense(0, 1) == TestType(20));
  CHECK(generic_vsum(user::weights{}) == Approx(6));
}

#ifdef LEXALIGN_HAVE_XTENSOR
TEMPLATE_TEST_CASE("xtensor containers and views are matrices", "[matrix][xtensor]", float, double) {
  xt::xtensor<TestType, 2> t = {{1, 2, 3}, {4, 5, 6}};
  CHECK(lexalign::rows(t) == 2);
  CHECK(lexalign::cols(t) == 3);
  CHECK(generic_sum(t) == Approx(21));
  auto v = lexalign::as_matrix_view(t);
  CHECK(v(1, 2) == TestType(6));

  xt::xarray<TestType> a = t;
  CHECK(generic_sum(a) == Approx(21));
  auto col = xt::view(t, xt::all(), xt::range(1, 3));  // a strided view
  CHECK(lexalign::rows(col) == 2);
  CHECK(lexalign::cols(col) == 2);
  CHECK(generic_sum(col) == Approx(2 + 3 + 5 + 6));

  // Transposed memory (column-major) through as_matrix_view.
  xt::xtensor<TestType, 2, xt::layout_type::column_major> cmaj = t;
  auto cv = lexalign::as_matrix_view(cmaj);
  CHECK(cv(1, 0) == TestType(4));
  CHECK(cv.col_stride() == 2);

  xt::xtensor<TestType, 1> marg = {1, 2, 3};
  CHECK(generic_vsum(marg) == Approx(6));

  std::vector<TestType> buf{1, 2, 3, 4};
  auto adapted = xt::adapt(buf, std::vector<std::size_t>{2, 2});
  CHECK(generic_sum(adapted) == Approx(10));
}

TEST_CASE("a dynamic-rank xarray of rank 3 is rejected at run time", "[matrix][xtensor]") {
  xt::xarray<double> a = xt::zeros<double>({2, 2, 2});
  CHECK_FALSE(lexalign::has_rank_two(a));
  CHECK_THROWS_AS(lexalign::require_rank_two(a, "cost"), lexalign::invalid_argument);
  CHECK_THROWS_AS(lexalign::to_dense(a), lexalign::invalid_argument);
}
#endif

TEST_CASE("dense_matrix allocates only through its allocator", "[matrix][allocator]") {
  lexalign::test::counting_resource res;
  {
    lexalign::dense_matrix<double, std::pmr::polymorphic_allocator<double>> m(3, 4, 1.0, &res);
    CHECK(res.allocations() == 1);
    CHECK(m.get_allocator().resource() == &res);
    m.resize(2, 6);  // same size: no new allocation
    CHECK(res.allocations() == 1);
    CHECK(generic_sum(m) == Approx(0));
  }
  CHECK(res.bytes_in_use() == 0);

  std::size_t count = 0;
  lexalign::dense_matrix<float, lexalign::test::counting_allocator<float>> m(2, 2, 0.f,
                                                                             lexalign::test::counting_allocator<float>(&count));
  CHECK(count == 1);
}
