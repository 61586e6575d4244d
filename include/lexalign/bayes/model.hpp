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
#include "lexalign/core/sparse_rows.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

// Learned counts of one direction (given side -> generated side).
struct directional_counts {
  // Lexical counts as sparse rows (core/sparse_rows.hpp): row 0 = NULL, row
  // e+1 = given word e; columns are generated word ids.
  sparse_rows<float> lexical;
  std::vector<double> jump;       // 2*max_jump+1 bins, bin d+max_jump holds jump d (clamped)
  std::vector<float> fertility;   // given_vocabulary x fertility_bins, row-major
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
