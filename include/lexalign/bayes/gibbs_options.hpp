// lexalign/bayes/gibbs_options.hpp - the options of the Gibbs aligner and
// their validation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lexalign/bayes/schedule.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/pipeline.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

// How the samplers' first links are drawn.
enum class initialization {
  random,  // NULL with probability null_prior, else a uniformly chosen given position (eflomal)
  em,      // drawn from the posteriors of an EM model (gibbs_options::em_init, lexalign::em), one draw per sampler
};

struct gibbs_options {
  stage model = stage::fertility;          // last stage of the schedule
  std::size_t ibm1_sweeps = automatic;     // sweeps of the IBM1 stage (automatic: default_schedule)
  std::size_t hmm_sweeps = automatic;      // sweeps of the HMM stage
  std::size_t fertility_sweeps = automatic;  // sweeps of the fertility stage
  double schedule_scale = 1.0;             // multiplies the automatic sweep counts
  std::size_t samplers = 3;                // independent chains per direction; their marginals are averaged
  std::uint64_t seed = 1;                  // the only source of randomness: same seed, same output
  double lexical_alpha = 0.001;            // Dirichlet parameter of each t(.|e) row over the generated vocabulary
  double null_alpha = 0.001;               // the same for the NULL row
  double jump_alpha = 0.5;                 // Dirichlet parameter of each jump bin
  double fertility_alpha = 0.5;            // Dirichlet parameter of each fertility bin
  double null_prior = 0.2;                 // weight of a NULL link relative to a real one (eflomal -N)
  std::size_t max_jump = 100;              // jumps |d| >= max_jump share the end bins (no length cap)
  std::size_t fertility_bins = 8;          // fertilities 0..bins-2, the last bin is ">= bins-1"
  initialization init = initialization::random;
  // The EM model of initialization::em (default: IBM1 x5 then HMM x5, both
  // directions).  It runs on gibbs_options::parallel: its own parallel must
  // stay at its default, and its `directions` at both.
  em::train_options em_init = {};
  // Extra lexical pseudo-counts for align() (e.g. from word embeddings: see
  // bayes/embedding_prior.hpp), added to lexical_alpha: one value per entry of
  // em::lexical_table::from_cooccurrence(em::make_view(corpus, reverse)).
  // Not owned; null = none.  Used by train()/train_and_align() (align() takes its priors from the model).
  const std::vector<float>* forward_lexical_prior = nullptr;
  const std::vector<float>* reverse_lexical_prior = nullptr;
  bool keep_model = false;                 // fill gibbs_result::model (for save / reuse)
  // Fill gibbs_result::forward_marginals / reverse_marginals with every
  // pair's full averaged distributions (4 bytes per token x (given length + 1)
  // per direction in all; extract/aligner_similarity.hpp builds similarity
  // matrices from them).  Decoding only: the sampling is unchanged.
  bool keep_marginals = false;
  // No effect since the sampler keeps sparse counts per chain (no per-sentence
  // table indices to cache); kept so that existing code compiles.
  std::size_t index_cache_bytes = 0;
  // The final alignment averages each token's conditional distribution over
  // the samplers and over the last accumulate_sweeps sweeps of the last stage
  // (automatic: a quarter of them, at least 1; 0: only the chains' final
  // states).  The running sums take 4 bytes per token x (given length + 1)
  // per direction; above marginal_cache_bytes the final states are used.
  // The default (32 MiB) holds the sums of corpora up to about 8M candidate
  // cells (m x (l+1) summed over the pairs: the gold sets, not the Bible's
  // 29M), so that large corpora keep eflomal's memory footprint.
  std::size_t accumulate_sweeps = automatic;
  std::size_t marginal_cache_bytes = std::size_t{32} << 20;
  parallel_options parallel = {};          // threads or a caller's pool; the output does not depend on it
  std::size_t block_size = 64;             // sentence pairs per decoding block
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const gibbs_options& o) {
  validation::require(o.model == stage::ibm1 || o.model == stage::hmm || o.model == stage::fertility,
                      "bayes::gibbs_options.model", std::to_string(static_cast<int>(o.model)), "ibm1, hmm or fertility");
  validation::positive("bayes::gibbs_options.schedule_scale", o.schedule_scale);
  validation::at_least("bayes::gibbs_options.samplers", o.samplers, 1);
  validation::positive("bayes::gibbs_options.lexical_alpha", o.lexical_alpha);
  validation::positive("bayes::gibbs_options.null_alpha", o.null_alpha);
  validation::positive("bayes::gibbs_options.jump_alpha", o.jump_alpha);
  validation::positive("bayes::gibbs_options.fertility_alpha", o.fertility_alpha);
  validation::positive("bayes::gibbs_options.null_prior", o.null_prior);
  validation::at_least("bayes::gibbs_options.max_jump", o.max_jump, 1);
  validation::at_least("bayes::gibbs_options.fertility_bins", o.fertility_bins, 2);
  validation::require(o.init == initialization::random || o.init == initialization::em, "bayes::gibbs_options.init",
                      std::to_string(static_cast<int>(o.init)), "random or em");
  validation::at_least("bayes::gibbs_options.block_size", o.block_size, 1);
  validate(o.parallel);
  validate(o.em_init);
  validation::require(o.em_init.parallel.threads == 1 && o.em_init.parallel.pool == nullptr,
                      "bayes::gibbs_options.em_init.parallel", "set",
                      "left at its default (the EM initialisation runs on gibbs_options.parallel)");
  validation::require(o.em_init.directions == em::directions::both, "bayes::gibbs_options.em_init.directions",
                      std::to_string(static_cast<int>(o.em_init.directions)), "both");
}

}  // namespace bayes
LEXALIGN_NAMESPACE_END
