// The EM aligners' side of the library contract (docs/core.md): options are
// validated at every entry point (invalid_option naming the option), each
// stage reports a convergence record, observers see dotted stage names with
// the iteration budget and a stop ends the whole call, and the corpus-to-model
// mapping follows its explicit unknown-word policy.
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/core/corpus_mapping.hpp"
#include "lexalign/em/embedding_prior.hpp"
#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"

using lexalign::test::read_pairs;
using lexalign::test::toy_pairs;
using lexalign::test::rejected_option;

namespace em = lexalign::em;

namespace {

const double not_a_number = std::numeric_limits<double>::quiet_NaN();
const double infinity = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("em::ibm1_options: every bad value throws invalid_option naming it", "[em][options]") {
  const auto c = read_pairs(toy_pairs);
  const auto view = em::make_view(c);
  auto train = [&](em::ibm1_options o) {
    return [&view, o] {
      auto t = em::lexical_table::from_cooccurrence(view);
      em::train_ibm1(view, t, o);
    };
  };
  // block_size = 0 used to train nothing and report nothing.
  CHECK(rejected_option(train({.block_size = 0})) == "em::ibm1_options.block_size");
  CHECK(rejected_option(train({.probability_floor = 0.0})) == "em::ibm1_options.probability_floor");
  CHECK(rejected_option(train({.probability_floor = not_a_number})) == "em::ibm1_options.probability_floor");
  CHECK(rejected_option(train({.probability_floor = 1.0})) == "em::ibm1_options.probability_floor");
  CHECK(rejected_option(train({.vb_alpha = -0.1})) == "em::ibm1_options.vb_alpha");
  CHECK(rejected_option(train({.vb_alpha = infinity})) == "em::ibm1_options.vb_alpha");
  CHECK(rejected_option(train({.parallel = {.threads = 100000}})) == "parallel_options.threads");
  CHECK(rejected_option(train({})) == "no error");
}

TEST_CASE("em::hmm_options: every bad value throws invalid_option naming it", "[em][options][hmm]") {
  const auto c = read_pairs(toy_pairs);
  const auto view = em::make_view(c);
  auto train = [&](em::hmm_options o) {
    return [&view, o] {
      auto t = em::lexical_table::from_cooccurrence(view);
      auto p = em::hmm_parameters::uniform(em::max_given_length(view));
      em::train_hmm(view, t, p, o);
    };
  };
  // null_weight = NaN used to give zero links silently.
  CHECK(rejected_option(train({.null_weight = not_a_number})) == "em::hmm_options.null_weight");
  CHECK(rejected_option(train({.null_weight = -1.0})) == "em::hmm_options.null_weight");
  CHECK(rejected_option(train({.jump_smoothing = 1.5})) == "em::hmm_options.jump_smoothing");
  CHECK(rejected_option(train({.jump_smoothing = not_a_number})) == "em::hmm_options.jump_smoothing");
  CHECK(rejected_option(train({.start_smoothing = -0.1})) == "em::hmm_options.start_smoothing");
  CHECK(rejected_option(train({.probability_floor = -1e-7})) == "em::hmm_options.probability_floor");
  CHECK(rejected_option(train({.vb_alpha = not_a_number})) == "em::hmm_options.vb_alpha");
  CHECK(rejected_option(train({.block_size = 0})) == "em::hmm_options.block_size");
  CHECK(rejected_option(train({.band = {.width = 0}})) == "em::hmm_options.band.width");
  CHECK(rejected_option(train({.band = {.above_length = 0, .width = 1}})) == "no error");
  CHECK(rejected_option(train({})) == "no error");
  // The same through the pipeline, which validates what it nests.
  CHECK(rejected_option([&] { em::train(c, {.hmm = {.null_weight = not_a_number}}); }) == "em::hmm_options.null_weight");
  CHECK(rejected_option([&] { em::train(c, {.hmm = {.band = {.width = 0}}}); }) == "em::hmm_options.band.width");
}

TEST_CASE("em::fast_align_options: every bad value throws invalid_option naming it", "[em][options][fast_align]") {
  const auto c = read_pairs(toy_pairs);
  const auto view = em::make_view(c);
  auto train = [&](em::fast_align_options o) {
    return [&view, o] {
      auto t = em::lexical_table::from_cooccurrence(view);
      em::fast_align_parameters p;
      em::train_fast_align(view, t, p, o);
    };
  };
  CHECK(rejected_option(train({.p0 = 1.0})) == "em::fast_align_options.p0");
  CHECK(rejected_option(train({.p0 = -0.5})) == "em::fast_align_options.p0");
  CHECK(rejected_option(train({.p0 = not_a_number})) == "em::fast_align_options.p0");
  CHECK(rejected_option(train({.lambda = 0.0})) == "em::fast_align_options.lambda");
  CHECK(rejected_option(train({.lambda = infinity})) == "em::fast_align_options.lambda");
  CHECK(rejected_option(train({.probability_floor = 2.0})) == "em::fast_align_options.probability_floor");
  CHECK(rejected_option(train({.vb_alpha = -1.0})) == "em::fast_align_options.vb_alpha");
  CHECK(rejected_option(train({.block_size = 0})) == "em::fast_align_options.block_size");
  CHECK(rejected_option(train({})) == "no error");
}

TEST_CASE("em::train_options and em::align_options: bad values and knobs set in the wrong place", "[em][options]") {
  const auto c = read_pairs(toy_pairs);
  auto train = [&](em::train_options o) { return [&c, o] { em::train(c, o); }; };
  CHECK(rejected_option(train({.block_size = 0})) == "em::train_options.block_size");
  CHECK(rejected_option(train({.model = static_cast<em::model_kind>(7)})) == "em::train_options.model");
  CHECK(rejected_option(train({.ibm1 = {.vb_alpha = -1}})) == "em::ibm1_options.vb_alpha");
  CHECK(rejected_option(train({.fast_align = {.lambda = not_a_number}})) == "em::fast_align_options.lambda");
  // Shared knobs live once, at the top: the nested copies must stay at their defaults.
  CHECK(rejected_option(train({.ibm1 = {.parallel = {.threads = 2}}})) == "em::train_options.ibm1.parallel");
  CHECK(rejected_option(train({.hmm = {.block_size = 8}})) == "em::train_options.hmm.block_size");
  const em::lexical_prior prior;
  CHECK(rejected_option(train({.fast_align = {.prior = &prior}})) == "em::train_options.fast_align.prior");
  CHECK(rejected_option(train({})) == "no error");

  const auto m = em::train(c, {.ibm1 = {.iterations = 1}, .hmm = {.iterations = 1}});
  auto align = [&](em::align_options o) { return [&c, &m, o] { em::align(m, c, o); }; };
  CHECK(rejected_option(align({.posterior_threshold = not_a_number})) == "em::align_options.posterior_threshold");
  CHECK(rejected_option(align({.posterior_threshold = 1.5})) == "em::align_options.posterior_threshold");
  CHECK(rejected_option(align({.block_size = 0})) == "em::align_options.block_size");
  CHECK(rejected_option(align({.method = static_cast<em::decoding>(9)})) == "em::align_options.method");
  CHECK(rejected_option([&] { em::train_and_align(c, {}, {.block_size = 0}); }) == "em::align_options.block_size");
  CHECK(rejected_option(align({})) == "no error");

  CHECK(rejected_option([] { em::validate(em::embedding_prior_options{.temperature = 0}); }) ==
        "em::embedding_prior_options.temperature");
}

TEST_CASE("one default per knob: the pipeline's defaults are the components'", "[em][options]") {
  const em::train_options o;
  CHECK(o.hmm.jump_smoothing == em::hmm_options{}.jump_smoothing);
  CHECK(em::hmm_options{}.jump_smoothing == 0.4);
  CHECK(em::hmm_parameters{}.jump_smoothing == em::hmm_options{}.jump_smoothing);
  CHECK(o.fast_align.vb_alpha == em::fast_align_options{}.vb_alpha);
  // The pipeline gives a stage the same result as calling the stage itself.
  const auto c = read_pairs(toy_pairs);
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  const auto r1 = em::train_ibm1(view, t);
  auto p = em::hmm_parameters::uniform(em::max_given_length(view));
  const auto r2 = em::train_hmm(view, t, p);
  const auto m = em::train(c, {.directions = em::directions::forward});
  REQUIRE(m.forward.stages.size() == 2);
  CHECK(m.forward.stages[0].result.log_likelihood == r1.log_likelihood);
  CHECK(m.forward.stages[1].result.log_likelihood == r2.log_likelihood);
  CHECK(std::equal(t.probabilities().begin(), t.probabilities().end(), m.forward.table.probabilities().begin(),
                   m.forward.table.probabilities().end()));
  CHECK(!m.reverse.trained());
}

TEST_CASE("EM convergence records: error is the relative log-likelihood change", "[em][convergence]") {
  const auto c = read_pairs(toy_pairs);
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  const auto r = em::train_ibm1(view, t, {.iterations = 4});
  REQUIRE(r.log_likelihood.size() == 4);
  CHECK(r.convergence.status == lexalign::solver_status::max_iterations);
  CHECK(r.convergence.iterations == 4);
  const double l3 = r.log_likelihood[2], l4 = r.log_likelihood[3];
  CHECK(r.convergence.error == Approx(std::abs(l4 - l3) / std::abs(l3)).epsilon(1e-12));
  auto t1 = em::lexical_table::from_cooccurrence(view);
  CHECK(std::isnan(em::train_ibm1(view, t1, {.iterations = 1}).convergence.error));

  // The model keeps every stage's record per direction, and their sum.
  const auto m = em::train(c, {.ibm1 = {.iterations = 3}, .hmm = {.iterations = 2}});
  for (const auto* d : {&m.forward, &m.reverse}) {
    REQUIRE(d->stages.size() == 2);
    CHECK(d->stages[0].result.convergence.iterations == 3);
    CHECK(d->stages[1].result.convergence.iterations == 2);
    CHECK(d->convergence.iterations == 5);
    CHECK(d->convergence.error == d->stages[1].result.convergence.error);
  }
  CHECK(m.forward.stages[0].stage == "em.ibm1.forward");
  CHECK(m.reverse.stages[1].stage == "em.hmm.reverse");
  CHECK(m.convergence.iterations == 10);
  CHECK(m.convergence.status == lexalign::solver_status::max_iterations);
}

TEST_CASE("EM observer: stage names, budgets, and a stop ends the whole call", "[em][observer]") {
  const auto c = read_pairs(toy_pairs);
  struct seen_event {
    std::string stage;
    std::size_t iteration, max_iterations;
  };
  std::vector<seen_event> seen;
  auto record = [&](const lexalign::iteration_event& ev) {
    seen.push_back({std::string(ev.stage), ev.iteration, ev.max_iterations});
  };
  em::train(c, {.ibm1 = {.iterations = 2}, .hmm = {.iterations = 3}}, record);
  const std::vector<std::string> order{"em.ibm1.forward", "em.ibm1.forward", "em.hmm.forward", "em.hmm.forward",
                                       "em.hmm.forward",  "em.ibm1.reverse", "em.ibm1.reverse", "em.hmm.reverse",
                                       "em.hmm.reverse",  "em.hmm.reverse"};
  REQUIRE(seen.size() == order.size());
  for (std::size_t k = 0; k < seen.size(); ++k) {
    CHECK(seen[k].stage == order[k]);
    CHECK(seen[k].max_iterations == (order[k].find("ibm1") != std::string::npos ? 2u : 3u));
  }
  seen.clear();
  em::train(c, {.model = em::model_kind::fast_align, .fast_align = {.iterations = 2}}, record);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0].stage == "em.fast_align.forward");
  CHECK(seen[3].stage == "em.fast_align.reverse");

  // Stop in the second IBM1 iteration of the forward direction: no HMM stage,
  // no reverse direction (it used to stop only the current stage).
  std::size_t calls = 0;
  auto stop_early = [&](const lexalign::iteration_event& ev) {
    ++calls;
    return ev.iteration == 2 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
  };
  const auto m = em::train(c, {}, stop_early);
  CHECK(calls == 2);
  CHECK(m.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(m.convergence.iterations == 2);
  REQUIRE(m.forward.stages.size() == 1);
  CHECK(m.forward.stages[0].result.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(!m.forward.has_hmm);
  CHECK(!m.reverse.trained());
  // The stopped model still aligns (forward only).
  const auto out = em::align(m, c);
  CHECK(out.forward.links.size() == c.size());
  CHECK(out.reverse.links.empty());
}

// An observer that asks for progress events within an iteration: one every
// `cells` alignment cells; it records every event and can stop at one.
struct progress_recorder {
  struct seen {
    std::string stage;
    std::size_t iteration, done, total;
    bool partial, nan;
    bool operator==(const seen&) const = default;
  };
  std::size_t cells = 1;
  std::vector<seen> events;
  std::function<bool(const lexalign::iteration_event&)> stop_at = [](const auto&) { return false; };

  std::size_t progress_interval() const { return cells; }
  lexalign::observer_action operator()(const lexalign::iteration_event& ev) {
    events.push_back({std::string(ev.stage), ev.iteration, ev.work_done, ev.work_total, ev.partial(),
                      std::isnan(ev.error) && std::isnan(ev.objective)});
    return stop_at(ev) ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
  }
};

TEST_CASE("EM observer: progress events within an iteration, thread-count independent, stop", "[em][observer]") {
  const auto c = read_pairs(toy_pairs);  // 5 pairs, none empty
  const std::size_t n = c.size();
  REQUIRE(n == 5);
  // One pair per block and one cell per event: at the start of each E-step
  // and after every pair but the last, work_done = 0..n-1 of n, then the
  // ordinary event.
  const em::train_options o{.ibm1 = {.iterations = 2}, .hmm = {.iterations = 1}, .directions = em::directions::forward,
                            .block_size = 1};
  progress_recorder rec;
  const auto m1 = em::train(c, o, rec);
  std::vector<progress_recorder::seen> expected;
  for (const auto& [stage, it] : std::vector<std::pair<std::string, std::size_t>>{
           {"em.ibm1.forward", 1}, {"em.ibm1.forward", 2}, {"em.hmm.forward", 1}}) {
    for (std::size_t d = 0; d < n; ++d) expected.push_back({stage, it, d, n, true, true});
    expected.push_back({stage, it, 0, 0, false, false});
  }
  CHECK(rec.events == expected);
  // Two pairs per block: events after blocks 1 and 2 (pairs 2 and 4).
  progress_recorder two;
  em::train(c, {.ibm1 = {.iterations = 1}, .hmm = {.iterations = 0}, .directions = em::directions::forward,
                .block_size = 2},
            two);
  CHECK(two.events == std::vector<progress_recorder::seen>{{"em.ibm1.forward", 1, 0, 5, true, true},
                                                           {"em.ibm1.forward", 1, 2, 5, true, true},
                                                           {"em.ibm1.forward", 1, 4, 5, true, true},
                                                           {"em.ibm1.forward", 1, 0, 0, false, false}});
  // fast_align too.
  progress_recorder fa;
  em::train(c, {.model = em::model_kind::fast_align, .fast_align = {.iterations = 1},
                .directions = em::directions::forward, .block_size = 1},
            fa);
  CHECK(fa.events.size() == n + 1);
  CHECK(fa.events[1] == progress_recorder::seen{"em.fast_align.forward", 1, 1, 5, true, true});

  // Same events and bit-identical model with 3 threads, and with an observer
  // that wants no progress events.
  auto o3 = o;
  o3.parallel.threads = 3;
  progress_recorder rec3;
  const auto m3 = em::train(c, o3, rec3);
  CHECK(rec3.events == rec.events);
  const auto plain = em::train(c, o);
  for (const auto* m : {&m3, &plain}) {
    REQUIRE(m->forward.table.size() == m1.forward.table.size());
    for (std::size_t k = 0; k < m1.forward.table.size(); ++k)
      CHECK(m->forward.table.probabilities()[k] == m1.forward.table.probabilities()[k]);
  }
  // An empty corpus sends no progress events (none with work_total 0 that
  // would pose as an iteration event).
  progress_recorder none;
  em::train(lexalign::parallel_corpus{},
            {.ibm1 = {.iterations = 1}, .hmm = {.iterations = 0}, .directions = em::directions::forward}, none);
  REQUIRE(none.events.size() == 1);
  CHECK(!none.events[0].partial);
  CHECK(none.events[0].iteration == 1);
  // The type-erased and prefixed forms pass the request on; plain callables make none.
  lexalign::observer_ref ref(rec);
  CHECK(ref.progress_interval() == 1);
  lexalign::prefixed_observer<lexalign::observer_ref> pre("x", ref);
  CHECK(lexalign::progress_interval_of(pre) == 1);
  CHECK(lexalign::observer_ref([](const lexalign::iteration_event&) {}).progress_interval() == 0);

  // A stop in the middle of IBM1's second E-step: the whole call ends, the
  // model is the one after the first iteration.
  progress_recorder stopper;
  stopper.stop_at = [](const lexalign::iteration_event& ev) { return ev.iteration == 2 && ev.work_done == 3; };
  const auto s = em::train(c, {.ibm1 = {.iterations = 5}, .block_size = 1}, stopper);
  CHECK(s.convergence.status == lexalign::solver_status::stopped_by_observer);
  REQUIRE(s.forward.stages.size() == 1);
  CHECK(s.forward.stages[0].result.convergence.iterations == 1);
  CHECK(s.forward.stages[0].result.log_likelihood.size() == 1);
  CHECK(!s.forward.has_hmm);
  CHECK(!s.reverse.trained());
  CHECK(stopper.events.back() == progress_recorder::seen{"em.ibm1.forward", 2, 3, 5, true, true});
  const auto one = em::train(c, {.ibm1 = {.iterations = 1}, .hmm = {.iterations = 0},
                                 .directions = em::directions::forward, .block_size = 1});
  REQUIRE(s.forward.table.size() == one.forward.table.size());
  for (std::size_t k = 0; k < one.forward.table.size(); ++k)
    CHECK(s.forward.table.probabilities()[k] == one.forward.table.probabilities()[k]);
  // A stop inside the HMM's E-step keeps the HMM parameters of the last iteration.
  progress_recorder hstop;
  hstop.stop_at = [](const lexalign::iteration_event& ev) { return ev.stage == "em.hmm.forward" && ev.partial(); };
  const auto h = em::train(c, {.directions = em::directions::forward, .block_size = 1}, hstop);
  CHECK(h.convergence.status == lexalign::solver_status::stopped_by_observer);
  REQUIRE(h.forward.stages.size() == 2);
  CHECK(h.forward.stages[1].result.convergence.iterations == 0);

  // Decoding: progress events, then one iteration event per direction; a
  // stop leaves the rest empty and says so.
  const auto both = em::train(c, {.ibm1 = {.iterations = 2}, .hmm = {.iterations = 1}});
  progress_recorder dec;
  const auto out = em::align(both, c, {.block_size = 2}, dec);
  CHECK(dec.events == std::vector<progress_recorder::seen>{
                          {"em.decode.forward", 1, 0, 5, true, true}, {"em.decode.forward", 1, 2, 5, true, true},
                          {"em.decode.forward", 1, 4, 5, true, true}, {"em.decode.forward", 1, 0, 0, false, true},
                          {"em.decode.reverse", 1, 0, 5, true, true}, {"em.decode.reverse", 1, 2, 5, true, true},
                          {"em.decode.reverse", 1, 4, 5, true, true}, {"em.decode.reverse", 1, 0, 0, false, true}});
  CHECK(out.forward.convergence.status == lexalign::solver_status::max_iterations);
  CHECK(out.forward.convergence.iterations == 1);
  const auto plain_out = em::align(both, c, {.block_size = 2});
  CHECK(out.forward.links == plain_out.forward.links);
  CHECK(out.reverse.links == plain_out.reverse.links);
  progress_recorder dstop;
  dstop.stop_at = [](const lexalign::iteration_event& ev) { return ev.work_done == 2; };
  const auto cut = em::align(both, c, {.block_size = 2}, dstop);
  CHECK(cut.forward.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(cut.reverse.convergence.status == lexalign::solver_status::stopped_by_observer);
  CHECK(dstop.events.size() == 2);
  REQUIRE(cut.forward.links.size() == 5);
  CHECK(cut.forward.links[0].sure == plain_out.forward.links[0].sure);  // decoded before the stop
  CHECK(cut.forward.links[1].sure == plain_out.forward.links[1].sure);
  CHECK(cut.forward.links[2].sure.empty());                            // not reached
  CHECK(cut.reverse.links.empty());
}

TEST_CASE("em::align maps unknown words to one shared id", "[em][mapping]") {
  const auto trained = read_pairs(toy_pairs);
  const auto fresh = read_pairs("the green house ||| la maison verte\nthe red house ||| la maison rouge\n");
  // em::align uses shared_id: the unknown words are placed by the HMM prior,
  // known words still align (maison <- house).
  const auto m = em::train(trained);
  const auto out = em::align(m, fresh, {.method = em::decoding::viterbi});
  const auto& links = out.forward.links[0].sure;
  CHECK(std::find(links.begin(), links.end(), lexalign::link{2, 1}) != links.end());
}

TEST_CASE("em verbs: train_and_align is align(train())", "[em][verbs]") {
  const auto c = read_pairs(toy_pairs);
  const em::train_options t{.ibm1 = {.iterations = 3}, .hmm = {.iterations = 2}};
  const em::align_options a{.method = em::decoding::viterbi, .with_posteriors = true};
  const auto both = em::train_and_align(c, t, a);
  const auto separate = em::align(em::train(c, t), c, a);
  CHECK(both.forward.links == separate.forward.links);
  CHECK(both.reverse.posteriors == separate.reverse.posteriors);
  // The mapped path (a corpus with other vocabularies) gives the same links
  // for the same sentences.
  const auto m = em::train(c, t);
  const auto reread = read_pairs(std::string(toy_pairs) + "zzz ||| yyy\n");
  const auto mapped = em::align(m, reread, a);
  for (std::size_t k = 0; k < c.size(); ++k) CHECK(mapped.forward.links[k] == separate.forward.links[k]);
}
