// Plugging a user-defined matrix type into lexalign: three ADL hooks in the
// type's own namespace make it a lexalign::matrix, so every algorithm accepts
// it.  Types that expose memory (mdspan-shaped, xtensor, lexalign::matrix_view)
// need no hooks at all.
#include <cstdio>
#include <vector>

#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"

namespace mylib {

// A column-major matrix that knows nothing about lexalign.
struct colmajor {
  std::size_t n_rows, n_cols;
  std::vector<float> cells;
  float get(std::size_t i, std::size_t j) const { return cells[j * n_rows + i]; }
};

// The hooks, found by argument-dependent lookup.
std::size_t lexalign_rows(const colmajor& m) { return m.n_rows; }
std::size_t lexalign_cols(const colmajor& m) { return m.n_cols; }
float lexalign_at(const colmajor& m, std::size_t i, std::size_t j) { return m.get(i, j); }

}  // namespace mylib

// Any algorithm written against the concept: here, the row sums.
template <lexalign::matrix M>
std::vector<double> row_sums(const M& m) {
  std::vector<double> out(lexalign::rows(m), 0.0);
  for (std::size_t i = 0; i < lexalign::rows(m); ++i)
    for (std::size_t j = 0; j < lexalign::cols(m); ++j) out[i] += static_cast<double>(lexalign::at(m, i, j));
  return out;
}

int main() {
  static_assert(lexalign::matrix<mylib::colmajor>);
  const mylib::colmajor user{2, 3, {1, 4, 2, 5, 3, 6}};  // [[1 2 3] [4 5 6]]
  const auto s = row_sums(user);
  std::printf("user type row sums: %g %g\n", s[0], s[1]);

  // The same numbers through the in-repo strided view over raw memory.
  const double raw[] = {1, 2, 3, 4, 5, 6};
  const lexalign::matrix_view<const double> view(raw, 2, 3);
  const auto t = row_sums(view);
  std::printf("matrix_view row sums: %g %g\n", t[0], t[1]);

  // Dense copies for types without memory (what kernels fall back to).
  const auto dense = lexalign::to_dense(user);
  std::printf("dense copy (1,2) = %g\n", static_cast<double>(dense(1, 2)));
  return s == t ? 0 : 1;
}
