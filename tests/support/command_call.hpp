// Calls a `lexalign` subcommand function (tools/lexalign/cli/commands.hpp)
// in-process with `stdin_text` as standard input, capturing its exit code,
// standard output and standard error.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace lexalign::test {

struct command_result {
  int rc;
  std::string out, err;
};

template <class Run>
command_result call_command(Run run, const std::vector<std::string>& args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  const int rc = run(args, in, out, err);
  return {rc, out.str(), err.str()};
}

}  // namespace lexalign::test
