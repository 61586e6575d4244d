// IBM Models 3 and 4 (em/fertility.hpp): probabilities of every alignment of
// tiny pairs against a literal transcription of the formulas, hill-climbing
// against enumeration, neighbourhood counts against a literal neighbourhood,
// determinism, save/load.
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "lexalign/em/fertility.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/schedule.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"
#include "support/thrown.hpp"

namespace em = lexalign::em;
using lexalign::word_id;

namespace {

void each_alignment(std::size_t l, std::size_t m, const std::function<void(const std::vector<int>&)>& visit) {
  std::vector<int> a(m, 0);
  for (;;) {
    visit(a);
    std::size_t j = 0;
    while (j < m && a[j] == static_cast<int>(l)) a[j++] = 0;
    if (j == m) return;
    ++a[j];
  }
}

double factorial(std::size_t n) {
  double r = 1;
  for (std::size_t k = 2; k <= n; ++k) r *= static_cast<double>(k);
  return r;
}

// P(f, a | e) of Model 3 or 4, transcribed from Brown et al. (1993) with the
// smoothing of fertility.hpp; a_j in 0..l (1-based given positions).
double literal(const em::fertility_parameters& p, const em::lexical_table& t, const std::vector<word_id>& e,
               const std::vector<word_id>& f, const std::vector<int>& a, bool model4) {
  const std::size_t l = e.size(), m = f.size();
  std::vector<std::vector<std::size_t>> cept(l + 1);  // 1-based positions, increasing
  for (std::size_t j = 1; j <= m; ++j) cept[static_cast<std::size_t>(a[j - 1])].push_back(j);
  const std::size_t phi0 = cept[0].size();
  if (2 * phi0 > m) return 0.0;
  for (std::size_t i = 1; i <= l; ++i)
    if (cept[i].size() >= p.max_fertility) return 0.0;
  const double p1 = p.p1, p0 = 1 - p1;
  double prob = factorial(m - phi0) / (factorial(phi0) * factorial(m - 2 * phi0)) *
                std::pow(p0, static_cast<double>(m - 2 * phi0)) * std::pow(p1, static_cast<double>(phi0));
  for (std::size_t i = 1; i <= l; ++i) {
    const std::size_t phi = cept[i].size();
    prob *= p.fertility[e[i - 1] * p.max_fertility + phi] * (model4 ? 1.0 : factorial(phi));
  }
  for (std::size_t j = 1; j <= m; ++j) {
    const std::size_t i = static_cast<std::size_t>(a[j - 1]);
    const std::size_t row = i == 0 ? 0 : em::lexical_table::row_of(e[i - 1]);
    prob *= std::max(t.probability(row, f[j - 1]), 1e-7);
  }
  const double md = static_cast<double>(m);
  if (!model4) {
    std::size_t block = 0, off = 0;
    for (; block < p.d3_keys.size(); ++block) {
      if (p.d3_keys[block] == ((std::uint64_t{l} << 32) | m)) break;
      off += (p.d3_keys[block] >> 32) * (p.d3_keys[block] & 0xFFFFFFFFu);
    }
    REQUIRE(block < p.d3_keys.size());
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t i = static_cast<std::size_t>(a[j - 1]);
      if (i == 0) continue;
      prob *= (1 - p.distortion_smoothing) * p.d3[off + (i - 1) * m + (j - 1)] + p.distortion_smoothing / md;
    }
    return prob;
  }
  const auto D = static_cast<long>(p.max_length), W = 2 * D + 1;
  auto d1 = [&](std::size_t A, std::size_t B, long delta) {
    const double raw = std::abs(delta) > D ? 0.0 : p.d1[(A * p.generated_classes + B) * static_cast<std::size_t>(W) + static_cast<std::size_t>(delta + D)];
    return (1 - p.model4_smoothing) * raw + p.model4_smoothing / md;
  };
  auto d2 = [&](std::size_t B, long delta) {
    const double raw = delta < 1 || delta > D ? 0.0 : p.d2[B * static_cast<std::size_t>(D + 1) + static_cast<std::size_t>(delta)];
    return (1 - p.model4_smoothing) * raw + p.model4_smoothing / md;
  };
  long centre = 0;
  std::size_t prev_class = p.given_classes;
  for (std::size_t i = 1; i <= l; ++i) {
    const auto& c = cept[i];
    if (c.empty()) continue;
    prob *= d1(prev_class, p.generated_class[f[c[0] - 1]], static_cast<long>(c[0]) - centre);
    for (std::size_t k = 1; k < c.size(); ++k)
      prob *= d2(p.generated_class[f[c[k] - 1]], static_cast<long>(c[k]) - static_cast<long>(c[k - 1]));
    double mean = 0;
    for (auto j : c) mean += static_cast<double>(j);
    centre = static_cast<long>(std::ceil(mean / static_cast<double>(c.size())));
    prev_class = p.given_class[e[i - 1]];
  }
  return prob;
}

struct tiny {
  lexalign::parallel_corpus corpus = lexalign::test::read_pairs(
      "a b ||| x y z\na c b ||| z x y y\nc ||| y x\nb a ||| x x y w\n");
  em::lexical_table t;
  em::fertility_parameters p;

  explicit tiny(unsigned seed, std::size_t max_fertility = 10) {
    const auto view = em::make_view(corpus);
    t = em::lexical_table::from_cooccurrence(view);
    std::mt19937_64 rng(seed);
    auto next = [&] { return 0.05 + static_cast<double>(rng() % 1000) / 1000.0; };
    for (auto& x : t.probabilities()) x = next() / 3.0;
    const em::word_classes given{{0, 1, 1}, 2}, generated{{1, 0, 1, 0}, 2};
    p = em::fertility_parameters::shaped(view, given, generated, max_fertility);
    for (auto& x : p.fertility) x = next();
    for (auto& x : p.d3) x = next();
    for (auto& x : p.d1) x = next();
    for (auto& x : p.d2) x = next();
    p.p1 = 0.2;
    p.distortion_smoothing = 0.1;
    p.model4_smoothing = 0.3;
  }
  std::vector<word_id> e(std::size_t k) const { return {corpus.source(k).begin(), corpus.source(k).end()}; }
  std::vector<word_id> f(std::size_t k) const { return {corpus.target(k).begin(), corpus.target(k).end()}; }
};

}  // namespace

TEST_CASE("Models 3 and 4: P(f, a | e) of every alignment equals the literal formula", "[em][fertility]") {
  for (bool model4 : {false, true})
    for (std::size_t F : {std::size_t{10}, std::size_t{2}}) {  // F = 2: the fertility cap bites
      tiny fx(model4 ? 5u : 6u, F);
      fx.p.model = model4 ? em::fertility_model::model4 : em::fertility_model::model3;
      em::fertility_workspace ws;
      std::size_t zero = 0;
      for (std::size_t k = 0; k < fx.corpus.size(); ++k) {
        const auto e = fx.e(k), f = fx.f(k);
        each_alignment(e.size(), f.size(), [&](const std::vector<int>& a) {
          const double expected = literal(fx.p, fx.t, e, f, a, model4);
          const double got = em::fertility_log_probability(fx.p, fx.t, e, f, a, 1e-7, ws);
          if (expected == 0.0) {
            ++zero;
            CHECK(got == -std::numeric_limits<double>::infinity());
          } else {
            CHECK(got == Approx(std::log(expected)).epsilon(1e-12));
          }
        });
      }
      CHECK(zero > 0);  // some alignments are impossible (too many NULLs or the cap)
    }
}

TEST_CASE("Models 3 and 4: hill-climbing from any neighbour of the best alignment reaches it", "[em][fertility]") {
  for (bool model4 : {false, true}) {
    tiny fx(model4 ? 11u : 12u);
    fx.p.model = model4 ? em::fertility_model::model4 : em::fertility_model::model3;
    em::fertility_workspace ws;
    for (std::size_t k = 0; k < fx.corpus.size(); ++k) {
      const auto e = fx.e(k), f = fx.f(k);
      std::vector<int> best;
      double top = -1, second = -1;
      each_alignment(e.size(), f.size(), [&](const std::vector<int>& a) {
        const double pr = literal(fx.p, fx.t, e, f, a, model4);
        if (pr > top) {
          second = top;
          top = pr;
          best = a;
        } else if (pr > second) {
          second = pr;
        }
      });
      REQUIRE(top > second * (1 + 1e-9));  // a unique best
      // Every single move and every swap of the best alignment, built literally.
      std::vector<std::vector<int>> starts{best};
      for (std::size_t j = 0; j < f.size(); ++j)
        for (int i = 0; i <= static_cast<int>(e.size()); ++i)
          if (i != best[j]) {
            auto a = best;
            a[j] = i;
            starts.push_back(a);
          }
      for (std::size_t j = 0; j < f.size(); ++j)
        for (std::size_t j2 = j + 1; j2 < f.size(); ++j2)
          if (best[j] != best[j2]) {
            auto a = best;
            std::swap(a[j], a[j2]);
            starts.push_back(a);
          }
      for (auto a : starts) {
        if (literal(fx.p, fx.t, e, f, a, model4) == 0.0) continue;  // impossible starts are repaired in training
        const double lp = em::fertility_hill_climb(fx.p, fx.t, e, f, a, 1e-7, ws);
        CHECK(a == best);
        CHECK(lp == Approx(std::log(top)).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("Models 3 and 4: neighbourhood counts equal a literal neighbourhood", "[em][fertility]") {
  tiny fx(21);
  fx.p.model = em::fertility_model::model4;
  const std::size_t k = 1;
  const auto e = fx.e(k), f = fx.f(k);
  const std::size_t l = e.size(), m = f.size();
  std::vector<int> a = {2, 1, 3, 0};
  // The neighbourhood, literally: a, all moves, all swaps (a set: no duplicates arise).
  std::vector<std::vector<int>> hood{a};
  for (std::size_t j = 0; j < m; ++j)
    for (int i = 0; i <= static_cast<int>(l); ++i)
      if (i != a[j]) {
        auto x = a;
        x[j] = i;
        hood.push_back(x);
      }
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t j2 = j + 1; j2 < m; ++j2)
      if (a[j] != a[j2]) {
        auto x = a;
        std::swap(x[j], x[j2]);
        hood.push_back(x);
      }
  CHECK(std::set<std::vector<int>>(hood.begin(), hood.end()).size() == hood.size());
  double total = 0;
  for (const auto& x : hood) total += literal(fx.p, fx.t, e, f, x, true);
  // Expected phi0 and (m - 2 phi0), and t(f_j | NULL) counts.
  double c_phi0 = 0, c_rest = 0;
  std::vector<double> lex_null(4, 0.0);
  for (const auto& x : hood) {
    const double w = literal(fx.p, fx.t, e, f, x, true) / total;
    if (w < 1e-5) continue;
    std::size_t phi0 = 0;
    for (std::size_t j = 0; j < m; ++j)
      if (x[j] == 0) {
        ++phi0;
        lex_null[f[j]] += w;
      }
    c_phi0 += w * static_cast<double>(phi0);
    c_rest += w * static_cast<double>(m - 2 * phi0);
  }
  em::fertility_workspace ws;
  em::fertility_counts counts;
  counts.assign(fx.p, fx.t);
  em::detail::fertility_prepare(fx.p, fx.t, e, f, 1e-7, ws, true);
  const double mass = em::detail::fertility_neighbourhood_counts(fx.p, fx.t, e, f, a, 1e-7, 1e-5, ws, counts, false);
  CHECK(mass == Approx(std::log(total)).epsilon(1e-12));
  CHECK(counts.null.value(1) == Approx(c_phi0).margin(1e-8));
  CHECK(counts.null.value(0) == Approx(c_rest).margin(1e-8));
  for (word_id w = 0; w < 4; ++w) {
    const std::size_t idx = fx.t.find(0, w);
    if (idx != em::lexical_table::npos) CHECK(counts.lexical.value(idx) == Approx(lex_null[w]).margin(1e-8));
  }
}

// Incremental scoring (detail::fertility_scorer, for_each_scored_neighbour):
// on random pairs of up to 10 words, random tables and random alignments
// (repaired to P > 0, or left as drawn), every neighbour's score equals the
// full recomputation fertility_log_probability, in for_each_neighbour's order;
// with a fertility cap of 3 many moves hit P = 0 (-inf).
TEST_CASE("Models 3 and 4: incremental neighbour scores equal full recomputation", "[em][fertility]") {
  std::mt19937_64 rng(11);
  auto below = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  std::string text;
  const char* given_words[] = {"a", "b", "c", "d", "e", "g"};
  const char* generated_words[] = {"u", "v", "w", "x", "y"};
  for (int k = 0; k < 8; ++k) {
    const std::size_t l = 1 + below(8), m = 1 + below(10);
    for (std::size_t i = 0; i < l; ++i) text += std::string(i ? " " : "") + given_words[below(6)];
    text += " |||";
    for (std::size_t j = 0; j < m; ++j) text += std::string(" ") + generated_words[below(5)];
    text += "\n";
  }
  const auto corpus = lexalign::test::read_pairs(text);
  const auto view = em::make_view(corpus);
  auto t = em::lexical_table::from_cooccurrence(view);
  auto next = [&] { return 0.02 + static_cast<double>(rng() % 1000) / 1000.0; };
  for (auto& x : t.probabilities()) x = next() / 3.0;
  em::word_classes given{{}, 3}, generated{{}, 2};
  for (std::size_t w = 0; w < corpus.source_vocabulary().size(); ++w) given.class_of.push_back(static_cast<std::uint32_t>(w % 3));
  for (std::size_t w = 0; w < corpus.target_vocabulary().size(); ++w)
    generated.class_of.push_back(static_cast<std::uint32_t>((w * 7) % 2));
  em::fertility_workspace ws;
  std::size_t compared = 0, impossible = 0;
  for (std::size_t cap : {10, 3}) {
    auto p = em::fertility_parameters::shaped(view, given, generated, cap);
    for (auto& x : p.fertility) x = next();
    for (auto& x : p.d3) x = next();
    for (auto& x : p.d1) x = next();
    for (auto& x : p.d2) x = next();
    p.p1 = 0.15;
    for (auto model : {em::fertility_model::model3, em::fertility_model::model4}) {
      p.model = model;
      for (std::size_t k = 0; k < corpus.size(); ++k) {
        const auto e = corpus.source(k), f = corpus.target(k);
        const std::size_t l = e.size(), m = f.size();
        INFO("cap " << cap << ", model " << (model == em::fertility_model::model3 ? 3 : 4) << ", pair " << k);
        em::detail::fertility_prepare(p, t, e, f, 1e-7, ws, false);
        for (int trial = 0; trial < 6; ++trial) {
          std::vector<int> a(m);
          for (auto& x : a) x = static_cast<int>(below(l + 1));
          if (trial % 2 == 0 && em::detail::fertility_feasible(l, m, cap)) em::detail::fertility_repair(p, l, a, ws);
          std::vector<double> full;
          em::for_each_neighbour(a, l, [&](const std::vector<int>& x) {
            full.push_back(em::fertility_log_probability(p, t, e, f, x, 1e-7, ws, true));
          });
          std::size_t n = 0;
          const auto before = a;
          em::for_each_scored_neighbour(p, t, e, f, a, 1e-7, ws, [&](const std::vector<int>& x, double s) {
            REQUIRE(n < full.size());
            const double want = full[n++];
            INFO("trial " << trial << ", neighbour " << n << " of alignment " << ::Catch::Detail::stringify(x));
            if (std::isinf(want)) {
              ++impossible;
              CHECK(s == want);
            } else {
              ++compared;
              CHECK(s == Approx(want).epsilon(1e-11).margin(1e-9));
            }
          });
          CHECK(n == full.size());
          CHECK(a == before);
        }
      }
    }
  }
  CHECK(compared > 1000);
  CHECK(impossible > 100);
}

TEST_CASE("Models 3 and 4: training is deterministic for any thread count and improves the climbed alignments",
          "[em][fertility]") {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  const auto full = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
  std::string text;
  for (std::size_t k = 0, kept = 0; k < full.size() && kept < 30; ++k) {  // short pairs keep the sanitizer run short
    if (full.source(k).size() > 12 || full.target(k).size() > 12) continue;
    ++kept;
    auto words = [&](auto s, const lexalign::vocabulary& v) {
      std::string out;
      for (auto w : s) out += (out.empty() ? "" : " ") + v.word(w);
      return out;
    };
    text += words(full.source(k), full.source_vocabulary()) + " ||| " + words(full.target(k), full.target_vocabulary()) + "\n";
  }
  const auto corpus = lexalign::test::read_pairs(text);
  auto run = [&](unsigned threads) {
    const auto hmm = em::train(corpus, {.ibm1 = {.iterations = 3}, .hmm = {.iterations = 2}, .directions = em::directions::forward});
    const auto view = em::make_view(corpus);
    auto t = hmm.forward.table;
    const auto src = em::train_word_classes(corpus.source_sentences(), corpus.source_vocabulary().size(), {.classes = 5});
    const auto tgt = em::train_word_classes(corpus.target_sentences(), corpus.target_vocabulary().size(), {.classes = 5});
    auto p = em::fertility_parameters::shaped(view, src.classes, tgt.classes);
    auto start = em::corpus_alignment::shaped(view);
    em::hmm_workspace hws;
    std::vector<int> va;
    for (std::size_t k = 0; k < corpus.size(); ++k) {
      em::hmm_viterbi(hmm.forward.hmm, t, corpus.source(k), corpus.target(k), 1e-7, hws, va);
      auto s = start[k];
      for (std::size_t j = 0; j < va.size(); ++j) s[j] = va[j] + 1;
    }
    const em::fertility_options o{.iterations = 2, .parallel = {.threads = threads}, .block_size = 7};
    const auto r3 = em::train_fertility(view, t, p, start, o, true);
    p.model = em::fertility_model::model4;
    const auto r4 = em::train_fertility(view, t, p, start, o, false);
    CHECK(r3.log_likelihood.size() == 2);
    CHECK(r4.log_likelihood.size() == 2);
    for (double ll : r4.log_likelihood) CHECK(std::isfinite(ll));
    return std::make_tuple(p, start.links, std::vector<double>(t.probabilities().begin(), t.probabilities().end()),
                           r4.log_likelihood);
  };
  const auto [p1, a1, t1, ll1] = run(1);
  const auto [p3, a3, t3, ll3] = run(3);
  CHECK(a1 == a3);
  CHECK(t1 == t3);
  CHECK(p1.fertility == p3.fertility);
  CHECK(p1.d1 == p3.d1);
  CHECK(p1.d2 == p3.d2);
  CHECK(p1.d3 == p3.d3);
  CHECK(p1.p1 == p3.p1);
  CHECK(ll1 == ll3);
  // Fertility rows are distributions.
  for (std::size_t e = 0; e < 5; ++e) {
    double s = 0;
    for (std::size_t phi = 0; phi < p1.max_fertility; ++phi) s += p1.fertility[e * p1.max_fertility + phi];
    CHECK(s == Approx(1.0).margin(1e-9));
  }
}

TEST_CASE("Models 3 and 4: options are validated", "[em][fertility]") {
  using lexalign::test::rejected_option;
  tiny fx(1);
  const auto view = em::make_view(fx.corpus);
  auto start = em::corpus_alignment::shaped(view);
  CHECK(rejected_option([&] { em::train_fertility(view, fx.t, fx.p, start, {.fertility_smoothing = -1}); }) ==
        "em::fertility_options.fertility_smoothing");
  CHECK(rejected_option([&] { em::train_fertility(view, fx.t, fx.p, start, {.distortion_smoothing = 2}); }) ==
        "em::fertility_options.distortion_smoothing");
  CHECK(rejected_option([&] { em::train_fertility(view, fx.t, fx.p, start, {.count_cutoff = 1}); }) ==
        "em::fertility_options.count_cutoff");
  CHECK(rejected_option([&] { em::train_fertility(view, fx.t, fx.p, start, {.max_climb_steps = 0}); }) ==
        "em::fertility_options.max_climb_steps");
}

TEST_CASE("schedules: parsed into iterations, errors name the item", "[em][schedule]") {
  using lexalign::test::rejected_option;
  CHECK(em::parse_schedule("1x5,h5,3x3,4x3") == em::schedule{5, 5, 3, 3});
  CHECK(em::parse_schedule("1^5,H^5") == em::schedule{5, 5, 0, 0});
  CHECK(em::parse_schedule("h2,4x1") == em::schedule{0, 2, 0, 1});
  CHECK(em::parse_schedule("1x7") == em::schedule{7, 0, 0, 0});
  auto message = [](const char* s) { return lexalign::test::message_of<lexalign::invalid_option>([&] { em::parse_schedule(s); }); };
  CHECK(message("") == "em::schedule must be a non-empty list like 1x5,h5,3x3,4x3 (got \"\")");
  CHECK(message("1x5,2x5") ==
        "em::schedule must be items whose model is 1, h, 3 or 4 (Models 2, 5 and 6 are not offered) (item \"2x5\") (got \"1x5,2x5\")");
  CHECK(message("h5,1x5").find("in the order 1, h, 3, 4") != std::string::npos);
  CHECK(message("1x5,1x5").find("at most once") != std::string::npos);
  CHECK(message("1x5,h0,3x3").find("preceded by h with iterations > 0") != std::string::npos);
  CHECK(message("1x").find("iteration count") != std::string::npos);
  CHECK(message("1x99999999").find("iteration count") != std::string::npos);
  CHECK(message("1x5,").find("single commas") != std::string::npos);
  em::train_options o;
  em::apply_schedule(o, "1x4,h3,3x2,4x1");
  CHECK(o.ibm1.iterations == 4);
  CHECK(o.hmm.iterations == 3);
  CHECK(o.model3.iterations == 2);
  CHECK(o.model4.iterations == 1);
  CHECK(o.model == em::model_kind::hmm);
}

TEST_CASE("em::train with Models 3 and 4: stages, decoding, save/load", "[em][fertility][schedule]") {
  const auto corpus = lexalign::test::read_pairs(lexalign::test::toy_pairs);
  em::train_options o{.word_classes = {.classes = 3}};
  em::apply_schedule(o, "1x3,h3,3x2,4x2");
  std::vector<std::string> stages;
  const auto m = em::train(corpus, o, [&](const lexalign::iteration_event& ev) {
    if (stages.empty() || stages.back() != ev.stage) stages.push_back(std::string(ev.stage));
  });
  CHECK(stages == std::vector<std::string>{"em.ibm1.forward", "em.hmm.forward", "em.word_classes.forward",
                                           "em.word_classes.generated.forward", "em.model3.forward", "em.model4.forward",
                                           "em.ibm1.reverse", "em.hmm.reverse", "em.word_classes.reverse",
                                           "em.word_classes.generated.reverse", "em.model3.reverse", "em.model4.reverse"});
  REQUIRE(m.forward.has_fertility);
  CHECK(m.forward.fertility.model == em::fertility_model::model4);
  CHECK(m.forward.stages.size() == 4);
  for (auto method : {em::decoding::viterbi, em::decoding::posterior}) {
    const auto a = em::align(m, corpus, {.method = method});
    CHECK(a.forward.links[0].sure == std::vector<lexalign::link>{{0, 0}, {1, 1}});
    std::ostringstream out;
    em::save(m, out);
    std::istringstream in(out.str());
    const auto back = em::load(in, "<model>");
    CHECK(back.forward.has_fertility);
    CHECK(back.reverse.fertility.d1 == m.reverse.fertility.d1);
    CHECK(back.forward.fertility.fertility == m.forward.fertility.fertility);
    CHECK(back.forward.fertility.d3 == m.forward.fertility.d3);
    const auto b = em::align(back, corpus, {.method = method});
    CHECK(a.forward.links == b.forward.links);
    CHECK(a.reverse.links == b.reverse.links);
  }
  using lexalign::test::rejected_option;
  CHECK(rejected_option([&] { em::train(corpus, {.model = em::model_kind::ibm1, .model3 = {.iterations = 2}}); }) ==
        "em::train_options.model3/model4.iterations");
  CHECK(rejected_option([&] { em::train(corpus, {.model4 = {.iterations = 1, .parallel = {.threads = 2}}}); }) ==
        "em::train_options.model4.parallel");
}
