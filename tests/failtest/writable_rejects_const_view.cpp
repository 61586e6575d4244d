// A view of const data is a matrix but not a writable_matrix.
#include "lexalign/core/matrix_view.hpp"

template <lexalign::writable_matrix M>
void fill(M& m) {
  lexalign::at(m, 0, 0) = 1.0;
}

void f() {
  double storage[4] = {};
#ifdef LEXALIGN_FAILTEST
  lexalign::matrix_view<const double> v(storage, 2, 2);
#else
  lexalign::matrix_view<double> v(storage, 2, 2);
#endif
  fill(v);
}
