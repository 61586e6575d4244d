// lexalign/em/lexical_prior.hpp - a prior over t(f|e) mixed into a lexical table after
// every M-step (embedding_prior.hpp builds one).
#pragma once

#include <cstddef>
#include <vector>
#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

struct lexical_prior {
  std::vector<float> q;        // one value per table entry (0: not a candidate)
  std::vector<double> weight;  // w per row (0: row untouched)

  // t <- (t + w q) / (1 + w) row by row.
  void apply(lexical_table& t) const {
    if (q.size() != t.size() || weight.size() != t.rows())
      throw invalid_argument("lexical_prior::apply: the prior was built for another table");
    auto p = t.probabilities();
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const double w = weight[r];
      if (w <= 0) continue;
      double total = 0.0;  // sum of t + w q over the row (1 + w up to rounding)
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) total += p[k] + w * double(q[k]);
      const double inv = 1.0 / total;
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) p[k] = (p[k] + w * double(q[k])) * inv;
    }
  }
};

}  // namespace em
LEXALIGN_NAMESPACE_END
