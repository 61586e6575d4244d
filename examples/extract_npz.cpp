// From a Python-dumped .npz of token embeddings to scored word alignments.
//
//   example_extract_npz [file.npz]
//
// The file follows docs/extract/npz_corpus.md: src_k / tgt_k (tokens x dim)
// and src_words_k / tgt_words_k (token -> word, -1 for [CLS]/[SEP]).  The
// bundled data/extract/example_embeddings.npz is synthetic: target word t is
// a known source word, so every method must find
// those links (matching, one-to-one over subwords, may add some).  Each pair
// is aligned at the subword level with SimAlign's methods on (cos+1)/2 and
// awesome-align's on raw dot products, then merged to words (a word pair is
// linked when any of its subword pairs is); then words are mean-pooled and
// aligned with OTAlign's extraction.  Output: Pharaoh i-j with scores.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/ot_extract.hpp"
#include "lexalign/extract/similarity.hpp"
#include "lexalign/extract/softmax.hpp"
#include "lexalign/extract/subword.hpp"
#include "lexalign/io/npz.hpp"

namespace ex = lexalign::extract;

int main(int argc, char** argv) {
  const std::string path =
      argc > 1 ? argv[1] : std::string(LEXALIGN_EXAMPLE_DATA_DIR) + "/extract/example_embeddings.npz";
  const auto corpus = lexalign::io::read_embedding_corpus<float>(path);
  // The links the synthetic data was built with (target word -> source word).
  const std::vector<std::vector<std::uint32_t>> truth = {{2, 0, 1}, {1, 0, 3, 2}};
  const bool bundled = argc <= 1;

  ex::workspace<> ws;
  ex::matching_workspace<> mws;
  ex::extract_result sub, words;
  lexalign::dense_matrix<double> cosine, dots;
  bool ok = true;
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    const auto& p = corpus[k];
    std::printf("pair %zu: %zu x %zu subword tokens\n", k, p.source.shape[0], p.target.shape[0]);
    ex::similarity_into(p.source.matrix(), p.target.matrix(), {.scaling = ex::similarity_scaling::shifted}, ws, cosine);
    ex::similarity_into(p.source.matrix(), p.target.matrix(), {.measure = ex::similarity_measure::dot}, ws, dots);
    const char* names[] = {"argmax", "itermax", "matching", "softmax", "entmax"};
    for (int method = 0; method < 5; ++method) {
      switch (method) {
        case 0: ex::argmax_into(cosine, {}, ws, sub); break;
        case 1: ex::itermax_into(cosine, {}, ws, sub); break;
        case 2: ex::matching_into(cosine, {}, mws, sub); break;
        case 3: ex::softmax_into(dots, {}, ws, sub); break;
        default: ex::entmax_into(dots, {}, ws, sub); break;
      }
      ex::merge_subword_links(sub, p.source_words, p.target_words, ws, words);
      std::printf("  %-9s", names[method]);
      for (std::size_t q = 0; q < words.size(); ++q)
        std::printf(" %u-%u:%.3f", words.links()[q].source, words.links()[q].target, words.scores[q]);
      std::printf("\n");
      if (bundled && k < truth.size()) {
        std::vector<lexalign::link> expected;
        for (std::uint32_t t = 0; t < truth[k].size(); ++t) expected.push_back({truth[k][t], t});
        lexalign::normalize_links(expected);
        // Matching is one-to-one over subwords: when the two sides split a
        // word into different numbers of pieces, the spare pieces must still
        // be matched somewhere, so it may add links; it must keep the planted ones.
        ok &= method == 2 ? std::includes(words.alignment.sure.begin(), words.alignment.sure.end(), expected.begin(),
                                          expected.end())
                          : words.alignment.sure == expected;
      }
    }
  }
  if (bundled) std::printf("every method finds the planted links (matching: at least them): %s\n", ok ? "yes" : "no");

  // The other way to reach words: mean-pool the subword vectors first, then
  // OTAlign's extraction (balanced entropic OT on 1 - minmax((cos+1)/2)).
  bool ot_ok = true;
  lexalign::dense_matrix<double> src_words, tgt_words;
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    const auto& p = corpus[k];
    ex::mean_pool_into(p.source.matrix(), p.source_words, src_words);
    ex::mean_pool_into(p.target.matrix(), p.target_words, tgt_words);
    ex::similarity_into(src_words, tgt_words, {.scaling = ex::similarity_scaling::shifted}, ws, cosine);
    const auto r = ex::ot_extract(cosine);
    std::printf("pair %zu words %zu x %zu, ot_extract %s:", k, src_words.rows(), tgt_words.rows(),
                r.convergence.converged() ? "converged" : "not converged");
    for (std::size_t q = 0; q < r.size(); ++q) std::printf(" %u-%u:%.3f", r.links()[q].source, r.links()[q].target, r.scores[q]);
    std::printf("\n");
    if (bundled && k < truth.size()) {
      std::vector<lexalign::link> expected;
      for (std::uint32_t t = 0; t < truth[k].size(); ++t) expected.push_back({truth[k][t], t});
      lexalign::normalize_links(expected);
      ot_ok &= r.alignment.sure == expected;
    }
  }
  if (bundled) std::printf("mean pooling + OT finds the planted links: %s\n", ot_ok ? "yes" : "no");
  ok &= ot_ok;
  if (!ok) return 1;
  std::printf("checks: ok\n");
}
