// lexalign/em/baseline.hpp - the diagonal baseline alignment: a reference
// point for scores that uses nothing but sentence lengths (what `lexalign
// baseline` prints).
//
// For a pair of n source and m target tokens:
//   forward (default): each target token j is linked to source token
//                      round(j·n/m)   (one link per target token, like
//                                      fast_align's forward direction)
//   reverse:           each source token i is linked to target token
//                      round(i·m/n)   (one link per source token, like fast_align -r)
// with round-half-up and the index clamped to the sentence.  An empty side
// gives no links.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// round(k·to/from) with round-half-up, clamped to [0, to).  Needs from > 0, to > 0.
inline std::uint32_t diagonal_position(std::uint64_t k, std::uint64_t from, std::uint64_t to) noexcept {
  const std::uint64_t r = (2 * k * to + from) / (2 * from);
  return static_cast<std::uint32_t>(std::min(r, to - 1));
}

// The diagonal alignment of a pair of lengths n (source) and m (target) into
// `out` (sorted, source-target).
inline void diagonal_alignment(std::size_t n, std::size_t m, bool reverse, std::vector<link>& out) {
  out.clear();
  if (n == 0 || m == 0) return;
  if (!reverse) {
    for (std::size_t j = 0; j < m; ++j) out.push_back({diagonal_position(j, m, n), static_cast<std::uint32_t>(j)});
    normalize_links(out);  // sort by source
  } else {
    for (std::size_t i = 0; i < n; ++i) out.push_back({static_cast<std::uint32_t>(i), diagonal_position(i, n, m)});
  }
}

}  // namespace em
LEXALIGN_NAMESPACE_END
