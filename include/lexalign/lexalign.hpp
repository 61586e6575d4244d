// lexalign/lexalign.hpp - umbrella header: everything lexalign offers.
// Prefer the fine-grained headers in code where compile time matters.
#pragma once

#include "lexalign/config.hpp"
#include "lexalign/fwd.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/io/text.hpp"
