// Cross-lingual embedding mapping on synthetic "languages": K rotated,
// shuffled, slightly noisy copies of one point cloud.  Supervised Procrustes
// with refinement, unsupervised GW + Wasserstein-Procrustes, a hub and the
// barycenter mean language, evaluated by BLI (P@1) and transitivity.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "lexalign/multilingual/bli.hpp"
#include "lexalign/multilingual/mapping.hpp"
#include "lexalign/multilingual/multi_space.hpp"
#include "lexalign/multilingual/unsupervised.hpp"

namespace ml = lexalign::multilingual;
using fm = lexalign::dense_matrix<float>;

int main() {
  const std::size_t K = 3, n = 80, d = 8;
  std::mt19937 gen(5);
  std::normal_distribution<float> nf;
  std::normal_distribution<double> nd;
  fm cloud(n, d);
  for (std::size_t i = 0; i < n * d; ++i) cloud.data()[i] = nf(gen);
  ml::normalize_embeddings(cloud, ml::normalization::both);

  // Language l: word "w<i>" at row perm[i] of cloud row i rotated by a random Q_l, plus noise.
  std::vector<lexalign::io::word_embeddings> lang(K);
  std::vector<std::vector<std::size_t>> perm(K);
  for (std::size_t l = 0; l < K; ++l) {
    lexalign::dense_matrix<double> r(d, d);
    for (std::size_t i = 0; i < d * d; ++i) r.data()[i] = nd(gen);
    const fm m = ml::apply_map(cloud, ml::nearest_orthogonal(r));
    perm[l].resize(n);
    std::iota(perm[l].begin(), perm[l].end(), std::size_t{0});
    std::shuffle(perm[l].begin() + 10, perm[l].end(), gen);  // the 10 most frequent stay first
    std::vector<std::size_t> word_at(n);
    for (std::size_t i = 0; i < n; ++i) word_at[perm[l][i]] = i;
    lang[l].vectors = fm(n, d);
    for (std::size_t row = 0; row < n; ++row) {
      lang[l].words.add(std::string(1, char('a' + l)) + std::to_string(word_at[row]));
      for (std::size_t k = 0; k < d; ++k)
        lang[l].vectors(row, k) = static_cast<float>(m(word_at[row], k) + 0.005 * nd(gen));
    }
  }
  // Dictionaries: a<i> -> c<i>, and a 15-pair training dictionary.
  ml::dictionary test_dict, train_dict;
  for (std::size_t i = 0; i < n; ++i) test_dict.emplace_back("a" + std::to_string(i), "c" + std::to_string(i));
  train_dict.assign(test_dict.begin(), test_dict.begin() + 15);

  bool ok = true;
  // Two spaces, supervised.
  auto seed = ml::dictionary_rows(lang[0].words, lang[2].words, train_dict);
  auto sup = ml::refine_procrustes(lang[0].vectors, lang[2].vectors, seed, {.iterations = 3});
  lexalign::io::word_embeddings mapped = lang[0];
  mapped.vectors = ml::apply_map(lang[0].vectors, sup.w);
  auto b = ml::evaluate_bli(mapped, lang[2], test_dict);
  std::printf("supervised a->c: P@1 %.3f P@5 %.3f coverage %.2f\n", b.precision_at_1, b.precision_at_5, b.coverage);
  ok = ok && b.precision_at_1 == 1.0;

  // Two spaces, unsupervised (small problem: coarse GW settings).
  ml::unsupervised_options uo{
      .gw_words = n,
      .gw = {.max_iterations = 20, .inner = {.epsilon = 5e-2, .method = lexalign::ot::sinkhorn_method::log, .tolerance = 1e-4}},
      .wp_words = n, .batch = 40, .epochs = 1, .iterations = 3, .refinement = {.iterations = 3, .max_rank = n}};
  auto uns = ml::unsupervised_map(lang[0].vectors, lang[2].vectors, uo);
  mapped.vectors = ml::apply_map(lang[0].vectors, uns.w);
  b = ml::evaluate_bli(mapped, lang[2], test_dict);
  std::printf("unsupervised a->c: P@1 %.3f (GW mutual pairs %zu)\n", b.precision_at_1, uns.gw_pairs.size());
  ok = ok && b.precision_at_1 == 1.0;

  // K spaces: hub (language a) and the barycenter mean language.
  std::vector<fm> x;
  for (const auto& e : lang) x.push_back(e.vectors);
  auto hub = ml::hub_map(x, 0, uo);
  auto bar = ml::barycenter_map(x, hub.w, {.words = n, .iterations = 3});
  for (const auto* r : {&hub, &bar}) {
    std::vector<fm> shared;
    for (std::size_t l = 0; l < K; ++l) shared.push_back(ml::apply_map(x[l], r->w[l]));
    lexalign::io::word_embeddings sb = lang[1], sc = lang[2];
    sb.vectors = shared[1];
    sc.vectors = shared[2];
    ml::dictionary bc;
    for (std::size_t i = 0; i < n; ++i) bc.emplace_back("b" + std::to_string(i), "c" + std::to_string(i));
    const double p = ml::evaluate_bli(sb, sc, bc).precision_at_1;
    const double t = ml::transitivity(shared[1], shared[0], shared[2], n);
    std::printf("%s: b->c P@1 %.3f, transitivity b->a->c %.3f\n", r == &hub ? "hub a" : "barycenter", p, t);
    ok = ok && p == 1.0;
  }
  const auto t = ml::composed_translation(bar, 1, 2);
  std::size_t right = 0;
  for (std::size_t i = 0; i < n; ++i) right += t[perm[1][i]] == perm[2][i];
  std::printf("composed couplings b->c: %zu of %zu\n", right, n);
  ok = ok && right == n;
  std::printf("checks: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
