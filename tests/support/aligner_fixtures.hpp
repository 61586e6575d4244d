// Small helpers shared by the aligner tests (tests/em, tests/bayes, tests/cli):
// a corpus from 'source ||| target' text, the toy corpus they use, and the
// check that an options error names its option.
#pragma once

#include <sstream>
#include <string>

#include "lexalign/core/error.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"

namespace lexalign::test {

inline parallel_corpus read_pairs(const std::string& text) {
  std::istringstream in(text);
  return io::read_parallel_corpus(in, "<pairs>");
}

// Five pairs in which every word is recoverable from co-occurrence.
inline const char* const toy_pairs =
    "the house ||| la maison\nthe blue house ||| la maison bleue\nthe flower ||| la fleur\n"
    "a blue flower ||| une fleur bleue\nthe house is blue ||| la maison est bleue\n";

// The option named by the lexalign::invalid_option that `f` throws (its
// message is checked to start with that name and show the value), or
// "no error".
template <class F>
std::string rejected_option(F&& f) {
  try {
    f();
  } catch (const invalid_option& e) {
    CHECK(std::string(e.what()).find(e.option()) == 0);
    CHECK(std::string(e.what()).find("(got " + e.value() + ")") != std::string::npos);
    return e.option();
  }
  return "no error";
}

}  // namespace lexalign::test
