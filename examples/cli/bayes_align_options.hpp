// examples/cli/bayes_align_options.hpp - the `--model bayes` branch of
// `lexalign align`: options, training / saved-model application, results as
// the EM branch's decoded_alignments (so symmetrization, --reverse,
// --write-posteriors and --output work unchanged).
//
// Wiring into command_align.hpp (owned by the EM command):
//   1. #include "bayes_align_options.hpp"
//   2. after the other a.option(...) calls:      bayes_cli::add_options(a);
//      and mention "bayes" in the --model help.
//   3. accept the name: `else if (model_name == "bayes") {}` before the
//      "--model must be ..." error (topt is then unused).
//   4. replace the train-or-load block by
//        if (bayes_cli::wanted(a)) {
//          auto r = bayes_cli::run(a, corpus, pool, quiet, err);
//          fwd = std::move(r.forward);
//          rev = std::move(r.reverse);
//        } else { ...the existing block... }
//      (wanted() is true for --model bayes, or for a --model-file that is a
//      lexalign-bayes-model file).  --save-model and --model-file keep their
//      meaning: they write / read a bayes model file.
#pragma once

#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>

#include "arguments.hpp"
#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/bayes/model_io.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/em/pipeline.hpp"

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

namespace detail {
inline double number(const arguments& a, const char* name, double lo, double hi) {
  const std::string v = a.value(name);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !(x >= lo && x <= hi))
    throw usage_error(std::string("--") + name + " needs a number in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "], got '" + v + "'");
  return x;
}
}  // namespace detail

inline bayes::gibbs_options options(const arguments& a, thread_pool& pool) {
  bayes::gibbs_options o;
  o.seed = static_cast<std::uint64_t>(detail::number(a, "seed", 0, 1.8e19));
  o.samplers = static_cast<std::size_t>(detail::number(a, "samplers", 1, 1000));
  o.schedule_scale = detail::number(a, "sweep-scale", 1e-3, 1e3);
  o.null_prior = detail::number(a, "null-prior", 1e-9, 1e9);
  const std::string init = a.value("bayes-init");
  if (init == "em") o.init = bayes::initialization::em;
  else if (init != "random") throw usage_error("--bayes-init must be random or em, got '" + init + "'");
  o.parallel.pool = &pool;
  return o;
}

struct outputs {
  em::decoded_alignments forward, reverse;  // source-target links with per-link marginals
};

// Trains on `corpus` (saving the model with --save-model) or, with
// --model-file, aligns it using the saved counts as priors.
inline outputs run(const arguments& a, const parallel_corpus& corpus, thread_pool& pool, bool quiet, std::ostream& err) {
  bayes::gibbs_options o = options(a, pool);
  auto progress = [&err](const iteration_event& ev) {
    if (ev.iteration == 1) err << "[lexalign align] " << ev.stage << " started\n";
  };
  observer_ref obs;
  if (!quiet) obs = progress;
  bayes::gibbs_result r;
  if (a.has("model-file")) {
    const bayes::model m = bayes::load(a.value("model-file"));
    r = bayes::align(m, corpus, o, obs);
  } else {
    o.keep_model = a.has("save-model");
    r = bayes::train_and_align(corpus, o, obs);
    if (r.model) {
      bayes::save(*r.model, a.value("save-model"));
      if (!quiet) err << "[lexalign align] model saved to " << a.value("save-model") << '\n';
    }
  }
  if (!quiet)
    err << "[lexalign align] bayes: sweeps ibm1 " << r.schedule.ibm1 << ", hmm " << r.schedule.hmm << ", fertility "
        << r.schedule.fertility << " x " << o.samplers << " samplers per direction, seed " << o.seed << '\n';
  return {std::move(r.forward), std::move(r.reverse)};
}

}  // namespace lexalign::cli::bayes_cli
