// tools/lexalign/score.cpp - `lexalign score`: precision, recall, F1 and AER
// of a hypothesis alignment against a gold alignment (docs/cli.md).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/text_input.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/metrics/aer.hpp"

namespace lexalign::cli {

namespace {

std::string number(double x, bool defined, bool json) {
  if (!defined || std::isnan(x)) return json ? "null" : "undefined";
  char buf[32];
  std::snprintf(buf, sizeof buf, json ? "%.10g" : "%.4f", x);
  return buf;
}

void print(std::ostream& out, const metrics::alignment_counts& c, const metrics::alignment_scores& s,
                  const metrics::macro_scores& m, bool json) {
  struct row {
    const char* key;
    std::string value;
  };
  const std::vector<row> rows = {
      {"sentences", std::to_string(c.sentences)},
      {"precision", number(s.precision, s.precision_defined, json)},
      {"recall", number(s.recall, s.recall_defined, json)},
      {"f1", number(s.f1, s.f1_defined, json)},
      {"aer", number(s.aer, s.aer_defined, json)},
      {"macro_precision", number(m.mean.precision, m.mean.precision_defined, json)},
      {"macro_recall", number(m.mean.recall, m.mean.recall_defined, json)},
      {"macro_f1", number(m.mean.f1, m.mean.f1_defined, json)},
      {"macro_aer", number(m.mean.aer, m.mean.aer_defined, json)},
      {"hypothesis_links", std::to_string(c.hypothesis)},
      {"sure_links", std::to_string(c.sure)},
      {"possible_links", std::to_string(c.possible)},
      {"hypothesis_sure", std::to_string(c.hypothesis_sure)},
      {"hypothesis_possible", std::to_string(c.hypothesis_possible)},
      {"source_tokens", std::to_string(c.source_tokens)},
      {"target_tokens", std::to_string(c.target_tokens)},
      {"unaligned_source", std::to_string(c.unaligned_source)},
      {"unaligned_target", std::to_string(c.unaligned_target)},
      {"gold_unaligned_source", std::to_string(c.gold_unaligned_source)},
      {"gold_unaligned_target", std::to_string(c.gold_unaligned_target)},
  };
  const bool exact = c.sentences_without_lengths == 0;
  if (json) {
    out << '{';
    for (std::size_t k = 0; k < rows.size(); ++k) out << (k ? ", " : "") << '"' << rows[k].key << "\": " << rows[k].value;
    out << ", \"token_counts\": \"" << (exact ? "exact" : "estimated") << "\"}\n";
  } else {
    for (const row& r : rows) out << r.key << std::string(24 - std::string_view(r.key).size(), ' ') << r.value << '\n';
    out << "token_counts" << std::string(12, ' ')
        << (exact ? "exact" : "estimated from the largest link indices (give --source and --target)") << '\n';
  }
}

}  // namespace

int run_score(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  arguments a("lexalign score --gold G --test T [options]",
              "Scores the test (hypothesis) alignment against the gold alignment, pooled over the corpus:\n"
              "precision = |A∩P|/|A|, recall = |A∩S|/|S|, F1, AER = 1 - (|A∩S|+|A∩P|)/(|A|+|S|),\n"
              "with S the gold's sure links (i-j) and P its sure and possible (i?j, ipj) links.\n"
              "Files are Pharaoh, one sentence pair per line, the same number of lines; '-' reads\n"
              "standard input.  Undefined scores (empty hypothesis or gold) print as 'undefined'.");
  a.option("gold", "G", "gold alignment (Pharaoh, i-j sure, i?j or ipj possible)", {.required = true})
      .option("test", "T", "hypothesis alignment to score (Pharaoh)", {.required = true})
      .flag("one-based", "the gold's indices start at 1")
      .flag("test-one-based", "the test's indices start at 1")
      .flag("reverse", "the test is written target-source (j-i): swap its links")
      .flag("gold-reverse", "the gold is written target-source: swap its links")
      .flag("all-sure", "treat every gold link as sure (S = P)")
      .option("source", "S", "source sentences (one per line): exact token counts and range checks")
      .option("target", "T", "target sentences (with --source)")
      .flag("json", "print one JSON object instead of text");
  add_text_options(a);  // for --source and --target; a skipped pair is left out of the scores
  return guarded(err, "score", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    if (a.has("source") != a.has("target")) throw usage_error("--source and --target go together");
    at_most_one_stdin({a.value("gold"), a.value("test"), a.value("source"), a.value("target")});
    text_options_need_text(a);
    bad_line_log skipped(err, "score");
    const io::corpus_read_options ropt = read_options(a, skipped);

    input gold_in(a.value("gold"), in), test_in(a.value("test"), in);
    io::pharaoh_reader gold(gold_in.stream(), gold_in.name(),
                            {.one_based = a.has("one-based"), .reverse = a.has("gold-reverse")});
    io::pharaoh_reader test(test_in.stream(), test_in.name(),
                            {.one_based = a.has("test-one-based"), .reverse = a.has("reverse")});
    sentence_lengths lengths(a, in, ropt);

    metrics::scorer sc({.all_sure = a.has("all-sure")});
    sentence_alignment g, t;
    for (;;) {
      const bool more_g = gold.next(g);
      const bool more_t = test.next(t);
      check_same_length(more_g, gold.source_name(), gold.line_number(), more_t, test.source_name(),
                        test.line_number());
      lengths.next(more_g, gold);
      if (!more_g) break;
      if (lengths.enabled() && !lengths.good()) continue;  // skipped by --bad-lines skip
      if (lengths.enabled()) {
        lengths.check(g, gold);
        lengths.check(t, test);
        sc.add(g, t, lengths.source_length(), lengths.target_length());
      } else {
        sc.add(g, t);
      }
    }
    print(out, sc.total(), sc.pooled(), sc.macro(), a.has("json"));
    skipped.report();
    return exit_ok;
  });
}

}  // namespace lexalign::cli
