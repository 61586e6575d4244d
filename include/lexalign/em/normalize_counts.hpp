// lexalign/em/normalize_counts.hpp - the M-step shared by the EM models (maximum
// likelihood or variational Bayes) and the digamma function it needs.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include "lexalign/config.hpp"
#include "lexalign/em/fixed_point_counts.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// Digamma for x > 0 (asymptotic series after upward recursion to x >= 6).
inline double digamma(double x) noexcept {
  double r = 0.0;
  while (x < 6.0) {
    r -= 1.0 / x;
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))));
}

// M-step shared by the models.  vb_alpha == 0 (default): maximum likelihood,
// t(f|e) = c(e,f) / sum_f' c(e,f').  vb_alpha > 0: mean-field variational
// Bayes with a symmetric Dirichlet(vb_alpha) prior over each row's
// co-occurring words (as fast_align -v), t(f|e) = exp(psi(c(e,f)+alpha) -
// psi(sum_f' c(e,f') + n_e alpha)): rare words stop acting as garbage
// collectors.  A row without counts keeps its previous probabilities.
inline void normalize_counts(lexical_table& t, const fixed_point_counts& counts, double vb_alpha = 0.0) {
  auto p = t.probabilities();
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::uint64_t total = 0;
    for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) total += counts.raw(k);
    if (total == 0) continue;
    if (vb_alpha > 0.0) {
      const double n = static_cast<double>(t.row_end(r) - t.row_begin(r));
      const double d = digamma(static_cast<double>(total) / fixed_point_counts::scale + n * vb_alpha);
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) p[k] = std::exp(digamma(counts.value(k) + vb_alpha) - d);
    } else {
      const double inv = 1.0 / static_cast<double>(total);
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) p[k] = static_cast<double>(counts.raw(k)) * inv;
    }
  }
}

}  // namespace em
LEXALIGN_NAMESPACE_END
