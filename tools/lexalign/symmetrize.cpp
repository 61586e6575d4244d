// tools/lexalign/symmetrize.cpp - `lexalign symmetrize`: combine a forward
// and a reverse alignment, line by line (docs/cli.md, docs/symmetrization.md).
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/text_input.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

namespace lexalign::cli {

int run_symmetrize(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                          std::ostream& err) {
  arguments a("lexalign symmetrize --forward F --reverse R [--heuristic H] [--semantics atools|moses]",
              "Symmetrizes two directional alignments (Pharaoh, both source-target, line-parallel)\n"
              "and prints the result as 0-based Pharaoh.  Heuristics: intersect, union, grow,\n"
              "grow-diag, grow-diag-final, grow-diag-final-and, srctotgt, tgttosrc; 'invert'\n"
              "prints the forward alignment with source and target swapped (no --reverse).\n"
              "'-' reads standard input.  docs/symmetrization.md gives the exact rules.");
  a.option("forward", "F", "source-to-target alignment (fast_align's default direction)", {.required = true})
      .option("reverse", "R", "target-to-source alignment, written source-target (fast_align -r)")
      .option("heuristic", "H", "how to combine them", {.default_value = "grow-diag-final-and"})
      .option("semantics", "NAME", "visit order: atools (fast_align) or moses (symal)", {.default_value = "atools"})
      .flag("one-based", "the inputs' indices start at 1 (the output is 0-based)")
      .flag("reverse-inverted", "the reverse file is written target-source (j-i): swap its links")
      .option("source", "S", "source sentences (one per line): check every link is in range")
      .option("target", "T", "target sentences (with --source)")
      .flag("quiet", "no progress on standard error (long runs report pairs done every few seconds)");
  add_text_options(a);  // for --source and --target; a skipped pair gets an empty output line
  return guarded(err, "symmetrize", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    const std::string hname = a.value("heuristic");
    const bool invert = hname == "invert";
    const auto method = symmetrize::parse_heuristic(hname);
    if (!method && !invert) throw usage_error("unknown heuristic '" + hname + "'");
    const auto order = symmetrize::parse_semantics(a.value("semantics"));
    if (!order) throw usage_error("unknown semantics '" + a.value("semantics") + "' (atools or moses)");
    if (!invert && !a.has("reverse")) throw usage_error("missing option '--reverse'");
    if (invert && a.has("reverse")) throw usage_error("'--heuristic invert' takes only --forward");
    if (a.has("source") != a.has("target")) throw usage_error("--source and --target go together");
    at_most_one_stdin({a.value("forward"), a.value("reverse"), a.value("source"), a.value("target")});
    text_options_need_text(a);
    bad_line_log skipped(err, "symmetrize");
    const io::corpus_read_options ropt = read_options(a, skipped);

    const bool one_based = a.has("one-based");
    input fwd_in(a.value("forward"), in);
    io::pharaoh_reader fwd(fwd_in.stream(), fwd_in.name(), {.one_based = one_based});
    std::optional<input> rev_in;
    std::optional<io::pharaoh_reader> rev;
    if (!invert) {
      rev_in.emplace(a.value("reverse"), in);
      rev.emplace(rev_in->stream(), rev_in->name(),
                  io::pharaoh_read_options{.one_based = one_based, .reverse = a.has("reverse-inverted")});
    }
    sentence_lengths lengths(a, in, ropt);

    const symmetrize::options opt{.method = method.value_or(symmetrize::heuristic::intersection),
                                  .order = *order};
    symmetrize::workspace ws;
    progress_reporter progress(err, "symmetrize", a.has("quiet"), stderr_is_terminal());
    std::size_t pairs = 0, links = 0;
    sentence_alignment f, r, result;
    std::vector<link> fl, rl;
    // Directional alignments have no possible links; if some are given they count as links.
    auto links_of = [](const sentence_alignment& x, std::vector<link>& buf) -> std::span<const link> {
      if (x.possible.empty()) return x.sure;
      buf.assign(x.sure.begin(), x.sure.end());
      buf.insert(buf.end(), x.possible.begin(), x.possible.end());
      return buf;
    };
    for (;;) {
      const bool more_f = fwd.next(f);
      const bool more_r = rev ? rev->next(r) : more_f;
      if (rev)
        check_same_length(more_f, fwd.source_name(), fwd.line_number(), more_r, rev->source_name(),
                          rev->line_number());
      lengths.next(more_f, fwd);
      if (more_f) {
        lengths.check(f, fwd);
        if (rev) lengths.check(r, *rev);
      }
      if (!more_f) break;
      if (!lengths.good()) {
        result.sure.clear();  // skipped by --bad-lines skip: an empty line keeps the output line-parallel
      } else if (invert) {
        result.sure = symmetrize::invert(links_of(f, fl));
      } else {
        symmetrize::combine(links_of(f, fl), links_of(r, rl), opt, ws, result.sure);
      }
      io::write_pharaoh(out, result);
      links += result.sure.size();
      progress.tick("symmetrize", ++pairs);
    }
    out.flush();
    progress.finish(pairs, links);
    skipped.report();
    return exit_ok;
  });
}

}  // namespace lexalign::cli
