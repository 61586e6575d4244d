// examples/cli/command_baseline.hpp - `lexalign baseline`: the diagonal
// alignment, a reference point that uses nothing but sentence lengths.
//
// For a pair of n source and m target tokens:
//   forward (default): each target token j is linked to source token
//                      round(j·n/m)          (one link per target token, like
//                                             fast_align's forward direction)
//   --reverse:         each source token i is linked to target token
//                      round(i·m/n)          (one link per source token, like fast_align -r)
// with round-half-up and the index clamped to the sentence.  Output is
// 0-based source-target Pharaoh; an empty sentence gives an empty line.  It
// is what the demo scores until the statistical aligners exist.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/io/pharaoh.hpp"

namespace lexalign::cli {

// round(k·to/from) with round-half-up, clamped to [0, to).
inline std::uint32_t diagonal_position(std::uint64_t k, std::uint64_t from, std::uint64_t to) noexcept {
  const std::uint64_t r = (2 * k * to + from) / (2 * from);
  return static_cast<std::uint32_t>(std::min(r, to - 1));
}

// The diagonal alignment of a pair of lengths n (source) and m (target).
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

inline int run_baseline(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                        std::ostream& err) {
  arguments a("lexalign baseline --source S --target T [--reverse]",
              "Prints the diagonal baseline alignment of line-parallel source and target files:\n"
              "each target token j linked to source token round(j*n/m) (or, with --reverse,\n"
              "each source token i to target token round(i*m/n)), as 0-based Pharaoh.\n"
              "A reference point for scores, not an aligner.");
  a.option("source", "S", "source sentences, one per line, tokens separated by spaces", {.required = true})
      .option("target", "T", "target sentences, line-parallel", {.required = true})
      .flag("reverse", "one link per source token instead of one per target token");
  return guarded(err, "baseline", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    at_most_one_stdin({a.value("source"), a.value("target")});
    input src_in(a.value("source"), in), tgt_in(a.value("target"), in);
    length_reader src(src_in.stream(), src_in.name()), tgt(tgt_in.stream(), tgt_in.name());
    sentence_alignment s;
    for (;;) {
      std::size_t n = 0, m = 0;
      const bool more_s = src.next(n);
      const bool more_t = tgt.next(m);
      check_same_length(more_s, src.reader().source_name(), src.reader().line_number(), more_t,
                        tgt.reader().source_name(), tgt.reader().line_number());
      if (!more_s) break;
      diagonal_alignment(n, m, a.has("reverse"), s.sure);
      io::write_pharaoh(out, s);
    }
    out.flush();
    return exit_ok;
  });
}

}  // namespace lexalign::cli
