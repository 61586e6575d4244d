// tools/lexalign/show.cpp - `lexalign show`: sentence pairs as alignment
// matrices in one self-contained HTML page of inline SVG (docs/show.md), a
// thin wrapper over io::write_alignment_html.
#include <charconv>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/text_input.hpp"
#include "lexalign/io/alignment_html.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/io/text.hpp"

namespace lexalign::cli {

namespace {

// Reads `align --write-posteriors` output: per line, links "i-j:p".
void read_posteriors(std::istream& in, const std::string& name, alignment_corpus& links,
                     std::vector<std::vector<float>>& post) {
  io::line_reader reader(in, name);
  std::string line;
  while (reader.next(line)) {
    sentence_alignment a;
    std::vector<std::pair<link, float>> row;
    std::string_view rest(line);
    while (!rest.empty()) {
      const std::size_t sp = rest.find(' ');
      const std::string_view field = rest.substr(0, sp);
      rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
      if (field.empty()) continue;
      const std::size_t dash = field.find('-'), colon = field.find(':');
      unsigned i = 0, j = 0;
      float p = 0;
      const char* b = field.data();
      const bool ok = dash != std::string_view::npos && colon != std::string_view::npos && dash < colon &&
                      std::from_chars(b, b + dash, i).ptr == b + dash &&
                      std::from_chars(b + dash + 1, b + colon, j).ptr == b + colon &&
                      std::from_chars(b + colon + 1, b + field.size(), p).ptr == b + field.size() && p >= 0 && p <= 1;
      if (!ok) reader.fail("expected links as i-j:p with p in [0, 1], found '" + io::excerpt(field) + "'");
      row.push_back({link{i, j}, p});
    }
    std::sort(row.begin(), row.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<float> ps;
    for (std::size_t n = 0; n < row.size(); ++n) {
      if (n > 0 && row[n].first == row[n - 1].first)
        reader.fail("link " + std::to_string(row[n].first.source) + "-" + std::to_string(row[n].first.target) +
                    " appears twice");
      a.sure.push_back(row[n].first);
      ps.push_back(row[n].second);
    }
    links.push_back(std::move(a));
    post.push_back(std::move(ps));
  }
}

std::vector<std::size_t> parse_ids(const std::string& text) {
  std::vector<std::size_t> ids;
  std::string_view rest(text);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view field = rest.substr(0, comma);
    std::size_t id = 0;
    if (field.empty() || std::from_chars(field.data(), field.data() + field.size(), id).ptr != field.data() + field.size())
      throw usage_error("--ids needs comma-separated sentence numbers (0-based), got '" + io::excerpt(text) + "'");
    ids.push_back(id);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return ids;
}

}  // namespace

int run_show(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  arguments a("lexalign show --source S --target T (--alignment A | --posteriors P) [options]",
              "Renders sentence pairs as alignment matrices in one self-contained HTML page (inline SVG,\n"
              "no scripts): tokens on both axes, links as filled cells shaded by their posterior when\n"
              "--posteriors is given, and with --gold the sure/possible hits, wrong and missed links in\n"
              "distinct colour-blind-safe marks with a legend and each pair's P/R/AER.");
  a.option("source", "S", "source sentences, one per line (tokens separated by spaces)", {.required = true})
      .option("target", "T", "target sentences, line-parallel to --source", {.required = true})
      .option("alignment", "A", "alignment to draw (Pharaoh i-j, source-target)")
      .option("posteriors", "P", "alignment with posteriors, as written by align --write-posteriors (i-j:p)")
      .option("gold", "G", "gold alignment (i-j sure, i?j or ipj possible)")
      .flag("one-based", "the gold's indices start at 1")
      .option("ids", "I,J,...", "draw these sentence pairs (0-based line numbers), in this order")
      .option("worst", "N", "draw the N pairs of worst AER first (needs --gold)")
      .option("title", "TEXT", "the page title")
      .option("output", "FILE", "write the page here (default: standard output)");
  add_text_options(a);  // a skipped pair is drawn empty, without its links
  return guarded(err, "show", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    if (a.has("alignment") == a.has("posteriors")) throw usage_error("give one of --alignment and --posteriors");
    if (a.has("ids") && a.has("worst")) throw usage_error("--ids and --worst do not go together");
    if (a.has("worst") && !a.has("gold")) throw usage_error("--worst needs --gold");
    at_most_one_stdin({a.value("source"), a.value("target"), a.value("alignment"), a.value("posteriors"),
                       a.value("gold")});
    if (a.has("output")) check_writable(a.value("output"), "output");

    io::alignment_html_options opt;
    if (a.has("ids")) opt.sentences = parse_ids(a.value("ids"));
    if (a.has("worst")) {
      opt.worst_first = true;
      opt.count = a.integer("worst", 1, 1'000'000);
    }
    if (a.has("title")) opt.title = a.value("title");

    bad_line_log skipped(err, "show");
    io::corpus_read_options ropt = read_options(a, skipped);
    std::vector<std::size_t> skipped_pairs;
    ropt.on_skipped = [&](std::string_view file, std::size_t line, std::string_view reason) {
      skipped(file, line, reason);
      skipped_pairs.push_back(line - 1);
    };
    parallel_corpus corpus;
    {
      input s(a.value("source"), in), t(a.value("target"), in);
      try {
        io::read_parallel_corpus(s.stream(), s.name(), t.stream(), t.name(), corpus, ropt);
      } catch (const parse_error& e) {
        rethrow_with_hint(e);
      }
    }
    alignment_corpus hyp, gold;
    std::vector<std::vector<float>> post;
    if (a.has("posteriors")) {
      input p(a.value("posteriors"), in);
      read_posteriors(p.stream(), p.name(), hyp, post);
    } else {
      input h(a.value("alignment"), in);
      hyp = io::read_pharaoh(h.stream(), h.name());
    }
    if (a.has("gold")) {
      input g(a.value("gold"), in);
      gold = io::read_pharaoh(g.stream(), g.name(), {.one_based = a.has("one-based")});
    }
    // A skipped pair is empty: drop its links (line parity is kept).
    for (const std::size_t k : skipped_pairs) {
      if (k < hyp.size()) hyp[k] = {};
      if (k < post.size()) post[k].clear();
      if (k < gold.size()) gold[k] = {};
    }
    const io::alignment_html_input what{corpus, hyp, a.has("gold") ? &gold : nullptr,
                                        a.has("posteriors") ? &post : nullptr};
    if (a.has("output")) {
      auto file = io::open_output(a.value("output"));
      io::write_alignment_html(file, what, opt);
      file.close();
      if (!file) throw io_error("cannot write '" + a.value("output") + "'");
    } else {
      io::write_alignment_html(out, what, opt);
    }
    skipped.report();
    return exit_ok;
  });
}

}  // namespace lexalign::cli
