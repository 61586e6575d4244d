// lexalign/em/embedding_prior.hpp - a lexical prior from cross-lingual word
// embeddings, mixed into t(f|e) after every M-step (Embedding-Enhanced
// GIZA++, Marchisio et al. 2022, generalised).
//
//   auto src = io::read_embeddings_file("en.vec"), tgt = io::read_embeddings_file("es.vec");  // io/embeddings.hpp
//   // (map src into tgt's space first, e.g. multilingual::procrustes on a dictionary)
//   auto table = em::lexical_table::from_cooccurrence(em::make_view(corpus));
//   auto prior = em::make_embedding_prior(table, em::make_view(corpus), corpus.source_vocabulary(),
//                                         corpus.target_vocabulary(), src, tgt, {});
//   em::train_options o;  o.forward_prior = &prior;   // reverse: build with the views swapped
//
// q(f|e): for a given word e with an embedding, its candidates are the
// generated words f that co-occur with e (the table row) and have an
// embedding; score(e,f) = 2 cos(x_e, z_f) - r(z_f), with r(z_f) the mean
// cosine of z_f to its `csls_k` nearest given-side words of the corpus (CSLS
// without the per-row constant); q = softmax(score / temperature) over the
// `top_k` best.  After each M-step of IBM1, HMM and fast_align:
//
//   t(f|e) <- (t(f|e) + w(e) q(f|e)) / (1 + w(e))
//
// with w(e) = multiplier / c(e) (EE-GIZA++'s frequency-based weight, c(e) the
// corpus count of e), multiplier / max(0.5, ln c(e)), or a constant.  Rows
// without candidates are untouched.  Note the r(z_f) neighbourhood: EE-GIZA++
// uses the whole embedding vocabulary; here it is the corpus' given-side
// vocabulary (cheaper; the same for words that matter).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/lexical_prior.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/io/embeddings.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// Scales every vector to unit length (zero vectors stay zero).
inline void normalize_rows(io::word_embeddings& e) {
  for (std::size_t k = 0; k < e.vectors.rows(); ++k) {
    auto r = e.vectors.row(k);
    double n = 0;
    for (float x : r) n += double(x) * x;
    if (n > 0) {
      const auto inv = static_cast<float>(1.0 / std::sqrt(n));
      for (float& x : r) x *= inv;
    }
  }
}

enum class prior_weight {
  frequency,      // w(e) = multiplier / c(e)             (EE-GIZA++ freqBasedInterpolation 1)
  log_frequency,  // w(e) = multiplier / max(0.5, ln c(e)) (EE-GIZA++ mode 2)
  constant,       // w(e) = multiplier
};

struct embedding_prior_options {
  std::size_t top_k = 100;          // candidates kept per given word
  std::size_t csls_k = 10;          // neighbours in the CSLS penalty r(z_f); 0 = plain cosine
  double temperature = 0.1;         // softmax temperature over the scores
  prior_weight weight = prior_weight::frequency;
  double multiplier = 10.0;         // M in the weight; chosen on the Bible silver experiment (EE-GIZA++: 10^4)
  parallel_options parallel = {};   // threads or a caller's pool; the prior does not depend on it
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const embedding_prior_options& o) {
  validation::at_least("em::embedding_prior_options.top_k", o.top_k, 1);
  validation::positive("em::embedding_prior_options.temperature", o.temperature);
  validation::non_negative("em::embedding_prior_options.multiplier", o.multiplier);
  validate(o.parallel);
}

// Builds q(f|e) and w(e) for `t` (built from `view`).  `given` and
// `generated` must already live in one space; they are normalised here.
inline lexical_prior make_embedding_prior(const lexical_table& t, const bitext_view& view,
                                          const vocabulary& given_vocabulary, const vocabulary& generated_vocabulary,
                                          io::word_embeddings given, io::word_embeddings generated,
                                          const embedding_prior_options& o = {}) {
  validate(o);
  const executor ex(o.parallel);
  if (given.dimension() != generated.dimension())
    throw invalid_argument("make_embedding_prior: the embeddings have dimensions " +
                           std::to_string(given.dimension()) + " and " + std::to_string(generated.dimension()));
  normalize_rows(given);
  normalize_rows(generated);
  const std::size_t d = given.dimension();
  // Corpus word -> embedding row (or npos).
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  auto rows_of = [&](const vocabulary& v, const io::word_embeddings& e) {
    std::vector<std::size_t> m(v.size(), none);
    for (std::size_t k = 0; k < v.size(); ++k)
      if (auto f = e.words.find(v.word(static_cast<word_id>(k)))) m[k] = *f;
    return m;
  };
  const auto ge = rows_of(given_vocabulary, given);
  const auto fe = rows_of(generated_vocabulary, generated);
  std::vector<std::size_t> given_rows;
  for (std::size_t k = 0; k < ge.size(); ++k)
    if (ge[k] != none) given_rows.push_back(ge[k]);
  auto cosine = [&](const float* a, const float* b) {
    float s = 0;
    for (std::size_t i = 0; i < d; ++i) s += a[i] * b[i];
    return double(s);
  };
  // CSLS penalty r(z_f) for each generated corpus word with an embedding.
  std::vector<double> penalty(fe.size(), 0.0);
  if (o.csls_k > 0 && !given_rows.empty()) {
    const std::size_t kk = std::min(o.csls_k, given_rows.size());
    ex.for_each_block(fe.size(), 64, [&](std::size_t, std::size_t b, std::size_t e, unsigned) {
      std::vector<double> sims(given_rows.size());
      for (std::size_t f = b; f < e; ++f) {
        if (fe[f] == none) continue;
        const float* z = generated.vectors.data() + fe[f] * d;
        for (std::size_t k = 0; k < given_rows.size(); ++k) sims[k] = cosine(given.vectors.data() + given_rows[k] * d, z);
        std::nth_element(sims.begin(), sims.begin() + static_cast<std::ptrdiff_t>(kk - 1), sims.end(), std::greater<>());
        double s = 0;
        for (std::size_t k = 0; k < kk; ++k) s += sims[k];
        penalty[f] = s / static_cast<double>(kk);
      }
    });
  }
  // Given-word corpus counts.
  std::vector<double> count(given_vocabulary.size(), 0.0);
  for (std::size_t k = 0; k < view.size(); ++k)
    for (word_id w : (*view.given)[k])
      if (w < count.size()) count[w] += 1;
  lexical_prior prior;
  prior.q.assign(t.size(), 0.0f);
  prior.weight.assign(t.rows(), 0.0);
  ex.for_each_block(given_vocabulary.size(), 64, [&](std::size_t, std::size_t b, std::size_t e, unsigned) {
    std::vector<std::pair<double, std::size_t>> cand;
    for (std::size_t g = b; g < e; ++g) {
      const std::size_t row = lexical_table::row_of(static_cast<word_id>(g));
      if (ge[g] == none || row >= t.rows() || count[g] == 0) continue;
      const float* x = given.vectors.data() + ge[g] * d;
      cand.clear();
      const auto cols = t.columns(row);
      for (std::size_t k = 0; k < cols.size(); ++k) {
        const word_id f = cols[k];
        if (f >= fe.size() || fe[f] == none) continue;
        const double score = 2.0 * cosine(x, generated.vectors.data() + fe[f] * d) - penalty[f];
        cand.emplace_back(score, t.row_begin(row) + k);
      }
      if (cand.empty()) continue;
      const std::size_t keep = std::min(o.top_k, cand.size());
      std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(keep), cand.end(),
                        [](const auto& a, const auto& c) { return a.first > c.first || (a.first == c.first && a.second < c.second); });
      const double top = cand[0].first;
      double z = 0;
      for (std::size_t k = 0; k < keep; ++k) z += std::exp((cand[k].first - top) / o.temperature);
      for (std::size_t k = 0; k < keep; ++k)
        prior.q[cand[k].second] = static_cast<float>(std::exp((cand[k].first - top) / o.temperature) / z);
      switch (o.weight) {
        case prior_weight::frequency: prior.weight[row] = o.multiplier / count[g]; break;
        case prior_weight::log_frequency: prior.weight[row] = o.multiplier / std::max(0.5, std::log(count[g])); break;
        case prior_weight::constant: prior.weight[row] = o.multiplier; break;
      }
    }
  });
  return prior;
}

}  // namespace em
LEXALIGN_NAMESPACE_END
