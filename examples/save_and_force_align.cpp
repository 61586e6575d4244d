// Train once, save the model, load it elsewhere and force-align new text:
// em::train -> em::save -> em::load -> em::align, including words the model
// has never seen.
//
//   example_save_and_force_align
//
// Checks: %.17g doubles make the file round trip exact, so force-aligning the
// training corpus with the loaded model gives exactly the links of the
// trained model; an unknown word is counted and still aligned (by the HMM
// jump model, its lexical probabilities are the floor).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"

#ifndef LEXALIGN_EXAMPLE_DATA_DIR
#define LEXALIGN_EXAMPLE_DATA_DIR "data"
#endif

namespace em = lexalign::em;

int main() {
  const std::string dir = std::string(LEXALIGN_EXAMPLE_DATA_DIR) + "/gold/";
  // A name of its own, so that concurrent runs do not share the file.
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const auto path = std::filesystem::temp_directory_path() /
                    ("lexalign_example_roen_" + std::to_string(stamp) + ".model");
  try {
    const auto corpus = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
    const auto model = em::train(corpus, {.parallel = {.threads = 2}});
    em::save(model, path.string());
    const auto loaded = em::load(path.string());
    std::filesystem::remove(path);
    std::printf("vocabularies: %zu source, %zu target words (loaded: %zu, %zu)\n", corpus.source_vocabulary().size(),
                corpus.target_vocabulary().size(), loaded.source_vocabulary.size(),
                loaded.target_vocabulary.size());

    const auto direct = em::align(model, corpus);
    const auto forced = em::align(loaded, corpus);
    const bool same = direct.forward.links == forced.forward.links && direct.reverse.links == forced.reverse.links;
    std::printf("training corpus, trained vs loaded model: %s links\n", same ? "identical" : "DIFFERENT");

    // New pairs, 'source ||| target' per line; "Zorblat" / "zorblat" are unknown.
    std::istringstream text("luni , 4 Februarie 2002 ||| Monday , 04 February 2002\n"
                            "luni Zorblat , 4 Februarie ||| Monday zorblat , 04 February\n");
    const auto fresh = lexalign::io::read_parallel_corpus(text, "new pairs");
    const auto mapped = lexalign::map_to_vocabularies(fresh, loaded.source_vocabulary, loaded.target_vocabulary,
                                                      lexalign::unknown_words::shared_id);
    std::printf("unknown tokens: %zu source, %zu target\n", mapped.unknown_source_tokens, mapped.unknown_target_tokens);
    const auto out = em::align(loaded, fresh, {.method = em::decoding::viterbi});
    for (std::size_t k = 0; k < fresh.size(); ++k) {
      std::ostringstream line;
      lexalign::io::write_pharaoh(line, out.forward.links[k]);
      std::printf("pair %zu forward: %s", k, line.str().c_str());
    }
    const bool passed = same && mapped.unknown_source_tokens == 1 && mapped.unknown_target_tokens == 1;
    std::printf("checks: %s\n", passed ? "ok" : "FAILED");
    return passed ? 0 : 1;
  } catch (const lexalign::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
