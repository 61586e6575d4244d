// Reads a bundled gold set (two line-parallel files and a Pharaoh gold file),
// checks every link against its sentence, and prints corpus statistics.
//
//   example_corpus_stats [SOURCE TARGET GOLD]     (default: data/gold/roen.*)
#include <cstdio>
#include <string>
#include <vector>

#include "lexalign/core/corpus.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"

#ifndef LEXALIGN_EXAMPLE_DATA_DIR
#define LEXALIGN_EXAMPLE_DATA_DIR "data"
#endif

int main(int argc, char** argv) {
  const std::string dir = std::string(LEXALIGN_EXAMPLE_DATA_DIR) + "/gold/";
  const std::string src = argc > 3 ? argv[1] : dir + "roen.src";
  const std::string tgt = argc > 3 ? argv[2] : dir + "roen.tgt";
  const std::string gold = argc > 3 ? argv[3] : dir + "roen.gold";
  try {
    const auto corpus = lexalign::io::read_parallel_corpus_files(src, tgt);
    const auto links = lexalign::io::read_pharaoh_file(gold);
    std::vector<std::size_t> src_len, tgt_len;
    for (std::size_t k = 0; k < corpus.size(); ++k) {
      src_len.push_back(corpus.source(k).size());
      tgt_len.push_back(corpus.target(k).size());
    }
    lexalign::io::check_alignment_ranges(links, src_len, tgt_len, gold);
    std::size_t sure = 0, possible = 0;
    for (const auto& a : links) {
      sure += a.sure.size();
      possible += a.possible.size();
    }
    const auto tokens = corpus.source_sentences().token_count() + corpus.target_sentences().token_count();
    std::printf("pairs %zu\nsource tokens %zu (%zu types)\ntarget tokens %zu (%zu types)\n", corpus.size(),
                corpus.source_sentences().token_count(), corpus.source_vocabulary().size(),
                corpus.target_sentences().token_count(), corpus.target_vocabulary().size());
    std::printf("sure links %zu, possible-only links %zu\n", sure, possible);
    std::printf("corpus storage %.2f bytes per token (plus vocabularies)\n",
                static_cast<double>(corpus.memory_bytes()) / static_cast<double>(tokens));
  } catch (const lexalign::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
