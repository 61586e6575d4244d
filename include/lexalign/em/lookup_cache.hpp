// lexalign/em/lookup_cache.hpp - precomputed lexical-table indices of every cell of every sentence pair.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>
#include "lexalign/config.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

namespace detail {

// The first element >= v of the sorted range [p, end), searched forward from
// p with doubling steps (galloping): O(log distance).
inline const word_id* gallop_lower_bound(const word_id* p, const word_id* end, word_id v) noexcept {
  if (p == end || *p >= v) return p;
  const word_id* lo = p;  // invariant: *lo < v
  std::size_t step = 1;
  while (static_cast<std::size_t>(end - lo) > step && lo[step] < v) {
    lo += step;
    step <<= 1;
  }
  const word_id* hi = static_cast<std::size_t>(end - lo) > step ? lo + step : end;
  return std::lower_bound(lo + 1, hi, v);
}

// The flat index in `t` of every cell of one sentence pair: out[j*(l+1)+i]
// for generated position j and given position i (i = 0 NULL), `absent` for
// a pair the table does not hold (or a given word beyond its rows).  Equal to
// t.find per cell; it sorts the sentence's words once and walks each distinct
// row forward (galloping) instead of a binary search per cell.  Sentences
// longer than 256 tokens take the per-cell search.  No allocation.
template <class Index>
void cell_indices(const lexical_table& t, std::span<const word_id> e, std::span<const word_id> f, Index* out,
                  Index absent) {
  const std::size_t l = e.size(), m = f.size(), l1 = l + 1;
  auto row_of_position = [&](std::size_t i) {
    return i == 0 ? lexical_table::null_row : lexical_table::row_of(e[i - 1]);
  };
  constexpr std::size_t cap = 256;
  if (l > cap || m > cap) {
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t i = 0; i < l1; ++i) {
        const std::size_t row = row_of_position(i);
        const std::size_t x = row < t.rows() ? t.find(row, f[j]) : lexical_table::npos;
        out[j * l1 + i] = x == lexical_table::npos ? absent : static_cast<Index>(x);
      }
    return;
  }
  using item = std::pair<word_id, std::uint32_t>;  // (word, position)
  std::array<item, cap> fs, es;
  for (std::size_t j = 0; j < m; ++j) fs[j] = {f[j], static_cast<std::uint32_t>(j)};
  std::sort(fs.begin(), fs.begin() + static_cast<std::ptrdiff_t>(m));
  // Given positions, NULL first, then the words sorted so that equal words are adjacent.
  for (std::size_t i = 0; i < l; ++i) es[i] = {e[i], static_cast<std::uint32_t>(i + 1)};
  std::sort(es.begin(), es.begin() + static_cast<std::ptrdiff_t>(l));
  const word_id* const columns = t.columns().data();
  auto fill_row = [&](std::size_t i) {
    const std::size_t row = row_of_position(i);
    if (row >= t.rows()) {
      for (std::size_t j = 0; j < m; ++j) out[j * l1 + i] = absent;
      return;
    }
    const word_id* p = columns + t.row_begin(row);
    const word_id* const end = columns + t.row_end(row);
    for (std::size_t x = 0; x < m; ++x) {
      p = gallop_lower_bound(p, end, fs[x].first);
      out[fs[x].second * l1 + i] =
          (p != end && *p == fs[x].first) ? static_cast<Index>(p - columns) : absent;
    }
  };
  fill_row(0);
  for (std::size_t a = 0; a < l; ++a) {
    const std::size_t i = es[a].second;
    if (a > 0 && es[a].first == es[a - 1].first) {  // a repeated word: copy its first column
      const std::size_t first = es[a - 1].second;
      for (std::size_t j = 0; j < m; ++j) out[j * l1 + i] = out[j * l1 + first];
    } else {
      fill_row(i);
    }
  }
}

}  // namespace detail

// The flat table index of every (given position incl. NULL, generated
// position) cell of every sentence pair, computed once per training run so
// the E-steps skip the binary searches: 4 bytes per cell, cell (j, i) of pair
// k at offsets[k] + j*(l+1) + i (i = 0 NULL).  Empty when the table has 2^32-1
// entries or more.
struct lookup_cache {
  static constexpr std::uint32_t missing = 0xFFFFFFFFu;
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> index;

  bool empty() const noexcept { return offsets.empty(); }
  std::size_t memory_bytes() const noexcept {
    return offsets.capacity() * sizeof(std::uint64_t) + index.capacity() * sizeof(std::uint32_t);
  }

  static lookup_cache build(const bitext_view& view, const lexical_table& t, const executor& ex) {
    lookup_cache c;
    if (t.size() >= missing) return c;
    c.offsets.resize(view.size() + 1, 0);
    for (std::size_t k = 0; k < view.size(); ++k)
      c.offsets[k + 1] = c.offsets[k] + (*view.generated)[k].size() * ((*view.given)[k].size() + 1);
    c.index.resize(c.offsets.back());
    ex.for_each_block(view.size(), 256, [&](std::size_t, std::size_t begin, std::size_t end, unsigned) {
      for (std::size_t k = begin; k < end; ++k)
        detail::cell_indices(t, (*view.given)[k], (*view.generated)[k], c.index.data() + c.offsets[k], missing);
    });
    return c;
  }
};

}  // namespace em
LEXALIGN_NAMESPACE_END
