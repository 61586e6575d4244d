// tools/lexalign/align.cpp - `lexalign align`: train IBM1 / fast_align /
// IBM1+HMM by EM (or the Bayesian Gibbs sampler, cli/bayes_options.hpp) on a
// parallel corpus, or load a saved model, and print Pharaoh alignments,
// always source-target.
//
//   lexalign align --input corpus.txt --symmetrize grow-diag-final-and > out.align
//   lexalign align --source x.en --target x.fr --save-model en-fr.model > fwd.align
//   lexalign align --input new.txt --model-file en-fr.model --symmetrize grow-diag-final-and
//
// Order of work: parse and check every option, check every output path can
// be written, read the corpus, train or load, decode, write.  So a typo in an
// option or a path fails in milliseconds, not after training.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/bayes_options.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/text_input.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/em/embedding_prior.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/schedule.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/io/lowercase.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/multilingual/dictionary_mapping.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

namespace lexalign::cli {

namespace {

void write_posteriors(std::ostream& out, const alignment_corpus& links, const std::vector<std::vector<float>>& post) {
  std::string line;
  char buf[32];
  for (std::size_t k = 0; k < links.size(); ++k) {
    line.clear();
    for (std::size_t n = 0; n < links[k].sure.size(); ++n) {
      if (n) line += ' ';
      const auto& l = links[k].sure[n];
      const int len = std::snprintf(buf, sizeof buf, "%u-%u:%.4f", l.source, l.target, static_cast<double>(post[k][n]));
      line.append(buf, static_cast<std::size_t>(len));
    }
    line += '\n';
    out << line;
  }
}

std::size_t link_count(const alignment_corpus& links) {
  std::size_t n = 0;
  for (const auto& s : links) n += s.sure.size();
  return n;
}

}  // namespace

int run_align(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  for (const auto& w : args)  // K corpora and a target pair: align_multiparallel.cpp
    if (w == "--multiparallel") return run_align_multiparallel(args, in, out, err);
  arguments a("lexalign align (--input PAIRS | --source S --target T) [options]",
              "Aligns a parallel corpus with EM-trained statistical models (IBM Model 1, fast_align's\n"
              "diagonal Model 2, or IBM1 then the HMM) or the Bayesian Gibbs sampler (--model bayes)\n"
              "and prints Pharaoh links (source-target, 0-based), one line per input line.\n"
              "Without --symmetrize it prints the forward model's alignment (each target word linked to\n"
              "at most one source word), or the reverse model's with --reverse.  Progress goes to\n"
              "standard error (--quiet silences it).  docs/cli.md describes every option.\n"
              "K >= 3 line-parallel corpora and a target pair: lexalign align --multiparallel --help.");
  a.option("input", "PAIRS", "'source ||| target' lines, or - for standard input");
  a.option("source", "S", "source sentences, one per line (with --target)");
  a.option("target", "T", "target sentences, one per line (with --source)");
  a.option("output", "FILE", "write the alignment here instead of standard output");
  a.option("model", "NAME", "ibm1, fast_align, hmm (IBM1 iterations, then HMM iterations) or bayes (Gibbs sampler, docs/bayes.md)", {.default_value = "hmm"});
  a.option("ibm1-iterations", "N", "IBM Model 1 EM iterations", {.default_value = "5"});
  a.option("hmm-iterations", "N", "HMM EM iterations", {.default_value = "5"});
  a.option("fast-align-iterations", "N", "fast_align EM iterations", {.default_value = "5"});
  a.option("jump-smoothing", "A", "HMM: weight of the uniform jump distribution", {.default_value = "0.4"});
  a.option("null-weight", "W", "HMM: NULL transition weight, p0 = W/(1+W)", {.default_value = "0.4"});
  a.option("band-above", "N",
           "HMM: given sentences longer than N tokens use the banded jump distribution (0: all)",
           {.default_value = std::to_string(em::hmm_band_options{}.above_length)});
  a.option("band-width", "W", "HMM: the band's half-width (jumps beyond it keep only the smoothing mass)",
           {.default_value = std::to_string(em::hmm_band_options{}.width)});
  a.flag("class-jumps", "HMM: one jump distribution per word class of the previous word (GIZA++'s), classes trained on the text");
  a.option("classes", "C", "HMM --class-jumps: number of word classes", {.default_value = "50"});
  a.flag("end-distribution", "HMM: learn where sentences end (an end distribution; the default)");
  a.flag("no-end-distribution", "HMM: no end distribution (the HMM before issue 13)");
  a.option("schedule", "S", "GIZA++-style schedule, e.g. 1x5,h5,3x3,4x3 (IBM1, HMM, Models 3 and 4); replaces --model and the iteration options");
  a.option("p0", "P", "fast_align: NULL probability", {.default_value = "0.08"});
  a.option("tension", "L", "fast_align: initial diagonal tension", {.default_value = "4"});
  a.flag("compat", "fast_align: reproduce the reference implementation's defects");
  a.option("decode", "HOW", "posterior (links with posterior >= --threshold) or viterbi", {.default_value = "posterior"});
  a.option("threshold", "X", "posterior decoding threshold", {.default_value = "0.5"});
  a.flag("reverse", "print the reverse model's alignment (still source-target)");
  a.option("symmetrize", "HEURISTIC", "run both directions and combine them: grow-diag-final-and, intersection, union, ...");
  a.option("threads", "N", "worker threads, 0 = all (the result does not depend on it)", {.default_value = "0"});
  a.flag("lowercase", "lower-case the text before training (Latin, Greek, Cyrillic)");
  add_text_options(a);
  a.option("save-model", "FILE", "save the trained model (both directions, vocabularies)");
  a.option("model-file", "FILE", "align with a saved model instead of training (force alignment)");
  a.option("write-posteriors", "FILE", "write each printed link's posterior as i-j:p (single direction only)");
  a.option("source-embeddings", "VEC", "source word vectors (word2vec/fastText text) for the embedding prior");
  a.option("target-embeddings", "VEC", "target word vectors, in the same space or mapped with --dictionary");
  a.option("dictionary", "DICT", "'source target' pairs: map the source vectors onto the target space (Procrustes)");
  a.option("prior-weight", "HOW", "frequency (M/c(e)), log (M/max(.5,ln c(e))) or constant (M)", {.default_value = "frequency"});
  a.option("prior-multiplier", "M", "the prior's M (EE-GIZA++ uses 10000; 10 was best on the Bible silver set)",
           {.default_value = "10"});
  a.option("prior-temperature", "T", "softmax temperature of the CSLS scores", {.default_value = "0.1"});
  a.option("prior-top-k", "K", "candidates per word", {.default_value = "100"});
  a.flag("quiet", "no progress on standard error");
  bayes_cli::add_options(a);
  return guarded(err, "align", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    using namespace lexalign::em;
    // 1. Every option, before any file is touched.
    const bool has_input = a.has("input"), has_pair = a.has("source") || a.has("target");
    if (has_input == has_pair) throw usage_error("give either --input or both --source and --target");
    if (has_pair && !(a.has("source") && a.has("target"))) throw usage_error("--source and --target go together");
    if (has_pair) at_most_one_stdin({a.value("source"), a.value("target")});
    if (a.has("model-file") && a.has("save-model")) throw usage_error("--model-file and --save-model exclude each other");
    if (a.has("symmetrize") && a.has("reverse")) throw usage_error("--symmetrize and --reverse exclude each other");
    if (a.has("symmetrize") && a.has("write-posteriors"))
      throw usage_error("--write-posteriors needs a single direction (no --symmetrize)");
    std::optional<symmetrize::heuristic> method;
    if (a.has("symmetrize")) {
      method = symmetrize::parse_heuristic(a.value("symmetrize"));
      if (!method) throw usage_error("unknown heuristic '" + io::excerpt(a.value("symmetrize")) + "'");
    }
    train_options topt;
    const std::string model_name = a.value("model");
    if (model_name == "ibm1") topt.model = model_kind::ibm1;
    else if (model_name == "fast_align" || model_name == "fast-align") topt.model = model_kind::fast_align;
    else if (model_name == "hmm") topt.model = model_kind::hmm;
    else if (model_name == "bayes") {}  // Gibbs sampler: bayes_cli below
    else throw usage_error("--model must be ibm1, fast_align, hmm or bayes, got '" + io::excerpt(model_name) + "'");
    constexpr std::uint64_t max_iterations = 1'000'000;
    topt.ibm1.iterations = a.integer("ibm1-iterations", 0, max_iterations);
    topt.hmm.iterations = a.integer("hmm-iterations", 0, max_iterations);
    topt.fast_align.iterations = a.integer("fast-align-iterations", 0, max_iterations);
    topt.hmm.jump_smoothing = a.number("jump-smoothing", 0.0, 1.0);
    topt.hmm.null_weight = a.number("null-weight", 0.0, 1e6);
    topt.hmm.band.above_length = a.integer("band-above", 0, 100'000'000);
    topt.hmm.band.width = a.integer("band-width", 1, 100'000'000);
    topt.hmm.class_jumps = a.has("class-jumps");
    topt.word_classes.classes = a.integer("classes", 1, std::uint64_t{1} << 20);
    if (a.has("end-distribution") && a.has("no-end-distribution"))
      throw usage_error("--end-distribution and --no-end-distribution exclude each other");
    topt.hmm.end_distribution = !a.has("no-end-distribution");
    if (a.has("schedule")) {
      if (model_name != "hmm") throw usage_error("--schedule and --model " + io::excerpt(model_name) + " exclude each other");
      try {
        apply_schedule(topt, a.value("schedule"));
      } catch (const invalid_option& e) {
        throw usage_error(std::string("--schedule: ") + e.what());
      }
    }
    topt.fast_align.p0 = a.number("p0", 0.0, 0.999);
    topt.fast_align.lambda = a.number("tension", 0.0, 1e3);
    topt.fast_align.compat = a.has("compat");
    const auto threads = static_cast<unsigned>(a.integer("threads", 0, 4096));
    align_options dopt;
    const std::string how = a.value("decode");
    if (how == "posterior") dopt.method = decoding::posterior;
    else if (how == "viterbi") dopt.method = decoding::viterbi;
    else throw usage_error("--decode must be posterior or viterbi, got '" + io::excerpt(how) + "'");
    dopt.posterior_threshold = a.number("threshold", 0.0, 1.0);
    dopt.with_posteriors = a.has("write-posteriors");
    const bool use_prior = a.has("source-embeddings") || a.has("target-embeddings");
    if (use_prior && !(a.has("source-embeddings") && a.has("target-embeddings")))
      throw usage_error("--source-embeddings and --target-embeddings go together");
    if (a.has("dictionary") && !use_prior) throw usage_error("--dictionary needs --source-embeddings and --target-embeddings");
    embedding_prior_options po;
    if (use_prior) {
      const std::string how_w = a.value("prior-weight");
      if (how_w == "frequency") po.weight = prior_weight::frequency;
      else if (how_w == "log") po.weight = prior_weight::log_frequency;
      else if (how_w == "constant") po.weight = prior_weight::constant;
      else throw usage_error("--prior-weight must be frequency, log or constant, got '" + io::excerpt(how_w) + "'");
      po.multiplier = a.number("prior-multiplier", 0.0, 1e12);
      po.temperature = a.number("prior-temperature", 1e-6, 1e6);
      po.top_k = a.integer("prior-top-k", 1, 100'000'000);
    }
    const bool use_bayes = bayes_cli::wanted(a);
    std::optional<bayes::gibbs_options> bopt;
    bad_line_log skipped(err, "align");
    const io::corpus_read_options ropt = read_options(a, skipped);
    progress_reporter progress(err, "align", a.has("quiet"), stderr_is_terminal());
    const bool quiet = progress.quiet();

    // 2. Every output path, before the corpus is read.
    for (const char* name : {"output", "save-model", "write-posteriors"})
      if (a.has(name)) check_writable(a.value(name), name);

    // One pool of threads for every stage of the command (0 = all hardware threads).
    thread_pool pool(threads);
    topt.parallel.pool = &pool;
    dopt.parallel.pool = &pool;
    po.parallel.pool = &pool;
    if (use_bayes) bopt = bayes_cli::options(a, pool);

    // 3. Read the corpus.
    parallel_corpus corpus;
    read_corpus(a, in, ropt, corpus);
    if (!quiet)
      progress.note(std::to_string(corpus.size()) + " sentence pairs, " +
                    std::to_string(corpus.source_sentences().token_count()) + " source and " +
                    std::to_string(corpus.target_sentences().token_count()) + " target tokens" +
                    (skipped.count() ? ", " + std::to_string(skipped.count()) + " bad lines skipped (empty pairs)" : ""));

    // 4. Train or load, then decode the direction(s) needed.
    const bool want_forward = method || !a.has("reverse");
    const bool want_reverse = method || a.has("reverse");
    decoded_alignments fwd, rev;
    auto decode = [&](model& m) {
      if (!want_forward) m.forward = {};  // decode only the direction(s) printed
      if (!want_reverse) m.reverse = {};
      progress.begin("decode");
      auto both = em::align(m, corpus, dopt, progress);
      progress.end(std::to_string(corpus.size()) + " pairs");
      fwd = std::move(both.forward);
      rev = std::move(both.reverse);
    };
    if (use_bayes) {
      auto r = bayes_cli::run(a, *bopt, corpus, progress);
      fwd = std::move(r.forward);
      rev = std::move(r.reverse);
    } else if (a.has("model-file")) {
      model loaded = load(a.value("model-file"));
      if (!quiet) {
        const mapped_corpus mapped = map_to_vocabularies(corpus, loaded.source_vocabulary, loaded.target_vocabulary,
                                                         unknown_words::shared_id);
        progress.note("force alignment: " + std::to_string(mapped.unknown_source_tokens) + " unknown source and " +
                      std::to_string(mapped.unknown_target_tokens) + " unknown target tokens");
      }
      decode(loaded);
    } else {
      const bool save = a.has("save-model");
      lexical_prior prior_fwd, prior_rev;
      const lexical_prior* pf = nullptr;
      const lexical_prior* pr = nullptr;
      if (use_prior) {
        auto se = io::read_embeddings_file(a.value("source-embeddings"));
        auto te = io::read_embeddings_file(a.value("target-embeddings"));
        if (a.has("dictionary")) {
          const auto m = multilingual::map_with_dictionary_file(se, te, a.value("dictionary"));
          char res[32];
          std::snprintf(res, sizeof res, "%g", m.residual);
          progress.note("Procrustes on " + std::to_string(m.pairs) + " dictionary pairs, residual " + res);
        }
        if (want_forward || save) {
          const auto v = make_view(corpus, false);
          prior_fwd = make_embedding_prior(lexical_table::from_cooccurrence(v), v, corpus.source_vocabulary(),
                                           corpus.target_vocabulary(), se, te, po);
          pf = &prior_fwd;
        }
        if (want_reverse || save) {
          const auto v = make_view(corpus, true);
          prior_rev = make_embedding_prior(lexical_table::from_cooccurrence(v), v, corpus.target_vocabulary(),
                                           corpus.source_vocabulary(), te, se, po);
          pr = &prior_rev;
        }
      }
      topt.forward_prior = pf;
      topt.reverse_prior = pr;
      topt.directions = save || (want_forward && want_reverse) ? directions::both
                        : want_forward                         ? directions::forward
                                                               : directions::reverse;
      model trained = train(corpus, topt, progress);
      if (save) {
        em::save(trained, a.value("save-model"));
        progress.note("model saved to " + a.value("save-model"));
      }
      decode(trained);
    }

    // 5. Write.
    std::unique_ptr<std::ofstream> file;
    std::ostream* dest = &out;
    if (a.has("output")) {
      file = std::make_unique<std::ofstream>(io::open_output(a.value("output")));
      dest = file.get();
    }
    std::size_t links = 0;
    if (method) {
      progress.begin("symmetrize");
      const alignment_corpus sym = symmetrize::combine(fwd.links, rev.links, {.method = *method});
      links = link_count(sym);
      progress.end(std::to_string(sym.size()) + " pairs, " + std::to_string(links) + " links");
      io::write_pharaoh(*dest, sym);
    } else {
      const decoded_alignments& one = want_forward ? fwd : rev;
      links = link_count(one.links);
      io::write_pharaoh(*dest, one.links);
      if (a.has("write-posteriors")) {
        auto pfile = io::open_output(a.value("write-posteriors"));
        write_posteriors(pfile, one.links, one.posteriors);
        if (!pfile) throw io_error("cannot write '" + a.value("write-posteriors") + "'");
      }
    }
    if (file) {
      file->close();
      if (!*file) throw io_error("cannot write '" + a.value("output") + "'");
    }
    skipped.report();
    progress.summary(corpus.size(), links);
    return exit_ok;
  });
}

}  // namespace lexalign::cli
