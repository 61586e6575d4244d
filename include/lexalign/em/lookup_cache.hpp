// lexalign/em/lookup_cache.hpp - precomputed lexical-table indices of every cell of every sentence pair.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>
#include "lexalign/config.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

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
      for (std::size_t k = begin; k < end; ++k) {
        const auto e = (*view.given)[k];
        const auto f = (*view.generated)[k];
        const std::size_t l1 = e.size() + 1;
        std::uint32_t* out = c.index.data() + c.offsets[k];
        for (std::size_t j = 0; j < f.size(); ++j)
          for (std::size_t i = 0; i < l1; ++i) {
            const std::size_t row = i == 0 ? lexical_table::null_row : lexical_table::row_of(e[i - 1]);
            const std::size_t x = row < t.rows() ? t.find(row, f[j]) : lexical_table::npos;
            out[j * l1 + i] = x == lexical_table::npos ? missing : static_cast<std::uint32_t>(x);
          }
      }
    });
    return c;
  }
};

}  // namespace em
LEXALIGN_NAMESPACE_END
