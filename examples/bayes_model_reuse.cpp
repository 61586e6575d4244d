// Reusing a Gibbs-aligner model: bayes::train on the bundled
// Romanian-English gold set, bayes::save / bayes::load, then
// bayes::align on new sentence pairs (the model's counts become
// Dirichlet priors; unknown words get fresh ids).
//
//   example_bayes_model_reuse
//
// Checks: the file round trip is exact (float counts as %.9g, jump counts as
// %.17g), so aligning with the loaded model gives the same links as with the
// in-memory one; the model remembers its 248 training pairs; one new word on
// each side of the new text.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/bayes/model_io.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"

#ifndef LEXALIGN_EXAMPLE_DATA_DIR
#define LEXALIGN_EXAMPLE_DATA_DIR "data"
#endif

namespace bayes = lexalign::bayes;

int main() {
  const std::string dir = std::string(LEXALIGN_EXAMPLE_DATA_DIR) + "/gold/";
  // A name of its own, so that concurrent runs do not share the file.
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const auto path = std::filesystem::temp_directory_path() /
                    ("lexalign_example_roen_" + std::to_string(stamp) + ".bayes");
  try {
    const auto corpus = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
    const auto trained = bayes::train(corpus, {.schedule_scale = 0.1, .samplers = 1, .seed = 3});
    bayes::save(trained, path.string());
    const auto loaded = bayes::load(path.string());
    std::filesystem::remove(path);
    std::printf("model: %zu training pairs, %zu source and %zu target words\n", loaded.training_sentences,
                loaded.source_vocabulary.size(), loaded.target_vocabulary.size());

    std::istringstream text("luni , 4 Februarie 2002 ||| Monday , 04 February 2002\n"
                            "luni Zorblat , 4 Februarie ||| Monday zorblat , 04 February\n");
    const auto fresh = lexalign::io::read_parallel_corpus(text, "new pairs");
    const auto mapped = lexalign::map_to_vocabularies(fresh, loaded.source_vocabulary, loaded.target_vocabulary,
                                                      lexalign::unknown_words::extend);
    std::printf("new words: %zu source, %zu target\n", mapped.new_source_words.size(), mapped.new_target_words.size());

    const bayes::gibbs_options opt{.samplers = 1, .seed = 3};
    const auto a = bayes::align(trained, fresh, opt);
    const auto b = bayes::align(loaded, fresh, opt);
    const bool same = a.forward.links == b.forward.links && a.reverse.links == b.reverse.links;
    std::printf("in-memory vs loaded model: %s links\n", same ? "identical" : "DIFFERENT");
    for (std::size_t k = 0; k < fresh.size(); ++k) {
      std::ostringstream line;
      lexalign::io::write_pharaoh(line, b.forward.links[k]);
      std::printf("pair %zu forward: %s", k, line.str().c_str());
    }
    const bool passed = same && loaded.training_sentences == corpus.size() && mapped.new_source_words.size() == 1 &&
                        mapped.new_target_words.size() == 1;
    std::printf("checks: %s\n", passed ? "ok" : "FAILED");
    return passed ? 0 : 1;
  } catch (const lexalign::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
