// lexalign/bayes/model.hpp - what the Bayesian aligner learns: counts that can
// be saved (bayes/model_io.hpp) and reused as Dirichlet pseudo-counts (priors).
//
// A `bayes::model` is what training learns: per direction, the lexical,
// jump and fertility counts averaged over the samplers' final states, with the
// vocabularies they refer to.  Aligning new text with it adds these counts to
// the Dirichlet parameters (alpha + count), which is eflomal's priors-file
// mechanism without the separate file-generation step.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

// Learned counts of one direction (given side -> generated side).
struct directional_counts {
  // Lexical counts as sparse rows: row 0 = NULL, row e+1 = given word e;
  // columns are generated word ids, strictly increasing within a row.
  std::vector<std::uint64_t> offsets{0};
  std::vector<word_id> columns;
  std::vector<float> counts;
  std::vector<double> jump;       // 2*max_jump+1 bins, bin d+max_jump holds jump d (clamped)
  std::vector<float> fertility;   // given_vocabulary x fertility_bins, row-major

  std::size_t rows() const noexcept { return offsets.size() - 1; }
  // Count of (row, f), 0 when absent.
  float count(std::size_t row, word_id f) const noexcept {
    if (row + 1 >= offsets.size()) return 0.0f;
    const auto b = columns.begin() + static_cast<std::ptrdiff_t>(offsets[row]);
    const auto e = columns.begin() + static_cast<std::ptrdiff_t>(offsets[row + 1]);
    const auto it = std::lower_bound(b, e, f);
    return (it != e && *it == f) ? counts[static_cast<std::size_t>(it - columns.begin())] : 0.0f;
  }
  double row_total(std::size_t row) const noexcept {
    double s = 0.0;
    if (row + 1 >= offsets.size()) return s;
    for (std::size_t k = offsets[row]; k < offsets[row + 1]; ++k) s += counts[k];
    return s;
  }
};

// What training learns, in a form that can be saved and used as priors.
struct model {
  vocabulary source_vocabulary;
  vocabulary target_vocabulary;
  std::size_t max_jump = 100;
  std::size_t fertility_bins = 8;
  std::size_t training_sentences = 0;  // sets the default schedule when aligning new text
  directional_counts forward;          // generates target from source
  directional_counts reverse;          // generates source from target
};

}  // namespace bayes
LEXALIGN_NAMESPACE_END
