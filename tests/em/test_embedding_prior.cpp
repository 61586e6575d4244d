// Embedding reader, CSLS-softmax prior and its effect on EM.
#include <cmath>
#include <sstream>
#include <string>

#include "lexalign/em/embedding_prior.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"

using lexalign::test::read_pairs;

namespace em = lexalign::em;

namespace {
lexalign::io::word_embeddings parse(const std::string& text) {
  std::istringstream in(text);
  return lexalign::io::read_embeddings(in, "e.vec");
}
}  // namespace

TEST_CASE("the prior is a distribution per row and pulls EM towards similar words", "[em][prior]") {
  // "the" co-occurs with everything; without help IBM1 cannot tell which of
  // la/maison/fleur a rare word pairs with in a 2-word sentence.
  const auto c = read_pairs("the house ||| la maison\nthe flower ||| la fleur\nthe house ||| la maison\nthe ||| la\n");
  // A shared space where each word sits on its translation's axis.
  const auto src = parse("the 1 0 0\nhouse 0 1 0\nflower 0 0 1\n");
  const auto tgt = parse("la 1 0.1 0\nmaison 0 1 0.1\nfleur 0.1 0 1\n");
  const auto view = em::make_view(c);
  const auto table = em::lexical_table::from_cooccurrence(view);
  const auto prior = em::make_embedding_prior(table, view, c.source_vocabulary(), c.target_vocabulary(), src, tgt,
                                              {.csls_k = 1, .weight = em::prior_weight::constant, .multiplier = 1.0});
  for (std::size_t r = 1; r < table.rows(); ++r) {
    double s = 0;
    for (std::size_t k = table.row_begin(r); k < table.row_end(r); ++k) s += prior.q[k];
    CHECK(s == Approx(1.0).epsilon(1e-6));
    CHECK(prior.weight[r] == 1.0);
  }
  CHECK(prior.weight[0] == 0.0);  // NULL has no embedding
  const auto flower = *c.source_vocabulary().find("flower");
  const auto fleur = *c.target_vocabulary().find("fleur");
  const auto la = *c.target_vocabulary().find("la");
  CHECK(table.probability(em::lexical_table::row_of(flower), fleur) > 0);
  CHECK(prior.q[table.find(em::lexical_table::row_of(flower), fleur)] > 0.99f);

  auto train = [&](const em::lexical_prior* p) {
    em::train_options o{.model = em::model_kind::ibm1, .ibm1 = {.iterations = 3}};
    o.forward_prior = p;
    return em::train_directional(view, o);
  };
  const auto plain = train(nullptr);
  const auto guided = train(&prior);
  const std::size_t row = em::lexical_table::row_of(flower);
  CHECK(guided.table.probability(row, fleur) > plain.table.probability(row, fleur));
  CHECK(guided.table.probability(row, la) < plain.table.probability(row, la));
  // Rows stay normalised.
  for (std::size_t r = 0; r < guided.table.rows(); ++r) {
    double s = 0;
    for (double x : guided.table.probabilities(r)) s += x;
    CHECK(s == Approx(1.0).epsilon(1e-9));
  }
  // A prior built for another table is refused.
  em::lexical_table other;
  CHECK_THROWS_AS(prior.apply(other), lexalign::invalid_argument);
}
