// lexalign/extract/matching.hpp - SimAlign's "Match" (mwmf): a maximum-weight
// one-to-one matching of min(m, n) links.
//
//   auto r = lexalign::extract::matching(sim);
//
// SimAlign calls networkx's max_weight_matching on the complete bipartite
// graph; with positive similarities a maximum-weight matching has exactly
// min(m, n) pairs, which is the rectangular assignment solved here
// (ot::assignment with .maximize).  For any input the result maximises the
// sum over exactly min(m, n) pairs.  Among optimal matchings the one returned
// may differ from networkx's.  Scores are the similarities.  See
// docs/extract/matching.md.
#pragma once

#include <cstddef>
#include <memory>

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"
#include "lexalign/ot/assignment.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

// No knob: maximum weight, maximum cardinality.  Here for the contract.
struct matching_options {};

inline void validate(const matching_options&) noexcept {}

// The shared buffers plus the assignment solver's.
template <class Allocator = std::allocator<double>>
struct matching_workspace {
  explicit matching_workspace(const Allocator& alloc = Allocator()) : base(alloc), solver(alloc), assignment(alloc) {}
  workspace<Allocator> base;
  ot::assignment_workspace<Allocator> solver;
  ot::assignment_result<double, Allocator> assignment;
};

template <lexalign::matrix M, class WAlloc>
void matching_into(const M& similarity, const matching_options& opt, matching_workspace<WAlloc>& ws,
                   extract_result& out) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws.base);
  const matrix_view<const double> s = ws.base.view();
  ot::assignment_into(s, {.maximize = true}, ws.solver, ws.assignment);
  out.clear();
  for (std::size_t i = 0; i < s.rows(); ++i) {
    const std::ptrdiff_t j = ws.assignment.row_to_col[i];
    if (j >= 0) out.push(i, static_cast<std::size_t>(j), s(i, static_cast<std::size_t>(j)));
  }
}

template <lexalign::matrix M, class WAlloc>
extract_result matching(const M& similarity, const matching_options& opt, matching_workspace<WAlloc>& ws) {
  extract_result out;
  matching_into(similarity, opt, ws, out);
  return out;
}

template <lexalign::matrix M>
extract_result matching(const M& similarity, const matching_options& opt = {}) {
  matching_workspace<> ws;
  return matching(similarity, opt, ws);
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
