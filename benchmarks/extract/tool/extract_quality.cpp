// Quality of the extract/ methods on lexalign's own EM posteriors, next to
// the EM aligner's default decoding, on the bundled gold sets.
//
//   lexalign_extract_quality DATA_DIR SET [SET...]      e.g. data enfr roen zhen
//
// Per set: train the default bidirectional model (IBM1 x5 then HMM x5) on the
// gold set's own sentences (the low-resource protocol of scripts/em_quality.sh),
// then for every sentence pair build S(i, j) = (P_fwd(a_j = i) + P_rev(a_i = j)) / 2
// from the two HMMs' posteriors (m x n, source x target) and extract links
// with each method.  The baseline is the aligner's default: posterior
// decoding (>= 0.5) in both directions, symmetrized with grow-diag-final-and.
// Prints P, R, AER (pooled, %) per method.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/pipeline.hpp"
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
// P(generated token g aligned to given token h) as gamma[g * (l + 1) + h + 1].
const std::vector<double>& posteriors(const em::directional_model& model, std::span<const lexalign::word_id> given,
                                      std::span<const lexalign::word_id> generated, em::hmm_workspace& ws,
                                      std::vector<double>& q) {
  if (model.has_hmm) {
    em::hmm_forward_backward(model.hmm, model.table, given, generated, model.probability_floor, ws);
    return ws.gamma;
  }
  em::ibm1_posteriors(model.table, given, generated, model.probability_floor, q);
  return q;
}

void print(const char* set, const char* name, const lexalign::metrics::alignment_scores& s) {
  std::printf("%-5s %-22s P %5.1f  R %5.1f  AER %5.1f\n", set, name, 100 * s.precision, 100 * s.recall, 100 * s.aer);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR SET [SET...]\n", argv[0]);
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/gold/";
  for (int a = 2; a < argc; ++a) {
    const std::string set = argv[a];
    const auto corpus = lexalign::io::read_parallel_corpus_files(dir + set + ".src", dir + set + ".tgt");
    const auto gold = lexalign::io::read_pharaoh_file(dir + set + ".gold");
    const auto model = em::train(corpus);
    const auto decoded = em::align(model, corpus);
    const auto gdfa = lexalign::symmetrize::combine(decoded.forward.links, decoded.reverse.links);
    print(set.c_str(), "EM default (post+gdfa)", lexalign::metrics::evaluate(gold, gdfa).pooled);

    const auto fwd_view = em::make_view(corpus, false), rev_view = em::make_view(corpus, true);
    em::hmm_workspace hws;
    std::vector<double> q;
    std::vector<lexalign::dense_matrix<double>> sims(corpus.size());
    for (std::size_t k = 0; k < corpus.size(); ++k) {
      const auto src = (*fwd_view.given)[k];
      const auto tgt = (*fwd_view.generated)[k];
      const std::size_t m = src.size(), n = tgt.size();
      auto& s = sims[k];
      s.resize(std::max<std::size_t>(m, 1), std::max<std::size_t>(n, 1));
      if (m == 0 || n == 0) continue;
      const auto& pf = posteriors(model.forward, src, tgt, hws, q);
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t i = 0; i < m; ++i) s(i, j) = 0.5 * pf[j * (m + 1) + i + 1];
      const auto& pr = posteriors(model.reverse, (*rev_view.given)[k], (*rev_view.generated)[k], hws, q);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) s(i, j) += 0.5 * pr[i * (n + 1) + j + 1];
    }
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
      lexalign::alignment_corpus hyp(corpus.size());
      ex::extract_result r;
      for (std::size_t k = 0; k < corpus.size(); ++k) {
        if ((*fwd_view.given)[k].empty() || (*fwd_view.generated)[k].empty()) continue;
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
      print(set.c_str(), names[method], lexalign::metrics::evaluate(gold, hyp).pooled);
    }
  }
  return 0;
}
