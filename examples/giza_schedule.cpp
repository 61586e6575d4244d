// A GIZA++-style schedule (1^5 H^5 3^2 4^2) with mkcls-style word classes, on
// the first 100 pairs of the bundled Romanian-English gold set (trained on
// them), next to the default IBM1+HMM pipeline.
//
//   example_giza_schedule
//
// Checks: the word classes are identical with 1 and 2 threads; a saved and
// reloaded Model 4 aligns exactly as the trained one.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/schedule.hpp"
#include "lexalign/em/word_classes.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/metrics/aer.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

#ifndef LEXALIGN_EXAMPLE_DATA_DIR
#define LEXALIGN_EXAMPLE_DATA_DIR "data"
#endif

namespace em = lexalign::em;

int main() {
  const std::string dir = std::string(LEXALIGN_EXAMPLE_DATA_DIR) + "/gold/";
  try {
    // The first 100 pairs keep the example quick (Models 3/4 hill-climb every pair).
    std::ifstream src(dir + "roen.src"), tgt(dir + "roen.tgt");
    std::string pairs, x, y;
    for (int k = 0; k < 100 && std::getline(src, x) && std::getline(tgt, y); ++k) pairs += x + " ||| " + y + "\n";
    std::istringstream pairs_in(pairs);
    const auto corpus = lexalign::io::read_parallel_corpus(pairs_in, "roen (100 pairs)");
    auto gold = lexalign::io::read_pharaoh_file(dir + "roen.gold");
    gold.resize(corpus.size());

    // Word classes on their own.
    const auto& text = corpus.source_sentences();
    const std::size_t V = corpus.source_vocabulary().size();
    const auto one = em::train_word_classes(text, V, {.classes = 50});
    const auto two = em::train_word_classes(text, V, {.classes = 50, .parallel = {.threads = 2}});
    std::printf("word classes: %zu, log-likelihood %.1f after %zu passes\n", one.classes.count, one.log_likelihood,
                one.convergence.iterations);

    auto gdfa_aer = [&](const em::model& m) {
      const auto out = em::align(m, corpus);
      return lexalign::metrics::evaluate(gold, lexalign::symmetrize::combine(out.forward.links, out.reverse.links))
          .pooled.aer;
    };
    const auto hmm = em::train(corpus);
    em::train_options o;
    em::apply_schedule(o, "1x5,h5,3x2,4x2");
    const auto m4 = em::train(corpus, o);
    std::printf("gdfa AER: 1x5,h5 %.3f, 1x5,h5,3x2,4x2 %.3f\n", gdfa_aer(hmm), gdfa_aer(m4));

    std::stringstream file;
    em::save(m4, file);
    const auto back = em::load(file, "<model>");
    const bool same = em::align(back, corpus).forward.links == em::align(m4, corpus).forward.links;
    const bool ok = one.classes == two.classes && same;
    std::printf("classes identical for 1 and 2 threads: %s; reloaded Model 4 aligns the same: %s\n",
                one.classes == two.classes ? "yes" : "no", same ? "yes" : "no");
    std::printf("checks: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example_giza_schedule: %s\n", e.what());
    return 1;
  }
}
