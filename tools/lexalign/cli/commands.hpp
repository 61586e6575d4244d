// tools/lexalign/cli/commands.hpp - the `lexalign` command's subcommands,
// each in tools/lexalign/<name>.cpp, and the dispatcher main() calls.  All of
// them live in the internal library lexalign_cli_lib, which the tests in
// tests/cli/ link against directly.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace lexalign::cli {

using command_function = int (*)(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                                 std::ostream& err);

int run_align(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
// `lexalign align --multiparallel ...` (align_multiparallel.cpp); run_align forwards to it.
int run_align_multiparallel(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                            std::ostream& err);
int run_score(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_symmetrize(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_baseline(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_extract(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_show(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_corpus(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_map(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int run_bli(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

// The whole command line after the program name: `<command> args...`,
// `help [command]`, `--help`, `--version`.
int run_command(const std::vector<std::string>& words, std::istream& in, std::ostream& out, std::ostream& err);

// "lexalign 0.2.0 (Release build, optimised)": the version and how this binary was built.
std::string version_line();

}  // namespace lexalign::cli
