// lexalign/em/model.hpp - what em::train learns: per direction the lexical
// table and the alignment model's parameters, with the vocabularies they
// refer to and each training stage's record.
#pragma once

#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/em/em_result.hpp"
#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/fertility.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

enum class model_kind {
  ibm1,        // IBM Model 1 (ibm1.iterations)
  fast_align,  // fast_align's diagonal Model 2 (fast_align.iterations), no IBM1 warm-up
  hmm,         // IBM1 x ibm1.iterations, then HMM x hmm.iterations
};

// One training stage's record: its observer stage name ("em.ibm1.forward")
// and result (convergence record and log-likelihood per iteration).
struct stage_record {
  std::string stage;
  em_result result;
};

// One direction's trained parameters.
struct directional_model {
  model_kind kind = model_kind::ibm1;
  lexical_table table;         // t(generated | given), row 0 NULL
  bool has_hmm = false;        // kind == hmm with HMM iterations
  fast_align_parameters fast_align;  // used when kind == fast_align
  hmm_parameters hmm;          // used when has_hmm
  // Models 3/4 after the HMM (train_options::model3 / model4 iterations > 0):
  // decoding hill-climbs from the HMM Viterbi alignment under fertility.model.
  bool has_fertility = false;
  fertility_parameters fertility;
  double probability_floor = 1e-7;  // the last stage's floor, used when decoding
  std::vector<stage_record> stages;  // each stage's record, in training order (empty for a loaded model)
  convergence_info convergence;      // the stages' records appended (append_stage)

  // False for a direction train() was not asked to train.
  bool trained() const noexcept { return table.rows() != 0; }
};

// What em::train returns and em::save / em::load write and read.
struct model {
  vocabulary source_vocabulary;  // the ids of the tables' source side
  vocabulary target_vocabulary;
  directional_model forward;     // generates target from source
  directional_model reverse;     // generates source from target
  convergence_info convergence;  // both directions' records appended (a stop ends training)
};

}  // namespace em
LEXALIGN_NAMESPACE_END
