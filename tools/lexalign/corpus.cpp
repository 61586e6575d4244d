// tools/lexalign/corpus.cpp - `lexalign corpus build|info`: text to the
// compact on-disk corpus format (lexalign/io/corpus_file.hpp) in one
// streaming pass, and what a corpus file holds (checked).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <tuple>
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/text_input.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/synthetic_corpus.hpp"
#include "lexalign/io/corpus_file.hpp"

namespace lexalign::cli {

namespace {

void print_summary(std::ostream& out, const std::string& path, const io::corpus_file_summary& s) {
  out << "file               " << path << '\n'
      << "format version     " << s.version << '\n'
      << "pairs              " << s.pairs << '\n'
      << "source tokens      " << s.source_tokens << '\n'
      << "target tokens      " << s.target_tokens << '\n'
      << "source vocabulary  " << s.source_vocabulary_size << '\n'
      << "target vocabulary  " << s.target_vocabulary_size << '\n'
      << "bytes              " << s.file_bytes << '\n';
  char sum[17];
  std::snprintf(sum, sizeof sum, "%016llx", static_cast<unsigned long long>(s.checksum));
  out << "checksum           " << sum << '\n';
}

// True for --source and --target, false for --input; a usage error for
// anything else (build and generate read their text the same way).
bool text_pair_given(const arguments& a) {
  const bool pair = a.has("source") || a.has("target");
  if (pair == a.has("input")) throw usage_error("give either --source and --target, or --input");
  if (pair && !(a.has("source") && a.has("target"))) throw usage_error("--source and --target go together");
  return pair;
}

constexpr const char* corpus_usage = "lexalign corpus build|info|generate [options] (lexalign corpus build --help)";

int run_build(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  arguments a("lexalign corpus build (--source S --target T | --input F) --output C",
              "Converts a parallel corpus from text to lexalign's compact binary corpus file (token ids,\n"
              "sentence offsets, both vocabularies, a checksum) in one streaming pass: memory is the\n"
              "vocabularies plus fixed buffers, whatever the corpus size.  The text is read under the\n"
              "same rules as 'lexalign align'.  Prints the file's summary (as 'lexalign corpus info').");
  a.option("source", "S", "source sentences, one per line, tokens separated by spaces ('-': standard input)")
      .option("target", "T", "target sentences, line-parallel")
      .option("input", "F", "one 'source ||| target' file instead of --source/--target")
      .option("output", "C", "the corpus file to write (temporary files C.tmp-* are made next to it)",
              {.required = true});
  add_text_options(a);
  return guarded(err, "corpus build", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    const bool pair = text_pair_given(a);
    check_writable(a.value("output"), "output");
    bad_line_log skipped(err, "corpus build");
    io::corpus_file_build_options o;
    o.read = read_options(a, skipped);
    io::corpus_file_summary s;
    try {
      if (pair) {
        at_most_one_stdin({a.value("source"), a.value("target")});
        input src(a.value("source"), in), tgt(a.value("target"), in);
        s = io::build_corpus_file(src.stream(), src.name(), tgt.stream(), tgt.name(), a.value("output"), o);
      } else {
        input f(a.value("input"), in);
        s = io::build_corpus_file(f.stream(), f.name(), a.value("output"), o);
      }
    } catch (const parse_error& e) {
      std::error_code ec;
      std::filesystem::remove(a.value("output"), ec);  // no half-written corpus file
      rethrow_with_hint(e);
    }
    print_summary(out, a.value("output"), s);
    skipped.report();
    return exit_ok;
  });
}

int run_info(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  arguments a("lexalign corpus info --corpus C [--no-verify]",
              "Prints what a corpus file holds (format version, pairs, tokens, vocabulary sizes, bytes,\n"
              "checksum) after checking it: header, checksum, offsets and every token id.  A truncated or\n"
              "corrupt file is reported as 'C: reason' with exit status 1.");
  a.option("corpus", "C", "the corpus file (from 'lexalign corpus build')", {.required = true})
      .flag("no-verify", "check the header only (instant on any size; the data is not read)");
  return guarded(err, "corpus info", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    const std::string path = a.value("corpus");
    if (a.has("no-verify")) {
      print_summary(out, path, io::corpus_file::read_summary(path));
    } else {
      const auto f = io::corpus_file::open(path);
      print_summary(out, path, f.summary());
      out << "verified           yes\n";
    }
    return exit_ok;
  });
}


int run_generate(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  arguments a("lexalign corpus generate (--source S --target T | --input F) [--model-file M] --pairs N\n"
              "       (--output C | --text-source S2 --text-target T2)",
              "Samples a synthetic parallel corpus of any size from an alignment model trained on a real\n"
              "corpus (for scale measurements): sentence-length pairs drawn from the real corpus, source\n"
              "words from a Pitman-Yor process over its unigram distribution plus new word types (the\n"
              "vocabulary grows by Heaps' law), target words from the model's translation table t(f|e)\n"
              "with its HMM alignment (new source types translate into new target types).  Without\n"
              "--model-file it trains IBM1 + HMM (source to target) on the given corpus first.  Writes a\n"
              "corpus file in one streaming pass and/or line-parallel text; the same seed gives the same\n"
              "corpus.  See docs/scale.md.");
  a.option("source", "S", "the real corpus' source sentences (lengths, unigram counts, training)")
      .option("target", "T", "its target sentences, line-parallel")
      .option("input", "F", "one 'source ||| target' file instead of --source/--target")
      .option("model-file", "M", "a saved model (lexalign align --save-model) instead of training; its forward direction is used")
      .option("save-model", "M", "save the model trained here, both directions (to reuse with --model-file)")
      .option("ibm1-iterations", "N", "training: IBM Model 1 iterations", {.default_value = "5"})
      .option("hmm-iterations", "N", "training: HMM iterations (0: IBM1 only, uniform alignment)", {.default_value = "5"})
      .option("threads", "N", "training: worker threads", {.default_value = "1"})
      .option("pairs", "N", "sentence pairs to generate", {.required = true})
      .option("output", "C", "write the corpus file here")
      .option("text-source", "S2", "write the source side as text here")
      .option("text-target", "T2", "write the target side as text here")
      .option("seed", "N", "random seed", {.default_value = "1"})
      .option("discount", "D", "Pitman-Yor discount in [0, 1): the Heaps exponent", {.default_value = "0.6"})
      .option("concentration", "X", "Pitman-Yor concentration (> -discount)", {.default_value = "100"})
      .option("new-types", "P", "share of new-table draws that create a new word type", {.default_value = "0.25"})
      .option("min-probability", "P", "translation-table entries below this are not sampled", {.default_value = "0.001"})
      .flag("no-hmm-alignment", "draw alignments uniformly (IBM1) even if the model has an HMM");
  add_text_options(a);
  return guarded(err, "corpus generate", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    text_pair_given(a);  // read_corpus takes either form
    if (a.has("text-source") != a.has("text-target")) throw usage_error("--text-source and --text-target go together");
    if (!a.has("output") && !a.has("text-source")) throw usage_error("give --output and/or --text-source/--text-target");
    if (a.has("model-file") && a.has("save-model")) throw usage_error("--model-file and --save-model exclude each other");
    em::synthetic_corpus_options g;
    g.pairs = static_cast<std::size_t>(a.integer("pairs", 1, std::uint64_t{1} << 40));
    g.seed = a.integer("seed", 0, ~std::uint64_t{0});
    g.discount = a.number("discount", 0.0, 0.999999);
    g.concentration = a.number("concentration", -0.999999, 1e12);
    g.new_types = a.number("new-types", 0.0, 1.0);
    g.min_probability = a.number("min-probability", 1e-300, 0.999999);
    g.hmm_alignment = !a.has("no-hmm-alignment");
    em::validate(g);
    for (const char* name : {"output", "text-source", "text-target", "save-model"})
      if (a.has(name)) check_writable(a.value(name), name);
    bad_line_log skipped(err, "corpus generate");
    const io::corpus_read_options ropt = read_options(a, skipped);
    parallel_corpus corpus;
    read_corpus(a, in, ropt, corpus);
    em::model m;
    if (a.has("model-file")) {
      m = em::load(a.value("model-file"));
    } else {
      em::train_options o;
      // Only the forward direction is sampled; a saved model has both (the
      // model format holds both directions, and 'lexalign align' can use it).
      o.directions = a.has("save-model") ? em::directions::both : em::directions::forward;
      o.ibm1.iterations = static_cast<std::size_t>(a.integer("ibm1-iterations", 1, 1000));
      o.hmm.iterations = static_cast<std::size_t>(a.integer("hmm-iterations", 0, 1000));
      o.parallel.threads = static_cast<unsigned>(a.integer("threads", 1, 1024));
      m = em::train(corpus, o);
      if (a.has("save-model")) em::save(m, a.value("save-model"));
    }
    const em::corpus_profile profile = em::profile_of(corpus, m.source_vocabulary);
    em::synthetic_corpus_stats st;
    if (a.has("output")) {
      try {
        io::corpus_file_summary s;
        std::tie(s, st) = em::write_synthetic_corpus_file(m, profile, g, a.value("output"));
        print_summary(out, a.value("output"), s);
      } catch (...) {
        std::error_code ec;
        std::filesystem::remove(a.value("output"), ec);
        throw;
      }
    }
    if (a.has("text-source")) {
      std::ofstream so(a.value("text-source"), std::ios::binary), to(a.value("text-target"), std::ios::binary);
      std::string line;
      auto write = [&](std::ofstream& f, const vocabulary& v, char side, std::span<const word_id> ids) {
        line.clear();
        for (std::size_t k = 0; k < ids.size(); ++k) {
          if (k) line += ' ';
          if (ids[k] < v.size()) line += v.word(ids[k]);
          else line += em::synthetic_word(v, side, ids[k]);
        }
        line += '\n';
        f.write(line.data(), static_cast<std::streamsize>(line.size()));
      };
      st = em::generate_synthetic_corpus(m, profile, g, [&](auto src, auto tgt) {
        write(so, m.source_vocabulary, 's', src);
        write(to, m.target_vocabulary, 't', tgt);
      });
      so.close();
      to.close();
      if (!so || !to) throw io_error("cannot write the text output");
    }
    out << "generated pairs    " << st.pairs << '\n'
        << "source tokens      " << st.source_tokens << '\n'
        << "target tokens      " << st.target_tokens << '\n'
        << "source types       " << st.source_types << " (" << st.new_source_types << " new)\n"
        << "target types       " << st.target_types << '\n';
    skipped.report();
    return exit_ok;
  });
}

}  // namespace

int run_corpus(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> rest(args.empty() ? args.begin() : args.begin() + 1, args.end());
  if (!args.empty() && args.front() == "build") return run_build(rest, in, out, err);
  if (!args.empty() && args.front() == "info") return run_info(rest, out, err);
  if (!args.empty() && args.front() == "generate") return run_generate(rest, in, out, err);
  if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
    out << "usage: " << corpus_usage << "\n\n"
        << "  build   convert text to a compact binary corpus file (one streaming pass)\n"
        << "  info    check a corpus file and print what it holds\n"
        << "  generate  sample a synthetic corpus of any size from a model trained on a real one\n";
    return exit_ok;
  }
  err << "lexalign corpus: " << (args.empty() ? std::string("missing action") : "unknown action '" + io::excerpt(args.front()) + "'")
      << " (build, info or generate)\n(see 'lexalign corpus --help')\n";
  return exit_usage;
}

}  // namespace lexalign::cli
