// Smallest real use of the installed headers: read a two-sentence corpus and
// a gold alignment, check them against each other, and print what was read.
#include <iostream>
#include <sstream>

#include <lexalign/lexalign.hpp>

int main() {
  std::istringstream text("the house ||| das Haus\nthe green house ||| das gruene Haus\n");
  const auto corpus = lexalign::io::read_parallel_corpus(text, "<example>");
  std::istringstream gold("0-0 1-1\n0-0 1-1 2?2\n");
  const auto links = lexalign::io::read_pharaoh(gold, "<gold>");
  std::vector<std::size_t> src, tgt;
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    src.push_back(corpus.source(k).size());
    tgt.push_back(corpus.target(k).size());
  }
  lexalign::io::check_alignment_ranges(links, src, tgt, "<gold>");
  std::cout << "lexalign " << LEXALIGN_VERSION_STRING << ": " << corpus.size() << " pairs, "
            << corpus.source_vocabulary().size() << " source words, " << links[1].size() << " links\n";
  return corpus.size() == 2 && links[1].size() == 3 ? 0 : 1;
}
