// lexalign/em/pipeline.hpp - the EM aligner's verbs: train (IBM1 x N then
// HMM x M, or fast_align, both directions) and align (Viterbi or posterior
// decoding), with save/load in em/model_io.hpp.
//
//   auto corpus = lexalign::io::read_parallel_corpus_files("x.en", "x.fr");
//   auto model  = lexalign::em::train(corpus, {.parallel = {.threads = 2}});
//   auto out    = lexalign::em::align(model, corpus, {.method = em::decoding::posterior});
//   // out.forward / out.reverse: alignment_corpus in source-target order
//   auto both   = lexalign::em::train_and_align(corpus);   // the two in one call
//
// The forward model generates target words from source words (each target
// word gets at most one source word); the reverse model the opposite.  Both
// decodings are returned with links in source-target order.
//
// Observer stages: "em.ibm1.forward", "em.hmm.forward", "em.fast_align.forward",
// then the same for "reverse"; a stop ends the whole call (later stages and
// the reverse direction are not trained; model.convergence.status is
// stopped_by_observer).  align() reports "em.decode.forward" and
// "em.decode.reverse": one iteration each (progress events within it for
// observers that ask, core/observer.hpp); a stop leaves the pairs not yet
// decoded empty, with convergence.status stopped_by_observer.
#pragma once

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/corpus_mapping.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/lookup_cache.hpp"
#include "lexalign/em/model.hpp"
#include "lexalign/em/table_pruning.hpp"
#include "lexalign/em/word_classes.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// Which directions train() trains (an untrained direction is left empty and
// align() leaves its alignments empty).
enum class directions { both, forward, reverse };

struct train_options {
  model_kind model = model_kind::hmm;   // which model (and schedule) to train
  ibm1_options ibm1 = {};               // first stage of ibm1 and hmm
  hmm_options hmm = {};                 // second stage of hmm (hmm.iterations = 0: IBM1 only)
  fast_align_options fast_align = {};   // model_kind::fast_align (no IBM1 warm-up)
  // Given-side word classes, trained per direction when hmm.class_jumps is on
  // (observer stage "em.word_classes.<direction>"); its parallel stays default.
  word_class_options word_classes = {};
  // IBM Models 3 and 4 after the HMM (iterations 0: not run; schedule.hpp
  // sets them from "1x5,h5,3x3,4x3").  Model 4 also trains word classes of
  // the generated side with word_classes.  Their parallel and block_size stay default.
  fertility_options model3 = {.iterations = 0};
  fertility_options model4 = {.iterations = 0};
  em::directions directions = directions::both;
  // Bounded tables (table_pruning.hpp): keep only frequent co-occurring
  // pairs / the top candidates per word.  Default: every co-occurring pair.
  cooccurrence_pruning pruning = {};
  // Shared by every stage and both directions (the nested options' own
  // parallel, block_size, prior and cache must stay at their defaults:
  // validate() rejects them, so that nothing is silently ignored).
  parallel_options parallel = {};       // threads or a caller's pool; results do not depend on it
  std::size_t block_size = 64;          // sentence pairs per work block
  // Lexical priors mixed in after every M-step (embedding_prior.hpp), built
  // on lexical_table::from_cooccurrence of the forward / reverse view.
  const lexical_prior* forward_prior = nullptr;
  const lexical_prior* reverse_prior = nullptr;
};

namespace detail {
template <class Stage>
void require_pipeline_defaults(const Stage& s, std::string_view name) {
  const std::string n(name);
  validation::require(s.parallel.threads == 1 && s.parallel.pool == nullptr, n + ".parallel", "set",
                      "left at its default inside em::train_options (set train_options.parallel)");
  validation::require(s.block_size == Stage{}.block_size, n + ".block_size", validation::format_value(s.block_size),
                      "left at its default inside em::train_options (set train_options.block_size)");
  validation::require(s.prior == nullptr, n + ".prior", "set",
                      "null inside em::train_options (set train_options.forward_prior / reverse_prior)");
  validation::require(s.cache == nullptr, n + ".cache", "set", "null inside em::train_options");
}
}  // namespace detail

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const train_options& o) {
  validation::require(o.model == model_kind::ibm1 || o.model == model_kind::hmm || o.model == model_kind::fast_align,
                      "em::train_options.model", std::to_string(static_cast<int>(o.model)),
                      "ibm1, fast_align or hmm");
  validation::require(o.directions == directions::both || o.directions == directions::forward ||
                          o.directions == directions::reverse,
                      "em::train_options.directions", std::to_string(static_cast<int>(o.directions)),
                      "both, forward or reverse");
  validate(o.ibm1);
  validate(o.hmm);
  validate(o.fast_align);
  validate(o.pruning);
  detail::require_pipeline_defaults(o.ibm1, "em::train_options.ibm1");
  detail::require_pipeline_defaults(o.hmm, "em::train_options.hmm");
  detail::require_pipeline_defaults(o.fast_align, "em::train_options.fast_align");
  validate(o.word_classes);
  validate(o.model3);
  validate(o.model4);
  for (const auto& [f, name] : {std::pair{&o.model3, "em::train_options.model3"}, std::pair{&o.model4, "em::train_options.model4"}}) {
    validation::require(f->parallel.threads == 1 && f->parallel.pool == nullptr, std::string(name) + ".parallel", "set",
                        "left at its default inside em::train_options (set train_options.parallel)");
    validation::require(f->block_size == fertility_options{}.block_size, std::string(name) + ".block_size",
                        validation::format_value(f->block_size), "left at its default inside em::train_options");
  }
  validation::require(o.model3.iterations + o.model4.iterations == 0 || (o.model == model_kind::hmm && o.hmm.iterations > 0),
                      "em::train_options.model3/model4.iterations",
                      std::to_string(o.model3.iterations) + "/" + std::to_string(o.model4.iterations),
                      "0 unless model is hmm with hmm.iterations > 0 (Models 3/4 start from the HMM)");
  validation::require(o.word_classes.parallel.threads == 1 && o.word_classes.parallel.pool == nullptr,
                      "em::train_options.word_classes.parallel", "set",
                      "left at its default inside em::train_options (set train_options.parallel)");
  validation::require(o.hmm.classes == nullptr, "em::train_options.hmm.classes", "set",
                      "null inside em::train_options (classes are trained from train_options.word_classes)");
  validation::at_least("em::train_options.block_size", o.block_size, 1);
  validate(o.parallel);
}

namespace detail {

// The HMM Viterbi alignment of every pair of `view` in the fertility models'
// convention (a_j in 0..l, 0 = NULL).
inline corpus_alignment hmm_viterbi_alignments(const bitext_view& view, const lexical_table& t, const hmm_parameters& p,
                                               double floor, const executor& ex, std::size_t block_size) {
  auto out = corpus_alignment::shaped(view);
  const unsigned workers = ex.workers_for(block_count(view.size(), block_size));
  std::vector<hmm_workspace> ws(workers);
  std::vector<std::vector<int>> a(workers);
  ex.for_each_block(view.size(), block_size, [&](std::size_t, std::size_t begin, std::size_t end, unsigned w) {
    for (std::size_t k = begin; k < end; ++k) {
      hmm_viterbi(p, t, (*view.given)[k], (*view.generated)[k], floor, ws[w], a[w]);
      auto s = out[k];
      for (std::size_t j = 0; j < s.size(); ++j) s[j] = a[w][j] + 1;
    }
  });
  return out;
}

// Trains one direction on `ex`: IBM1 then (if hmm.iterations > 0) the HMM,
// or fast_align.  Stops after the stage in which the observer said stop.
template <class Obs>
directional_model train_directional(const bitext_view& view, const train_options& options, std::string_view direction,
                                    const lexical_prior* prior, const executor& ex, Obs& obs) {
  directional_model m;
  m.kind = options.model;
  m.table = pruned_cooccurrence(view, options.pruning, ex);
  // One cache shared by the stages (4 bytes per sentence cell), unless the
  // first stage's cache_lookups is off (binary searches instead; same result).
  const bool use_cache =
      options.model == model_kind::fast_align ? options.fast_align.cache_lookups : options.ibm1.cache_lookups;
  const lookup_cache cache = use_cache ? lookup_cache::build(view, m.table, ex) : lookup_cache{};
  const std::string dir(direction);
  auto finish = [&](std::string name, em_result r) {
    append_stage(m.convergence, r.convergence);
    m.stages.push_back({std::move(name), std::move(r)});
    return m.convergence.status == solver_status::stopped_by_observer;
  };
  if (options.model == model_kind::fast_align) {
    fast_align_options fo = options.fast_align;
    fo.block_size = options.block_size;
    fo.prior = prior;
    fo.cache = &cache;
    m.probability_floor = fo.probability_floor;
    const std::string stage = "em.fast_align." + dir;
    finish(stage, detail::train_fast_align(view, m.table, m.fast_align, fo, ex, stage, obs));
    return m;
  }
  ibm1_options io = options.ibm1;
  io.block_size = options.block_size;
  io.prior = prior;
  io.cache = &cache;
  m.probability_floor = io.probability_floor;
  const std::string s1 = "em.ibm1." + dir;
  if (finish(s1, detail::train_ibm1(view, m.table, io, ex, s1, obs))) return m;
  if (options.model == model_kind::hmm && options.hmm.iterations > 0) {
    m.has_hmm = true;
    hmm_options ho = options.hmm;
    ho.block_size = options.block_size;
    ho.prior = prior;
    ho.cache = &cache;
    m.probability_floor = ho.probability_floor;
    word_class_result classes;
    if (ho.class_jumps) {
      classes = detail::train_word_classes(*view.given, view.given_vocabulary_size, options.word_classes, ex,
                                           "em.word_classes." + dir, obs);
      ho.classes = &classes.classes;
      if (classes.convergence.status == solver_status::stopped_by_observer) {
        append_stage(m.convergence, classes.convergence);
        return m;
      }
    }
    m.hmm = hmm_parameters::uniform(max_given_length(view), ho);
    const std::string s2 = "em.hmm." + dir;
    if (finish(s2, detail::train_hmm(view, m.table, m.hmm, ho, ex, s2, obs))) return m;
    if (options.model3.iterations + options.model4.iterations > 0) {
      // Word classes for Model 4's distortion (one class each for Model 3 only).
      word_classes given = word_classes::single(view.given_vocabulary_size);
      word_classes generated = word_classes::single(view.generated_vocabulary_size);
      if (options.model4.iterations > 0) {
        if (ho.class_jumps) {
          given = classes.classes;
        } else {
          auto r = detail::train_word_classes(*view.given, view.given_vocabulary_size, options.word_classes, ex,
                                              "em.word_classes." + dir, obs);
          if (r.convergence.status == solver_status::stopped_by_observer) {
            finish("em.word_classes." + dir, {r.convergence, {}});
            return m;
          }
          given = std::move(r.classes);
        }
        auto r = detail::train_word_classes(*view.generated, view.generated_vocabulary_size, options.word_classes, ex,
                                            "em.word_classes.generated." + dir, obs);
        if (r.convergence.status == solver_status::stopped_by_observer) {
          finish("em.word_classes.generated." + dir, {r.convergence, {}});
          return m;
        }
        generated = std::move(r.classes);
      }
      m.has_fertility = true;
      m.fertility = fertility_parameters::shaped(view, given, generated, 10);
      auto alignment = hmm_viterbi_alignments(view, m.table, m.hmm, m.probability_floor, ex, options.block_size);
      bool first = true;
      for (auto model : {fertility_model::model3, fertility_model::model4}) {
        fertility_options fo = model == fertility_model::model3 ? options.model3 : options.model4;
        if (fo.iterations == 0) continue;
        fo.block_size = options.block_size;
        m.fertility.model = model;
        m.probability_floor = fo.probability_floor;
        const std::string st = (model == fertility_model::model3 ? "em.model3." : "em.model4.") + dir;
        if (finish(st, detail::train_fertility(view, m.table, m.fertility, alignment, fo, first, ex, st, obs))) return m;
        first = false;
      }
    }
  }
  return m;
}

}  // namespace detail

// Trains one direction of a corpus view (the reverse one when `reverse`),
// with the prior train_options holds for that direction.  The observer gets
// the stages "em.<model>.forward" (or ".reverse").
inline directional_model train_directional(const bitext_view& view, const train_options& options = {},
                                           bool reverse = false, observer_ref obs = {}) {
  validate(options);
  const executor ex(options.parallel);
  return detail::train_directional(view, options, reverse ? "reverse" : "forward",
                                   reverse ? options.reverse_prior : options.forward_prior, ex, obs);
}

namespace detail {

// train() on a given executor (also the EM initialisation of bayes).
template <class Obs>
model train(const parallel_corpus& corpus, const train_options& options, const executor& ex, Obs& obs) {
  model m;
  m.source_vocabulary = corpus.source_vocabulary();
  m.target_vocabulary = corpus.target_vocabulary();
  bool stopped = false;
  if (options.directions != directions::reverse) {
    m.forward = train_directional(make_view(corpus, false), options, "forward", options.forward_prior, ex, obs);
    append_stage(m.convergence, m.forward.convergence);
    stopped = m.convergence.status == solver_status::stopped_by_observer;
  }
  if (options.directions != directions::forward && !stopped) {
    m.reverse = train_directional(make_view(corpus, true), options, "reverse", options.reverse_prior, ex, obs);
    append_stage(m.convergence, m.reverse.convergence);
  }
  return m;
}

}  // namespace detail

// Trains the corpus's two directions (or those options.directions names).
// The model keeps the corpus's vocabularies, so that align() can map any
// corpus onto it.
inline model train(const parallel_corpus& corpus, const train_options& options = {}, observer_ref obs = {}) {
  validate(options);
  const executor ex(options.parallel);
  return detail::train(corpus, options, ex, obs);
}

enum class decoding {
  viterbi,    // the single most probable alignment (one link per generated word at most)
  posterior,  // every link whose posterior probability is >= posterior_threshold
};

struct align_options {
  decoding method = decoding::posterior;  // posterior >= 0.5 beat Viterbi on the bundled gold sets
  double posterior_threshold = 0.5;  // for decoding::posterior; in [0, 1]
  bool with_posteriors = false;      // fill decoded_alignments::posteriors
  parallel_options parallel = {};    // threads or a caller's pool; results do not depend on it
  std::size_t block_size = 64;       // sentence pairs per work block
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const align_options& o) {
  validation::require(o.method == decoding::viterbi || o.method == decoding::posterior, "em::align_options.method",
                      std::to_string(static_cast<int>(o.method)), "viterbi or posterior");
  validation::probability("em::align_options.posterior_threshold", o.posterior_threshold);
  validation::at_least("em::align_options.block_size", o.block_size, 1);
  validate(o.parallel);
}

struct decoded_alignments {
  alignment_corpus links;  // links in `sure`
  // With with_posteriors: posteriors[k][n] is P(link) of links[k].sure[n].
  std::vector<std::vector<float>> posteriors;
  // One pass: max_iterations with iterations 1 when every pair is decoded;
  // stopped_by_observer (pairs not reached are empty) when an observer stopped it.
  convergence_info convergence = {};
};

struct bidirectional_alignments {
  decoded_alignments forward;  // from the forward model, source-target order
  decoded_alignments reverse;  // from the reverse model, source-target order
};

namespace detail {

// Per-sentence decoding of one direction; links are (given, generated) when
// `source_is_given`, else swapped, so that they are always source-target.
// Reports under `stage` to `obs` (progress events, then one iteration event).
inline decoded_alignments decode_directional(const directional_model& model, const bitext_view& view,
                                             bool source_is_given, const align_options& options, const executor& ex,
                                             observer_ref obs = {}, std::string_view stage = "em.decode") {
  decoded_alignments out;
  out.links.resize(view.size());
  if (options.with_posteriors) out.posteriors.resize(view.size());
  const unsigned workers = ex.workers_for(block_count(view.size(), options.block_size));
  struct scratch {
    hmm_workspace ws;
    fertility_workspace fws;
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
  const bool done = for_each_block_with_progress(ex, view, options.block_size,
                                                 [&](std::size_t, std::size_t begin, std::size_t end, unsigned w) {
    scratch& s = work[w];
    for (std::size_t k = begin; k < end; ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      const std::size_t l1 = e.size() + 1;
      const bool need_post = options.method == decoding::posterior || options.with_posteriors;
      const double* q = nullptr;
      const bool fertility = model.has_fertility && model.has_hmm &&
                             fertility_feasible(e.size(), f.size(), model.fertility.max_fertility);
      if (fertility) {
        // Hill-climb from the HMM Viterbi alignment; posteriors over its neighbourhood.
        hmm_viterbi(model.hmm, model.table, e, f, model.probability_floor, s.ws, s.a);
        for (auto& x : s.a) ++x;
        fertility_decode(model.fertility, model.table, e, f, model.probability_floor, s.fws, s.a,
                         need_post ? &s.q : nullptr);
        for (auto& x : s.a) --x;
        q = s.q.data();
      } else if (need_post) {
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
        if (fertility) {
          // s.a holds the climbed alignment
        } else if (model.has_hmm) {
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
  }, progress_events<observer_ref>{obs, stage, 1, 1});
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (done && notify(obs, iteration_event{stage, 1, nan, nan, 1}) == observer_action::proceed) {
    out.convergence = {solver_status::max_iterations, 1, nan};
  } else {
    out.convergence = {solver_status::stopped_by_observer, done ? 1u : 0u, nan};
  }
  return out;
}

// True when both vocabularies hold the same words under the same ids.
inline bool same_words(const vocabulary& a, const vocabulary& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a.word(static_cast<word_id>(k)) != b.word(static_cast<word_id>(k))) return false;
  return true;
}

}  // namespace detail

// The view of a mapped corpus (map_to_vocabularies) as a directional model sees it.
inline bitext_view make_view(const mapped_corpus& m, bool reverse = false) {
  if (!reverse) return {&m.source, &m.target, m.source_vocabulary_size, m.target_vocabulary_size};
  return {&m.target, &m.source, m.target_vocabulary_size, m.source_vocabulary_size};
}

// Decodes one direction of an already mapped view (links source-target).
inline decoded_alignments align_directional(const directional_model& model, const bitext_view& view, bool reverse,
                                            const align_options& options = {}) {
  validate(options);
  const executor ex(options.parallel);
  return detail::decode_directional(model, view, !reverse, options, ex);
}

// Aligns any corpus with a trained (or loaded) model, without changing it:
// the corpus is mapped onto the model's vocabularies with
// unknown_words::shared_id (core/corpus_mapping.hpp), so words the model has
// never seen are placed by the alignment prior (a corpus with the model's own
// vocabularies, e.g. the training corpus, is used as it is, without a copy).
// Links are in source-target order; a direction the model does not hold
// (train_options::directions) gives empty alignments.
// The observer gets stages "em.decode.forward" and "em.decode.reverse"; a
// stop leaves the rest empty (convergence.status stopped_by_observer, the
// reverse direction then not decoded at all).
inline bidirectional_alignments align(const model& m, const parallel_corpus& corpus, const align_options& options = {},
                                      observer_ref obs = {}) {
  validate(options);
  const executor ex(options.parallel);
  bidirectional_alignments out;
  auto decode = [&](const bitext_view& fwd, const bitext_view& rev) {
    if (m.forward.trained())
      out.forward = detail::decode_directional(m.forward, fwd, true, options, ex, obs, "em.decode.forward");
    if (out.forward.convergence.status == solver_status::stopped_by_observer) {
      out.reverse.convergence = out.forward.convergence;
      out.reverse.convergence.iterations = 0;
      return;
    }
    if (m.reverse.trained())
      out.reverse = detail::decode_directional(m.reverse, rev, false, options, ex, obs, "em.decode.reverse");
  };
  if (detail::same_words(corpus.source_vocabulary(), m.source_vocabulary) &&
      detail::same_words(corpus.target_vocabulary(), m.target_vocabulary)) {
    decode(make_view(corpus, false), make_view(corpus, true));  // the training corpus: no copy needed
  } else {
    const mapped_corpus mapped =
        map_to_vocabularies(corpus, m.source_vocabulary, m.target_vocabulary, unknown_words::shared_id);
    decode(make_view(mapped, false), make_view(mapped, true));
  }
  return out;
}

// train() then align() on the same corpus.  The two option structs share no
// knob; give align_options the same `parallel` to reuse a pool.  The
// observer sees training's stages, then decoding's (none after a stop).
inline bidirectional_alignments train_and_align(const parallel_corpus& corpus, const train_options& training = {},
                                                const align_options& decoding_options = {}, observer_ref obs = {}) {
  validate(decoding_options);
  const model m = em::train(corpus, training, obs);
  if (m.convergence.status == solver_status::stopped_by_observer) return align(m, corpus, decoding_options);
  return align(m, corpus, decoding_options, obs);
}

}  // namespace em
LEXALIGN_NAMESPACE_END
