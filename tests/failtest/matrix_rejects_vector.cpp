// A std::vector<double> is a lexalign::vector, not a lexalign::matrix:
// rows() must reject it.
#include <vector>

#include "lexalign/core/matrix.hpp"

void f() {
#ifdef LEXALIGN_FAILTEST
  std::vector<double> v(3);
#else
  struct ok {
    double operator()(std::size_t, std::size_t) const { return 0; }
    std::size_t rows() const { return 1; }
    std::size_t cols() const { return 1; }
  } v;
#endif
  (void)lexalign::rows(v);
}
