// tools/lexalign/dispatch.cpp - `lexalign <command>`, `lexalign help
// [command]`, `lexalign --version`.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "lexalign/config.hpp"

#ifndef LEXALIGN_CLI_BUILD_TYPE
#define LEXALIGN_CLI_BUILD_TYPE "unknown"
#endif

namespace lexalign::cli {

namespace {

struct command_entry {
  std::string_view name;
  command_function run;
  std::string_view summary;
};

constexpr command_entry commands[] = {
    {"align", run_align, "align a parallel corpus (IBM1, fast_align, IBM1+HMM, Bayesian Gibbs sampler)"},
    {"score", run_score, "precision, recall, F1 and AER against a gold alignment"},
    {"symmetrize", run_symmetrize, "combine forward and reverse alignments (grow-diag-final-and, ...)"},
    {"baseline", run_baseline, "the diagonal baseline alignment of a parallel corpus"},
    {"extract", run_extract, "alignments from word vectors, npz token embeddings or aligner posteriors (SimAlign, OTAlign)"},
    {"show", run_show, "alignment matrices of sentence pairs as one HTML page (SVG), against gold if given"},
    {"corpus", run_corpus, "build a compact binary corpus file from text, or check one (build|info)"},
    {"map", run_map, "map word vectors of 2 or K languages into one space (Procrustes, GW, barycenter)"},
    {"bli", run_bli, "bilingual lexicon induction: P@1/5/10 of two mapped vector files on a dictionary"},
};

const command_entry* find_command(std::string_view name) {
  for (const auto& c : commands)
    if (c.name == name) return &c;
  return nullptr;
}

void print_usage(std::ostream& out) {
  out << "usage: lexalign <command> [options]\n\ncommands:\n";
  for (const auto& c : commands) out << "  " << c.name << std::string(13 - c.name.size(), ' ') << c.summary << '\n';
  out << "\n'lexalign help <command>' or 'lexalign <command> --help' describes a command;\n"
         "'lexalign --version' prints the version and build type.\n";
}

}  // namespace

std::string version_line() {
#ifdef __OPTIMIZE__
  constexpr const char* optimised = "optimised";
#else
  constexpr const char* optimised = "not optimised";
#endif
  return std::string("lexalign ") + LEXALIGN_VERSION_STRING + " (" + LEXALIGN_CLI_BUILD_TYPE + " build, " + optimised +
         ")";
}

int run_command(const std::vector<std::string>& words, std::istream& in, std::ostream& out, std::ostream& err) {
  if (words.empty()) {
    print_usage(err);
    return exit_usage;
  }
  const std::string_view command = words.front();
  const std::vector<std::string> args(words.begin() + 1, words.end());
  if (command == "-h" || command == "--help" || (command == "help" && args.empty())) {
    print_usage(out);
    return exit_ok;
  }
  if (command == "help") {
    if (args.size() == 1)
      if (const command_entry* c = find_command(args.front())) return c->run({"--help"}, in, out, err);
    err << "lexalign help: unknown command '" << io::excerpt(args.front()) << "'\n\n";
    print_usage(err);
    return exit_usage;
  }
  if (command == "--version" || command == "version") {
    out << version_line() << '\n';
    return exit_ok;
  }
  if (const command_entry* c = find_command(command)) return c->run(args, in, out, err);
  err << "lexalign: unknown command '" << io::excerpt(command) << "'\n\n";
  print_usage(err);
  return exit_usage;
}

}  // namespace lexalign::cli
