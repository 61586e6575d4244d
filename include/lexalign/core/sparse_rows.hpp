// lexalign/core/sparse_rows.hpp - a table of sparse rows (compressed sparse
// rows over word ids): the one storage of the aligners' per-word-pair tables,
// em::lexical_table (t(f|e) as double) and bayes::directional_counts (learned
// counts as float).  Row r holds the columns (word ids) that have a value,
// strictly increasing, at [offsets[r], offsets[r+1]).  Read and written by
// io/sparse_rows_io.hpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN

template <class T>
struct sparse_rows {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  std::vector<std::uint64_t> offsets{0};  // rows() + 1 entries, offsets[0] = 0
  std::vector<word_id> columns;           // strictly increasing within a row
  std::vector<T> values;                  // one per column

  std::size_t rows() const noexcept { return offsets.empty() ? 0 : offsets.size() - 1; }
  std::size_t size() const noexcept { return columns.size(); }
  std::size_t row_begin(std::size_t row) const noexcept { return offsets[row]; }
  std::size_t row_end(std::size_t row) const noexcept { return offsets[row + 1]; }
  std::span<const word_id> row_columns(std::size_t row) const noexcept {
    return {columns.data() + offsets[row], offsets[row + 1] - offsets[row]};
  }
  std::span<const T> row_values(std::size_t row) const noexcept {
    return {values.data() + offsets[row], offsets[row + 1] - offsets[row]};
  }

  // Flat index of (row, column), or npos when absent (or row out of range).
  std::size_t find(std::size_t row, word_id column) const noexcept {
    if (row + 1 >= offsets.size()) return npos;
    const word_id* b = columns.data() + offsets[row];
    const word_id* e = columns.data() + offsets[row + 1];
    const word_id* it = std::lower_bound(b, e, column);
    return (it != e && *it == column) ? static_cast<std::size_t>(it - columns.data()) : npos;
  }
  // The value at (row, column), or `fallback` when absent.
  T value(std::size_t row, word_id column, T fallback = T{}) const noexcept {
    const std::size_t k = find(row, column);
    return k == npos ? fallback : values[k];
  }
  // Sum of a row's values, in double (0 for a row out of range).
  double row_total(std::size_t row) const noexcept {
    double s = 0.0;
    if (row + 1 >= offsets.size()) return s;
    for (std::size_t k = offsets[row]; k < offsets[row + 1]; ++k) s += static_cast<double>(values[k]);
    return s;
  }

  // Throws lexalign::invalid_argument unless the invariants hold.
  void check() const {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != columns.size() || columns.size() != values.size())
      throw invalid_argument("sparse_rows: inconsistent offsets, columns and values");
    for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
      if (offsets[r] > offsets[r + 1]) throw invalid_argument("sparse_rows: offsets decrease");
      for (std::uint64_t p = offsets[r] + 1; p < offsets[r + 1]; ++p)
        if (columns[p - 1] >= columns[p])
          throw invalid_argument("sparse_rows: columns of a row are not strictly increasing");
    }
  }

  std::size_t memory_bytes() const noexcept {
    return offsets.capacity() * sizeof(std::uint64_t) + columns.capacity() * sizeof(word_id) +
           values.capacity() * sizeof(T);
  }

  friend bool operator==(const sparse_rows&, const sparse_rows&) = default;
};

LEXALIGN_NAMESPACE_END
