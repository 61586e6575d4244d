// examples/cli/main.cpp - the `lexalign` command: dispatches to the
// subcommands in command_<name>.hpp (see arguments.hpp for the contract).
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "command_baseline.hpp"
#include "command_score.hpp"
#include "command_symmetrize.hpp"
#include "lexalign/config.hpp"
#if __has_include("command_align.hpp")
#include "command_align.hpp"
#define LEXALIGN_CLI_HAS_ALIGN 1
#endif

namespace {

void print_usage(std::ostream& out) {
  out << "usage: lexalign <command> [options]\n\ncommands:\n"
#ifdef LEXALIGN_CLI_HAS_ALIGN
      << "  align        align a parallel corpus\n"
#endif
      << "  score        precision, recall, F1 and AER against a gold alignment\n"
      << "  symmetrize   combine forward and reverse alignments (grow-diag-final-and, ...)\n"
      << "  baseline     the diagonal baseline alignment of a parallel corpus\n\n"
      << "'lexalign <command> --help' describes a command; 'lexalign --version' prints the version.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> all(argv + 1, argv + argc);
  if (all.empty()) {
    print_usage(std::cerr);
    return lexalign::cli::exit_usage;
  }
  const std::string_view command = all.front();
  const std::vector<std::string> args(all.begin() + 1, all.end());
  if (command == "-h" || command == "--help" || command == "help") {
    print_usage(std::cout);
    return lexalign::cli::exit_ok;
  }
  if (command == "--version") {
    std::cout << "lexalign " << LEXALIGN_VERSION_STRING << '\n';
    return lexalign::cli::exit_ok;
  }
  int rc = lexalign::cli::exit_usage;
  if (command == "score") rc = lexalign::cli::run_score(args, std::cin, std::cout, std::cerr);
  else if (command == "symmetrize") rc = lexalign::cli::run_symmetrize(args, std::cin, std::cout, std::cerr);
  else if (command == "baseline") rc = lexalign::cli::run_baseline(args, std::cin, std::cout, std::cerr);
#ifdef LEXALIGN_CLI_HAS_ALIGN
  else if (command == "align") rc = lexalign::cli::run_align(args, std::cin, std::cout, std::cerr);
#endif
  else {
    std::cerr << "lexalign: unknown command '" << command << "'\n\n";
    print_usage(std::cerr);
    return lexalign::cli::exit_usage;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "lexalign: error writing standard output\n";
    return lexalign::cli::exit_bad_input;
  }
  return rc;
}
