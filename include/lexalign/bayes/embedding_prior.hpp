// lexalign/bayes/embedding_prior.hpp - the EM aligners' lexical prior (for
// example from cross-lingual word embeddings, em/embedding_prior.hpp) as
// Dirichlet pseudo-counts for the Gibbs sampler.
//
//   auto tf = em::lexical_table::from_cooccurrence(em::make_view(corpus, false));
//   auto qf = em::make_embedding_prior(tf, em::make_view(corpus, false), corpus.source_vocabulary(),
//                                      corpus.target_vocabulary(), src_vectors, tgt_vectors);
//   auto pf = bayes::pseudo_counts(qf, tf, em::make_view(corpus, false));
//   ... the same with make_view(corpus, true) for pr ...
//   auto out = bayes::train_and_align(corpus, {.forward_lexical_prior = &pf, .reverse_lexical_prior = &pr});
//
// The EM mixing t(f|e) <- (t(f|e) + w(e) q(f|e)) / (1 + w(e)) is exactly what
// adding w(e) c(e) q(f|e) pseudo-counts to the expected counts c(e) t(f|e)
// does (c(e) = corpus count of e), so the Bayesian counterpart adds
//   pseudo(e, f) = w(e) * c(e) * q(f|e)
// to the Dirichlet parameter of t(.|e).  With the default frequency weight
// w(e) = M / c(e) this is M * q(f|e): M pseudo-occurrences per word type.
#pragma once

#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/em/lexical_prior.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

// Pseudo-counts per entry of `t` (= em::lexical_table::from_cooccurrence(view))
// from an EM lexical prior built for the same table.
inline std::vector<float> pseudo_counts(const em::lexical_prior& prior, const em::lexical_table& t,
                                        const em::bitext_view& view) {
  if (prior.q.size() != t.size() || prior.weight.size() != t.rows())
    throw invalid_argument("bayes::pseudo_counts: the prior was built for another table");
  std::vector<double> occurrences(t.rows(), 0.0);  // row 0 (NULL): the number of sentences
  for (std::size_t k = 0; k < view.size(); ++k) {
    occurrences[0] += 1.0;
    for (word_id e : (*view.given)[k]) occurrences[em::lexical_table::row_of(e)] += 1.0;
  }
  std::vector<float> out(t.size(), 0.0f);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const double scale = prior.weight[r] * occurrences[r];
    if (!(scale > 0.0)) continue;
    for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k)
      out[k] = static_cast<float>(scale * static_cast<double>(prior.q[k]));
  }
  return out;
}

}  // namespace bayes
LEXALIGN_NAMESPACE_END
