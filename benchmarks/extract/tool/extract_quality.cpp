// Quality of the extract/ methods on lexalign's own EM posteriors and Gibbs
// averaged marginals, next to those aligners' default decoding, on the
// bundled gold sets.
//
//   lexalign_extract_quality DATA_DIR SET [SET...]      e.g. data enfr roen zhen
//
// Per set and aligner, trained on the gold set's own sentences (the
// low-resource protocol of scripts/em_quality.sh): the default bidirectional
// EM model (IBM1 x5 then HMM x5) and the Gibbs sampler with its defaults
// (seed 1, 3 samplers per direction, automatic schedule).  For every sentence
// pair S(i, j) = (P_fwd(a_j = i) + P_rev(a_i = j)) / 2 from the two
// directions' posteriors (extract/aligner_similarity.hpp; m x n, source x
// target), and links are extracted with each method.  Baselines: the
// aligners' default decoding in both directions (EM: posterior >= 0.5;
// Gibbs: argmax of the averaged marginals, NULL if it wins), symmetrized
// with grow-diag-final-and.  Prints P, R, AER (pooled, %) per method.
//
//   lexalign_extract_quality DATA_DIR SET [SET...] [--no-bayes]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/extract/aligner_similarity.hpp"
#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/ot_extract.hpp"
#include "lexalign/extract/softmax.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/metrics/aer.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

namespace em = lexalign::em;
namespace ex = lexalign::extract;

namespace {
void print(const std::string& set, const std::string& name, const lexalign::metrics::alignment_scores& s) {
  std::printf("%-5s %-30s P %5.1f  R %5.1f  AER %5.1f\n", set.c_str(), name.c_str(), 100 * s.precision,
              100 * s.recall, 100 * s.aer);
  std::fflush(stdout);
}

// Every method on the similarity matrices `sims` (one per pair, 0 x 0 for empty pairs).
void evaluate(const std::string& set, const std::string& source, const std::vector<lexalign::dense_matrix<double>>& sims,
              const lexalign::alignment_corpus& gold) {
  ex::workspace<> ws;
  ex::matching_workspace<> mws;
  // softmax / entmax expect logits (awesome-align: raw dot products); on
  // probabilities in [0, 1] they keep almost every cell, so they also run
  // on log S.
  std::vector<lexalign::dense_matrix<double>> logs(sims);
  for (auto& s : logs)
    for (std::size_t i = 0; i < s.rows(); ++i)
      for (std::size_t j = 0; j < s.cols(); ++j) s(i, j) = std::log(std::max(s(i, j), 1e-30));
  const char* names[] = {"argmax (mutual)", "argmax forward", "itermax", "matching", "softmax 0.001 on S",
                         "entmax on S", "softmax 0.001 on log S", "entmax on log S",
                         "ot balanced (theta .5)", "ot balanced exact", "ot partial (tau .5)",
                         "ot partial exact (0)", "ot unbalanced (tau .5)"};
  ex::ot_extract_workspace<> ows;
  ex::ot_extract_result ores;
  for (int method = 0; method < 13; ++method) {
    lexalign::alignment_corpus hyp(sims.size());
    ex::extract_result r;
    for (std::size_t k = 0; k < sims.size(); ++k) {
      if (sims[k].rows() == 0 || sims[k].cols() == 0) continue;
      switch (method) {
        case 0: ex::argmax_into(sims[k], {}, ws, r); break;
        case 1: ex::argmax_into(sims[k], {.direction = ex::argmax_direction::forward}, ws, r); break;
        case 2: ex::itermax_into(sims[k], {}, ws, r); break;
        case 3: ex::matching_into(sims[k], {}, mws, r); break;
        case 4: ex::softmax_into(sims[k], {}, ws, r); break;
        case 5: ex::entmax_into(sims[k], {}, ws, r); break;
        case 6: ex::softmax_into(logs[k], {}, ws, r); break;
        case 7: ex::entmax_into(logs[k], {}, ws, r); break;
        default: {
          // OTAlign's defaults (uniform masses, kappa 0), S as the similarity.
          const std::size_t m = sims[k].rows(), n = sims[k].cols();
          const std::vector<double> a(m, 1.0), b(n, 1.0);
          ex::ot_extract_options o;
          const ex::ot_plan plans[] = {ex::ot_plan::balanced, ex::ot_plan::balanced_exact, ex::ot_plan::partial,
                                       ex::ot_plan::partial_exact, ex::ot_plan::unbalanced};
          o.plan = plans[method - 8];
          if (o.plan == ex::ot_plan::partial_exact) o.threshold = 0.0;
          ex::ot_extract_into(sims[k], a, b, o, ows, ores);
          r.alignment = ores.alignment;
          r.scores = ores.scores;
          break;
        }
      }
      hyp[k] = r.alignment;
    }
    print(set, source + " " + names[method], lexalign::metrics::evaluate(gold, hyp).pooled);
  }
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR SET [SET...] [--no-bayes]\n", argv[0]);
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/gold/";
  bool bayes = true;
  std::vector<std::string> sets;
  for (int a = 2; a < argc; ++a) {
    if (std::string(argv[a]) == "--no-bayes") bayes = false;
    else sets.push_back(argv[a]);
  }
  for (const std::string& set : sets) {
    const auto corpus = lexalign::io::read_parallel_corpus_files(dir + set + ".src", dir + set + ".tgt");
    const auto gold = lexalign::io::read_pharaoh_file(dir + set + ".gold");
    const auto model = em::train(corpus);
    const auto decoded = em::align(model, corpus);
    print(set, "EM default (post+gdfa)",
          lexalign::metrics::evaluate(gold, lexalign::symmetrize::combine(decoded.forward.links, decoded.reverse.links))
              .pooled);
    evaluate(set, "EM", ex::em_posterior_similarities(model, corpus), gold);
    if (!bayes) continue;
    lexalign::bayes::gibbs_options go;
    go.keep_marginals = true;
    const auto g = lexalign::bayes::train_and_align(corpus, go);
    print(set, "Gibbs default (argmax+gdfa)",
          lexalign::metrics::evaluate(gold, lexalign::symmetrize::combine(g.forward.links, g.reverse.links)).pooled);
    evaluate(set, "Gibbs", ex::gibbs_marginal_similarities(g, corpus), gold);
  }
  return 0;
}
