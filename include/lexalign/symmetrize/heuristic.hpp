// lexalign/symmetrize/heuristic.hpp - names and policies of the
// symmetrization heuristics (the engine is in symmetrize/symmetrize.hpp).
//
// Every heuristic is one growth policy run by one engine:
//
//   heuristic            grow  neighbourhood  final
//   intersection          no       -          none
//   grow                  yes      4          none
//   grow_diag             yes      8          none
//   grow_diag_final       yes      8          either word unaligned
//   grow_diag_final_and   yes      8          both words unaligned
//   union_, source_to_target, target_to_source: no growth (set operations)
//
// and the `semantics` says in which order the engine visits things (fast_align
// atools or Moses symal; docs/symmetrization.md has the exact rules).
#pragma once

#include <optional>
#include <string_view>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace symmetrize {

enum class heuristic {
  intersection,         // forward ∩ reverse
  union_,               // forward ∪ reverse
  grow,                 // intersection grown with the 4 block neighbours
  grow_diag,            // intersection grown with the 8 neighbours
  grow_diag_final,      // grow_diag, then final: add links with either word unaligned
  grow_diag_final_and,  // grow_diag, then final-and: add links with both words unaligned
  source_to_target,     // the forward alignment alone (Moses srctotgt)
  target_to_source,     // the reverse alignment alone (Moses tgttosrc)
};

// Visit orders of the two reference implementations (see docs/symmetrization.md).
enum class semantics {
  atools,  // fast_align's atools: candidates (union \ intersection) in (source, target) order
  moses,   // Moses' symal: current points in (target, source) order, neighbour priority
};

// Condition of the final step for a link not yet in the alignment.
enum class final_rule {
  none,              // no final step
  either_unaligned,  // add it if its source or its target word is unaligned ("final")
  both_unaligned,    // add it only if both are unaligned ("final-and")
};

// What the engine does after starting from the intersection.
struct growth_policy {
  bool grow = false;                    // run the growing step
  bool diagonal = false;                // 8 neighbours (true) or the 4 block neighbours
  final_rule final = final_rule::none;  // final step after growing
  friend constexpr bool operator==(const growth_policy&, const growth_policy&) = default;
};

// The policy of a growing heuristic (intersection, grow, grow_diag*); the set
// operations (union_, source_to_target, target_to_source) have none.
constexpr std::optional<growth_policy> policy_of(heuristic h) noexcept {
  switch (h) {
    case heuristic::intersection: return growth_policy{};
    case heuristic::grow: return growth_policy{.grow = true, .diagonal = false};
    case heuristic::grow_diag: return growth_policy{.grow = true, .diagonal = true};
    case heuristic::grow_diag_final:
      return growth_policy{.grow = true, .diagonal = true, .final = final_rule::either_unaligned};
    case heuristic::grow_diag_final_and:
      return growth_policy{.grow = true, .diagonal = true, .final = final_rule::both_unaligned};
    default: return std::nullopt;
  }
}

// The command-line spelling (atools/Moses names).
constexpr std::string_view to_string(heuristic h) noexcept {
  switch (h) {
    case heuristic::intersection: return "intersect";
    case heuristic::union_: return "union";
    case heuristic::grow: return "grow";
    case heuristic::grow_diag: return "grow-diag";
    case heuristic::grow_diag_final: return "grow-diag-final";
    case heuristic::grow_diag_final_and: return "grow-diag-final-and";
    case heuristic::source_to_target: return "srctotgt";
    case heuristic::target_to_source: return "tgttosrc";
  }
  return "unknown";
}

constexpr std::string_view to_string(semantics s) noexcept {
  return s == semantics::atools ? "atools" : "moses";
}

// Parses the atools/Moses names and their long spellings: intersect |
// intersection, union, grow, grow-diag, grow-diag-final, grow-diag-final-and,
// srctotgt | source-to-target, tgttosrc | target-to-source.
constexpr std::optional<heuristic> parse_heuristic(std::string_view name) noexcept {
  if (name == "intersect" || name == "intersection") return heuristic::intersection;
  if (name == "union") return heuristic::union_;
  if (name == "grow") return heuristic::grow;
  if (name == "grow-diag") return heuristic::grow_diag;
  if (name == "grow-diag-final") return heuristic::grow_diag_final;
  if (name == "grow-diag-final-and") return heuristic::grow_diag_final_and;
  if (name == "srctotgt" || name == "source-to-target") return heuristic::source_to_target;
  if (name == "tgttosrc" || name == "target-to-source") return heuristic::target_to_source;
  return std::nullopt;
}

constexpr std::optional<semantics> parse_semantics(std::string_view name) noexcept {
  if (name == "atools") return semantics::atools;
  if (name == "moses" || name == "symal") return semantics::moses;
  return std::nullopt;
}

}  // namespace symmetrize
LEXALIGN_NAMESPACE_END
