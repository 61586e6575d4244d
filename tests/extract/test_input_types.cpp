// Every method gives the same links for the same values whatever the tensor
// type: double and float dense matrices, a column-major mdspan-shaped view,
// and a type seen only through the generic CPOs (no raw memory).
#include <random>

#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/softmax.hpp"
#include "reference.hpp"
#include "support/catch.hpp"
#include "support/mdspan_like.hpp"

namespace ex = lexalign::extract;

namespace {
// Reachable only through rows()/cols()/operator() (no data()).
struct opaque {
  const extract_test::mat* m;
  std::size_t rows() const { return m->rows(); }
  std::size_t cols() const { return m->cols(); }
  double operator()(std::size_t i, std::size_t j) const { return (*m)(i, j); }
};

template <class M>
std::vector<std::vector<lexalign::link>> all_methods(const M& s) {
  return {ex::argmax(s).alignment.sure,
          ex::argmax(s, {.direction = ex::argmax_direction::reverse}).alignment.sure,
          ex::itermax(s).alignment.sure,
          ex::matching(s).alignment.sure,
          ex::softmax(s, {.threshold = 0.05}).alignment.sure,
          ex::entmax(s).alignment.sure};
}
}  // namespace

TEST_CASE("extraction does not depend on the tensor type", "[extract][types]") {
  std::mt19937 rng(61);
  for (int rep = 0; rep < 10; ++rep) {
    const std::size_t m = 2 + rng() % 9, n = 2 + rng() % 9;
    // Values exactly representable in float, with ties.
    const auto d = extract_test::random_matrix(rng, m, n, rep % 2 ? 5 : 0);
    lexalign::dense_matrix<float> f(m, n);
    extract_test::mat fd(m, n);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) fd(i, j) = f(i, j) = static_cast<float>(d(i, j));
    const auto expected = all_methods(fd);
    CHECK(all_methods(f) == expected);
    const extract_test::mat t = extract_test::transpose(fd);
    const lexalign::test::mdspan_like<const double> col_major(t.data(), {m, n}, {1, m});
    CHECK(all_methods(col_major) == expected);
    CHECK(all_methods(opaque{&fd}) == expected);
  }
}
