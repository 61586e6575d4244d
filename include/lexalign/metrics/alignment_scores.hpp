// lexalign/metrics/alignment_scores.hpp - precision, recall, F1 and AER
// (Och & Ney) computed from link counts.
//
// Everything in lexalign::metrics works from an `alignment_counts` record:
// counts add up (`+=`), so a corpus of any size is scored by streaming one
// sentence pair at a time and summing, and the pooled (micro-averaged) scores
// that the literature reports are `scores(total)`.
//
// Definitions, with A the hypothesis, S the sure gold links and P = S ∪
// possible gold links (so S ⊆ P always holds, whatever the file said):
//   precision = |A∩P| / |A|
//   recall    = |A∩S| / |S|
//   F1        = 2·precision·recall / (precision + recall)   (0 if both are 0)
//   AER       = 1 − (|A∩S| + |A∩P|) / (|A| + |S|)
// Undefined cases never throw and never divide by zero: the value is NaN and
// the matching `*_defined` flag is false (precision when |A| = 0, recall when
// |S| = 0, F1 when either is undefined, AER when |A| + |S| = 0).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace metrics {

// Link and token counts of one sentence pair or, summed, of a corpus.
struct alignment_counts {
  std::uint64_t sentences = 0;             // sentence pairs counted
  std::uint64_t hypothesis = 0;            // |A|
  std::uint64_t sure = 0;                  // |S|
  std::uint64_t possible = 0;              // |P| = |S ∪ possible|
  std::uint64_t hypothesis_sure = 0;       // |A ∩ S|
  std::uint64_t hypothesis_possible = 0;   // |A ∩ P|
  // Tokens and unaligned tokens.  With sentence lengths these are exact; for
  // sentences scored without lengths the length is taken as the largest index
  // seen in the gold or the hypothesis + 1 (a lower bound: trailing unaligned
  // tokens are invisible), and `sentences_without_lengths` counts them.
  std::uint64_t source_tokens = 0;
  std::uint64_t target_tokens = 0;
  std::uint64_t unaligned_source = 0;      // source tokens with no link in A
  std::uint64_t unaligned_target = 0;      // target tokens with no link in A
  std::uint64_t gold_unaligned_source = 0; // source tokens with no link in P
  std::uint64_t gold_unaligned_target = 0; // target tokens with no link in P
  std::uint64_t sentences_without_lengths = 0;

  alignment_counts& operator+=(const alignment_counts& o) noexcept {
    sentences += o.sentences;
    hypothesis += o.hypothesis;
    sure += o.sure;
    possible += o.possible;
    hypothesis_sure += o.hypothesis_sure;
    hypothesis_possible += o.hypothesis_possible;
    source_tokens += o.source_tokens;
    target_tokens += o.target_tokens;
    unaligned_source += o.unaligned_source;
    unaligned_target += o.unaligned_target;
    gold_unaligned_source += o.gold_unaligned_source;
    gold_unaligned_target += o.gold_unaligned_target;
    sentences_without_lengths += o.sentences_without_lengths;
    return *this;
  }
  friend alignment_counts operator+(alignment_counts a, const alignment_counts& b) noexcept { return a += b; }
  friend bool operator==(const alignment_counts&, const alignment_counts&) = default;
};

// The four scores; NaN with the flag false where undefined (see the top of the file).
struct alignment_scores {
  double precision = std::numeric_limits<double>::quiet_NaN();
  double recall = std::numeric_limits<double>::quiet_NaN();
  double f1 = std::numeric_limits<double>::quiet_NaN();
  double aer = std::numeric_limits<double>::quiet_NaN();
  bool precision_defined = false;  // |A| > 0
  bool recall_defined = false;     // |S| > 0
  bool f1_defined = false;         // precision and recall defined
  bool aer_defined = false;        // |A| + |S| > 0
};

// Scores of a set of counts: of one sentence, or pooled over a corpus when
// the counts are the corpus total.
inline alignment_scores scores(const alignment_counts& c) noexcept {
  alignment_scores s;
  if (c.hypothesis > 0) {
    s.precision_defined = true;
    s.precision = static_cast<double>(c.hypothesis_possible) / static_cast<double>(c.hypothesis);
  }
  if (c.sure > 0) {
    s.recall_defined = true;
    s.recall = static_cast<double>(c.hypothesis_sure) / static_cast<double>(c.sure);
  }
  if (s.precision_defined && s.recall_defined) {
    s.f1_defined = true;
    const double sum = s.precision + s.recall;
    s.f1 = sum > 0 ? 2.0 * s.precision * s.recall / sum : 0.0;
  }
  if (c.hypothesis + c.sure > 0) {
    s.aer_defined = true;
    s.aer = 1.0 - static_cast<double>(c.hypothesis_sure + c.hypothesis_possible) /
                      static_cast<double>(c.hypothesis + c.sure);
  }
  return s;
}

// Sentence-level (macro) averages: each score is the mean over the sentences
// where it is defined; the counts say how many that was (NaN if none).
struct macro_scores {
  alignment_scores mean;
  std::uint64_t precision_sentences = 0;
  std::uint64_t recall_sentences = 0;
  std::uint64_t f1_sentences = 0;
  std::uint64_t aer_sentences = 0;
};

// Running sums for macro averages; add() each sentence's scores, then result().
class macro_accumulator {
 public:
  void add(const alignment_scores& s) noexcept {
    if (s.precision_defined) precision_.add(s.precision);
    if (s.recall_defined) recall_.add(s.recall);
    if (s.f1_defined) f1_.add(s.f1);
    if (s.aer_defined) aer_.add(s.aer);
  }
  macro_scores result() const noexcept {
    macro_scores m;
    m.mean.precision_defined = precision_.mean(m.mean.precision);
    m.mean.recall_defined = recall_.mean(m.mean.recall);
    m.mean.f1_defined = f1_.mean(m.mean.f1);
    m.mean.aer_defined = aer_.mean(m.mean.aer);
    m.precision_sentences = precision_.n;
    m.recall_sentences = recall_.n;
    m.f1_sentences = f1_.n;
    m.aer_sentences = aer_.n;
    return m;
  }

 private:
  struct sum {
    double total = 0;
    std::uint64_t n = 0;
    void add(double x) noexcept {
      total += x;
      ++n;
    }
    bool mean(double& out) const noexcept {
      if (n == 0) return false;
      out = total / static_cast<double>(n);
      return true;
    }
  };
  sum precision_, recall_, f1_, aer_;
};

}  // namespace metrics
LEXALIGN_NAMESPACE_END
