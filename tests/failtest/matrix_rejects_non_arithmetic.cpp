// A 2-D type whose elements are not arithmetic is not a lexalign::matrix.
#include <string>

#include "lexalign/core/matrix.hpp"

struct grid {
#ifdef LEXALIGN_FAILTEST
  std::string operator()(std::size_t, std::size_t) const { return {}; }
#else
  double operator()(std::size_t, std::size_t) const { return 0; }
#endif
  std::size_t rows() const { return 1; }
  std::size_t cols() const { return 1; }
};

template <lexalign::matrix M>
void needs_matrix(const M&) {}

void f() { needs_matrix(grid{}); }
