// tools/lexalign/cli/bayes_options.hpp - the `--model bayes` branch of
// `lexalign align` (align.cpp): options, training / saved-model application,
// results as the EM branch's decoded_alignments (so symmetrization,
// --reverse, --write-posteriors and --output work unchanged).  --save-model
// and --model-file keep their meaning: they write / read a bayes model file;
// wanted() is true for --model bayes or a --model-file that is a
// lexalign-bayes-model file.
#pragma once

#include <cstdint>
#include <fstream>
#include <limits>
#include <ostream>
#include <string>

#include "arguments.hpp"
#include "progress.hpp"
#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/bayes/model_io.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/bayes/schedule.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/text.hpp"

namespace lexalign::cli::bayes_cli {

inline void add_options(arguments& a) {
  a.option("seed", "N", "bayes: seed of the samplers (same seed, same output for any --threads)", {.default_value = "1"});
  a.option("samplers", "K", "bayes: independent Gibbs chains per direction, marginals averaged", {.default_value = "3"});
  a.option("sweep-scale", "X", "bayes: multiplies the sweep counts chosen from the corpus size", {.default_value = "1"});
  a.option("null-prior", "P", "bayes: weight of a NULL link relative to a real one", {.default_value = "0.2"});
  a.option("bayes-init", "HOW", "bayes: random or em (start from EM IBM1+HMM posteriors)", {.default_value = "random"});
}

// True for --model bayes, or when --model-file names a bayes model file.
inline bool wanted(const arguments& a) {
  if (a.value("model") == "bayes") return true;
  if (!a.has("model-file")) return false;
  std::ifstream in(a.value("model-file"), std::ios::binary);
  std::string first;
  return in && std::getline(in, first) && first.rfind("lexalign-bayes-model", 0) == 0;
}

// The sampler's options; call before reading the corpus (fail fast).
inline bayes::gibbs_options options(const arguments& a, thread_pool& pool) {
  bayes::gibbs_options o;
  o.seed = a.integer("seed", 0, std::numeric_limits<std::uint64_t>::max());
  o.samplers = a.integer("samplers", 1, 1000);
  o.schedule_scale = a.number("sweep-scale", 1e-3, 1e3);
  o.null_prior = a.number("null-prior", 1e-9, 1e9);
  const std::string init = a.value("bayes-init");
  if (init == "em") o.init = bayes::initialization::em;
  else if (init != "random") throw usage_error("--bayes-init must be random or em, got '" + io::excerpt(init) + "'");
  o.parallel.pool = &pool;
  return o;
}

struct outputs {
  em::decoded_alignments forward, reverse;  // source-target links with per-link marginals
};

// Trains on `corpus` (saving the model with --save-model) or, with
// --model-file, aligns it using the saved counts as priors.
inline std::string describe(const bayes::sweep_schedule& s, const bayes::gibbs_options& o) {
  return "sweeps ibm1 " + std::to_string(s.ibm1) + ", hmm " + std::to_string(s.hmm) + ", fertility " +
         std::to_string(s.fertility) + " x " + std::to_string(o.samplers) + " samplers per direction, seed " +
         std::to_string(o.seed);
}

inline outputs run(const arguments& a, bayes::gibbs_options o, const parallel_corpus& corpus,
                   progress_reporter& progress) {
  bayes::gibbs_result r;
  if (a.has("model-file")) {
    const bayes::model m = bayes::load(a.value("model-file"));
    r = bayes::align(m, corpus, o, progress);
  } else {
    // The schedule up front: the sampler resolves it from the corpus size the same way.
    progress.note("bayes: planned " +
                  describe(bayes::detail::resolve_schedule(o, corpus.size()), o));
    o.keep_model = a.has("save-model");
    r = bayes::train_and_align(corpus, o, progress);
    if (r.model) {
      bayes::save(*r.model, a.value("save-model"));
      progress.note("model saved to " + a.value("save-model"));
    }
  }
  progress.note("bayes: " + describe(r.schedule, o));
  return {std::move(r.forward), std::move(r.reverse)};
}

}  // namespace lexalign::cli::bayes_cli
