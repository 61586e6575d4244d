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
// each, stored as a lexalign::sparse_rows<double> (core/sparse_rows.hpp).
// Memory: 12 bytes per co-occurring pair plus 8 per row.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/sparse_rows.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/cooccurrence.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

class lexical_table {
 public:
  static constexpr std::size_t npos = sparse_rows<double>::npos;
  static constexpr std::size_t null_row = 0;

  lexical_table() = default;

  // The co-occurrence structure of `view`, every probability set to
  // 1/|generated vocabulary| (GIZA++'s uniform start), built on `ex`'s
  // threads (em/cooccurrence.hpp; the same table for any thread count).
  // Throws lexalign::invalid_argument for a token id out of range.
  static lexical_table from_cooccurrence(const bitext_view& view, const executor& ex) {
    detail::check_view_ids(view);
    lexical_table t;
    auto& d = t.data_;
    d.columns = detail::generated_words(view);  // the NULL row: every generated word
    const std::size_t null_count = d.columns.size();
    std::vector<std::uint64_t> given;
    detail::cooccurrence_rows<false>(view, ex, given, d.columns, nullptr);
    d.offsets.assign(given.size() + 1, 0);
    for (std::size_t r = 0; r < given.size(); ++r) d.offsets[r + 1] = null_count + given[r];
    const double uniform =
        view.generated_vocabulary_size == 0 ? 1.0 : 1.0 / static_cast<double>(view.generated_vocabulary_size);
    d.values.assign(d.columns.size(), uniform);
    return t;
  }
  static lexical_table from_cooccurrence(const bitext_view& view) {
    return from_cooccurrence(view, executor(parallel_options{}));
  }

  // A table from explicit rows (used by model loading); throws
  // lexalign::invalid_argument when they are inconsistent.
  static lexical_table from_rows(sparse_rows<double> rows) {
    rows.check();
    lexical_table t;
    t.data_ = std::move(rows);
    return t;
  }
  static lexical_table from_rows(std::vector<std::uint64_t> offsets, std::vector<word_id> columns,
                                 std::vector<double> probabilities) {
    return from_rows(sparse_rows<double>{std::move(offsets), std::move(columns), std::move(probabilities)});
  }

  // The rows themselves (row 0 NULL, row e+1 given word e).
  const sparse_rows<double>& data() const noexcept { return data_; }

  std::size_t rows() const noexcept { return data_.rows(); }
  std::size_t size() const noexcept { return data_.size(); }
  static constexpr std::size_t row_of(word_id given) noexcept { return std::size_t{given} + 1; }

  std::size_t row_begin(std::size_t row) const noexcept { return data_.row_begin(row); }
  std::size_t row_end(std::size_t row) const noexcept { return data_.row_end(row); }
  std::span<const word_id> columns(std::size_t row) const noexcept { return data_.row_columns(row); }
  std::span<const double> probabilities(std::size_t row) const noexcept { return data_.row_values(row); }
  std::span<double> probabilities() noexcept { return data_.values; }
  std::span<const double> probabilities() const noexcept { return data_.values; }
  std::span<const word_id> columns() const noexcept { return data_.columns; }
  std::span<const std::uint64_t> offsets() const noexcept { return data_.offsets; }

  // Flat index of (row, f), or npos when the pair never co-occurred.
  std::size_t find(std::size_t row, word_id f) const noexcept { return data_.find(row, f); }

  // t(f|row), or `fallback` for a pair the table does not hold.
  double probability(std::size_t row, word_id f, double fallback = 0.0) const noexcept {
    return data_.value(row, f, fallback);
  }

  std::size_t memory_bytes() const noexcept { return data_.memory_bytes(); }

 private:
  sparse_rows<double> data_;
};
}  // namespace em
LEXALIGN_NAMESPACE_END
