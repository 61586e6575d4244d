// The Bayesian aligner end to end: determinism per seed across thread counts,
// no allocation inside sweeps, priors, model save/load and reuse, and a
// quality check on real data.
#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/bayes/embedding_prior.hpp"
#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/bayes/model_io.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"
#include "support/counting_new.hpp"  // the only includer in test_bayes

using lexalign::test::read_pairs;
using lexalign::test::toy_pairs;

namespace bayes = lexalign::bayes;
namespace bd = lexalign::bayes::detail;

namespace {

lexalign::parallel_corpus gold_corpus(const std::string& name, std::size_t max_pairs = 0) {
  const std::string dir = std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/";
  auto c = lexalign::io::read_parallel_corpus_files(dir + name + ".src", dir + name + ".tgt");
  if (max_pairs == 0 || max_pairs >= c.size()) return c;
  lexalign::parallel_corpus small;
  small.source_vocabulary() = c.source_vocabulary();
  small.target_vocabulary() = c.target_vocabulary();
  for (std::size_t k = 0; k < max_pairs; ++k) small.add_ids(c.source(k), c.target(k));
  return small;
}


}  // namespace

TEST_CASE("default schedule follows the corpus size", "[bayes]") {
  CHECK(bayes::default_schedule(447) == bayes::sweep_schedule{59, 59, 236});
  CHECK(bayes::default_schedule(30856) == bayes::sweep_schedule{7, 7, 28});
  CHECK(bayes::default_schedule(48700) == bayes::sweep_schedule{5, 5, 23});
  CHECK(bayes::default_schedule(1130000) == bayes::sweep_schedule{2, 1, 5});
  CHECK(bayes::default_schedule(447, bayes::stage::hmm) == bayes::sweep_schedule{59, 236, 0});
  CHECK(bayes::default_schedule(447, bayes::stage::ibm1) == bayes::sweep_schedule{236, 0, 0});
}

TEST_CASE("same seed gives the same output for 1 and 2 threads; a too small marginal cache decodes the final states", "[bayes]") {
  const auto c = gold_corpus("roen", 80);
  bayes::gibbs_options o{.ibm1_sweeps = 4, .hmm_sweeps = 4, .fertility_sweeps = 6, .samplers = 3, .seed = 42};
  o.parallel = {.threads = 1};
  const auto r1 = bayes::train_and_align(c, o);
  o.parallel = {.threads = 2};
  const auto r2 = bayes::train_and_align(c, o);
  {
    o.parallel = {.threads = 3};
    const auto r5 = bayes::train_and_align(c, o);
    CHECK(r1.forward.links == r5.forward.links);
    CHECK(r1.reverse.posteriors == r5.reverse.posteriors);
    CHECK(r1.chains.forward == r5.chains.forward);
    lexalign::thread_pool pool(3);
    o.parallel = {.pool = &pool};
    const auto r6 = bayes::train_and_align(c, o);
    CHECK(r1.forward.posteriors == r6.forward.posteriors);
    CHECK(r1.reverse.links == r6.reverse.links);
    o.parallel = {.threads = 2};
  }
  CHECK(r1.forward.links == r2.forward.links);
  CHECK(r1.reverse.links == r2.reverse.links);
  CHECK(r1.forward.posteriors == r2.forward.posteriors);
  CHECK(r1.reverse.posteriors == r2.reverse.posteriors);
  {
    // Sums that do not fit marginal_cache_bytes: the final states, as accumulate_sweeps = 0.
    bayes::gibbs_options q = o;
    q.marginal_cache_bytes = 16;
    const auto r3 = bayes::train_and_align(c, q);
    q.marginal_cache_bytes = std::size_t{1} << 30;
    q.accumulate_sweeps = 0;
    const auto r7 = bayes::train_and_align(c, q);
    CHECK(r3.forward.links == r7.forward.links);
    CHECK(r3.reverse.posteriors == r7.reverse.posteriors);
  }
  o.seed = 43;
  const auto r4 = bayes::train_and_align(c, o);
  CHECK(r4.forward.posteriors != r1.forward.posteriors);
  // Marginals from the final states only (no accumulation), and accumulated over many sweeps.
  for (std::size_t k : {std::size_t{0}, std::size_t{5}}) {
    o.accumulate_sweeps = k;
    o.parallel = {.threads = 1};
    const auto a1 = bayes::train_and_align(c, o);
    o.parallel = {.threads = 2};
    const auto a2 = bayes::train_and_align(c, o);
    CHECK(a1.forward.links == a2.forward.links);
    CHECK(a1.reverse.posteriors == a2.reverse.posteriors);
  }
}

TEST_CASE("outputs are well formed: functional directions and probabilities between 0 and 1", "[bayes]") {
  const auto c = gold_corpus("enfr", 60);
  const auto r = bayes::train_and_align(c, {.ibm1_sweeps = 3, .hmm_sweeps = 3, .fertility_sweeps = 3, .samplers = 2});
  REQUIRE(r.forward.links.size() == c.size());
  for (std::size_t k = 0; k < c.size(); ++k) {
    std::set<std::uint32_t> tgt, src;
    REQUIRE(r.forward.posteriors[k].size() == r.forward.links[k].sure.size());
    for (std::size_t n = 0; n < r.forward.links[k].sure.size(); ++n) {
      const auto& l = r.forward.links[k].sure[n];
      CHECK(l.source < c.source(k).size());
      CHECK(l.target < c.target(k).size());
      CHECK(tgt.insert(l.target).second);  // forward: one source per target token
      CHECK(r.forward.posteriors[k][n] > 0.0f);
      CHECK(r.forward.posteriors[k][n] <= 1.0f);
    }
    for (const auto& l : r.reverse.links[k].sure) CHECK(src.insert(l.source).second);
    CHECK(std::is_sorted(r.forward.links[k].sure.begin(), r.forward.links[k].sure.end()));
    CHECK(std::is_sorted(r.reverse.links[k].sure.begin(), r.reverse.links[k].sure.end()));
  }
}

TEST_CASE("sweeps do not allocate", "[bayes][memory]") {
  if (!LEXALIGN_COUNTING_NEW) {
    WARN("operator new is not counted under AddressSanitizer");
    return;
  }
  const auto c = gold_corpus("zhen", 40);
  // max_jump 100: the fast path; 3: the general one for longer sentences.
  for (std::size_t max_jump : {std::size_t{100}, std::size_t{3}}) {
    bayes::gibbs_options o{.max_jump = max_jump};
    bd::direction_problem p = bd::make_problem(lexalign::em::make_view(c, false), o);
    bd::finish_problem(p, o, lexalign::executor(o.parallel));
    bd::chain_state ch;
    ch.rng.seed(5);
    lexalign::em::hmm_workspace ws;
    bd::initialize_links(p, ch, o, nullptr, ws);
    bd::sentence_scratch scratch;
    scratch.reserve(c.source_sentences().max_length(), c.target_sentences().max_length());
    for (auto st : {bayes::stage::ibm1, bayes::stage::hmm, bayes::stage::fertility}) {
      bd::rebuild_counts(p, ch, st, scratch);
      const std::size_t before = lexalign::test::global_new_calls();
      std::size_t changed = 0;
      for (int it = 0; it < 3; ++it) changed += bd::sweep(p, ch, st, scratch);
      CHECK(lexalign::test::global_new_calls() == before);
      CHECK(changed > 0);
    }
  }
}

TEST_CASE("learns the toy lexicon", "[bayes]") {
  const auto c = read_pairs(toy_pairs);
  const auto r = bayes::train_and_align(c, {.seed = 3});
  // "the house ||| la maison": the-la, house-maison in both directions.
  const std::vector<lexalign::link> expect{{0, 0}, {1, 1}};
  CHECK(r.forward.links[0].sure == expect);
  CHECK(r.reverse.links[0].sure == expect);
}

TEST_CASE("a strong lexical prior forces a link, a strong NULL prior removes one", "[bayes][priors]") {
  const auto c = read_pairs("p q ||| x y\n");
  bayes::model m;
  m.source_vocabulary.add("p");
  m.source_vocabulary.add("q");
  m.target_vocabulary.add("x");
  m.target_vocabulary.add("y");
  m.max_jump = 100;
  m.fertility_bins = 8;
  m.training_sentences = 1000;
  // forward rows: NULL, p, q over {x, y}.  p -> y strongly (against the diagonal).
  m.forward.lexical.offsets = {0, 0, 1, 1};
  m.forward.lexical.columns = {1};
  m.forward.lexical.values = {1000.0f};
  m.reverse.lexical.offsets = {0, 0, 0, 0};
  auto r = bayes::align(m, c, {.seed = 9});
  REQUIRE(r.forward.links[0].sure.size() >= 1);
  bool found = false;
  for (std::size_t n = 0; n < r.forward.links[0].sure.size(); ++n)
    if (r.forward.links[0].sure[n] == lexalign::link{0, 1}) {
      found = true;
      CHECK(r.forward.posteriors[0][n] > 0.5f);  // q keeps 1/V = 1/2 for y: NULL 0.1, q 0.5, p ~1
    }
  CHECK(found);
  // Now x comes from NULL with overwhelming evidence: forward leaves it unlinked.
  m.forward.lexical.offsets = {0, 1, 1, 1};
  m.forward.lexical.columns = {0};
  m.forward.lexical.values = {100000.0f};
  r = bayes::align(m, c, {.seed = 9});
  for (const auto& l : r.forward.links[0].sure) CHECK(l.target != 0u);
}

TEST_CASE("models round-trip exactly and reuse aligns like the in-memory model", "[bayes][model_io]") {
  const auto c = gold_corpus("roen", 60);
  const auto r = bayes::train_and_align(c, {.ibm1_sweeps = 4, .hmm_sweeps = 4, .fertility_sweeps = 8, .seed = 7,
                                  .keep_model = true});
  REQUIRE(r.model);
  const auto& m = *r.model;
  // Averaged lexical counts: every generated token is one count.
  double total = 0.0;
  for (float v : m.forward.lexical.values) total += v;
  CHECK(total == Approx(static_cast<double>(c.target_sentences().token_count())));
  CHECK(m.forward.jump.size() == 2 * m.max_jump + 1);
  CHECK(m.forward.fertility.size() == c.source_vocabulary().size() * m.fertility_bins);

  std::stringstream buf;
  bayes::save(m, buf);
  const std::string text = buf.str();
  const auto loaded = bayes::load(buf, "<model>");
  CHECK(loaded.max_jump == m.max_jump);
  CHECK(loaded.training_sentences == c.size());
  CHECK(loaded.source_vocabulary.size() == m.source_vocabulary.size());
  for (const auto* d : {&m.forward, &m.reverse}) {
    const auto& e = d == &m.forward ? loaded.forward : loaded.reverse;
    CHECK(e.lexical == d->lexical);
    CHECK(e.jump == d->jump);
    CHECK(e.fertility == d->fertility);
  }
  std::stringstream again;
  bayes::save(loaded, again);
  CHECK(again.str() == text);

  // New text with unseen words aligned with the counts as priors.
  const auto fresh = read_pairs("zzunknown qqqword ||| zzzword wwwword\n");
  const auto a1 = bayes::align(m, fresh, {.seed = 1});
  const auto a2 = bayes::align(loaded, fresh, {.seed = 1});
  CHECK(a1.forward.links == a2.forward.links);
  CHECK(a1.forward.posteriors == a2.forward.posteriors);

  // Continued training: merged counts = model counts + one count per new token.
  const auto cont = bayes::align(loaded, fresh, {.seed = 1, .keep_model = true});
  REQUIRE(cont.model);
  double merged = 0.0;
  for (float v : cont.model->forward.lexical.values) merged += v;
  CHECK(merged == Approx(total + static_cast<double>(fresh.target_sentences().token_count())));
  CHECK(cont.model->source_vocabulary.size() == m.source_vocabulary.size() + 2);
  CHECK(cont.model->target_vocabulary.size() == m.target_vocabulary.size() + 2);
}

TEST_CASE("model files with errors name the line", "[bayes][model_io]") {
  const auto c = read_pairs(toy_pairs);
  const auto r = bayes::train_and_align(c, {.ibm1_sweeps = 2, .hmm_sweeps = 2, .fertility_sweeps = 2, .keep_model = true});
  std::stringstream buf;
  bayes::save(*r.model, buf);
  std::string text = buf.str();
  const auto pos = text.find("\njump ");
  REQUIRE(pos != std::string::npos);
  text.replace(pos + 1, 5, "jmup ");
  std::istringstream in(text);
  try {
    (void)bayes::load(in, "<bad>");
    FAIL("no exception");
  } catch (const lexalign::parse_error& e) {
    CHECK(e.source() == "<bad>");
    CHECK(e.line() > 10);
    CHECK(std::string(e.reason()).find("expected 'jump'") != std::string::npos);
  }
}

TEST_CASE("bad options are rejected", "[bayes]") {
  const auto c = read_pairs(toy_pairs);
  CHECK_THROWS_AS(bayes::train_and_align(c, {.samplers = 0}), lexalign::invalid_argument);
  CHECK_THROWS_AS(bayes::train_and_align(c, {.lexical_alpha = 0.0}), lexalign::invalid_argument);
  CHECK_THROWS_AS(bayes::train_and_align(c, {.null_prior = -1.0}), lexalign::invalid_argument);
  CHECK_THROWS_AS(bayes::train_and_align(c, {.fertility_bins = 1}), lexalign::invalid_argument);
}

TEST_CASE("EM initialisation runs and is deterministic", "[bayes][em]") {
  const auto c = gold_corpus("roen", 50);
  bayes::gibbs_options o{.ibm1_sweeps = 2, .hmm_sweeps = 2, .fertility_sweeps = 4, .samplers = 2,
                         .init = bayes::initialization::em};
  const auto r1 = bayes::train_and_align(c, o);
  o.parallel = {.threads = 2};
  const auto r2 = bayes::train_and_align(c, o);
  CHECK(r1.forward.links == r2.forward.links);
  CHECK(r1.reverse.posteriors == r2.reverse.posteriors);
}

TEST_CASE("roen quality with a short schedule and a saved model aligning new text as well", "[bayes][quality]") {
  const auto c = gold_corpus("roen");
  const auto r = bayes::train_and_align(c, {.schedule_scale = 0.25, .samplers = 2, .seed = 1, .keep_model = true, .parallel = {.threads = 2}});
  const double f = lexalign::test::gold_aer(r.forward.links, "roen"), b = lexalign::test::gold_aer(r.reverse.links, "roen");
  INFO("forward AER " << f << ", reverse AER " << b);
  CHECK(f < 44.0);
  CHECK(b < 44.0);
  // The first 40 pairs on their own, aligned with the model's counts as priors.
  const std::size_t n = 40;
  const auto head = gold_corpus("roen", n);
  const auto again = bayes::align(*r.model, head, {.seed = 2});
  const lexalign::alignment_corpus trained(r.forward.links.begin(), r.forward.links.begin() + n);
  const double before = lexalign::test::gold_aer(trained, "roen"), after = lexalign::test::gold_aer(again.forward.links, "roen");
  INFO("first " << n << " pairs: AER in training " << before << ", with the saved model " << after);
  CHECK(after < before + 2.0);
}

TEST_CASE("an EM lexical prior (embeddings) becomes pseudo-counts that steer the sampler", "[bayes][priors]") {
  // p and q always occur together, as do x and y: the data cannot tell p-x from p-y.
  const auto c = read_pairs("p q ||| x y\np q ||| x y\nq p ||| y x\n");
  const auto view = lexalign::em::make_view(c, false);
  const auto t = lexalign::em::lexical_table::from_cooccurrence(view);
  lexalign::em::lexical_prior prior;
  prior.q.assign(t.size(), 0.0f);
  prior.weight.assign(t.rows(), 0.0);
  const std::size_t row_p = lexalign::em::lexical_table::row_of(*c.source_vocabulary().find("p"));
  const auto y = *c.target_vocabulary().find("y");
  prior.q[t.find(row_p, y)] = 1.0f;
  prior.weight[row_p] = 50.0 / 3.0;  // frequency weight M / c(p), M = 50, c(p) = 3
  const auto pseudo = bayes::pseudo_counts(prior, t, view);
  REQUIRE(pseudo.size() == t.size());
  for (std::size_t k = 0; k < pseudo.size(); ++k)
    CHECK(pseudo[k] == (k == t.find(row_p, y) ? Approx(50.0) : Approx(0.0)));
  const auto r = bayes::train_and_align(c, {.seed = 4, .forward_lexical_prior = &pseudo});
  // Sentence 0: p (0) - y (1); sentence 2 "q p ||| y x": p (1) - y (0).
  CHECK(std::find(r.forward.links[0].sure.begin(), r.forward.links[0].sure.end(), lexalign::link{0, 1}) !=
        r.forward.links[0].sure.end());
  CHECK(std::find(r.forward.links[2].sure.begin(), r.forward.links[2].sure.end(), lexalign::link{1, 0}) !=
        r.forward.links[2].sure.end());
  const std::vector<float> wrong(3, 1.0f);
  CHECK_THROWS_AS(bayes::train_and_align(c, {.forward_lexical_prior = &wrong}), lexalign::invalid_argument);
}

TEST_CASE("no sentence-length cap: a 1500-token pair aligns", "[bayes]") {
  std::string src, tgt;
  for (int k = 0; k < 1500; ++k) {
    src += (k ? " s" : "s") + std::to_string(k % 300);
    tgt += (k ? " t" : "t") + std::to_string(k % 300);
  }
  const auto c = read_pairs(src + " ||| " + tgt + "\nshort one ||| court un\n");
  const auto r = bayes::train_and_align(c, {.ibm1_sweeps = 1, .hmm_sweeps = 1, .fertility_sweeps = 2, .samplers = 1});
  CHECK(r.forward.links[0].sure.size() > 1000);  // jumps of +1 dominate after the HMM stage
  for (const auto& l : r.forward.links[0].sure) {
    CHECK(l.source < 1500u);
    CHECK(l.target < 1500u);
  }
}

TEST_CASE("empty sentences align to nothing and leave the rest intact", "[bayes]") {
  std::istringstream in("the house ||| la maison\n ||| la\nthe ||| \nthe flower ||| la fleur\n");
  const auto c = lexalign::io::read_parallel_corpus(in, "<pairs>", {.allow_empty_sentences = true});
  REQUIRE(c.size() == 4);
  const auto r = bayes::train_and_align(c, {.seed = 2, .keep_model = true});
  CHECK(r.forward.links[1].sure.empty());
  CHECK(r.forward.links[2].sure.empty());
  CHECK(r.reverse.links[1].sure.empty());
  CHECK(r.reverse.links[2].sure.empty());
  // flower-fleur (only the pair's words that never meet an empty side) is found.
  CHECK(std::find(r.forward.links[3].sure.begin(), r.forward.links[3].sure.end(), lexalign::link{1, 1}) !=
        r.forward.links[3].sure.end());
  double total = 0.0;
  for (float v : r.model->forward.lexical.values) total += v;
  CHECK(total == Approx(static_cast<double>(c.target_sentences().token_count())));
}
