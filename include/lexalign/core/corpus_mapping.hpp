// lexalign/core/corpus_mapping.hpp - a corpus re-expressed in a trained
// model's word ids: the one corpus-to-model mapping of the aligners (em and
// bayes), with an explicit rule for the words the model has never seen.
//
//   auto m = lexalign::map_to_vocabularies(corpus, model.source_vocabulary, model.target_vocabulary,
//                                          lexalign::unknown_words::shared_id);
//
// A word the model knows keeps the model's id.  An unknown word gets:
//
//   unknown_words::shared_id  one id per side, the model vocabulary's size,
//                             shared by every unknown word of that side.  The
//                             id space has model size + 1 ids.  em::align uses
//                             it: every lexical probability involving the
//                             unknown id is the probability floor, so unknown
//                             words are placed by the alignment prior (HMM
//                             jumps, fast_align's diagonal).
//   unknown_words::extend     its own new id, after the model's ids, in the
//                             order the corpus's vocabulary lists the words;
//                             new_*_words holds them in id order.  bayes::align
//                             uses it: each new word gets its own Dirichlet
//                             row (the prior alpha only), and a model trained
//                             further can store it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN

enum class unknown_words {
  shared_id,  // every unknown word of a side -> one id, the model vocabulary's size
  extend,     // every unknown word -> its own new id after the model's
};

struct mapped_corpus {
  sentence_store source, target;                       // in the model's ids (plus the new ones)
  std::size_t source_vocabulary_size = 0;              // ids in use on the source side (model's + new)
  std::size_t target_vocabulary_size = 0;              // ids in use on the target side (model's + new)
  std::size_t unknown_source_tokens = 0;               // tokens of words the model does not know
  std::size_t unknown_target_tokens = 0;
  std::vector<std::string> new_source_words;           // extend: the new words, id order (ids from model size)
  std::vector<std::string> new_target_words;

  std::size_t size() const noexcept { return source.size(); }
};

// The model's vocabulary followed by `new_words` (ids as map_to_vocabularies
// gave them under unknown_words::extend).
inline vocabulary extended_vocabulary(const vocabulary& model, const std::vector<std::string>& new_words) {
  vocabulary v = model;
  for (const auto& w : new_words) v.add(w);
  return v;
}

inline mapped_corpus map_to_vocabularies(const parallel_corpus& corpus, const vocabulary& source_vocabulary,
                                         const vocabulary& target_vocabulary, unknown_words policy) {
  mapped_corpus m;
  auto side = [policy](const sentence_store& in, const vocabulary& own, const vocabulary& model, sentence_store& out,
                       std::size_t& unknown_tokens, std::vector<std::string>& new_words) {
    const auto known = static_cast<word_id>(model.size());
    std::vector<word_id> ids(own.size());
    std::vector<char> is_unknown(own.size(), 0);
    for (std::size_t k = 0; k < own.size(); ++k) {
      const std::string& w = own.word(static_cast<word_id>(k));
      if (const auto found = model.find(w)) {
        ids[k] = *found;
      } else {
        is_unknown[k] = 1;
        if (policy == unknown_words::shared_id) {
          ids[k] = known;
        } else {
          ids[k] = static_cast<word_id>(model.size() + new_words.size());
          new_words.push_back(w);
        }
      }
    }
    out.reserve(in.size(), in.token_count());
    for (std::size_t s = 0; s < in.size(); ++s) {
      for (word_id w : in[s]) {
        out.push_token(ids[w]);
        unknown_tokens += static_cast<std::size_t>(is_unknown[w]);
      }
      out.end_sentence();
    }
    return policy == unknown_words::shared_id ? model.size() + 1 : model.size() + new_words.size();
  };
  m.source_vocabulary_size = side(corpus.source_sentences(), corpus.source_vocabulary(), source_vocabulary, m.source,
                                  m.unknown_source_tokens, m.new_source_words);
  m.target_vocabulary_size = side(corpus.target_sentences(), corpus.target_vocabulary(), target_vocabulary, m.target,
                                  m.unknown_target_tokens, m.new_target_words);
  return m;
}

LEXALIGN_NAMESPACE_END
