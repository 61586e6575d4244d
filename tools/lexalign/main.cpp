// tools/lexalign/main.cpp - the `lexalign` program: everything but this
// file is in the internal library lexalign_cli_lib (cli/commands.hpp).
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> words(argv + 1, argv + argc);
  const int rc = lexalign::cli::run_command(words, std::cin, std::cout, std::cerr);
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "lexalign: error writing standard output\n";
    return lexalign::cli::exit_bad_input;
  }
  return rc;
}
