// tools/lexalign/align_multiparallel.cpp - `lexalign align --multiparallel`:
// K line-parallel corpora and a target pair; every needed pair is aligned
// (or read from --pairs-dir), then the pair's alignment is improved verse by
// verse through the other languages (lexalign/multilingual/multiparallel_corpus.hpp).
//
//   lexalign align --multiparallel --corpus en=nt.en --corpus es=nt.es --corpus de=nt.de
//                  --pair en-es --pivot-method votes > en-es.align
//
// Order of work as in `lexalign align`: every option first, then the output
// paths, then the corpora (all checked line-parallel), then the alignments.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/bayes_options.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/io/text.hpp"
#include "lexalign/multilingual/multiparallel_corpus.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

namespace lexalign::cli {

namespace {

namespace ml = lexalign::multilingual;

struct corpus_spec {
  std::string language, path;
};

// Reads one tokenized text (tokens separated by ASCII spaces, an empty line
// = a missing verse) into tokens per line.
std::vector<std::vector<std::string>> read_lines(const std::string& path) {
  auto file = io::open_input(path);
  io::line_reader reader(file, path);
  std::vector<std::vector<std::string>> out;
  std::string line;
  while (reader.next(line)) {
    reader.require_utf8(line);
    auto& toks = out.emplace_back();
    io::for_each_token(line, [&](std::string_view t) { toks.emplace_back(t); });
  }
  return out;
}

// "en-es" or "en,es" -> the two language indices; a name may itself contain
// '-' as long as exactly one split names two corpora.
std::pair<std::size_t, std::size_t> parse_pair(const std::string& s, const ml::multiparallel_corpus& c) {
  std::vector<std::pair<std::size_t, std::size_t>> found;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (s[k] != '-' && s[k] != ',') continue;
    auto x = c.find(s.substr(0, k)), y = c.find(s.substr(k + 1));
    if (x && y) found.emplace_back(*x, *y);
  }
  std::string names;
  for (const auto& l : c.languages) names += (names.empty() ? "" : ", ") + l;
  if (found.empty()) throw usage_error("--pair '" + io::excerpt(s) + "' is not two of the corpora's languages (" + names + ")");
  if (found.size() > 1) throw usage_error("--pair '" + io::excerpt(s) + "' is ambiguous; write it as X,Y");
  if (found[0].first == found[0].second) throw usage_error("--pair needs two different languages");
  return found[0];
}

}  // namespace

int run_align_multiparallel(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                            std::ostream& err) {
  (void)in;
  arguments a("lexalign align --multiparallel --corpus L1=FILE --corpus L2=FILE --corpus L3=FILE ... --pair X-Y [options]",
              "Aligns the language pair X-Y of a multiparallel corpus (K >= 3 line-parallel texts, one verse per\n"
              "line, an empty line where a language lacks the verse) through the other languages: every pair\n"
              "X-P and P-Y is aligned (Gibbs sampler by default, both directions, symmetrized), then per verse\n"
              "the links composed through the pivots (votes) or predicted on the alignment graph (Adamic-Adar)\n"
              "are added to (union), confirm (intersection) or replace the direct X-Y links.  Prints Pharaoh\n"
              "links X-Y, one line per input line.  docs/multilingual/multiparallel.md describes every option.");
  a.flag("multiparallel", "this mode");
  a.option("corpus", "LANG=FILE", "one language's text (tokens separated by spaces); at least three",
           {.repeatable = true});
  a.option("pair", "X-Y", "the pair to align (X,Y when names contain '-')", {.required = true});
  a.option("pivot-method", "HOW", "votes (composition through each pivot), adamic-adar (link prediction) or none (direct only)",
           {.default_value = "votes"});
  a.option("min-votes", "N", "votes: pivots that must compose a link (0: a majority of the verse's pivots)",
           {.default_value = "0"});
  a.option("threshold", "S", "adamic-adar: add a pair whose score sum 1/ln deg(z) reaches S", {.default_value = "2"});
  a.option("combine", "HOW",
           "union, intersection, replace, or refine (drop direct links no pivot supports, add pivot links for unaligned tokens)",
           {.default_value = "union"});
  a.flag("only-unaligned", "union: add pivot links only for tokens without a direct link");
  a.flag("all-pairs", "align every pair of languages, not only those with X or Y (Adamic-Adar degrees)");
  a.option("model", "NAME", "pair aligner: bayes (Gibbs sampler), hmm (IBM1 then HMM), fast_align or ibm1",
           {.default_value = "bayes"});
  a.option("symmetrize", "HEURISTIC", "how each pair's two directions are combined", {.default_value = "grow-diag-final-and"});
  a.option("pairs-dir", "DIR", "reuse DIR/A-B.align for a pair when it exists, else align it and write it there");
  a.option("output", "FILE", "write the alignment here instead of standard output");
  a.option("threads", "N", "worker threads, 0 = all (the result does not depend on it)", {.default_value = "0"});
  a.flag("quiet", "no progress on standard error");
  bayes_cli::add_options(a);
  return guarded(err, "align", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    // 1. Options.
    std::vector<corpus_spec> specs;
    for (const auto& v : a.values("corpus")) {
      const auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
        throw usage_error("--corpus needs LANG=FILE, got '" + io::excerpt(v) + "'");
      specs.push_back({v.substr(0, eq), v.substr(eq + 1)});
      for (std::size_t k = 0; k + 1 < specs.size(); ++k)
        if (specs[k].language == specs.back().language)
          throw usage_error("--corpus: language '" + io::excerpt(specs.back().language) + "' given twice");
    }
    if (specs.size() < 3)
      throw usage_error("--multiparallel needs at least three --corpus LANG=FILE (got " + std::to_string(specs.size()) + ")");
    ml::multiparallel_options o;
    bool direct_only = false;
    const std::string how = a.value("pivot-method");
    if (how == "votes") o.method = ml::pivot_method::votes;
    else if (how == "adamic-adar") o.method = ml::pivot_method::adamic_adar;
    else if (how == "none") direct_only = true;
    else throw usage_error("--pivot-method must be votes, adamic-adar or none, got '" + io::excerpt(how) + "'");
    o.min_votes = a.integer("min-votes", 0, 1'000'000);
    o.threshold = a.number("threshold", 1e-9, 1e9);
    const std::string comb = a.value("combine");
    if (comb == "union") o.combine = ml::direct_combination::unite;
    else if (comb == "intersection") o.combine = ml::direct_combination::intersect;
    else if (comb == "replace") o.combine = ml::direct_combination::replace;
    else if (comb == "refine") o.combine = ml::direct_combination::refine;
    else throw usage_error("--combine must be union, intersection, replace or refine, got '" + io::excerpt(comb) + "'");
    o.only_unaligned = a.has("only-unaligned");
    if (o.only_unaligned && o.combine != ml::direct_combination::unite)
      throw usage_error("--only-unaligned goes with --combine union");
    o.all_pairs = a.has("all-pairs");
    const auto heuristic = symmetrize::parse_heuristic(a.value("symmetrize"));
    if (!heuristic) throw usage_error("unknown heuristic '" + io::excerpt(a.value("symmetrize")) + "'");
    const symmetrize::symmetrize_options sym{.method = *heuristic};
    const auto threads = static_cast<unsigned>(a.integer("threads", 0, 4096));
    thread_pool pool(threads);
    o.parallel.pool = &pool;
    ml::pair_aligner aligner;
    const std::string model_name = a.value("model");
    if (model_name == "bayes") {
      aligner = ml::gibbs_pair_aligner(bayes_cli::options(a, pool), sym);
    } else {
      em::train_options t;
      if (model_name == "ibm1") t.model = em::model_kind::ibm1;
      else if (model_name == "fast_align" || model_name == "fast-align") t.model = em::model_kind::fast_align;
      else if (model_name == "hmm") t.model = em::model_kind::hmm;
      else throw usage_error("--model must be bayes, hmm, fast_align or ibm1, got '" + io::excerpt(model_name) + "'");
      aligner = ml::em_pair_aligner(t, {}, sym);
    }
    try {
      ml::validate(o);
    } catch (const invalid_option& e) {
      throw usage_error(e.what());
    }
    if (a.has("output")) check_writable(a.value("output"), "output");
    std::optional<std::filesystem::path> pairs_dir;
    if (a.has("pairs-dir")) {
      pairs_dir = a.value("pairs-dir");
      std::error_code ec;
      std::filesystem::create_directories(*pairs_dir, ec);
      if (!std::filesystem::is_directory(*pairs_dir)) throw io_error("cannot create the directory '" + a.value("pairs-dir") + "' (--pairs-dir)");
    }
    progress_reporter progress(err, "align", a.has("quiet"), stderr_is_terminal());

    // 2. The corpora, line-parallel.
    ml::multiparallel_corpus c;
    std::size_t first_lines = 0;
    for (std::size_t l = 0; l < specs.size(); ++l) {
      const auto lines = read_lines(specs[l].path);
      if (l == 0) first_lines = lines.size();
      else if (lines.size() != first_lines)
        throw parse_error(specs[l].path, std::min(lines.size(), first_lines) + 1,
                          "has " + std::to_string(lines.size()) + " lines, but '" + specs[0].path + "' has " +
                              std::to_string(first_lines) + " (the corpora must be line-parallel)");
      c.add_language(specs[l].language, lines);
    }
    const auto [x, y] = parse_pair(a.value("pair"), c);
    if (!progress.quiet()) {
      std::size_t both = 0;
      for (std::size_t k = 0; k < c.size(); ++k) both += c.text[x].length(k) && c.text[y].length(k);
      progress.note(std::to_string(c.size()) + " lines in " + std::to_string(c.language_count()) + " languages, " +
                    std::to_string(both) + " with text in both " + c.languages[x] + " and " + c.languages[y]);
    }

    // 3. The pairwise alignments: read from --pairs-dir or aligned (and written there).
    const auto needed = ml::pairs_needed(c.language_count(), x, y, o.all_pairs && !direct_only);
    std::vector<ml::corpus_pair_alignment> pairs;
    for (std::size_t n = 0; n < (direct_only ? 1 : needed.size()); ++n) {
      const auto [pa, pb] = needed[n];
      std::filesystem::path file;
      if (pairs_dir) file = *pairs_dir / (c.languages[pa] + "-" + c.languages[pb] + ".align");
      if (pairs_dir && std::filesystem::exists(file)) {
        ml::corpus_pair_alignment p{pa, pb, io::read_pharaoh_file(file.string())};
        std::vector<std::size_t> la(c.size()), lb(c.size());
        for (std::size_t k = 0; k < c.size(); ++k) {
          la[k] = c.text[pa].length(k);
          lb[k] = c.text[pb].length(k);
        }
        io::check_alignment_ranges(p.links, la, lb, file.string());
        progress.note("read " + c.languages[pa] + "-" + c.languages[pb] + " from " + file.string());
        pairs.push_back(std::move(p));
        continue;
      }
      bool stopped = false;
      progress.note("aligning " + c.languages[pa] + "-" + c.languages[pb]);
      auto got = ml::align_pairs(c, {needed[n]}, aligner, o.parallel, stopped, progress);
      if (pairs_dir) {
        auto f = io::open_output(file.string());
        io::write_pharaoh(f, got.front().links);
        f.close();
        if (!f) throw io_error("cannot write '" + file.string() + "'");
      }
      pairs.push_back(std::move(got.front()));
    }

    // 4. The graph step, then write.
    alignment_corpus result;
    if (direct_only) {
      result = pairs.front().links;
    } else {
      progress.begin("multiparallel.graph");
      result = ml::improve_alignment(c, pairs, x, y, o);
      progress.end(std::to_string(result.size()) + " verses");
    }
    if (pairs.front().a != x)  // never: pairs_needed puts (x, y) first
      throw invalid_argument("internal: the direct pair is not first");
    std::unique_ptr<std::ofstream> file;
    std::ostream* dest = &out;
    if (a.has("output")) {
      file = std::make_unique<std::ofstream>(io::open_output(a.value("output")));
      dest = file.get();
    }
    io::write_pharaoh(*dest, result);
    std::size_t links = 0;
    for (const auto& s : result) links += s.size();
    if (file) {
      file->close();
      if (!*file) throw io_error("cannot write '" + a.value("output") + "'");
    }
    progress.summary(result.size(), links);
    return exit_ok;
  });
}

}  // namespace lexalign::cli
