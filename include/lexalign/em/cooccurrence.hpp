// lexalign/em/cooccurrence.hpp - which generated words co-occur with each
// given word of a bitext (and in how many sentence pairs): the one builder
// behind lexical_table::from_cooccurrence and the pruning's counts
// (table_pruning.hpp).
//
// One pass over the corpus per worker.  Each given word's row is an
// open-addressing hash set of generated ids (with a sentence-pair count when
// asked), and a sentence's repeated words are skipped with per-worker stamps,
// so every (e, f) co-occurrence costs one probe; the rows are then sorted into
// compressed sparse rows.  Time: O(co-occurrences + pairs log pairs) and not
// the O(pairs x chunks) of merging sorted chunks; memory while building: at
// most 8 bytes per distinct pair (12 with counts) for load factors in
// (3/8, 3/4], plus ~56 bytes per given word.  Workers own the given words
// whose id is their residue modulo the worker count; the result is the same
// for any thread count (each row is a set, sorted at the end).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/em/bitext_view.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em::detail {

// Throws lexalign::invalid_argument when a token id of `view` is outside its
// side's vocabulary.
inline void check_view_ids(const bitext_view& view) {
  for (std::size_t k = 0; k < view.size(); ++k) {
    for (word_id g : (*view.given)[k])
      if (g >= view.given_vocabulary_size) throw invalid_argument("lexical_table: given-side id out of range");
    for (word_id w : (*view.generated)[k])
      if (w >= view.generated_vocabulary_size) throw invalid_argument("lexical_table: generated-side id out of range");
  }
}

// The generated words that occur in `view` (the NULL row), sorted.
inline std::vector<word_id> generated_words(const bitext_view& view) {
  std::vector<char> seen(view.generated_vocabulary_size, 0);
  for (std::size_t k = 0; k < view.size(); ++k)
    for (word_id w : (*view.generated)[k]) {
      if (w >= view.generated_vocabulary_size) throw invalid_argument("lexical_table: generated-side id out of range");
      seen[w] = 1;
    }
  std::vector<word_id> out;
  for (std::size_t w = 0; w < seen.size(); ++w)
    if (seen[w]) out.push_back(static_cast<word_id>(w));
  return out;
}

// The distinct generated words of one row, in a linear-probing hash set
// (capacity a power of two, load at most 3/4), with a count per word when
// Counted.
template <bool Counted>
class cooccurrence_row {
 public:
  static constexpr word_id empty = std::numeric_limits<word_id>::max();

  void insert(word_id w) {
    if (slots_.empty() || 4 * (std::size_t{size_} + 1) > 3 * slots_.size()) grow();
    std::size_t i = slot_of(w);
    const std::size_t mask = slots_.size() - 1;
    while (slots_[i] != empty && slots_[i] != w) i = (i + 1) & mask;
    if (slots_[i] == empty) {
      slots_[i] = w;
      ++size_;
    }
    if constexpr (Counted) ++counts_[i];
  }

  std::size_t size() const noexcept { return size_; }

  // Writes the row's words in increasing order to `columns` (and their
  // counts to `counts`, both of size()), then frees the set.
  void drain(std::span<word_id> columns, std::span<std::uint32_t> counts) {
    std::size_t n = 0;
    if constexpr (Counted) {
      std::vector<std::pair<word_id, std::uint32_t>> row;
      row.reserve(size_);
      for (std::size_t i = 0; i < slots_.size(); ++i)
        if (slots_[i] != empty) row.emplace_back(slots_[i], counts_[i]);
      std::sort(row.begin(), row.end());
      for (const auto& [w, c] : row) {
        columns[n] = w;
        counts[n++] = c;
      }
    } else {
      (void)counts;
      for (word_id w : slots_)
        if (w != empty) columns[n++] = w;
      std::sort(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(n));
    }
    *this = cooccurrence_row{};
  }

 private:
  std::size_t slot_of(word_id w) const noexcept {
    return static_cast<std::size_t>((std::uint64_t{w} * 0x9E3779B97F4A7C15ull) >> (64 - bits_));
  }
  void grow() {
    std::vector<word_id> old = std::move(slots_);
    std::vector<std::uint32_t> old_counts = std::move(counts_);
    bits_ = static_cast<unsigned char>(old.empty() ? 2 : bits_ + 1);
    slots_.assign(std::size_t{1} << bits_, empty);
    if constexpr (Counted) counts_.assign(slots_.size(), 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t k = 0; k < old.size(); ++k) {
      if (old[k] == empty) continue;
      std::size_t i = slot_of(old[k]);
      while (slots_[i] != empty) i = (i + 1) & mask;
      slots_[i] = old[k];
      if constexpr (Counted) counts_[i] = old_counts[k];
    }
  }

  std::vector<word_id> slots_;
  std::vector<std::uint32_t> counts_;  // empty unless Counted
  std::uint32_t size_ = 0;
  unsigned char bits_ = 0;
};

// The co-occurrence rows of the given words of `view` as compressed sparse
// rows, appended to `columns` (and `counts`, when Counted) after whatever
// they already hold: given word g's generated words, increasing, are
// columns[base + offsets[g], base + offsets[g+1]) with base = columns.size()
// on entry, and counts[...] (when Counted) the number of sentence pairs in
// which both occur.  `offsets` gets given_vocabulary_size + 1 entries.
// Token ids must be in range (check_view_ids).
template <bool Counted>
void cooccurrence_rows(const bitext_view& view, const executor& ex, std::vector<std::uint64_t>& offsets,
                       std::vector<word_id>& columns, std::vector<std::uint32_t>* counts) {
  const std::size_t rows = view.given_vocabulary_size;
  const std::size_t parts = ex.size();
  std::vector<cooccurrence_row<Counted>> sets(rows);
  // Pass 1: worker b collects the rows of the given words g with g % parts == b.
  ex.for_each_block(parts, 1, [&](std::size_t b, std::size_t, std::size_t, unsigned) {
    std::vector<std::size_t> given_stamp(rows, 0), generated_stamp(view.generated_vocabulary_size, 0);
    std::vector<word_id> fs;
    for (std::size_t k = 0; k < view.size(); ++k) {
      const std::size_t stamp = k + 1;
      fs.clear();
      for (word_id w : (*view.generated)[k])
        if (generated_stamp[w] != stamp) {
          generated_stamp[w] = stamp;
          fs.push_back(w);
        }
      for (word_id g : (*view.given)[k]) {
        if (g % parts != b || given_stamp[g] == stamp) continue;
        given_stamp[g] = stamp;
        auto& set = sets[g];
        for (word_id w : fs) set.insert(w);
      }
    }
  });
  // Offsets from the row sizes, then pass 2: each worker sorts its rows into place.
  offsets.assign(rows + 1, 0);
  for (std::size_t g = 0; g < rows; ++g) offsets[g + 1] = offsets[g] + sets[g].size();
  const std::size_t base = columns.size();
  columns.resize(base + offsets[rows]);
  if constexpr (Counted) counts->resize(base + offsets[rows]);
  ex.for_each_block(parts, 1, [&](std::size_t b, std::size_t, std::size_t, unsigned) {
    for (std::size_t g = b; g < rows; g += parts) {
      const std::size_t at = base + offsets[g], n = offsets[g + 1] - offsets[g];
      std::span<std::uint32_t> c;
      if constexpr (Counted) c = std::span<std::uint32_t>(counts->data() + at, n);
      sets[g].drain(std::span<word_id>(columns.data() + at, n), c);
    }
  });
}

}  // namespace em::detail
LEXALIGN_NAMESPACE_END
