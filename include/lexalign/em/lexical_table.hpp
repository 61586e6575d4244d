// lexalign/em/lexical_table.hpp - t(f|e) stored sparsely over co-occurring
// pairs.
//
// Direction vocabulary used throughout lexalign::em: a *directional* model
// generates each token f_j of the "generated" side from one token of the
// "given" side (or from NULL).  The forward model of a parallel corpus has
// given = source, generated = target; the reverse model swaps them.
//
// Rows: row 0 is NULL, row e+1 is given-side word id e.  A row holds the
// generated-side ids that co-occur with it in at least one sentence pair
// (every generated word co-occurs with NULL), sorted, with one probability
// each.  Memory: 12 bytes per co-occurring pair plus 8 per row.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/em/bitext_view.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

class lexical_table {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::size_t null_row = 0;

  lexical_table() = default;

  // The co-occurrence structure of `view`, every probability set to
  // 1/|generated vocabulary| (GIZA++'s uniform start).
  static lexical_table from_cooccurrence(const bitext_view& view) {
    lexical_table t;
    const std::size_t rows = view.given_vocabulary_size + 1;
    // Sorted unique (row, f) keys, merged chunk by chunk to bound memory.
    std::vector<std::uint64_t> all, chunk, merged;
    auto flush = [&] {
      std::sort(chunk.begin(), chunk.end());
      chunk.erase(std::unique(chunk.begin(), chunk.end()), chunk.end());
      merged.clear();
      merged.reserve(all.size() + chunk.size());
      std::set_union(all.begin(), all.end(), chunk.begin(), chunk.end(), std::back_inserter(merged));
      all.swap(merged);
      chunk.clear();
    };
    constexpr std::size_t chunk_limit = std::size_t{1} << 22;
    std::vector<word_id> fs;
    for (std::size_t k = 0; k < view.size(); ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      fs.assign(f.begin(), f.end());
      std::sort(fs.begin(), fs.end());
      fs.erase(std::unique(fs.begin(), fs.end()), fs.end());
      for (word_id g : e) {
        if (g >= view.given_vocabulary_size) throw invalid_argument("lexical_table: given-side id out of range");
        for (word_id w : fs) chunk.push_back((std::uint64_t{g + 1u} << 32) | w);
      }
      if (chunk.size() >= chunk_limit) flush();
    }
    flush();
    // NULL row: every generated word.
    std::vector<char> seen(view.generated_vocabulary_size, 0);
    for (std::size_t k = 0; k < view.size(); ++k)
      for (word_id w : (*view.generated)[k]) {
        if (w >= view.generated_vocabulary_size)
          throw invalid_argument("lexical_table: generated-side id out of range");
        seen[w] = 1;
      }
    std::size_t null_count = 0;
    for (char s : seen) null_count += s != 0;
    t.offsets_.assign(rows + 1, 0);
    t.columns_.resize(null_count + all.size());
    std::size_t pos = 0;
    for (std::size_t w = 0; w < seen.size(); ++w)
      if (seen[w]) t.columns_[pos++] = static_cast<word_id>(w);
    t.offsets_[1] = pos;
    for (std::uint64_t key : all) {
      t.columns_[pos++] = static_cast<word_id>(key & 0xFFFFFFFFu);
      ++t.offsets_[(key >> 32) + 1];
    }
    // offsets_[r+1] currently holds the count of row r (r >= 1): prefix-sum.
    for (std::size_t r = 1; r < rows; ++r) t.offsets_[r + 1] += t.offsets_[r];
    const double uniform =
        view.generated_vocabulary_size == 0 ? 1.0 : 1.0 / static_cast<double>(view.generated_vocabulary_size);
    t.probabilities_.assign(t.columns_.size(), uniform);
    return t;
  }

  // Builds a table from explicit rows (used by model loading).
  static lexical_table from_rows(std::vector<std::uint64_t> offsets, std::vector<word_id> columns,
                                 std::vector<double> probabilities) {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != columns.size() ||
        columns.size() != probabilities.size())
      throw invalid_argument("lexical_table::from_rows: inconsistent offsets, columns and probabilities");
    for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
      if (offsets[r] > offsets[r + 1]) throw invalid_argument("lexical_table::from_rows: offsets decrease");
      for (std::uint64_t p = offsets[r] + 1; p < offsets[r + 1]; ++p)
        if (columns[p - 1] >= columns[p])
          throw invalid_argument("lexical_table::from_rows: columns of a row are not strictly increasing");
    }
    lexical_table t;
    t.offsets_ = std::move(offsets);
    t.columns_ = std::move(columns);
    t.probabilities_ = std::move(probabilities);
    return t;
  }

  std::size_t rows() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::size_t size() const noexcept { return columns_.size(); }
  static constexpr std::size_t row_of(word_id given) noexcept { return std::size_t{given} + 1; }

  std::size_t row_begin(std::size_t row) const noexcept { return offsets_[row]; }
  std::size_t row_end(std::size_t row) const noexcept { return offsets_[row + 1]; }
  std::span<const word_id> columns(std::size_t row) const noexcept {
    return {columns_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]};
  }
  std::span<const double> probabilities(std::size_t row) const noexcept {
    return {probabilities_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]};
  }
  std::span<double> probabilities() noexcept { return probabilities_; }
  std::span<const double> probabilities() const noexcept { return probabilities_; }
  std::span<const word_id> columns() const noexcept { return columns_; }
  std::span<const std::uint64_t> offsets() const noexcept { return offsets_; }

  // Flat index of (row, f), or npos when the pair never co-occurred.
  std::size_t find(std::size_t row, word_id f) const noexcept {
    if (row + 1 >= offsets_.size()) return npos;
    const word_id* b = columns_.data() + offsets_[row];
    const word_id* e = columns_.data() + offsets_[row + 1];
    const word_id* it = std::lower_bound(b, e, f);
    return (it != e && *it == f) ? static_cast<std::size_t>(it - columns_.data()) : npos;
  }

  // t(f|row), or `fallback` for a pair the table does not hold.
  double probability(std::size_t row, word_id f, double fallback = 0.0) const noexcept {
    const std::size_t k = find(row, f);
    return k == npos ? fallback : probabilities_[k];
  }

  std::size_t memory_bytes() const noexcept {
    return offsets_.capacity() * sizeof(std::uint64_t) + columns_.capacity() * sizeof(word_id) +
           probabilities_.capacity() * sizeof(double);
  }

 private:
  std::vector<std::uint64_t> offsets_;
  std::vector<word_id> columns_;
  std::vector<double> probabilities_;
};

}  // namespace em
LEXALIGN_NAMESPACE_END
