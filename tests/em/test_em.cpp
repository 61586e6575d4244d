// IBM1 and HMM EM against hand-computed expectations and brute-force sums
// over all alignments; thread-count independence; the pipeline on a gold set.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/lookup_cache.hpp"
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
// definition (independent of the forward-backward code).  With an end
// distribution (p.end not empty) the last real position r (0 before any)
// weighs (1-s) u(l-1-r)/sum_k u(l-1-k) + s/l.
double hmm_joint(const em::hmm_parameters& p, const em::lexical_table& t, std::span<const word_id> e,
                 std::span<const word_id> f, const std::vector<int>& a) {
  const std::size_t l = e.size();
  const double p0 = p.null_probability;
  // The banded model (p.banded(l)): only jumps |i - r| <= W have a learned part.
  const auto W = static_cast<long>(p.banded(l) ? p.band_width : l);
  auto in_band = [&](std::size_t i, std::size_t r) { return std::abs(static_cast<long>(i) - static_cast<long>(r)) <= W; };
  auto jump = [&](std::size_t i, std::size_t r) {
    double norm = 0;
    for (std::size_t k = 0; k < l; ++k)
      if (in_band(k, r)) norm += p.jump_weight(static_cast<long>(k) - static_cast<long>(r));
    const double learned = in_band(i, r) ? p.jump_weight(static_cast<long>(i) - static_cast<long>(r)) / norm : 0.0;
    return (1 - p.jump_smoothing) * learned + p.jump_smoothing / static_cast<double>(l);
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
  if (!p.end.empty()) {
    double norm = 0;
    for (std::size_t k = 0; k < l; ++k) norm += p.end[l - 1 - k];
    prob *= (1 - p.end_smoothing) * p.end[l - 1 - memory] / norm + p.end_smoothing / static_cast<double>(l);
  }
  return prob;
}

// Both settings of the end distribution (on by default), each test explicit.
constexpr bool end_settings[] = {false, true};

// Non-uniform end weights (when p has an end distribution).
void vary_end(em::hmm_parameters& p) {
  for (std::size_t i = 0; i < p.end.size(); ++i) p.end[i] = 1.0 + static_cast<double>((i * 5) % 4);
}

// Forward-backward (likelihood, posteriors, expected jumps) and Viterbi on
// every pair of `c` equal brute force over all alignments (hmm_joint).
void check_brute_force(const lexalign::parallel_corpus& c, const em::hmm_parameters& p, const em::lexical_table& t) {
  em::hmm_workspace ws;
  std::vector<int> vit;
  for (std::size_t k = 0; k < c.size(); ++k) {
    const auto e = c.source(k), f = c.target(k);
    const std::size_t l = e.size(), m = f.size();
    const int band = static_cast<int>(p.banded(l) ? p.band_width : l);  // jumps counted for w
    double total = 0, best = -1;
    std::vector<int> best_a;
    std::vector<double> marg(m * (l + 1), 0.0), jumps(2 * l - 1, 0.0);
    for_each_alignment(l, m, [&](const std::vector<int>& a) {
      const double pr = hmm_joint(p, t, e, f, a);
      total += pr;
      if (pr > best * (1 + 1e-12)) {
        best = pr;
        best_a = a;
      }
      for (std::size_t j = 0; j < m; ++j) marg[j * (l + 1) + static_cast<std::size_t>(a[j] + 1)] += pr;
      int memory = a[0] < 0 ? 0 : a[0];
      for (std::size_t j = 1; j < m; ++j) {
        if (a[j] < 0) continue;
        if (std::abs(a[j] - memory) <= band) jumps[static_cast<std::size_t>(a[j] - memory + static_cast<int>(l) - 1)] += pr;
        memory = a[j];
      }
    });
    const double ll = em::hmm_forward_backward(p, t, e, f, 1e-7, ws, false, true);
    CHECK(ll == Approx(std::log(total)).epsilon(1e-12));
    for (std::size_t x = 0; x < marg.size(); ++x) CHECK(ws.gamma[x] == Approx(marg[x] / total).margin(1e-12));
    REQUIRE(ws.jumps.size() == jumps.size());
    for (std::size_t d = 0; d < jumps.size(); ++d) CHECK(ws.jumps[d] == Approx(jumps[d] / total).margin(1e-12));
    const double lv = em::hmm_viterbi(p, t, e, f, 1e-7, ws, vit);
    CHECK(lv == Approx(std::log(best)).epsilon(1e-12));
    CHECK(vit == best_a);
  }
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
  for (bool end : end_settings) {
    INFO("end distribution " << end);
    auto p = em::hmm_parameters::uniform(em::max_given_length(view), {.end_distribution = end});
    REQUIRE(p.end.empty() != end);
    // Non-uniform jump, start and end weights so that every term matters.
    for (std::size_t d = 0; d < p.jump.size(); ++d) p.jump[d] = 1.0 + static_cast<double>((d * 7) % 5);
    for (std::size_t i = 0; i < p.start.size(); ++i) p.start[i] = 1.0 + static_cast<double>(i % 3);
    vary_end(p);
    check_brute_force(c, p, t);
  }
}

TEST_CASE("HMM: expected jump counts equal brute-force expectations", "[em][hmm]") {
  const auto c = corpus_of({{"a b c", "x y z w"}});
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 1});
  for (std::size_t k = 0; k < t.size(); ++k) t.probabilities()[k] *= 1.0 + 0.1 * static_cast<double>(k % 4);
  for (bool end : end_settings) {
  INFO("end distribution " << end);
  auto p = em::hmm_parameters::uniform(3, {.end_distribution = end});
  p.jump = {1, 2, 3, 2, 1};
  vary_end(p);
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
}

// Brute force over all alignments of the toy pairs with the banded HMM: a
// narrow band (width 1, every pair banded) changes the model, and
// forward-backward, Viterbi and the jump counts follow it exactly.
TEST_CASE("HMM banded: forward-backward, posteriors, Viterbi and jump counts equal brute force", "[em][hmm][band]") {
  const auto c = corpus_of({{"a b c d", "x y z w v"}, {"a c b", "y x z w"}, {"d a", "w x y"}});
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 1});
  for (std::size_t k = 0; k < t.size(); ++k) t.probabilities()[k] *= 1.0 + 0.1 * static_cast<double>(k % 4);
  for (bool end : end_settings) {
    INFO("end distribution " << end);
    auto p = em::hmm_parameters::uniform(4, {.band = {.above_length = 0, .width = 1}, .end_distribution = end});
    p.jump = {1, 2, 5, 3, 4, 2, 1};  // Delta = -3..3
    p.start = {1, 3, 2, 1};
    vary_end(p);
    REQUIRE(p.banded(4));
    check_brute_force(c, p, t);
  }
}

// Random pairs over the toy vocabularies, l and m up to 12: the banded code
// with a band that covers every jump gives the exact HMM's numbers.
TEST_CASE("HMM banded equals the exact HMM when the band covers every jump", "[em][hmm][band]") {
  const auto c = corpus_of(toy);
  const auto view = em::make_view(c);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 3});
  std::uint64_t x = 7;
  auto next = [&](std::size_t n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((x >> 33) % n);
  };
  constexpr std::size_t max_len = 12;
  for (bool end : end_settings) {
  INFO("end distribution " << end);
  auto exact = em::hmm_parameters::uniform(max_len, {.end_distribution = end});
  for (auto& w : exact.jump) w = 0.5 + static_cast<double>(next(100)) / 10.0;
  for (auto& v : exact.start) v = 0.5 + static_cast<double>(next(100)) / 10.0;
  for (auto& v : exact.end) v = 0.5 + static_cast<double>(next(100)) / 10.0;
  auto banded = exact;
  banded.band_above = 0;
  em::hmm_workspace ws_exact, ws_banded;
  std::vector<int> a_exact, a_banded;
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t l = 1 + next(max_len), m = 1 + next(max_len);
    std::vector<word_id> e(l), f(m);
    for (auto& w : e) w = static_cast<word_id>(next(c.source_vocabulary().size()));
    for (auto& w : f) w = static_cast<word_id>(next(c.target_vocabulary().size()));
    banded.band_width = l - 1 + next(3);  // at least every jump of the sentence
    INFO("trial " << trial << ", l " << l << ", m " << m);
    REQUIRE(banded.banded(l));
    REQUIRE_FALSE(exact.banded(l));
    const double ll_exact = em::hmm_forward_backward(exact, t, e, f, 1e-7, ws_exact, false, true);
    const double ll_banded = em::hmm_forward_backward(banded, t, e, f, 1e-7, ws_banded, false, true);
    CHECK(ll_banded == Approx(ll_exact).epsilon(1e-12));
    REQUIRE(ws_banded.gamma.size() == ws_exact.gamma.size());
    for (std::size_t k = 0; k < ws_exact.gamma.size(); ++k)
      CHECK(ws_banded.gamma[k] == Approx(ws_exact.gamma[k]).margin(1e-12));
    REQUIRE(ws_banded.jumps.size() == ws_exact.jumps.size());
    for (std::size_t k = 0; k < ws_exact.jumps.size(); ++k)
      CHECK(ws_banded.jumps[k] == Approx(ws_exact.jumps[k]).margin(1e-12));
    const double lv_exact = em::hmm_viterbi(exact, t, e, f, 1e-7, ws_exact, a_exact);
    const double lv_banded = em::hmm_viterbi(banded, t, e, f, 1e-7, ws_banded, a_banded);
    CHECK(lv_banded == Approx(lv_exact).epsilon(1e-12));
    CHECK(a_banded == a_exact);
  }
  }
}

// A long pair with a narrow band: every generated word's posteriors (NULL
// included) are a distribution, the likelihood is finite, and Viterbi links
// stay inside the sentence.
TEST_CASE("HMM banded posteriors on a long pair are distributions", "[em][hmm][band]") {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  const auto roen = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
  std::vector<word_id> e, f;
  for (std::size_t k = 0; k < 8; ++k) {  // eight sentences glued: about 200 tokens a side
    for (auto w : roen.source(k)) e.push_back(w);
    for (auto w : roen.target(k)) f.push_back(w);
  }
  const auto view = em::make_view(roen);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 2});
  const auto p = em::hmm_parameters::uniform(e.size(), {.band = {.above_length = 50, .width = 3}});
  REQUIRE(p.banded(e.size()));
  em::hmm_workspace ws;
  const double ll = em::hmm_forward_backward(p, t, e, f, 1e-7, ws, false, true);
  CHECK(std::isfinite(ll));
  const std::size_t l1 = e.size() + 1;
  for (std::size_t j = 0; j < f.size(); ++j) {
    double sum = 0;
    for (std::size_t i = 0; i < l1; ++i) {
      CHECK(ws.gamma[j * l1 + i] >= 0.0);
      sum += ws.gamma[j * l1 + i];
    }
    CHECK(sum == Approx(1.0).epsilon(1e-9));
  }
  // Expected jumps: one per generated word after the first that is not NULL-
  // generated at most, and none beyond the band.
  double jumps = 0;
  for (std::size_t d = 0; d < ws.jumps.size(); ++d) {
    const long delta = static_cast<long>(d) - static_cast<long>(e.size() - 1);
    if (std::abs(delta) > 3) CHECK(ws.jumps[d] == 0.0);
    jumps += ws.jumps[d];
  }
  CHECK(jumps > 0.0);
  CHECK(jumps <= static_cast<double>(f.size() - 1) + 1e-9);
  std::vector<int> a;
  CHECK(std::isfinite(em::hmm_viterbi(p, t, e, f, 1e-7, ws, a)));
  REQUIRE(a.size() == f.size());
  for (int i : a) CHECK((i >= -1 && i < static_cast<int>(e.size())));
}

// The pipeline carries hmm_options::band into the model, so that decoding
// uses the band it was trained with.
TEST_CASE("HMM band: train keeps the band in the model's parameters", "[em][hmm][band]") {
  const auto c = corpus_of(toy);
  const auto m = em::train(c, {.hmm = {.iterations = 2, .band = {.above_length = 2, .width = 1}}});
  CHECK(m.forward.hmm.band_above == 2);
  CHECK(m.forward.hmm.band_width == 1);
  const auto d = em::train(c);
  CHECK(d.forward.hmm.band_above == em::hmm_band_options{}.above_length);
  // Banded training changes the model on pairs longer than 2 tokens, but it
  // still trains to finite likelihoods that never decrease.
  const auto& ll = m.forward.stages.back().result.log_likelihood;
  REQUIRE(ll.size() == 2);
  CHECK(std::isfinite(ll[1]));
  CHECK(ll[1] >= ll[0] - 1e-9);
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

TEST_CASE("cell indices and the lookup cache equal a binary search per cell", "[em][cache]") {
  // A table from a random corpus; queries with repeated words, words the
  // table's rows lack, given ids beyond its rows, and sentences past the
  // 256-token limit of the merge path.
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> word(0, 60), len(0, 12);
  lexalign::parallel_corpus c;
  for (int k = 0; k < 200; ++k) {
    std::vector<std::string> a, b;
    const int n = len(rng), m = len(rng);
    for (int i = 0; i < n; ++i) a.push_back(std::string("e").append(std::to_string(word(rng) % 40)));
    for (int j = 0; j < m; ++j) b.push_back(std::string("f").append(std::to_string(word(rng))));
    c.add(a, b);
  }
  const auto view = em::make_view(c);
  const auto t = em::lexical_table::from_cooccurrence(view);
  auto brute = [&](std::span<const word_id> e, std::span<const word_id> f, std::size_t j, std::size_t i) {
    const std::size_t row = i == 0 ? em::lexical_table::null_row : em::lexical_table::row_of(e[i - 1]);
    return row < t.rows() ? t.find(row, f[j]) : em::lexical_table::npos;
  };
  std::uniform_int_distribution<int> given(0, 45), generated(0, 70);
  for (int n : {0, 1, 2, 7, 30, 255, 256, 257, 300}) {
    for (int m : {0, 1, 3, 20, 256, 270}) {
      std::vector<word_id> e(static_cast<std::size_t>(n)), f(static_cast<std::size_t>(m));
      for (auto& x : e) x = static_cast<word_id>(given(rng));  // ids >= 40 are beyond the table's rows
      for (auto& x : f) x = static_cast<word_id>(generated(rng));
      const std::size_t l1 = e.size() + 1;
      std::vector<std::size_t> got(f.size() * l1);
      std::vector<double> as_double(f.size() * l1);
      em::detail::cell_indices(t, std::span<const word_id>(e), std::span<const word_id>(f), got.data(),
                               em::lexical_table::npos);
      em::detail::cell_indices(t, std::span<const word_id>(e), std::span<const word_id>(f), as_double.data(), -1.0);
      std::size_t found = 0;
      for (std::size_t j = 0; j < f.size(); ++j)
        for (std::size_t i = 0; i < l1; ++i) {
          const std::size_t want = brute(e, f, j, i);
          CAPTURE(n, m, j, i);
          REQUIRE(got[j * l1 + i] == want);
          REQUIRE(as_double[j * l1 + i] == (want == em::lexical_table::npos ? -1.0 : static_cast<double>(want)));
          found += want != em::lexical_table::npos;
        }
      if (n > 2 && m > 2) CHECK(found > 0);
    }
  }
  // The whole-corpus cache, on any thread count.
  for (unsigned threads : {1u, 2u}) {
    const lexalign::executor ex(lexalign::parallel_options{.threads = threads});
    const auto cache = em::lookup_cache::build(view, t, ex);
    for (std::size_t k = 0; k < view.size(); ++k) {
      const auto e = (*view.given)[k], f = (*view.generated)[k];
      const std::size_t l1 = e.size() + 1;
      for (std::size_t j = 0; j < f.size(); ++j)
        for (std::size_t i = 0; i < l1; ++i) {
          const std::size_t want = brute(e, f, j, i);
          REQUIRE(cache.index[cache.offsets[k] + j * l1 + i] ==
                  (want == em::lexical_table::npos ? em::lookup_cache::missing : static_cast<std::uint32_t>(want)));
        }
    }
  }
}
