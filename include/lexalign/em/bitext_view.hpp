// lexalign/em/bitext_view.hpp - both sides of a corpus as one directional model sees them.
//
// Direction vocabulary used throughout lexalign::em: a *directional* model
// generates each token f_j of the "generated" side from one token of the
// "given" side (or from NULL).  The forward model of a parallel corpus has
// given = source, generated = target; the reverse model swaps them.
//
#pragma once

#include <cstddef>
#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// Both sides of a corpus as one directional model sees them (no copy).
struct bitext_view {
  const sentence_store* given = nullptr;
  const sentence_store* generated = nullptr;
  std::size_t given_vocabulary_size = 0;
  std::size_t generated_vocabulary_size = 0;

  std::size_t size() const noexcept { return given->size(); }
};

// given = source, generated = target (reverse = false), or swapped.
inline bitext_view make_view(const parallel_corpus& corpus, bool reverse = false) {
  if (!reverse)
    return {&corpus.source_sentences(), &corpus.target_sentences(), corpus.source_vocabulary().size(),
            corpus.target_vocabulary().size()};
  return {&corpus.target_sentences(), &corpus.source_sentences(), corpus.target_vocabulary().size(),
          corpus.source_vocabulary().size()};
}

}  // namespace em
LEXALIGN_NAMESPACE_END
