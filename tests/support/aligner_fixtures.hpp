// Small helpers shared by the aligner tests (tests/em, tests/bayes, tests/cli):
// a corpus from 'source ||| target' text, the toy corpus they use, and the
// check that an options error names its option.
#pragma once

#include <set>
#include <sstream>
#include <string>

#include "lexalign/core/error.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "support/catch.hpp"

namespace lexalign::test {

inline parallel_corpus read_pairs(const std::string& text) {
  std::istringstream in(text);
  return io::read_parallel_corpus(in, "<pairs>");
}

// AER (%) of the first hyp.size() pairs against data/gold/<name>.gold, from
// Och & Ney's definition (sure '-' and possible '?' links), written out here
// independently of lexalign's scorer.
inline double gold_aer(const alignment_corpus& hyp, const std::string& name) {
  const auto gold = io::read_pharaoh_file(std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/" + name + ".gold");
  double a = 0, p = 0, h = 0, s = 0;
  for (std::size_t k = 0; k < hyp.size(); ++k) {
    const std::set<link> S(gold[k].sure.begin(), gold[k].sure.end());
    std::set<link> P(S);
    P.insert(gold[k].possible.begin(), gold[k].possible.end());
    for (const auto& l : hyp[k].sure) {
      a += static_cast<double>(S.count(l));
      p += static_cast<double>(P.count(l));
    }
    h += static_cast<double>(hyp[k].sure.size());
    s += static_cast<double>(S.size());
  }
  return 100.0 * (1.0 - (a + p) / (h + s));
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
