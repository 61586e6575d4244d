// One side of scripts/extract_ab.sh: compiled once per revision, each time
// against that revision's headers with lexalign's inline namespace renamed
// (v0a, v0b), so both revisions live in one program without clashing.
#include <cstddef>

#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/softmax.hpp"

#ifndef LEXALIGN_AB_ENTRY
#error "define LEXALIGN_AB_ENTRY (run_a or run_b)"
#endif

namespace ex = lexalign::extract;

// `calls` extractions cycling over the first `k` matrices of the stack (d:
// double, f: the same as float); method 0 softmax, 1 softmax on float, 2
// argmax, 3 itermax, 4 matching.  Returns the number of links (a check that
// both sides did the same work).
std::size_t LEXALIGN_AB_ENTRY(int method, const double* d, const float* f, std::size_t k, std::size_t m,
                              std::size_t n, std::size_t calls) {
  static ex::workspace<> ws;
  static ex::matching_workspace<> mws;
  static ex::extract_result r;
  std::size_t links = 0;
  for (std::size_t c = 0; c < calls; ++c) {
    const std::size_t at = c % k * m * n;
    const lexalign::matrix_view<const double> s(d + at, m, n);
    switch (method) {
      case 0: ex::softmax_into(s, {}, ws, r); break;
      case 1: ex::softmax_into(lexalign::matrix_view<const float>(f + at, m, n), {}, ws, r); break;
      case 2: ex::argmax_into(s, {}, ws, r); break;
      case 3: ex::itermax_into(s, {}, ws, r); break;
      default: ex::matching_into(s, {}, mws, r); break;
    }
    links += r.size();
  }
  return links;
}
