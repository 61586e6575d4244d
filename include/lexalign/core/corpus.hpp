// lexalign/core/corpus.hpp - a compact integer-id parallel corpus.
//
// Tokens are stored as 4-byte word ids in one flat array per side, plus one
// 8-byte offset per sentence: about 4 bytes per token plus the vocabulary.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN

// A sequence of sentences over one vocabulary.  A store either owns its
// arrays or borrows them (borrow(): a memory-mapped corpus file, io/corpus_file.hpp,
// or a shard of another store); a borrowed store is read-only.
class sentence_store {
 public:
  sentence_store() { offsets_.push_back(0); }

  // A read-only store over caller-owned arrays: sentence k is
  // tokens[offsets[k] .. offsets[k+1]) (offsets need not start at 0, so that
  // a shard of a store can borrow a sub-span of its offsets).  The arrays must
  // outlive the store.
  static sentence_store borrow(const word_id* tokens, std::span<const std::uint64_t> offsets) {
    LEXALIGN_ASSERT(!offsets.empty(), "sentence_store::borrow: offsets need at least one entry");
    sentence_store s;
    std::vector<std::uint64_t>().swap(s.offsets_);
    s.borrowed_tokens_ = tokens;
    s.borrowed_offsets_ = offsets.data();
    s.borrowed_size_ = offsets.size() - 1;
    return s;
  }
  bool borrowed() const noexcept { return borrowed_offsets_ != nullptr; }
  // Sentences [begin, end) as a borrowed store (valid while this one lives
  // unchanged).
  sentence_store slice(std::size_t begin, std::size_t end) const {
    LEXALIGN_ASSERT(begin <= end && end <= size(), "sentence_store::slice: range out of bounds");
    return borrow(tokens_data(), {offsets_data() + begin, end - begin + 1});
  }

  std::size_t size() const noexcept { return borrowed() ? borrowed_size_ : offsets_.size() - 1; }
  std::size_t token_count() const noexcept {
    const std::uint64_t* o = offsets_data();
    return static_cast<std::size_t>(o[size()] - o[0]);
  }
  std::span<const word_id> operator[](std::size_t k) const noexcept {
    const std::uint64_t* o = offsets_data();
    return {tokens_data() + o[k], static_cast<std::size_t>(o[k + 1] - o[k])};
  }
  std::size_t length(std::size_t k) const noexcept {
    const std::uint64_t* o = offsets_data();
    return static_cast<std::size_t>(o[k + 1] - o[k]);
  }
  std::size_t max_length() const noexcept {
    std::size_t m = 0;
    for (std::size_t k = 0; k < size(); ++k) m = std::max(m, length(k));
    return m;
  }

  void push_back(std::span<const word_id> sentence) {
    LEXALIGN_ASSERT(!borrowed(), "sentence_store: a borrowed store is read-only");
    tokens_.insert(tokens_.end(), sentence.begin(), sentence.end());
    offsets_.push_back(tokens_.size());
  }
  // Appends one token to a sentence under construction; finish with end_sentence().
  void push_token(word_id w) {
    LEXALIGN_ASSERT(!borrowed(), "sentence_store: a borrowed store is read-only");
    tokens_.push_back(w);
  }
  void end_sentence() {
    LEXALIGN_ASSERT(!borrowed(), "sentence_store: a borrowed store is read-only");
    offsets_.push_back(tokens_.size());
  }
  void reserve(std::size_t sentences, std::size_t tokens) {
    offsets_.reserve(sentences + 1);
    tokens_.reserve(tokens);
  }
  void shrink_to_fit() {
    offsets_.shrink_to_fit();
    tokens_.shrink_to_fit();
  }
  // Bytes held by the token and offset arrays (not the vocabulary; 0 for a
  // borrowed store).
  std::size_t memory_bytes() const noexcept {
    return tokens_.capacity() * sizeof(word_id) + offsets_.capacity() * sizeof(std::uint64_t);
  }

 private:
  const word_id* tokens_data() const noexcept { return borrowed() ? borrowed_tokens_ : tokens_.data(); }
  const std::uint64_t* offsets_data() const noexcept { return borrowed() ? borrowed_offsets_ : offsets_.data(); }

  std::vector<word_id> tokens_;
  std::vector<std::uint64_t> offsets_;
  const word_id* borrowed_tokens_ = nullptr;
  const std::uint64_t* borrowed_offsets_ = nullptr;
  std::size_t borrowed_size_ = 0;
};

// Line-parallel source and target sentences with their vocabularies.
class parallel_corpus {
 public:
  std::size_t size() const noexcept { return source_.size(); }
  bool empty() const noexcept { return size() == 0; }

  std::span<const word_id> source(std::size_t k) const noexcept { return source_[k]; }
  std::span<const word_id> target(std::size_t k) const noexcept { return target_[k]; }

  const sentence_store& source_sentences() const noexcept { return source_; }
  const sentence_store& target_sentences() const noexcept { return target_; }
  const vocabulary& source_vocabulary() const noexcept { return source_vocab_; }
  const vocabulary& target_vocabulary() const noexcept { return target_vocab_; }
  vocabulary& source_vocabulary() noexcept { return source_vocab_; }
  vocabulary& target_vocabulary() noexcept { return target_vocab_; }

  // Adds a pair of already-tokenised sentences.
  template <class SourceRange, class TargetRange>
  void add(const SourceRange& source_words, const TargetRange& target_words) {
    for (std::string_view w : source_words) source_.push_token(source_vocab_.add(w));
    source_.end_sentence();
    for (std::string_view w : target_words) target_.push_token(target_vocab_.add(w));
    target_.end_sentence();
  }

  // Adds a pair given as ids of this corpus' vocabularies.
  void add_ids(std::span<const word_id> source_ids, std::span<const word_id> target_ids) {
    check_ids(source_ids, source_vocab_, "source");
    check_ids(target_ids, target_vocab_, "target");
    source_.push_back(source_ids);
    target_.push_back(target_ids);
  }

  // Low-level access for readers that build the corpus token by token.
  sentence_store& source_store() noexcept { return source_; }
  sentence_store& target_store() noexcept { return target_; }

  void shrink_to_fit() {
    source_.shrink_to_fit();
    target_.shrink_to_fit();
  }
  std::size_t memory_bytes() const noexcept { return source_.memory_bytes() + target_.memory_bytes(); }

 private:
  static void check_ids(std::span<const word_id> ids, const vocabulary& v, const char* side) {
    for (word_id id : ids)
      if (id >= v.size())
        throw invalid_argument(std::string("parallel_corpus::add_ids: ") + side + " id " + std::to_string(id) +
                               " is not in the vocabulary");
  }

  sentence_store source_, target_;
  vocabulary source_vocab_, target_vocab_;
};

LEXALIGN_NAMESPACE_END
