// From a NumPy-written embedding corpus to word alignments: our cosine
// similarity equals NumPy's (computed by the fixture script), and merging
// subword links drops the special tokens.
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/similarity.hpp"
#include "lexalign/extract/subword.hpp"
#include "lexalign/io/npz.hpp"
#include "support/catch.hpp"

#if LEXALIGN_WITH_ZLIB
TEST_CASE("npz corpus -> cosine (equal to NumPy's) -> IterMax -> word links", "[extract][npz]") {
  namespace ex = lexalign::extract;
  const std::string dir = std::string(LEXALIGN_TEST_FIXTURE_DIR) + "/npy/";
  const auto corpus = lexalign::io::read_embedding_corpus<float>(dir + "corpus.npz");
  const auto numpy_cos = lexalign::io::read_npz(dir + "corpus_cosine.npz");
  REQUIRE(corpus.size() == 2);
  ex::workspace<> ws;
  ex::extract_result sub, words;
  lexalign::dense_matrix<double> sim;
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    const auto& p = corpus[k];
    ex::similarity_into(p.source.matrix(), p.target.matrix(), {}, ws, sim);
    const auto ref = numpy_cos.at("cos_" + std::to_string(k)).matrix();
    REQUIRE(ref.rows() == sim.rows());
    REQUIRE(ref.cols() == sim.cols());
    for (std::size_t i = 0; i < sim.rows(); ++i)
      for (std::size_t j = 0; j < sim.cols(); ++j) CHECK(sim(i, j) == Approx(ref(i, j)).margin(1e-12));
    ex::itermax_into(sim, {}, ws, sub);
    ex::merge_subword_links(sub, p.source_words, p.target_words, ws, words);
    for (auto l : words.links()) {
      CHECK(l.source + 2 < p.source.shape[0]);
      CHECK(l.target + 2 < p.target.shape[0]);
    }
  }
}
#endif
