// Cross-lingual word vectors as a lexical prior for EM (em::make_embedding_prior,
// train_options::forward_prior), on a corpus that is ambiguous on its own:
// one pair "caine negru ||| black dog".  From co-occurrence alone IBM1 cannot
// tell which word translates which (t(black|caine) = t(dog|caine) by symmetry);
// vectors in a shared space (caine ~ dog, negru ~ black) break the tie.
//
//   example_embedding_prior
//
// Checks: without the prior the two probabilities are equal (and Viterbi,
// where NULL wins ties, links nothing); with it t(dog|caine) > t(black|caine)
// and Viterbi links caine-dog, negru-black.
#include <cstdio>
#include <sstream>
#include <vector>

#include "lexalign/em/embedding_prior.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"

namespace em = lexalign::em;

int main() {
  try {
    std::istringstream text("caine negru ||| black dog\n");
    const auto corpus = lexalign::io::read_parallel_corpus(text, "toy");
    // Toy 3-d vectors, already in one space (in practice: fastText + procrustes).
    std::istringstream ro_vec("2 3\ncaine 1 0 0.1\nnegru 0 1 0.1\n"), en_vec("2 3\ndog 0.9 0.1 0\nblack 0.1 0.9 0\n");
    const auto ro = lexalign::io::read_embeddings(ro_vec, "ro.vec"), en = lexalign::io::read_embeddings(en_vec, "en.vec");

    const auto fv = em::make_view(corpus);
    const auto prior = em::make_embedding_prior(em::lexical_table::from_cooccurrence(fv), fv,
                                                corpus.source_vocabulary(), corpus.target_vocabulary(), ro, en,
                                                {.csls_k = 0, .weight = em::prior_weight::constant, .multiplier = 1});
    const em::train_options plain{.model = em::model_kind::ibm1};
    em::train_options with_prior = plain;
    with_prior.forward_prior = &prior;
    const em::train_options& with = with_prior;

    const auto& sv = corpus.source_vocabulary();
    const auto& tv = corpus.target_vocabulary();
    const auto caine = *sv.find("caine"), dog = *tv.find("dog"), black = *tv.find("black");
    bool ok = true;
    for (const auto* o : {&plain, &with}) {
      const auto m = em::train(corpus, *o);
      const double p_dog = m.forward.table.probability(caine + 1u, dog);  // row 0 is NULL
      const double p_black = m.forward.table.probability(caine + 1u, black);
      const auto links = em::align(m, corpus, {.method = em::decoding::viterbi}).forward.links[0].sure;
      std::printf("%s: t(dog|caine) %.3f, t(black|caine) %.3f, forward links:",
                  o == &plain ? "no prior  " : "with prior",
                  p_dog, p_black);
      for (const auto& l : links) std::printf(" %u-%u", l.source, l.target);
      std::printf("\n");
      if (o == &plain) ok = ok && p_dog == p_black;
      else ok = ok && p_dog > p_black && links == std::vector<lexalign::link>{{0, 1}, {1, 0}};
    }
    const bool passed = ok;
    std::printf("checks: %s\n", passed ? "ok" : "FAILED");
    return passed ? 0 : 1;
  } catch (const lexalign::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
