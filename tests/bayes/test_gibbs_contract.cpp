// The Gibbs aligner's side of the library contract (docs/core.md): options
// validated at every entry point (invalid_option naming the option), one
// convergence record per chain per direction plus a summary, observers with
// dotted stage names and budgets, and a stop that ends the whole call.
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"

using lexalign::test::read_pairs;
using lexalign::test::toy_pairs;
using lexalign::test::rejected_option;

namespace bayes = lexalign::bayes;
using lexalign::solver_status;

TEST_CASE("bayes::gibbs_options: every bad value throws invalid_option naming it", "[bayes][options]") {
  const auto c = read_pairs(toy_pairs);
  const double not_a_number = std::numeric_limits<double>::quiet_NaN();
  auto run = [&](bayes::gibbs_options o) {
    o.ibm1_sweeps = o.hmm_sweeps = o.fertility_sweeps = 1;
    return [&c, o] { bayes::train_and_align(c, o); };
  };
  CHECK(rejected_option(run({.samplers = 0})) == "bayes::gibbs_options.samplers");
  CHECK(rejected_option(run({.schedule_scale = 0})) == "bayes::gibbs_options.schedule_scale");
  CHECK(rejected_option(run({.schedule_scale = not_a_number})) == "bayes::gibbs_options.schedule_scale");
  CHECK(rejected_option(run({.lexical_alpha = 0.0})) == "bayes::gibbs_options.lexical_alpha");
  CHECK(rejected_option(run({.null_alpha = -1.0})) == "bayes::gibbs_options.null_alpha");
  CHECK(rejected_option(run({.jump_alpha = not_a_number})) == "bayes::gibbs_options.jump_alpha");
  CHECK(rejected_option(run({.fertility_alpha = std::numeric_limits<double>::infinity()})) ==
        "bayes::gibbs_options.fertility_alpha");
  CHECK(rejected_option(run({.null_prior = -1.0})) == "bayes::gibbs_options.null_prior");
  CHECK(rejected_option(run({.max_jump = 0})) == "bayes::gibbs_options.max_jump");
  CHECK(rejected_option(run({.fertility_bins = 1})) == "bayes::gibbs_options.fertility_bins");
  CHECK(rejected_option(run({.block_size = 0})) == "bayes::gibbs_options.block_size");
  CHECK(rejected_option(run({.model = static_cast<bayes::stage>(9)})) == "bayes::gibbs_options.model");
  // The nested EM initialisation is validated too, and runs on gibbs_options.parallel.
  CHECK(rejected_option(run({.init = bayes::initialization::em, .em_init = {.hmm = {.null_weight = not_a_number}}})) ==
        "em::hmm_options.null_weight");
  CHECK(rejected_option(run({.em_init = {.parallel = {.threads = 2}}})) == "bayes::gibbs_options.em_init.parallel");
  CHECK(rejected_option(run({.parallel = {.threads = 100000}})) == "parallel_options.threads");
  CHECK(rejected_option(run({})) == "no error");
  // train() and align() validate as well.
  CHECK(rejected_option([&] { bayes::train(c, {.samplers = 0}); }) == "bayes::gibbs_options.samplers");
  const auto m = bayes::train(c, {.ibm1_sweeps = 1, .hmm_sweeps = 1, .fertility_sweeps = 1, .samplers = 1});
  CHECK(rejected_option([&] { bayes::align(m, c, {.null_prior = 0}); }) == "bayes::gibbs_options.null_prior");
}

TEST_CASE("Gibbs convergence: one record per chain per direction and a summary", "[bayes][convergence]") {
  const auto c = read_pairs(toy_pairs);
  const auto r = bayes::train_and_align(c, {.ibm1_sweeps = 2, .hmm_sweeps = 3, .fertility_sweeps = 4, .samplers = 3});
  REQUIRE(r.chains.forward.size() == 3);
  REQUIRE(r.chains.reverse.size() == 3);
  double worst = 0.0;
  for (const auto* v : {&r.chains.forward, &r.chains.reverse})
    for (const auto& ch : *v) {
      CHECK(ch.status == solver_status::max_iterations);
      CHECK(ch.iterations == 9);
      CHECK(ch.error >= 0.0);
      CHECK(ch.error <= 1.0);
      worst = std::max(worst, ch.error);
    }
  CHECK(r.convergence.status == solver_status::max_iterations);
  CHECK(r.convergence.iterations == 9);
  CHECK(r.convergence.error == worst);
}

TEST_CASE("Gibbs observer: stage names, budgets, and a stop ends the whole call", "[bayes][observer]") {
  const auto c = read_pairs(toy_pairs);
  const bayes::gibbs_options o{.ibm1_sweeps = 2, .hmm_sweeps = 2, .fertility_sweeps = 3, .samplers = 2};
  std::vector<std::string> stages;
  std::vector<double> errors;
  auto record = [&](const lexalign::iteration_event& ev) {
    stages.emplace_back(ev.stage);
    errors.push_back(ev.error);
    CHECK(ev.max_iterations == (stages.back().find("fertility") != std::string::npos ? 3u : 2u));
    CHECK(std::isnan(ev.objective));
  };
  const auto r = bayes::train_and_align(c, o, record);
  REQUIRE(stages.size() == 2 * 2 * 7);  // directions x samplers x sweeps
  // One thread: one direction after the other (only one direction's chains
  // are held at a time): forward 0, forward 1, reverse 0, reverse 1.
  CHECK(stages[0] == "bayes.ibm1.forward.0");
  CHECK(stages[2] == "bayes.hmm.forward.0");
  CHECK(stages[4] == "bayes.fertility.forward.0");
  CHECK(stages[7] == "bayes.ibm1.forward.1");
  CHECK(stages[14] == "bayes.ibm1.reverse.0");
  CHECK(stages[27] == "bayes.fertility.reverse.1");
  CHECK(r.chains.forward[0].error == errors[6]);  // a chain's record holds its last sweep's error

  // Stop after the 3rd sweep of the first chain: it ends there, no other chain sweeps.
  std::size_t calls = 0;
  auto stop = [&](const lexalign::iteration_event&) {
    return ++calls == 3 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
  };
  const auto s = bayes::train_and_align(c, o, stop);
  CHECK(calls == 3);
  CHECK(s.convergence.status == solver_status::stopped_by_observer);
  CHECK(s.chains.forward[0].iterations == 3);
  CHECK(s.chains.forward[0].status == solver_status::stopped_by_observer);
  CHECK(s.chains.reverse[0].iterations == 0);
  CHECK(s.chains.forward[1].iterations == 0);
  // The result still holds an alignment, decoded from the chains' states.
  CHECK(s.forward.links.size() == c.size());
  CHECK(s.reverse.links.size() == c.size());

  // A stop during the EM initialisation ends the call before any sweep.
  stages.clear();
  calls = 0;
  auto stop_in_init = [&](const lexalign::iteration_event& ev) {
    stages.emplace_back(ev.stage);
    return ++calls == 2 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
  };
  bayes::gibbs_options with_em = o;
  with_em.init = bayes::initialization::em;
  const auto e = bayes::train_and_align(c, with_em, stop_in_init);
  REQUIRE(stages.size() == 2);
  CHECK(stages[0] == "bayes.init.em.ibm1.forward");
  CHECK(e.convergence.status == solver_status::stopped_by_observer);
  CHECK(e.convergence.iterations == 0);
}

TEST_CASE("bayes verbs: train gives train_and_align's model, align reuses it", "[bayes][verbs]") {
  const auto c = read_pairs(toy_pairs);
  const bayes::gibbs_options o{.ibm1_sweeps = 2, .hmm_sweeps = 2, .fertility_sweeps = 2, .samplers = 2, .seed = 5};
  const auto m = bayes::train(c, o);
  bayes::gibbs_options keep = o;
  keep.keep_model = true;
  const auto r = bayes::train_and_align(c, keep);
  REQUIRE(r.model);
  CHECK(m.forward.lexical == r.model->forward.lexical);
  CHECK(m.reverse.jump == r.model->reverse.jump);
  CHECK(m.forward.fertility == r.model->forward.fertility);
  CHECK(m.training_sentences == c.size());
  // align() samples the text again with the counts as priors: every link is valid.
  const auto a = bayes::align(m, c, {.seed = 5});
  REQUIRE(a.forward.links.size() == c.size());
  for (std::size_t k = 0; k < c.size(); ++k)
    for (const auto& l : a.forward.links[k].sure) {
      CHECK(l.source < c.source(k).size());
      CHECK(l.target < c.target(k).size());
    }
}
