// lexalign/em/table_pruning.hpp - bounded lexical tables: keep only the
// co-occurring pairs that are frequent enough, and at most k candidates per
// given word, so that the table's memory stays bounded at scale.
//
//   em::train_options o;
//   o.pruning = {.min_count = 2, .max_candidates = 100};   // em::train, em::train_distributed
//   auto t = em::pruned_cooccurrence(em::make_view(corpus), o.pruning);   // or the table alone
//
// The count of a pair (e, f) is the number of sentence pairs in which e and f
// both occur (each sentence pair counts once, however often they repeat in
// it).  A pair the table does not hold gets the probability floor when
// decoding, like a pair that never co-occurred.  The NULL row always keeps
// every generated word.  Memory of a table: 12 bytes per stored pair plus 8
// per row (lexical_table.hpp); training adds 8 bytes per stored pair
// (expected counts) and the lookup cache (4 bytes per sentence cell,
// independent of pruning).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/cooccurrence.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

struct cooccurrence_pruning {
  // Keep (e, f) only when e and f co-occur in at least this many sentence
  // pairs; 1 keeps every co-occurring pair (no pruning: GIZA++'s and
  // fast_align's table).
  std::size_t min_count = 1;
  // Keep at most this many candidates f per given word e, the most frequent
  // first (ties: the lower word id); 0 = no limit.
  std::size_t max_candidates = 0;

  bool active() const noexcept { return min_count > 1 || max_candidates > 0; }
};

inline void validate(const cooccurrence_pruning& o) {
  validation::at_least("em::cooccurrence_pruning.min_count", o.min_count, 1);
}

namespace detail {

// Sorted (key, count) runs: key = (row << 32) | f, count = sentence pairs.
struct counted_keys {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint64_t> counts;
};

// The sentence-pair co-occurrence counts of the given-word rows of `view`
// (not the NULL row), built on `ex`'s threads (em/cooccurrence.hpp).
inline counted_keys cooccurrence_counts(const bitext_view& view, const executor& ex) {
  check_view_ids(view);
  std::vector<std::uint64_t> offsets;
  std::vector<word_id> columns;
  std::vector<std::uint32_t> counts;
  cooccurrence_rows<true>(view, ex, offsets, columns, &counts);
  counted_keys all;
  all.keys.resize(columns.size());
  all.counts.assign(counts.begin(), counts.end());
  for (std::size_t g = 0; g + 1 < offsets.size(); ++g)
    for (std::uint64_t k = offsets[g]; k < offsets[g + 1]; ++k) all.keys[k] = (std::uint64_t{g + 1u} << 32) | columns[k];
  return all;
}
inline counted_keys cooccurrence_counts(const bitext_view& view) {
  return cooccurrence_counts(view, executor(parallel_options{}));
}

// The table of `rows` rows: NULL row `null_columns`, then the counted keys
// that pass `p`, every probability 1/generated_vocabulary_size as in
// from_cooccurrence.
inline lexical_table table_from_counts(std::size_t rows, std::size_t generated_vocabulary_size,
                                       const std::vector<word_id>& null_columns, const counted_keys& c,
                                       const cooccurrence_pruning& p) {
  std::vector<std::uint64_t> offsets(rows + 1, 0);
  std::vector<word_id> columns(null_columns);
  offsets[1] = columns.size();
  std::vector<std::pair<std::uint64_t, word_id>> row;  // (count, f) of one row
  std::size_t k = 0;
  for (std::size_t r = 1; r < rows; ++r) {
    row.clear();
    for (; k < c.keys.size() && (c.keys[k] >> 32) == r; ++k)
      if (c.counts[k] >= p.min_count) row.emplace_back(c.counts[k], static_cast<word_id>(c.keys[k] & 0xFFFFFFFFu));
    if (p.max_candidates > 0 && row.size() > p.max_candidates) {
      std::nth_element(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(p.max_candidates), row.end(),
                       [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
      row.resize(p.max_candidates);
      std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    }
    for (const auto& x : row) columns.push_back(x.second);
    offsets[r + 1] = columns.size();
  }
  const double uniform = generated_vocabulary_size == 0 ? 1.0 : 1.0 / static_cast<double>(generated_vocabulary_size);
  std::vector<double> values(columns.size(), uniform);
  return lexical_table::from_rows(std::move(offsets), std::move(columns), std::move(values));
}

}  // namespace detail

// lexical_table::from_cooccurrence keeping only the pairs `p` allows (with
// p at its defaults: the same table).
// Built on `ex`'s threads; the same table for any thread count.
inline lexical_table pruned_cooccurrence(const bitext_view& view, const cooccurrence_pruning& p, const executor& ex) {
  validate(p);
  if (!p.active()) return lexical_table::from_cooccurrence(view, ex);
  return detail::table_from_counts(view.given_vocabulary_size + 1, view.generated_vocabulary_size,
                                   detail::generated_words(view), detail::cooccurrence_counts(view, ex), p);
}
inline lexical_table pruned_cooccurrence(const bitext_view& view, const cooccurrence_pruning& p) {
  return pruned_cooccurrence(view, p, executor(parallel_options{}));
}

}  // namespace em
LEXALIGN_NAMESPACE_END
