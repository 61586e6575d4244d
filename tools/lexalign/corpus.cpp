// tools/lexalign/corpus.cpp - `lexalign corpus build|info`: text to the
// compact on-disk corpus format (lexalign/io/corpus_file.hpp) in one
// streaming pass, and what a corpus file holds (checked).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/text_input.hpp"
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

constexpr const char* corpus_usage = "lexalign corpus build|info [options] (lexalign corpus build --help)";

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
    const bool pair = a.has("source") || a.has("target");
    if (pair == a.has("input")) throw usage_error("give either --source and --target, or --input");
    if (pair && !(a.has("source") && a.has("target"))) throw usage_error("--source and --target go together");
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

}  // namespace

int run_corpus(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> rest(args.empty() ? args.begin() : args.begin() + 1, args.end());
  if (!args.empty() && args.front() == "build") return run_build(rest, in, out, err);
  if (!args.empty() && args.front() == "info") return run_info(rest, out, err);
  if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
    out << "usage: " << corpus_usage << "\n\n"
        << "  build   convert text to a compact binary corpus file (one streaming pass)\n"
        << "  info    check a corpus file and print what it holds\n";
    return exit_ok;
  }
  err << "lexalign corpus: " << (args.empty() ? std::string("missing action") : "unknown action '" + io::excerpt(args.front()) + "'")
      << " (build or info)\n(see 'lexalign corpus --help')\n";
  return exit_usage;
}

}  // namespace lexalign::cli
