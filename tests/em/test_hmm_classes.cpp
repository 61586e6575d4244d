// HMM with class-conditioned jumps and an end distribution (em/hmm.hpp):
// likelihood, posteriors, expected counts and Viterbi against enumeration of
// every alignment of tiny pairs; the M-step against its formula; the pipeline.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <fstream>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "lexalign/em/hmm.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"
#include "support/thrown.hpp"

namespace em = lexalign::em;
using lexalign::word_id;

namespace {

void each_alignment(std::size_t l, std::size_t m, const std::function<void(const std::vector<int>&)>& visit) {
  std::vector<int> a(m, -1);
  for (;;) {
    visit(a);
    std::size_t j = 0;
    while (j < m && a[j] == static_cast<int>(l) - 1) a[j++] = -1;
    if (j == m) return;
    ++a[j];
  }
}

// P(f, a | e) literally: jump p(i|r) = (1-a) w_c(i-r)/sum_k w_c(k-r) + a/l with
// c the class of e_r (r the last real position, 0 before any), start as in
// hmm.hpp, NULL p0, and the end factor E(r_last) = (1-s) u(l-1-r)/sum + s/l.
double joint(const em::hmm_parameters& p, const std::vector<std::uint32_t>& cls, const em::lexical_table& t,
             std::span<const word_id> e, std::span<const word_id> f, const std::vector<int>& a) {
  const std::size_t l = e.size();
  const auto L = static_cast<double>(l);
  const std::size_t J = p.jump.size();
  const auto mj = static_cast<long>(p.max_jump);
  auto w = [&](std::size_t r, long delta) {
    if (delta < -mj || delta > mj) return 0.0;
    const auto d = static_cast<std::size_t>(delta + mj);
    return p.jump_classes == 0 ? p.jump[d] : p.class_jump[cls[e[r]] * J + d];
  };
  auto jump = [&](std::size_t i, std::size_t r) {
    double norm = 0;
    for (std::size_t k = 0; k < l; ++k) norm += w(r, static_cast<long>(k) - static_cast<long>(r));
    return (1 - p.jump_smoothing) * w(r, static_cast<long>(i) - static_cast<long>(r)) / norm + p.jump_smoothing / L;
  };
  auto start = [&](std::size_t i) {
    double norm = 0;
    for (std::size_t k = 0; k < l; ++k) norm += p.start[k];
    return (1 - p.start_smoothing) * p.start[i] / norm + p.start_smoothing / L;
  };
  auto end = [&](std::size_t i) {
    if (p.end.empty()) return 1.0;
    double norm = 0;
    for (std::size_t k = 0; k < l; ++k) norm += p.end[l - 1 - k];
    return (1 - p.end_smoothing) * p.end[l - 1 - i] / norm + p.end_smoothing / L;
  };
  auto emit = [&](int i, word_id x) {
    const std::size_t row = i < 0 ? 0 : em::lexical_table::row_of(e[static_cast<std::size_t>(i)]);
    return std::max(t.probability(row, x), 1e-7);
  };
  double prob = 1;
  std::size_t memory = 0;
  const double p0 = p.null_probability;
  for (std::size_t j = 0; j < f.size(); ++j) {
    if (a[j] < 0) prob *= p0;
    else prob *= (1 - p0) * (j == 0 ? start(static_cast<std::size_t>(a[j])) : jump(static_cast<std::size_t>(a[j]), memory));
    prob *= emit(a[j], f[j]);
    if (a[j] >= 0) memory = static_cast<std::size_t>(a[j]);
  }
  return prob * end(memory);
}

const char* const pairs =
    "a b a c ||| x y x z\nb c ||| y z\na a b ||| x w y\nc b a ||| z y\nb ||| y w x\n";

struct fixture {
  lexalign::parallel_corpus corpus = lexalign::test::read_pairs(pairs);
  em::word_classes classes{{0, 1, 1}, 2};  // a | b c
  em::lexical_table t;
  em::hmm_parameters p;

  explicit fixture(bool class_jumps, bool end) {
    const auto view = em::make_view(corpus);
    t = em::lexical_table::from_cooccurrence(view);
    std::mt19937_64 rng(3);
    auto next = [&] { return 0.1 + static_cast<double>(rng() % 1000) / 250.0; };
    for (auto& x : t.probabilities()) x = next() / 5.0;
    p = em::hmm_parameters::uniform(em::max_given_length(view), {.jump_smoothing = 0.3,
                                                                 .start_smoothing = 0.1,
                                                                 .class_jumps = class_jumps,
                                                                 .classes = &classes,
                                                                 .end_distribution = end,
                                                                 .end_smoothing = 0.15});
    for (auto& x : p.jump) x = next();
    for (auto& x : p.class_jump) x = next();
    for (auto& x : p.start) x = next();
    for (auto& x : p.end) x = next();
  }
};

void check_against_enumeration(bool class_jumps, bool end) {
  fixture fx(class_jumps, end);
  const auto& p = fx.p;
  REQUIRE(p.jump_classes == (class_jumps ? 2u : 0u));
  REQUIRE(p.end.empty() == !end);
  const auto view = em::make_view(fx.corpus);
  const std::size_t J = p.jump.size(), tables = class_jumps ? 2 : 1;
  const auto mj = static_cast<long>(p.max_jump);
  std::vector<double> corpus_jumps(tables * J, 0.0), corpus_ends(p.start.size(), 0.0);
  double corpus_ll = 0.0;
  em::hmm_workspace ws;
  std::vector<int> vit;
  for (std::size_t k = 0; k < fx.corpus.size(); ++k) {
    const auto e = fx.corpus.source(k), f = fx.corpus.target(k);
    const std::size_t l = e.size(), m = f.size();
    double total = 0, best = -1;
    std::vector<int> best_a;
    std::vector<double> marg(m * (l + 1), 0.0), jumps(tables * (2 * l - 1), 0.0), ends(l, 0.0);
    each_alignment(l, m, [&](const std::vector<int>& a) {
      const double pr = joint(p, fx.classes.class_of, fx.t, e, f, a);
      total += pr;
      if (pr > best * (1 + 1e-12)) {
        best = pr;
        best_a = a;
      }
      for (std::size_t j = 0; j < m; ++j) marg[j * (l + 1) + static_cast<std::size_t>(a[j] + 1)] += pr;
      int memory = a[0] < 0 ? 0 : a[0];
      for (std::size_t j = 1; j < m; ++j) {
        if (a[j] < 0) continue;
        const std::size_t c = class_jumps ? fx.classes.class_of[e[static_cast<std::size_t>(memory)]] : 0;
        jumps[c * (2 * l - 1) + static_cast<std::size_t>(a[j] - memory + static_cast<int>(l) - 1)] += pr;
        memory = a[j];
      }
      ends[static_cast<std::size_t>(memory)] += pr;
    });
    const double ll = em::hmm_forward_backward(p, fx.t, e, f, 1e-7, ws, false, true);
    CHECK(ll == Approx(std::log(total)).epsilon(1e-12));
    corpus_ll += std::log(total);
    for (std::size_t x = 0; x < marg.size(); ++x) CHECK(ws.gamma[x] == Approx(marg[x] / total).margin(1e-12));
    REQUIRE(ws.jumps.size() == jumps.size());
    for (std::size_t d = 0; d < jumps.size(); ++d) CHECK(ws.jumps[d] == Approx(jumps[d] / total).margin(1e-12));
    for (std::size_t c = 0; c < tables; ++c)
      for (std::size_t d = 0; d + 1 < 2 * l; ++d)
        corpus_jumps[c * J + static_cast<std::size_t>(static_cast<long>(d) - static_cast<long>(l - 1) + mj)] +=
            jumps[c * (2 * l - 1) + d] / total;
    for (std::size_t i = 0; i < l; ++i) corpus_ends[l - 1 - i] += ends[i] / total;
    const double lv = em::hmm_viterbi(p, fx.t, e, f, 1e-7, ws, vit);
    CHECK(lv == Approx(std::log(best)).epsilon(1e-12));
    CHECK(vit == best_a);
  }
  // The E-step's corpus counts.
  em::fixed_point_counts lex, jumps, starts, ends;
  const lexalign::executor ex(lexalign::parallel_options{});
  const double ll = em::hmm_expectation(view, fx.t, p, lex, jumps, starts, 1e-7, ex, 2, nullptr, nullptr, &ends);
  CHECK(ll == Approx(corpus_ll).epsilon(1e-12));
  REQUIRE(jumps.size() == corpus_jumps.size());
  for (std::size_t x = 0; x < jumps.size(); ++x) CHECK(jumps.value(x) == Approx(corpus_jumps[x]).margin(1e-8));
  if (end) {
    REQUIRE(ends.size() == corpus_ends.size());
    for (std::size_t x = 0; x < ends.size(); ++x) CHECK(ends.value(x) == Approx(corpus_ends[x]).margin(1e-8));
  }
}

}  // namespace

TEST_CASE("HMM class jumps and end distribution equal enumeration of all alignments", "[em][hmm][classes]") {
  SECTION("class jumps") { check_against_enumeration(true, false); }
  SECTION("end distribution") { check_against_enumeration(false, true); }
  SECTION("both") { check_against_enumeration(true, true); }
  SECTION("neither (today's model)") { check_against_enumeration(false, false); }
}

TEST_CASE("HMM class-jump M-step: class tables pulled towards the shared one by tau", "[em][hmm][classes]") {
  fixture fx(true, true);
  const auto view = em::make_view(fx.corpus);
  const double tau = 2.5;
  const em::hmm_options o{.iterations = 1, .class_jumps = true, .classes = &fx.classes, .class_jump_prior = tau,
                          .end_distribution = true};
  auto p = em::hmm_parameters::uniform(em::max_given_length(view), o);
  auto t = fx.t;
  // Counts of the first E-step, from the uniform start.
  em::fixed_point_counts lex, jumps, starts, ends;
  const lexalign::executor ex(lexalign::parallel_options{});
  em::hmm_expectation(view, t, p, lex, jumps, starts, 1e-7, ex, 64, nullptr, nullptr, &ends);
  em::train_hmm(view, t, p, o);
  const std::size_t J = p.jump.size();
  std::vector<double> shared(J, 0.0), nc(2, 0.0);
  double total = 0;
  for (std::size_t c = 0; c < 2; ++c)
    for (std::size_t d = 0; d < J; ++d) {
      shared[d] += jumps.value(c * J + d);
      nc[c] += jumps.value(c * J + d);
      total += jumps.value(c * J + d);
    }
  for (std::size_t d = 0; d < J; ++d) {
    CHECK(p.jump[d] == Approx(shared[d] / total).margin(1e-9));
    for (std::size_t c = 0; c < 2; ++c)
      CHECK(p.class_jump[c * J + d] ==
            Approx((jumps.value(c * J + d) + tau * shared[d] / total) / (nc[c] + tau)).margin(1e-9));
  }
  double end_total = 0;
  for (std::size_t x = 0; x < ends.size(); ++x) end_total += ends.value(x);
  for (std::size_t x = 0; x < ends.size(); ++x) CHECK(p.end[x] == Approx(ends.value(x) / end_total).margin(1e-9));
}

TEST_CASE("HMM class jumps: one class and no prior is the plain HMM", "[em][hmm][classes]") {
  const auto corpus = lexalign::test::read_pairs(lexalign::test::toy_pairs);
  const auto plain = em::train(corpus, {.hmm = {.iterations = 3}});
  em::train_options o{.hmm = {.iterations = 3, .class_jumps = true, .class_jump_prior = 0.0},
                      .word_classes = {.classes = 1}};
  const auto classed = em::train(corpus, o);
  REQUIRE(classed.forward.hmm.jump_classes == 1);
  for (std::size_t d = 0; d < plain.forward.hmm.jump.size(); ++d) {
    CHECK(classed.forward.hmm.jump[d] == Approx(plain.forward.hmm.jump[d]).margin(1e-9));
    CHECK(classed.forward.hmm.class_jump[d] == Approx(plain.forward.hmm.jump[d]).margin(1e-9));
  }
  const auto pa = em::align(plain, corpus, {.method = em::decoding::viterbi});
  const auto ca = em::align(classed, corpus, {.method = em::decoding::viterbi});
  CHECK(pa.forward.links == ca.forward.links);
  CHECK(pa.reverse.links == ca.reverse.links);
}

TEST_CASE("HMM class jumps in em::train: trained classes, same result for any thread count", "[em][hmm][classes]") {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  std::ifstream src_in(dir + "roen.src"), tgt_in(dir + "roen.tgt");
  std::string pairs, x, y;
  for (int k = 0; k < 50 && std::getline(src_in, x) && std::getline(tgt_in, y); ++k) pairs += x + " ||| " + y + "\n";
  const auto corpus = lexalign::test::read_pairs(pairs);  // 50 pairs keep the sanitizer run short
  em::train_options o{.ibm1 = {.iterations = 2},
                      .hmm = {.iterations = 2, .class_jumps = true, .end_distribution = true},
                      .word_classes = {.classes = 8, .iterations = 2}};
  std::vector<std::string> stages;
  const auto one = em::train(corpus, o, [&](const lexalign::iteration_event& ev) {
    if (stages.empty() || stages.back() != ev.stage) stages.push_back(std::string(ev.stage));
  });
  CHECK(stages == std::vector<std::string>{"em.ibm1.forward", "em.word_classes.forward", "em.hmm.forward",
                                           "em.ibm1.reverse", "em.word_classes.reverse", "em.hmm.reverse"});
  CHECK(one.forward.hmm.jump_classes == 8);
  CHECK(one.forward.hmm.given_class.size() == corpus.source_vocabulary().size());
  CHECK(one.reverse.hmm.given_class.size() == corpus.target_vocabulary().size());
  CHECK(!one.forward.hmm.end.empty());
  o.parallel.threads = 3;
  const auto three = em::train(corpus, o);
  CHECK(one.forward.hmm.class_jump == three.forward.hmm.class_jump);
  CHECK(one.reverse.hmm.end == three.reverse.hmm.end);
  CHECK(one.forward.hmm.given_class == three.forward.hmm.given_class);
  CHECK(std::equal(one.reverse.table.probabilities().begin(), one.reverse.table.probabilities().end(),
                   three.reverse.table.probabilities().begin()));
}

TEST_CASE("HMM class-jump options are validated", "[em][hmm][classes]") {
  using lexalign::test::rejected_option;
  const auto corpus = lexalign::test::read_pairs(lexalign::test::toy_pairs);
  const auto view = em::make_view(corpus);
  auto t = em::lexical_table::from_cooccurrence(view);
  auto p = em::hmm_parameters::uniform(em::max_given_length(view));
  CHECK(rejected_option([&] { em::train_hmm(view, t, p, {.class_jumps = true}); }) == "em::hmm_options.classes");
  CHECK(rejected_option([&] { em::train_hmm(view, t, p, {.class_jump_prior = -1}); }) ==
        "em::hmm_options.class_jump_prior");
  CHECK(rejected_option([&] { em::train_hmm(view, t, p, {.end_smoothing = 2}); }) == "em::hmm_options.end_smoothing");
  const em::word_classes wc = em::word_classes::single(3);
  CHECK(rejected_option([&] { em::train(corpus, {.hmm = {.classes = &wc}}); }) == "em::train_options.hmm.classes");
  CHECK(rejected_option([&] { em::train(corpus, {.word_classes = {.parallel = {.threads = 2}}}); }) ==
        "em::train_options.word_classes.parallel");
  CHECK(rejected_option([&] { em::train(corpus, {.word_classes = {.classes = 0}}); }) ==
        "em::word_class_options.classes");
}

TEST_CASE("HMM class jumps and end distribution: saved with the model, force alignment unchanged", "[em][hmm][classes][io]") {
  const auto corpus = lexalign::test::read_pairs(lexalign::test::toy_pairs);
  const auto m = em::train(corpus, {.hmm = {.iterations = 2, .class_jumps = true, .end_distribution = true},
                                    .word_classes = {.classes = 3}});
  std::ostringstream out;
  em::save(m, out);
  CHECK(out.str().rfind("lexalign-em-model 3\n", 0) == 0);
  std::istringstream in(out.str());
  const auto back = em::load(in, "<model>");
  for (const auto& [x, y] : {std::pair{&back.forward, &m.forward}, std::pair{&back.reverse, &m.reverse}}) {
    CHECK(x->hmm.jump_classes == y->hmm.jump_classes);
    CHECK(x->hmm.given_class == y->hmm.given_class);
    CHECK(x->hmm.class_jump == y->hmm.class_jump);
    CHECK(x->hmm.end == y->hmm.end);
    CHECK(x->hmm.end_smoothing == y->hmm.end_smoothing);
  }
  const auto a = em::align(m, corpus, {.method = em::decoding::viterbi});
  const auto b = em::align(back, corpus, {.method = em::decoding::viterbi});
  CHECK(a.forward.links == b.forward.links);
  CHECK(a.reverse.links == b.reverse.links);
  // Default models write the features as off.
  std::ostringstream plain;
  em::save(em::train(corpus, {.hmm = {.iterations = 1}}), plain);
  CHECK(plain.str().rfind("lexalign-em-model 3\n", 0) == 0);
  CHECK(plain.str().find("\nhmm_classes 0 0\n") != std::string::npos);
  CHECK(plain.str().find("\nfertility 0\n") != std::string::npos);
  // A class beyond the jump classes is a parse error with its line.
  std::string text = out.str();
  const auto at = text.find("hmm_classes 3 ");
  REQUIRE(at != std::string::npos);
  const auto line = static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n')) + 1;
  const auto first_class = text.find(' ', text.find(' ', at + 12) + 1) + 1;
  text.replace(first_class, 1, "7");
  std::istringstream bad(text);
  CHECK(lexalign::test::message_of<lexalign::parse_error>([&] { em::load(bad, "<model>"); }) ==
        "<model>:" + std::to_string(line) + ": word class 7 out of range");
}
