// lexalign/lexalign.hpp - umbrella header: everything lexalign offers.
// Prefer the fine-grained headers in code where compile time matters.
#pragma once

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/io/text.hpp"
#include "lexalign/metrics/aer.hpp"
#include "lexalign/metrics/alignment_scores.hpp"
#include "lexalign/symmetrize/heuristic.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"
