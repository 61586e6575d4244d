// lexalign/em/pipeline.hpp - training schedule (IBM1 x N then HMM x M), both
// directions, Viterbi and posterior decoding.
//
//   auto corpus = lexalign::io::read_parallel_corpus_files("x.en", "x.fr");
//   auto model  = lexalign::em::train_bidirectional(corpus, {.threads = 2});
//   auto out    = lexalign::em::align_bidirectional(model, corpus, {.method = em::decoding::posterior});
//   // out.forward / out.reverse: alignment_corpus in source-target order
//
// The forward model generates target words from source words (each target
// word gets at most one source word); the reverse model the opposite.  Both
// decodings are returned with links in source-target order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

enum class model_kind {
  ibm1,        // IBM Model 1 (ibm1_iterations)
  fast_align,  // fast_align's diagonal Model 2 (fast_align_iterations), no IBM1 warm-up
  hmm,         // IBM1 x ibm1_iterations, then HMM x hmm_iterations
};

struct train_options {
  model_kind model = model_kind::hmm;  // which model (and schedule) to train
  std::size_t ibm1_iterations = 5;   // IBM Model 1 EM iterations (first stage)
  std::size_t hmm_iterations = 5;    // HMM EM iterations (second stage; 0 = IBM1 only)
  std::size_t fast_align_iterations = 5;  // for model_kind::fast_align
  double p0 = 0.08;                  // fast_align: fixed NULL probability
  double lambda = 4.0;               // fast_align: initial tension
  bool optimize_tension = true;      // fast_align: fit lambda
  bool compat = false;               // fast_align: reproduce the reference implementation's defects
  double fast_align_vb_alpha = 0.01; // fast_align: variational Bayes as its recommended `-v` (0 = plain EM)
  double probability_floor = 1e-7;   // see ibm1_options
  double vb_alpha = 0.0;             // IBM1/HMM: > 0 = variational-Bayes M-step (normalize_counts); hurt on the gold sets
  double jump_smoothing = 0.4;       // see hmm_options; 0.4 chosen on the bundled gold sets (GIZA++: 0.2)
  double null_weight = 0.4;          // see hmm_options: p0 = 0.4/1.4
  double start_smoothing = 0.2;      // see hmm_options
  unsigned threads = 1;              // 0 = all; results do not depend on it
  std::size_t block_size = 64;       // sentence pairs per work block
  // Called after every iteration with stage "ibm1.forward", "hmm.reverse", ...
  // and the corpus log-likelihood as objective; may stop training (the
  // current stage ends; later stages still run).
  observer_function observer = {};
  // Lexical priors mixed in after every M-step (embedding_prior.hpp), built
  // on lexical_table::from_cooccurrence of the forward / reverse view.
  const lexical_prior* forward_prior = nullptr;
  const lexical_prior* reverse_prior = nullptr;
};

// One direction's trained parameters.
struct directional_model {
  model_kind kind = model_kind::ibm1;
  lexical_table table;         // t(generated | given), row 0 NULL
  bool has_hmm = false;        // kind == hmm
  fast_align_parameters fast_align;  // used when kind == fast_align
  hmm_parameters hmm;          // used when has_hmm
  double probability_floor = 1e-7;
  std::vector<double> ibm1_log_likelihood, hmm_log_likelihood;  // per iteration (fast_align: the first)
};

inline ibm1_options to_ibm1_options(const train_options& o) {
  return {.iterations = o.ibm1_iterations, .probability_floor = o.probability_floor, .vb_alpha = o.vb_alpha, .threads = o.threads,
          .block_size = o.block_size};
}
inline hmm_options to_hmm_options(const train_options& o) {
  return {.iterations = o.hmm_iterations, .jump_smoothing = o.jump_smoothing, .null_weight = o.null_weight,
          .start_smoothing = o.start_smoothing, .probability_floor = o.probability_floor, .vb_alpha = o.vb_alpha, .threads = o.threads,
          .block_size = o.block_size};
}

// Trains one direction: IBM1 then (if hmm_iterations > 0) the HMM.
inline directional_model train_directional(const bitext_view& view, const train_options& options = {},
                                           std::string_view direction = "forward",
                                           const lexical_prior* prior = nullptr) {
  directional_model m;
  m.probability_floor = options.probability_floor;
  m.table = lexical_table::from_cooccurrence(view);
  const std::string s1 = "ibm1." + std::string(direction), s2 = "hmm." + std::string(direction);
  auto obs = [&](const iteration_event& ev) {
    return options.observer ? options.observer(ev) : observer_action::proceed;
  };
  m.kind = options.model;
  const lookup_cache cache = lookup_cache::build(view, m.table, options.threads);  // shared by the stages
  if (options.model == model_kind::fast_align) {
    fast_align_options fo{.iterations = options.fast_align_iterations, .p0 = options.p0,
                                .lambda = options.lambda, .favor_diagonal = true,
                                .optimize_tension = options.optimize_tension, .compat = options.compat,
                                .probability_floor = options.probability_floor, .vb_alpha = options.fast_align_vb_alpha,
                                .threads = options.threads, .block_size = options.block_size};
    fo.prior = prior;
    fo.cache = &cache;
    m.ibm1_log_likelihood = train_fast_align(view, m.table, m.fast_align, fo, obs,
                                             "fast_align." + std::string(direction)).log_likelihood;
    return m;
  }
  ibm1_options io = to_ibm1_options(options);
  io.prior = prior;
  io.cache = &cache;
  m.ibm1_log_likelihood = train_ibm1(view, m.table, io, obs, s1).log_likelihood;
  if (options.model == model_kind::hmm && options.hmm_iterations > 0) {
    m.has_hmm = true;
    hmm_options ho = to_hmm_options(options);
    ho.prior = prior;
    ho.cache = &cache;
    m.hmm = hmm_parameters::uniform(max_given_length(view), ho);
    m.hmm_log_likelihood = train_hmm(view, m.table, m.hmm, ho, obs, s2).log_likelihood;
  }
  return m;
}

struct bidirectional_model {
  directional_model forward;   // generates target from source
  directional_model reverse;   // generates source from target
};

inline bidirectional_model train_bidirectional(const parallel_corpus& corpus, const train_options& options = {}) {
  bidirectional_model m;
  m.forward = train_directional(make_view(corpus, false), options, "forward", options.forward_prior);
  m.reverse = train_directional(make_view(corpus, true), options, "reverse", options.reverse_prior);
  return m;
}

enum class decoding {
  viterbi,    // the single most probable alignment (one link per generated word at most)
  posterior,  // every link whose posterior probability is >= posterior_threshold
};

struct decode_options {
  decoding method = decoding::posterior;  // posterior >= 0.5 beat Viterbi on the bundled gold sets
  double posterior_threshold = 0.5;  // for decoding::posterior
  bool with_posteriors = false;      // fill decoded_alignments::posteriors
  unsigned threads = 1;              // 0 = all
  std::size_t block_size = 64;
};

struct decoded_alignments {
  alignment_corpus links;  // links in `sure`
  // With with_posteriors: posteriors[k][n] is P(link) of links[k].sure[n].
  std::vector<std::vector<float>> posteriors;
};

// Per-sentence decoding of one direction; links are (given, generated) when
// `source_is_given`, else swapped, so that they are always source-target.
inline decoded_alignments decode_directional(const directional_model& model, const bitext_view& view,
                                             bool source_is_given, const decode_options& options = {}) {
  decoded_alignments out;
  out.links.resize(view.size());
  if (options.with_posteriors) out.posteriors.resize(view.size());
  const unsigned workers = resolve_threads(options.threads);
  struct scratch {
    hmm_workspace ws;
    std::vector<double> q;
    std::vector<int> a;
  };
  std::vector<scratch> work(workers);
  auto posteriors = [&](std::span<const word_id> e, std::span<const word_id> f, std::vector<double>& q) {
    if (model.kind == model_kind::fast_align)
      fast_align_posteriors(model.fast_align, model.table, e, f, model.probability_floor, q);
    else
      ibm1_posteriors(model.table, e, f, model.probability_floor, q);
  };
  for_each_block(options.threads, view.size(), options.block_size,
                 [&](std::size_t, std::size_t begin, std::size_t end, unsigned w) {
    scratch& s = work[w];
    for (std::size_t k = begin; k < end; ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      const std::size_t l1 = e.size() + 1;
      const bool need_post = options.method == decoding::posterior || options.with_posteriors;
      const double* q = nullptr;
      if (need_post) {
        if (model.has_hmm) {
          hmm_forward_backward(model.hmm, model.table, e, f, model.probability_floor, s.ws);
          q = s.ws.gamma.data();
        } else {
          posteriors(e, f, s.q);
          q = s.q.data();
        }
      }
      std::vector<link> links;
      if (options.method == decoding::viterbi) {
        if (model.has_hmm) {
          hmm_viterbi(model.hmm, model.table, e, f, model.probability_floor, s.ws, s.a);
        } else {
          if (!need_post) posteriors(e, f, s.q);  // argmax of the posterior = argmax of prior x t
          s.a.assign(f.size(), -1);
          for (std::size_t j = 0; j < f.size(); ++j) {
            std::size_t best = 0;  // NULL wins ties, then the lowest position
            for (std::size_t i = 1; i < l1; ++i)
              if (s.q[j * l1 + i] > s.q[j * l1 + best]) best = i;
            s.a[j] = static_cast<int>(best) - 1;
          }
        }
        for (std::size_t j = 0; j < f.size(); ++j)
          if (s.a[j] >= 0) links.push_back({static_cast<std::uint32_t>(s.a[j]), static_cast<std::uint32_t>(j)});
      } else {
        for (std::size_t j = 0; j < f.size(); ++j)
          for (std::size_t i = 1; i < l1; ++i)
            if (q[j * l1 + i] >= options.posterior_threshold)
              links.push_back({static_cast<std::uint32_t>(i - 1), static_cast<std::uint32_t>(j)});
      }
      if (!source_is_given)
        for (auto& x : links) std::swap(x.source, x.target);
      std::sort(links.begin(), links.end());
      if (options.with_posteriors) {
        auto& pv = out.posteriors[k];
        pv.clear();
        for (const auto& x : links) {
          const std::size_t i = source_is_given ? x.source : x.target;
          const std::size_t j = source_is_given ? x.target : x.source;
          pv.push_back(static_cast<float>(q[j * l1 + i + 1]));
        }
      }
      out.links[k].sure = std::move(links);
    }
  });
  return out;
}

struct bidirectional_alignments {
  decoded_alignments forward;  // from the forward model, source-target order
  decoded_alignments reverse;  // from the reverse model, source-target order
};

inline bidirectional_alignments align_bidirectional(const bidirectional_model& model, const parallel_corpus& corpus,
                                                    const decode_options& options = {}) {
  return {decode_directional(model.forward, make_view(corpus, false), true, options),
          decode_directional(model.reverse, make_view(corpus, true), false, options)};
}

}  // namespace em
LEXALIGN_NAMESPACE_END
