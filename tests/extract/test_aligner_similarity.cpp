// extract/aligner_similarity.hpp: S from EM posteriors and Gibbs marginals.
#include <cmath>
#include <sstream>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/extract/aligner_similarity.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"

namespace ex = lexalign::extract;

namespace {
lexalign::parallel_corpus small_corpus() {
  std::istringstream in(
      "the house ||| la maison\nthe blue house ||| la maison bleue\nthe car ||| la voiture\n"
      "a blue car ||| une voiture bleue\nthe house is blue ||| la maison est bleue\n ||| vide\n");
  return lexalign::io::read_parallel_corpus(in, "corpus", {.allow_empty_sentences = true});
}
}  // namespace

TEST_CASE("EM posterior similarities: shapes, directions, the average", "[extract][aligner_similarity]") {
  const auto corpus = small_corpus();
  const auto model = lexalign::em::train(corpus);
  const auto both = ex::em_posterior_similarities(model, corpus);
  const auto fwd = ex::em_posterior_similarities(model, corpus, {.direction = ex::aligner_direction::forward});
  const auto rev = ex::em_posterior_similarities(model, corpus, {.direction = ex::aligner_direction::reverse});
  REQUIRE(both.size() == corpus.size());
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    const std::size_t m = corpus.source(k).size(), n = corpus.target(k).size();
    if (m == 0 || n == 0) {
      CHECK(both[k].rows() * both[k].cols() == 0);
      continue;
    }
    REQUIRE(both[k].rows() == m);
    REQUIRE(both[k].cols() == n);
    for (std::size_t j = 0; j < n; ++j) {
      double column = 0;  // P_fwd(a_j = i) over i: 1 minus NULL's share
      for (std::size_t i = 0; i < m; ++i) {
        column += fwd[k](i, j);
        CHECK(both[k](i, j) == Approx((fwd[k](i, j) + rev[k](i, j)) / 2).margin(1e-15));
      }
      CHECK(column <= 1 + 1e-12);
      CHECK(column > 0);
    }
    for (std::size_t i = 0; i < m; ++i) {
      double row = 0;
      for (std::size_t j = 0; j < n; ++j) row += rev[k](i, j);
      CHECK(row <= 1 + 1e-12);
    }
  }
  lexalign::em::train_options only_forward;
  only_forward.directions = lexalign::em::directions::forward;
  const auto half = lexalign::em::train(corpus, only_forward);
  CHECK_THROWS_AS(ex::em_posterior_similarities(half, corpus), lexalign::invalid_argument);
  CHECK_NOTHROW(ex::em_posterior_similarities(half, corpus, {.direction = ex::aligner_direction::forward}));
}

TEST_CASE("Gibbs marginals: kept only on request, and keeping them changes nothing", "[extract][aligner_similarity]") {
  const auto corpus = small_corpus();
  lexalign::bayes::gibbs_options o;
  o.seed = 5;
  o.samplers = 2;
  o.schedule_scale = 0.2;
  const auto plain = lexalign::bayes::train_and_align(corpus, o);
  CHECK(plain.forward_marginals.empty());
  CHECK_THROWS_AS(ex::gibbs_marginal_similarities(plain, corpus), lexalign::invalid_argument);
  o.keep_marginals = true;
  const auto kept = lexalign::bayes::train_and_align(corpus, o);
  CHECK(kept.forward.links == plain.forward.links);  // decoding only: the sampling is the same
  CHECK(kept.reverse.links == plain.reverse.links);
  const auto fwd = ex::gibbs_marginal_similarities(kept, corpus, {.direction = ex::aligner_direction::forward});
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    const std::size_t m = corpus.source(k).size(), n = corpus.target(k).size();
    if (m == 0 || n == 0) continue;
    // Every printed forward link is its target token's argmax over the
    // source tokens, with the posterior the sampler reports.
    const auto& links = kept.forward.links[k].sure;
    for (std::size_t q = 0; q < links.size(); ++q) {
      const auto [i, j] = std::pair{links[q].source, links[q].target};
      for (std::size_t x = 0; x < m; ++x) CHECK(fwd[k](x, j) <= fwd[k](i, j));
      CHECK(fwd[k](i, j) == Approx(kept.forward.posteriors[k][q]).margin(1e-6));
    }
  }
}
