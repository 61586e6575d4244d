// lexalign/metrics/aer.hpp - score hypothesis alignments against gold
// alignments with sure and possible links: counts per sentence, pooled
// (corpus-level, the standard) and macro-averaged scores.
//
//   metrics::scorer sc;                        // streaming: O(1) memory per corpus
//   for (k...) sc.add(gold[k], hyp[k]);        // or add(gold[k], hyp[k], n_k, m_k)
//   metrics::alignment_scores s = sc.pooled(); // s.aer, s.f1, ...
//
//   auto e = metrics::evaluate(gold, hyp);     // whole corpora at once
//
// Links are scored as sets: duplicates and order in the input do not matter.
// Hypothesis links are all the links of the hypothesis (its `sure` and, if
// any, its `possible` ones).  See alignment_scores.hpp for the formulas and
// the undefined cases.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/metrics/alignment_scores.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace metrics {

struct score_options {
  // Treat every gold link as sure (S = P = sure ∪ possible), like aer.py's
  // --allSure.  Off: S = sure links, P = sure ∪ possible links.
  bool all_sure = false;
};

namespace detail {

// `s` itself if sorted and free of duplicates, else a normalised copy in `buffer`.
inline std::span<const link> as_set(std::span<const link> s, std::vector<link>& buffer) {
  if (is_sorted_unique(s)) return s;
  buffer.assign(s.begin(), s.end());
  normalize_links(buffer);
  return buffer;
}

// Sorted union of two sorted sets, into `out`.
inline std::span<const link> merge_sets(std::span<const link> a, std::span<const link> b, std::vector<link>& out) {
  if (b.empty()) return a;
  if (a.empty()) return b;
  out.clear();
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out),
                 [](const link& x, const link& y) { return link_key(x) < link_key(y); });
  return out;
}

inline std::size_t intersection_size(std::span<const link> a, std::span<const link> b) noexcept {
  std::size_t n = 0;
  auto i = a.begin(), j = b.begin();
  while (i != a.end() && j != b.end()) {
    const std::uint64_t x = link_key(*i), y = link_key(*j);
    if (x < y) ++i;
    else if (y < x) ++j;
    else {
      ++n;
      ++i;
      ++j;
    }
  }
  return n;
}

}  // namespace detail

// Scores sentence pairs one at a time and keeps the corpus totals.  Reuses its
// buffers, so scoring allocates only while the largest sentence grows.
class scorer {
 public:
  explicit scorer(const score_options& options = {}) : options_(options) {}

  // Scores one sentence pair without sentence lengths (token counts are then
  // estimated from the largest index, see alignment_counts), adds it to the
  // totals and returns its counts.
  alignment_counts add(const sentence_alignment& gold, const sentence_alignment& hypothesis) {
    return add_impl(gold, hypothesis, std::nullopt, std::nullopt);
  }

  // As above with the true sentence lengths.  Throws invalid_argument if a
  // gold or hypothesis link lies outside them.
  alignment_counts add(const sentence_alignment& gold, const sentence_alignment& hypothesis,
                       std::size_t source_length, std::size_t target_length) {
    return add_impl(gold, hypothesis, source_length, target_length);
  }

  const alignment_counts& total() const noexcept { return total_; }
  alignment_scores pooled() const noexcept { return scores(total_); }
  macro_scores macro() const noexcept { return macro_.result(); }
  const score_options& options() const noexcept { return options_; }

  void reset() noexcept {
    total_ = {};
    macro_ = {};
  }

 private:
  alignment_counts add_impl(const sentence_alignment& gold, const sentence_alignment& hyp,
                            std::optional<std::size_t> source_length, std::optional<std::size_t> target_length) {
    const auto g_sure = detail::as_set(gold.sure, buf_[0]);
    const auto g_poss = detail::as_set(gold.possible, buf_[1]);
    const auto h_sure = detail::as_set(hyp.sure, buf_[2]);
    const auto h_poss = detail::as_set(hyp.possible, buf_[3]);
    const auto a = detail::merge_sets(h_sure, h_poss, buf_[4]);
    const auto p = detail::merge_sets(g_sure, g_poss, buf_[5]);  // P = S ∪ possible
    const auto s = options_.all_sure ? p : g_sure;

    alignment_counts c;
    c.sentences = 1;
    c.hypothesis = a.size();
    c.sure = s.size();
    c.possible = p.size();
    c.hypothesis_sure = detail::intersection_size(a, s);
    c.hypothesis_possible = detail::intersection_size(a, p);

    std::size_t n = 0, m = 0;
    if (source_length && target_length) {
      n = *source_length;
      m = *target_length;
      check_range(a, n, m, "hypothesis");
      check_range(p, n, m, "gold");
    } else {
      c.sentences_without_lengths = 1;
      for (const auto& set : {a, p})
        for (const link& l : set) {
          n = std::max<std::size_t>(n, std::size_t{l.source} + 1);
          m = std::max<std::size_t>(m, std::size_t{l.target} + 1);
        }
    }
    c.source_tokens = n;
    c.target_tokens = m;
    c.unaligned_source = n - distinct_sources(a);
    c.unaligned_target = m - distinct_targets(a, m);
    c.gold_unaligned_source = n - distinct_sources(p);
    c.gold_unaligned_target = m - distinct_targets(p, m);

    total_ += c;
    macro_.add(scores(c));
    return c;
  }

  static void check_range(std::span<const link> links, std::size_t n, std::size_t m, const char* which) {
    for (const link& l : links)
      if (l.source >= n || l.target >= m)
        throw invalid_argument("metrics::scorer: " + std::string(which) + " link " + std::to_string(l.source) + "-" +
                               std::to_string(l.target) + " is outside a sentence pair of " + std::to_string(n) +
                               " x " + std::to_string(m) + " tokens");
  }

  // Number of distinct source indices of sorted links: the number of runs.
  static std::size_t distinct_sources(std::span<const link> links) noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < links.size(); ++i) n += i == 0 || links[i].source != links[i - 1].source;
    return n;
  }

  // Number of distinct target indices (all below m): a flag per target word
  // when m is small next to the links, else a sort.
  std::size_t distinct_targets(std::span<const link> links, std::size_t m) {
    if (m <= 4 * links.size() + 64) {
      seen_.resize(std::max(seen_.size(), m));
      std::size_t n = 0;
      for (const link& l : links) {
        n += seen_[l.target] == 0;
        seen_[l.target] = 1;
      }
      for (const link& l : links) seen_[l.target] = 0;
      return n;
    }
    auto& v = index_buffer_;
    v.clear();
    for (const link& l : links) v.push_back(l.target);
    std::sort(v.begin(), v.end());
    return static_cast<std::size_t>(std::unique(v.begin(), v.end()) - v.begin());
  }

  score_options options_;
  alignment_counts total_;
  macro_accumulator macro_;
  std::vector<link> buf_[6];
  std::vector<std::uint32_t> index_buffer_;
  std::vector<std::uint8_t> seen_;  // all zero between calls
};

// Counts of one sentence pair (a convenience over scorer).
inline alignment_counts count_links(const sentence_alignment& gold, const sentence_alignment& hypothesis,
                                    const score_options& options = {}) {
  scorer s(options);
  return s.add(gold, hypothesis);
}

struct evaluate_options {
  score_options score{};        // how each sentence is scored
  bool keep_sentences = false;  // fill evaluation::sentences with per-sentence counts
};

struct evaluation {
  alignment_counts total;                  // summed over the corpus
  alignment_scores pooled;                 // scores(total): what papers report
  macro_scores macro;                      // means of per-sentence scores
  std::vector<alignment_counts> sentences; // per sentence pair, if keep_sentences
};

namespace detail {
template <class Add>
evaluation evaluate_impl(std::size_t gold_size, std::size_t hyp_size, const evaluate_options& options, Add&& add) {
  if (gold_size != hyp_size)
    throw invalid_argument("metrics::evaluate: the gold has " + std::to_string(gold_size) +
                           " sentence pairs but the hypothesis has " + std::to_string(hyp_size));
  scorer sc(options.score);
  evaluation e;
  if (options.keep_sentences) e.sentences.reserve(gold_size);
  for (std::size_t k = 0; k < gold_size; ++k) {
    const alignment_counts c = add(sc, k);
    if (options.keep_sentences) e.sentences.push_back(c);
  }
  e.total = sc.total();
  e.pooled = sc.pooled();
  e.macro = sc.macro();
  return e;
}
}  // namespace detail

// Scores a whole hypothesis corpus against a gold corpus of the same number
// of sentence pairs (else invalid_argument).
inline evaluation evaluate(const alignment_corpus& gold, const alignment_corpus& hypothesis,
                           const evaluate_options& options = {}) {
  return detail::evaluate_impl(gold.size(), hypothesis.size(), options,
                               [&](scorer& sc, std::size_t k) { return sc.add(gold[k], hypothesis[k]); });
}

// As above with the sentence lengths (exact unaligned-token counts, range checks).
inline evaluation evaluate(const alignment_corpus& gold, const alignment_corpus& hypothesis,
                           std::span<const std::size_t> source_lengths, std::span<const std::size_t> target_lengths,
                           const evaluate_options& options = {}) {
  if (source_lengths.size() != gold.size() || target_lengths.size() != gold.size())
    throw invalid_argument("metrics::evaluate: " + std::to_string(source_lengths.size()) + " source and " +
                           std::to_string(target_lengths.size()) + " target lengths for " +
                           std::to_string(gold.size()) + " sentence pairs");
  return detail::evaluate_impl(gold.size(), hypothesis.size(), options, [&](scorer& sc, std::size_t k) {
    return sc.add(gold[k], hypothesis[k], source_lengths[k], target_lengths[k]);
  });
}

}  // namespace metrics
LEXALIGN_NAMESPACE_END
