// lexalign/extract/subword.hpp - from subword tokens to words, both ways
// people do it.
//
//   // 1. align subwords, then link two words when any of their subwords are
//   //    linked (SimAlign "bpe" mode, awesome-align):
//   extract::merge_subword_links(sub, src_word_of, tgt_word_of, words);
//   // 2. average each word's subword vectors first (SimAlign "word" mode,
//   //    OTAlign), then compute the similarity:
//   auto src_words = extract::mean_pool(src_subword_vectors, src_word_of);
//
// word_of[t] is the word index of token t, or any negative value for a token
// that belongs to no word ([CLS], [SEP], padding).  Word indices are 0..W-1.
// See docs/extract/subword.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/extract/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

namespace detail {

// Number of words (largest index + 1) of a token-to-word map; checks integers.
template <lexalign::vector V>
std::size_t word_count(const V& word_of, std::string_view name) {
  std::size_t words = 0;
  for (std::size_t t = 0; t < size(word_of); ++t) {
    const double w = static_cast<double>(at(word_of, t));
    if (w != std::floor(w) || !std::isfinite(w))
      throw invalid_argument(validation::entry_name(name, t) + " is not an integer (got " +
                             validation::format_value(w) + ")");
    if (w >= 0) words = std::max(words, static_cast<std::size_t>(w) + 1);
  }
  return words;
}

template <lexalign::vector V>
std::ptrdiff_t word_at(const V& word_of, std::size_t t) {
  return static_cast<std::ptrdiff_t>(at(word_of, t));
}

}  // namespace detail

// Word links from subword links: (u, v) is linked when some linked subword
// pair (s, t) has word_of_source[s] == u and word_of_target[t] == v.  The
// score is the largest score among those subword links.  Uses ws.b.
template <lexalign::vector VS, lexalign::vector VT, class WAlloc>
void merge_subword_links(const extract_result& subwords, const VS& word_of_source, const VT& word_of_target,
                         workspace<WAlloc>& ws, extract_result& out) {
  const std::size_t mw = detail::word_count(word_of_source, "word_of_source");
  const std::size_t nw = detail::word_count(word_of_target, "word_of_target");
  const double none = -std::numeric_limits<double>::infinity();
  ws.b.assign(mw * nw, none);
  ws.flags.assign(mw * nw, 0);
  for (std::size_t k = 0; k < subwords.size(); ++k) {
    const link l = subwords.alignment.sure[k];
    if (l.source >= size(word_of_source) || l.target >= size(word_of_target))
      throw invalid_argument("subword link " + std::to_string(l.source) + "-" + std::to_string(l.target) +
                             " is outside the token-to-word maps (" + std::to_string(size(word_of_source)) + " and " +
                             std::to_string(size(word_of_target)) + " tokens)");
    const std::ptrdiff_t u = detail::word_at(word_of_source, l.source), v = detail::word_at(word_of_target, l.target);
    if (u < 0 || v < 0) continue;
    const std::size_t cell = static_cast<std::size_t>(u) * nw + static_cast<std::size_t>(v);
    ws.flags[cell] = 1;
    if (subwords.scores[k] > ws.b[cell]) ws.b[cell] = subwords.scores[k];
  }
  out.clear();
  for (std::size_t u = 0; u < mw; ++u)
    for (std::size_t v = 0; v < nw; ++v)
      if (ws.flags[u * nw + v]) out.push(u, v, ws.b[u * nw + v]);
}

template <lexalign::vector VS, lexalign::vector VT>
extract_result merge_subword_links(const extract_result& subwords, const VS& word_of_source,
                                   const VT& word_of_target) {
  workspace<> ws;
  extract_result out;
  merge_subword_links(subwords, word_of_source, word_of_target, ws, out);
  return out;
}

// Word vectors as the mean of their subword vectors (rows of `tokens`).
// Every word 0..W-1 needs at least one token.
template <lexalign::matrix M, lexalign::vector V, class T, class A>
void mean_pool_into(const M& tokens, const V& word_of, dense_matrix<T, A>& out) {
  require_rank_two(tokens, "tokens");
  const std::size_t nt = rows(tokens), d = cols(tokens);
  validation::check_size("word_of", size(word_of), nt, "tokens has " + std::to_string(nt) + " rows");
  const std::size_t words = detail::word_count(word_of, "word_of");
  out.resize(words, d);  // zero-filled
  std::vector<std::size_t> counts(words, 0);
  for (std::size_t t = 0; t < nt; ++t) {
    const std::ptrdiff_t w = detail::word_at(word_of, t);
    if (w < 0) continue;
    const auto wu = static_cast<std::size_t>(w);
    ++counts[wu];
    for (std::size_t k = 0; k < d; ++k) {
      const double x = static_cast<double>(at(tokens, t, k));
      validation::check_entry("tokens", t, k, x, validation::entry_rule::finite);
      out(wu, k) = static_cast<T>(static_cast<double>(out(wu, k)) + x);
    }
  }
  for (std::size_t w = 0; w < words; ++w) {
    if (counts[w] == 0) throw invalid_argument("word_of maps no token to word " + std::to_string(w));
    const double inv = 1.0 / static_cast<double>(counts[w]);
    for (std::size_t k = 0; k < d; ++k) out(w, k) = static_cast<T>(static_cast<double>(out(w, k)) * inv);
  }
}

template <lexalign::matrix M, lexalign::vector V>
dense_matrix<double> mean_pool(const M& tokens, const V& word_of) {
  dense_matrix<double> out;
  mean_pool_into(tokens, word_of, out);
  return out;
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
