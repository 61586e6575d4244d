// lexalign/core/alignment.hpp - links and sentence alignments.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

// A link between source token `source` and target token `target` (0-based).
// Ordered by (source, target).
struct link {
  std::uint32_t source = 0;
  std::uint32_t target = 0;
  friend constexpr auto operator<=>(const link&, const link&) = default;
};

// The (source, target) order as one 64-bit integer, for sorting and merging.
constexpr std::uint64_t link_key(std::uint32_t source, std::uint32_t target) noexcept {
  return (std::uint64_t{source} << 32) | target;
}
constexpr std::uint64_t link_key(const link& l) noexcept { return link_key(l.source, l.target); }

// True when `links` is sorted by (source, target) and free of duplicates.
inline bool is_sorted_unique(std::span<const link> links) noexcept {
  for (std::size_t i = 1; i < links.size(); ++i)
    if (link_key(links[i - 1]) >= link_key(links[i])) return false;
  return true;
}

// One sentence pair's alignment.  `sure` and `possible` are each sorted by
// (source, target), free of duplicates and disjoint: `possible` holds the
// possible-only links, so the Och & Ney set P is sure ∪ possible.
// Hypotheses (aligner output) use `sure` only.
struct sentence_alignment {
  std::vector<link> sure;
  std::vector<link> possible;

  bool empty() const noexcept { return sure.empty() && possible.empty(); }
  std::size_t size() const noexcept { return sure.size() + possible.size(); }
  void clear() noexcept {
    sure.clear();
    possible.clear();
  }
  friend bool operator==(const sentence_alignment&, const sentence_alignment&) = default;
};

// A corpus of sentence alignments, line k = sentence pair k.
using alignment_corpus = std::vector<sentence_alignment>;

// Sorts and removes duplicates (for links built by hand or by an algorithm).
inline void normalize_links(std::vector<link>& links) {
  std::sort(links.begin(), links.end());
  links.erase(std::unique(links.begin(), links.end()), links.end());
}

// Swaps source and target of every link (and re-sorts).
inline void invert_links(std::vector<link>& links) {
  for (auto& l : links) std::swap(l.source, l.target);
  std::sort(links.begin(), links.end());
}

inline sentence_alignment inverted(sentence_alignment a) {
  invert_links(a.sure);
  invert_links(a.possible);
  return a;
}

LEXALIGN_NAMESPACE_END
