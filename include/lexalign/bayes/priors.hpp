// lexalign/bayes/priors.hpp - options of the Bayesian aligner and the learned
// counts that can be saved and reused as Dirichlet pseudo-counts (priors).
//
// A `bayes_model` is what training learns: per direction, the lexical,
// jump and fertility counts averaged over the samplers' final states, with the
// vocabularies they refer to.  Aligning new text with it adds these counts to
// the Dirichlet parameters (alpha + count), which is eflomal's priors-file
// mechanism without the separate file-generation step.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

// The model components in the order they are switched on.
enum class stage : unsigned char {
  ibm1 = 1,       // lexical translation only (Bayesian IBM Model 1)
  hmm = 2,        // + one global jump distribution over source-position differences
  fertility = 3,  // + per-source-word fertility distribution
};

// Sweeps (one Gibbs update of every generated token) per stage.
struct sweep_schedule {
  std::size_t ibm1 = 0;
  std::size_t hmm = 0;
  std::size_t fertility = 0;
  std::size_t total() const noexcept { return ibm1 + hmm + fertility; }
  friend bool operator==(const sweep_schedule&, const sweep_schedule&) = default;
};

// The default schedule from the corpus size (the rule of eflomal's driver):
// it = max(2, round(scale * 5000 / sqrt(sentences))), then
//   ibm1 only:      (it, 0, 0)
//   up to hmm:      (max(2, it/4), it, 0)
//   up to fertility:(max(2, it/4), it/4, it)
// e.g. 447 sentences -> (59, 59, 236); 30,856 -> (7, 7, 28).
inline sweep_schedule default_schedule(std::size_t sentences, stage last = stage::fertility, double scale = 1.0) {
  const double n = static_cast<double>(std::max<std::size_t>(1, sentences));
  const auto it = static_cast<std::size_t>(std::max(2.0, std::round(scale * 5000.0 / std::sqrt(n))));
  switch (last) {
    case stage::ibm1: return {it, 0, 0};
    case stage::hmm: return {std::max<std::size_t>(2, it / 4), it, 0};
    case stage::fertility: return {std::max<std::size_t>(2, it / 4), it / 4, it};
  }
  return {it, 0, 0};
}

// A sweep count chosen by default_schedule.
inline constexpr std::size_t automatic = static_cast<std::size_t>(-1);

// How the samplers' first links are drawn.
enum class initialization {
  random,  // NULL with probability null_prior, else a uniformly chosen given position (eflomal)
  em,      // drawn from the posteriors of an EM model (IBM1 x5 then HMM x5, lexalign::em), one draw per sampler
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
  // Extra lexical pseudo-counts for align() (e.g. from word embeddings: see
  // bayes/embedding_prior.hpp), added to lexical_alpha: one value per entry of
  // em::lexical_table::from_cooccurrence(em::make_view(corpus, reverse)).
  // Not owned; null = none.  Used by align() (align_with_model takes its priors from the model).
  const std::vector<float>* forward_lexical_prior = nullptr;
  const std::vector<float>* reverse_lexical_prior = nullptr;
  bool keep_model = false;                 // fill gibbs_result::model (for save_model / reuse)
  // Every sentence's table indices (4 bytes per token x (given length + 1))
  // are computed once and shared by the chains when they fit in this many
  // bytes per direction; otherwise recomputed in every sweep (slower, no memory).
  std::size_t index_cache_bytes = std::size_t{512} << 20;
  // The final alignment averages each token's conditional distribution over
  // the samplers and over the last accumulate_sweeps sweeps of the last stage
  // (automatic: a quarter of them, at least 1; 0: only the chains' final
  // states).  The running sums take 4 bytes per token x (given length + 1)
  // per direction; above marginal_cache_bytes the final states are used.
  std::size_t accumulate_sweeps = automatic;
  std::size_t marginal_cache_bytes = std::size_t{512} << 20;
  unsigned threads = 1;                    // 0 = all; the output does not depend on it
  std::size_t block_size = 64;             // sentence pairs per decoding block
  // Called after every sweep of every chain with stage
  // "bayes.<stage>.<forward|reverse>.<sampler>", the sweep number, the
  // fraction of links that changed as `error`, NaN objective.  Calls are
  // serialised; with threads > 1 chains interleave.  Returning stop ends that
  // chain's current stage.
  observer_function observer = {};
};

// Learned counts of one direction (given side -> generated side).
struct directional_counts {
  // Lexical counts as sparse rows: row 0 = NULL, row e+1 = given word e;
  // columns are generated word ids, strictly increasing within a row.
  std::vector<std::uint64_t> offsets{0};
  std::vector<word_id> columns;
  std::vector<float> counts;
  std::vector<double> jump;       // 2*max_jump+1 bins, bin d+max_jump holds jump d (clamped)
  std::vector<float> fertility;   // given_vocabulary x fertility_bins, row-major

  std::size_t rows() const noexcept { return offsets.size() - 1; }
  // Count of (row, f), 0 when absent.
  float count(std::size_t row, word_id f) const noexcept {
    if (row + 1 >= offsets.size()) return 0.0f;
    const auto b = columns.begin() + static_cast<std::ptrdiff_t>(offsets[row]);
    const auto e = columns.begin() + static_cast<std::ptrdiff_t>(offsets[row + 1]);
    const auto it = std::lower_bound(b, e, f);
    return (it != e && *it == f) ? counts[static_cast<std::size_t>(it - columns.begin())] : 0.0f;
  }
  double row_total(std::size_t row) const noexcept {
    double s = 0.0;
    if (row + 1 >= offsets.size()) return s;
    for (std::size_t k = offsets[row]; k < offsets[row + 1]; ++k) s += counts[k];
    return s;
  }
};

// What training learns, in a form that can be saved and used as priors.
struct bayes_model {
  vocabulary source_vocabulary;
  vocabulary target_vocabulary;
  std::size_t max_jump = 100;
  std::size_t fertility_bins = 8;
  std::size_t training_sentences = 0;  // sets the default schedule when aligning new text
  directional_counts forward;          // generates target from source
  directional_counts reverse;          // generates source from target
};

}  // namespace bayes
LEXALIGN_NAMESPACE_END
