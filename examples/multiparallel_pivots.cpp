// Multiparallel word alignment through pivot languages on the bundled New
// Testament sample (data/multiparallel: the first 100 verses of Matthew in
// English KJV, Spanish RV 1909, English WEB, Basque and Swahili): every pair
// needed for English-Spanish is aligned by the EM aligner (IBM1 then HMM,
// both directions, grow-diag-final-and), then each verse's English-Spanish
// links are improved by pivot votes and by Adamic-Adar link prediction.
//
//   example_multiparallel_pivots      (uses data/multiparallel/*.txt)
//
// Checks: the union keeps every direct link; the intersection keeps only
// direct links; 1 and 2 threads give the same result.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/multilingual/multiparallel_corpus.hpp"

#ifndef LEXALIGN_EXAMPLE_DATA_DIR
#define LEXALIGN_EXAMPLE_DATA_DIR "data"
#endif

namespace ml = lexalign::multilingual;

static std::vector<std::vector<std::string>> read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw lexalign::io_error("cannot open " + path);
  std::vector<std::vector<std::string>> lines;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    auto& v = lines.emplace_back();
    for (std::string w; words >> w;) v.push_back(w);
  }
  return lines;
}

static std::size_t count(const lexalign::alignment_corpus& a) {
  std::size_t n = 0;
  for (const auto& s : a) n += s.sure.size();
  return n;
}

static bool contains_all(const lexalign::alignment_corpus& big, const lexalign::alignment_corpus& small) {
  for (std::size_t k = 0; k < small.size(); ++k)
    if (!std::includes(big[k].sure.begin(), big[k].sure.end(), small[k].sure.begin(), small[k].sure.end())) return false;
  return true;
}

int main() {
  try {
    ml::multiparallel_corpus c;
    for (const char* l : {"eng-kjv", "spa", "eng-web", "eus", "swh"})
      c.add_language(l, read_text(std::string(LEXALIGN_EXAMPLE_DATA_DIR) + "/multiparallel/" + l + ".txt"));
    std::printf("%zu verses in %zu languages\n", c.size(), c.language_count());

    const auto aligner = ml::em_pair_aligner();  // IBM1 x5, HMM x5, gdfa (default: the Gibbs sampler)
    const auto votes = ml::multiparallel_align(c, 0, 1, {.parallel = {.threads = 2}}, aligner);
    std::printf("pairs aligned: %zu (eng-kjv-spa, and eng-kjv-P, P-spa for 3 pivots)\n", votes.pairs.size());
    std::printf("direct: %zu links; votes (majority of pivots, union): %zu\n", count(votes.direct), count(votes.links));

    // The graph step again on the same pairwise alignments, other options.
    const auto inter = ml::improve_alignment(c, votes.pairs, 0, 1, {.combine = ml::direct_combination::intersect});
    std::printf("votes, intersection: %zu\n", count(inter));
#if LEXALIGN_HAS_LINK_PREDICTION
    const auto aa = ml::improve_alignment(c, votes.pairs, 0, 1, {.method = ml::pivot_method::adamic_adar, .threshold = 2.0});
    std::printf("adamic-adar >= 2, union: %zu\n", count(aa));
#endif

    // Verse 1 (Matt 1:1): the links the pivots added.
    const auto& d = votes.direct[0].sure;
    std::printf("Matt 1:1 added:");
    for (const auto& l : votes.links[0].sure)
      if (!std::binary_search(d.begin(), d.end(), l))
        std::printf(" %s-%s", c.vocabularies[0].word(c.text[0][0][l.source]).c_str(),
                    c.vocabularies[1].word(c.text[1][0][l.target]).c_str());
    std::printf("\n");

    const auto one = ml::multiparallel_align(c, 0, 1, {.parallel = {.threads = 1}}, aligner);
    const bool union_ok = contains_all(votes.links, votes.direct), inter_ok = contains_all(votes.direct, inter);
    const bool same = one.links == votes.links;
    std::printf("union keeps the direct links: %s; intersection within them: %s; 1 vs 2 threads: %s\n",
                union_ok ? "yes" : "no", inter_ok ? "yes" : "no", same ? "identical" : "different");
    if (!(union_ok && inter_ok && same)) return 1;
    std::printf("checks: ok\n");
  } catch (const lexalign::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
