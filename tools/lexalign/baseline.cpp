// tools/lexalign/baseline.cpp - `lexalign baseline`: the diagonal alignment
// (lexalign/em/baseline.hpp), a reference point that uses nothing but
// sentence lengths.  Output is 0-based source-target Pharaoh, one line per
// input line; an empty sentence gives an empty line.
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/text_input.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/em/baseline.hpp"
#include "lexalign/io/pharaoh.hpp"

namespace lexalign::cli {

int run_baseline(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                        std::ostream& err) {
  arguments a("lexalign baseline --source S --target T [--reverse]",
              "Prints the diagonal baseline alignment of line-parallel source and target files:\n"
              "each target token j linked to source token round(j*n/m) (or, with --reverse,\n"
              "each source token i to target token round(i*m/n)), as 0-based Pharaoh, one line per\n"
              "input line.\n"
              "A reference point for scores, not an aligner.");
  a.option("source", "S", "source sentences, one per line, tokens separated by spaces", {.required = true})
      .option("target", "T", "target sentences, line-parallel", {.required = true})
      .flag("reverse", "one link per source token instead of one per target token");
  add_text_options(a);
  return guarded(err, "baseline", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    at_most_one_stdin({a.value("source"), a.value("target")});
    bad_line_log skipped(err, "baseline");
    const io::corpus_read_options ropt = read_options(a, skipped);
    input src_in(a.value("source"), in), tgt_in(a.value("target"), in);
    length_pair_reader lengths(src_in, tgt_in, ropt);
    sentence_alignment s;
    std::size_t n = 0, m = 0;
    bool good = true;
    while (lengths.next(n, m, good)) {
      em::diagonal_alignment(n, m, a.has("reverse"), s.sure);
      io::write_pharaoh(out, s);
    }
    out.flush();
    skipped.report();
    return exit_ok;
  });
}

}  // namespace lexalign::cli
