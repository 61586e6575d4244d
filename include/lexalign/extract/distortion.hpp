// lexalign/extract/distortion.hpp - SimAlign's distortion prior, in place.
//
//   lexalign::extract::apply_distortion(sim, {.kappa = 0.5});
//
// S(i, j) <- S(i, j) · (1 - kappa (i/(m-1) - j/(n-1))^2), which favours the
// diagonal.  Nothing happens when m < 2 or n < 2 (SimAlign's rule) or kappa
// is 0.  See docs/extract/distortion.md.
#pragma once

#include <cstddef>

#include "lexalign/config.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/validate.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

struct distortion_options {
  // SimAlign's SentenceAligner default (its apply_distortion helper uses 0.5;
  // OTAlign sets 0 to 0.2 per data set).
  double kappa = 0.0;
};

inline void validate(const distortion_options& opt) {
  validation::non_negative("extract::distortion_options.kappa", opt.kappa);
}

// The factor for cell (i, j) of an m x n matrix.
inline double distortion_factor(std::size_t i, std::size_t j, std::size_t m, std::size_t n, double kappa) noexcept {
  if (m < 2 || n < 2) return 1.0;
  const double d = static_cast<double>(i) / static_cast<double>(m - 1) - static_cast<double>(j) / static_cast<double>(n - 1);
  return 1.0 - kappa * d * d;
}

template <lexalign::writable_matrix M>
void apply_distortion(M& similarity, const distortion_options& opt) {
  validate(opt);
  require_rank_two(similarity, "similarity");
  const std::size_t m = rows(similarity), n = cols(similarity);
  if (m < 2 || n < 2 || opt.kappa == 0) return;
  using T = matrix_value_t<M>;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double x = static_cast<double>(at(similarity, i, j));
      at(similarity, i, j) = static_cast<T>(x * distortion_factor(i, j, m, n, opt.kappa));
    }
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
