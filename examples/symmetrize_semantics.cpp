// The smallest input on which fast_align atools and Moses symal semantics of
// grow-diag-final-and disagree (docs/symmetrization.md):
//   forward = {1-0, 1-1}   (both target words from source word 1)
//   reverse = {0-0, 1-1}
// The intersection is {1-1}.  atools sweeps the candidates {0-0, 1-0} in
// (source, target) order: 0-0 neighbours 1-1 diagonally and source 0 is
// unaligned, so it is added; then 1-0 has both words aligned and is refused.
// Moses visits the points in (target, source) order and tries 1-0 (a block
// neighbour of 1-1, target 0 unaligned) before 0-0, which is then still
// added because source 0 is unaligned.
//
//   example_symmetrize_semantics
#include <cstdio>
#include <string>
#include <vector>

#include "lexalign/symmetrize/symmetrize.hpp"

namespace sym = lexalign::symmetrize;
using L = lexalign::link;

static std::string show(const std::vector<L>& links) {
  std::string s;
  for (const auto& l : links) s += (s.empty() ? "" : " ") + std::to_string(l.source) + "-" + std::to_string(l.target);
  return s;
}

int main() {
  const std::vector<L> fwd{{1, 0}, {1, 1}}, rev{{0, 0}, {1, 1}};
  const auto inter = sym::combine(fwd, rev, {.method = sym::heuristic::intersection});
  const auto uni = sym::combine(fwd, rev, {.method = sym::heuristic::union_});
  const auto atools = sym::combine(fwd, rev, {.method = sym::heuristic::grow_diag_final_and});
  const auto moses = sym::combine(fwd, rev, {.method = sym::heuristic::grow_diag_final_and,
                                             .order = sym::semantics::moses});
  std::printf("intersection: %s\n", show(inter).c_str());
  std::printf("union:        %s\n", show(uni).c_str());
  std::printf("gdfa atools:  %s\n", show(atools).c_str());
  std::printf("gdfa moses:   %s\n", show(moses).c_str());

  // The same with a reusable workspace and the sentence lengths checked.
  sym::workspace ws;
  std::vector<L> out;
  sym::combine(fwd, rev, sym::sentence_lengths{2, 2}, {.order = sym::semantics::moses}, ws, out);
  const bool same = out == moses;
  std::printf("workspace moses == allocating moses: %s\n", same ? "yes" : "NO");

  // Links outside the declared lengths are rejected.
  bool rejected = false;
  try {
    sym::combine(fwd, rev, sym::sentence_lengths{1, 2}, {}, ws, out);
  } catch (const lexalign::invalid_argument& e) {
    rejected = true;
    std::printf("rejected: %s\n", e.what());
  }
  const bool ok = atools == std::vector<L>{{0, 0}, {1, 1}} && moses == std::vector<L>{{0, 0}, {1, 0}, {1, 1}} &&
                  same && rejected;
  const bool passed = ok;
  std::printf("checks: %s\n", passed ? "ok" : "FAILED");
  return passed ? 0 : 1;
}
