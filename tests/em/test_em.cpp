// IBM1 and HMM EM against hand-computed expectations and brute-force sums
// over all alignments; thread-count independence; the pipeline on a gold set.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "support/catch.hpp"

namespace em = lexalign::em;
using lexalign::word_id;

namespace {

lexalign::parallel_corpus corpus_of(const std::vector<std::pair<std::string, std::string>>& pairs) {
  lexalign::parallel_corpus c;
  for (const auto& [s, t] : pairs) {
    std::vector<std::string> a, b;
    lexalign::io::for_each_token(s, [&](std::string_view w) { a.emplace_back(w); });
    lexalign::io::for_each_token(t, [&](std::string_view w) { b.emplace_back(w); });
    c.add(a, b);
  }
  return c;
}

double t_of(const em::lexical_table& t, const lexalign::parallel_corpus& c, const char* e, const char* f) {
  const std::size_t row = e == nullptr ? em::lexical_table::null_row
                                       : em::lexical_table::row_of(*c.source_vocabulary().find(e));
  return t.probability(row, *c.target_vocabulary().find(f));
}

// Calls visit(a) for every a in {-1, 0..l-1}^m (-1 = NULL).
void for_each_alignment(std::size_t l, std::size_t m, const std::function<void(const std::vector<int>&)>& visit) {
  std::vector<int> a(m, -1);
  for (;;) {
    visit(a);
    std::size_t j = 0;
    while (j < m && a[j] == static_cast<int>(l) - 1) a[j++] = -1;
    if (j == m) return;
    ++a[j];
  }
}

// The HMM's probability of f and one alignment a, straight from the model's
// definition (independent of the forward-backward code).
double hmm_joint(const em::hmm_parameters& p, const em::lexical_table& t, std::span<const word_id> e,
                 std::span<const word_id> f, const std::vector<int>& a) {
  const std::size_t l = e.size();
  const double p0 = p.null_probability;
  auto jump = [&](std::size_t i, std::size_t r) {
    double norm = 0;
    for (std::size_t k = 0; k < l; ++k) norm += p.jump_weight(static_cast<long>(k) - static_cast<long>(r));
    return (1 - p.jump_smoothing) * p.jump_weight(static_cast<long>(i) - static_cast<long>(r)) / norm +
           p.jump_smoothing / static_cast<double>(l);
  };
  auto start = [&](std::size_t i) {
    double norm = 0;
    for (std::size_t k = 0; k < l; ++k) norm += p.start_weight(k);
    return (1 - p.start_smoothing) * p.start_weight(i) / norm + p.start_smoothing / static_cast<double>(l);
  };
  auto emit = [&](int i, word_id w) {
    const std::size_t row = i < 0 ? 0 : em::lexical_table::row_of(e[static_cast<std::size_t>(i)]);
    return std::max(t.probability(row, w), 1e-7);
  };
  double prob = 1;
  std::size_t memory = 0;
  for (std::size_t j = 0; j < f.size(); ++j) {
    if (a[j] < 0) prob *= p0;
    else prob *= (1 - p0) * (j == 0 ? start(static_cast<std::size_t>(a[j])) : jump(static_cast<std::size_t>(a[j]), memory));
    prob *= emit(a[j], f[j]);
    if (a[j] >= 0) memory = static_cast<std::size_t>(a[j]);
  }
  return prob;
}

const std::vector<std::pair<std::string, std::string>> toy = {
    {"the house", "la maison"}, {"the blue house", "la maison bleue"}, {"the flower", "la fleur"},
    {"a blue flower", "une fleur bleue"}, {"the house is blue", "la maison est bleue"}};

}  // namespace

TEST_CASE("lexical table holds exactly the co-occurring pairs plus NULL", "[em]") {
  const auto c = corpus_of({{"a b", "x y"}, {"a", "x"}});
  const auto t = em::lexical_table::from_cooccurrence(em::make_view(c));
  CHECK(t.rows() == 3);
  CHECK(t.size() == 2 + 2 + 2);  // NULL:{x,y}, a:{x,y}, b:{x,y}
  CHECK(t.find(em::lexical_table::row_of(1), 0) != em::lexical_table::npos);
  CHECK(t.probability(0, 1) == Approx(0.5));  // uniform 1/|V_f|
  const auto r = em::lexical_table::from_cooccurrence(em::make_view(c, true));
  CHECK(r.rows() == 3);
  CHECK(r.size() == 2 + 2 + 2);  // NULL:{a,b}, x:{a,b}, y:{a,b}
}

TEST_CASE("IBM1: one EM iteration matches the hand-computed counts", "[em][ibm1]") {
  // (a b | x y) and (a | x): uniform start, so each x/y spreads 1/3 over NULL,a,b
  // in pair 1 and x spreads 1/2 over NULL,a in pair 2.
  // c(a,x) = 1/3+1/2 = 5/6, c(a,y) = 1/3 -> t(x|a) = 5/7; t(x|b) = 1/2; t(x|NULL) = 5/7.
  const auto c = corpus_of({{"a b", "x y"}, {"a", "x"}});
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  const auto r = em::train_ibm1(view, t, {.iterations = 1});
  CHECK(t_of(t, c, "a", "x") == Approx(5.0 / 7).epsilon(1e-9));
  CHECK(t_of(t, c, "a", "y") == Approx(2.0 / 7).epsilon(1e-9));
  CHECK(t_of(t, c, "b", "x") == Approx(0.5).epsilon(1e-9));
  CHECK(t_of(t, c, nullptr, "x") == Approx(5.0 / 7).epsilon(1e-9));
  // log-likelihood under the uniform t = 1/2: each target token has sum_i t/(l+1) = 1/2.
  REQUIRE(r.log_likelihood.size() == 1);
  CHECK(r.log_likelihood[0] == Approx(3 * std::log(0.5)).epsilon(1e-12));
}

TEST_CASE("IBM1: log-likelihood and posteriors equal brute-force sums over alignments", "[em][ibm1]") {
  const auto c = corpus_of(toy);
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  const auto r = em::train_ibm1(view, t, {.iterations = 4});
  // EM never decreases the likelihood.
  for (std::size_t k = 1; k < r.log_likelihood.size(); ++k) CHECK(r.log_likelihood[k] >= r.log_likelihood[k - 1] - 1e-9);
  std::vector<double> q;
  for (std::size_t k = 0; k < c.size(); ++k) {
    const auto e = c.source(k), f = c.target(k);
    const std::size_t l = e.size(), m = f.size();
    double total = 0;
    std::vector<double> marg(m * (l + 1), 0.0);
    for_each_alignment(l, m, [&](const std::vector<int>& a) {
      double p = 1;
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t row = a[j] < 0 ? 0 : em::lexical_table::row_of(e[static_cast<std::size_t>(a[j])]);
        p *= std::max(t.probability(row, f[j]), 1e-7) / static_cast<double>(l + 1);
      }
      total += p;
      for (std::size_t j = 0; j < m; ++j) marg[j * (l + 1) + static_cast<std::size_t>(a[j] + 1)] += p;
    });
    const double ll = em::ibm1_posteriors(t, e, f, 1e-7, q);
    CHECK(ll == Approx(std::log(total)).epsilon(1e-12));
    for (std::size_t x = 0; x < marg.size(); ++x) CHECK(q[x] == Approx(marg[x] / total).margin(1e-12));
  }
}

TEST_CASE("HMM: forward-backward, posteriors and Viterbi equal brute force over all alignments", "[em][hmm]") {
  const auto c = corpus_of(toy);
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 3});
  auto p = em::hmm_parameters::uniform(em::max_given_length(view));
  // Non-uniform jump and start weights so that every term matters.
  for (std::size_t d = 0; d < p.jump.size(); ++d) p.jump[d] = 1.0 + static_cast<double>((d * 7) % 5);
  for (std::size_t i = 0; i < p.start.size(); ++i) p.start[i] = 1.0 + static_cast<double>(i % 3);
  em::hmm_workspace ws;
  std::vector<int> vit;
  for (std::size_t k = 0; k < c.size(); ++k) {
    const auto e = c.source(k), f = c.target(k);
    const std::size_t l = e.size(), m = f.size();
    double total = 0, best = -1;
    std::vector<int> best_a;
    std::vector<double> marg(m * (l + 1), 0.0);
    for_each_alignment(l, m, [&](const std::vector<int>& a) {
      const double pr = hmm_joint(p, t, e, f, a);
      total += pr;
      if (pr > best * (1 + 1e-12)) {
        best = pr;
        best_a = a;
      }
      for (std::size_t j = 0; j < m; ++j) marg[j * (l + 1) + static_cast<std::size_t>(a[j] + 1)] += pr;
    });
    const double ll = em::hmm_forward_backward(p, t, e, f, 1e-7, ws);
    CHECK(ll == Approx(std::log(total)).epsilon(1e-12));
    for (std::size_t x = 0; x < marg.size(); ++x) CHECK(ws.gamma[x] == Approx(marg[x] / total).margin(1e-12));
    const double lv = em::hmm_viterbi(p, t, e, f, 1e-7, ws, vit);
    CHECK(lv == Approx(std::log(best)).epsilon(1e-12));
    CHECK(vit == best_a);
  }
}

TEST_CASE("HMM: expected jump counts equal brute-force expectations", "[em][hmm]") {
  const auto c = corpus_of({{"a b c", "x y z w"}});
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 1});
  for (std::size_t k = 0; k < t.size(); ++k) t.probabilities()[k] *= 1.0 + 0.1 * static_cast<double>(k % 4);
  auto p = em::hmm_parameters::uniform(3);
  p.jump = {1, 2, 3, 2, 1};
  em::hmm_workspace ws;
  const auto e = c.source(0), f = c.target(0);
  em::hmm_forward_backward(p, t, e, f, 1e-7, ws, false, true);
  std::vector<double> expect(5, 0.0);
  double total = 0;
  for_each_alignment(3, 4, [&](const std::vector<int>& a) {
    const double pr = hmm_joint(p, t, e, f, a);
    total += pr;
    int memory = a[0] < 0 ? 0 : a[0];
    for (std::size_t j = 1; j < 4; ++j) {
      if (a[j] >= 0) {
        expect[static_cast<std::size_t>(a[j] - memory + 2)] += pr;
        memory = a[j];
      }
    }
  });
  REQUIRE(ws.jumps.size() == 5);
  for (std::size_t d = 0; d < 5; ++d) CHECK(ws.jumps[d] == Approx(expect[d] / total).margin(1e-12));
}

TEST_CASE("HMM training never decreases the likelihood", "[em][hmm]") {
  const auto c = corpus_of(toy);
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 3});
  auto p = em::hmm_parameters::uniform(em::max_given_length(view));
  std::vector<double> seen;
  const auto r = em::train_hmm(view, t, p, {.iterations = 6}, [&](const lexalign::iteration_event& ev) {
    CHECK(ev.stage == "em.hmm");
    CHECK(ev.max_iterations == 6);
    seen.push_back(ev.objective);
  });
  CHECK(seen == r.log_likelihood);
  // (The smoothing terms are fixed, not estimated, so EM's guarantee is only
  // approximate; on this corpus the likelihood still rises.)
  for (std::size_t k = 1; k < seen.size(); ++k) CHECK(seen[k] >= seen[k - 1] - 1e-6);
}

TEST_CASE("EM results do not depend on the number of threads", "[em][threads]") {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  const auto c = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
  em::train_options o{.ibm1 = {.iterations = 2}, .hmm = {.iterations = 2}, .parallel = {.threads = 1}, .block_size = 8};
  const auto m1 = em::train(c, o);
  const auto a1 = em::align(m1, c, {.method = em::decoding::posterior, .parallel = {.threads = 1}, .block_size = 8});
  REQUIRE(m1.forward.stages.size() == 2);
  for (unsigned threads : {2u, 3u}) {
    INFO(threads << " threads");
    o.parallel.threads = threads;
    const auto m2 = em::train(c, o);
    REQUIRE(m2.forward.stages.size() == 2);
    CHECK(m1.forward.stages[0].result.log_likelihood == m2.forward.stages[0].result.log_likelihood);
    CHECK(m1.reverse.stages[1].result.log_likelihood == m2.reverse.stages[1].result.log_likelihood);
    CHECK(std::equal(m1.forward.table.probabilities().begin(), m1.forward.table.probabilities().end(),
                     m2.forward.table.probabilities().begin()));
    CHECK(m1.reverse.hmm.jump == m2.reverse.hmm.jump);
    const auto a2 =
        em::align(m2, c, {.method = em::decoding::posterior, .parallel = {.threads = threads}, .block_size = 8});
    CHECK(a1.forward.links == a2.forward.links);
    CHECK(a1.reverse.links == a2.reverse.links);
  }
  // The same with a caller-owned pool shared by training and decoding.
  lexalign::thread_pool pool(3);
  o.parallel = {.pool = &pool};
  const auto m3 = em::train(c, o);
  const auto a3 = em::align(m3, c, {.method = em::decoding::posterior, .parallel = {.pool = &pool}, .block_size = 8});
  CHECK(m1.reverse.stages[1].result.log_likelihood == m3.reverse.stages[1].result.log_likelihood);
  CHECK(a1.forward.links == a3.forward.links);
  CHECK(a1.reverse.links == a3.reverse.links);
}

TEST_CASE("Pipeline decodes in source-target order with per-link posteriors", "[em][pipeline]") {
  const auto c = corpus_of(toy);
  const auto m = em::train(c, {.ibm1 = {.iterations = 5}, .hmm = {.iterations = 3}});
  const auto v = em::align(m, c, {.method = em::decoding::viterbi, .with_posteriors = true});
  const auto q = em::align(m, c, {.method = em::decoding::posterior, .posterior_threshold = 0.3, .with_posteriors = true});
  for (const auto* d : {&v.forward, &v.reverse, &q.forward, &q.reverse}) {
    REQUIRE(d->links.size() == c.size());
    for (std::size_t k = 0; k < c.size(); ++k) {
      REQUIRE(d->posteriors[k].size() == d->links[k].sure.size());
      for (const auto& l : d->links[k].sure) {
        CHECK(l.source < c.source(k).size());
        CHECK(l.target < c.target(k).size());
      }
      for (float x : d->posteriors[k]) CHECK((x >= 0.0f && x <= 1.0f + 1e-6f));
    }
  }
  for (std::size_t k = 0; k < c.size(); ++k)
    for (float x : q.forward.posteriors[k]) CHECK(x >= 0.3f);
  // The forward model gives each target token at most one source token.
  for (const auto& a : v.forward.links) {
    std::vector<int> seen(10, 0);
    for (const auto& l : a.sure) CHECK(++seen[l.target] == 1);
  }
  // "the house" / "la maison": the=la, house=maison in both directions.
  const std::vector<lexalign::link> expect{{0, 0}, {1, 1}};
  CHECK(v.forward.links[0].sure == expect);
  CHECK(v.reverse.links[0].sure == expect);
}
