// The synthetic corpus generator (em/synthetic_corpus.hpp): lengths from the
// profile, target words from the model's kept table entries, the
// Pitman-Yor step against its closed-form expected number of tables,
// determinism per seed, and its errors.
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/synthetic_corpus.hpp"
#include "lexalign/io/corpus_file.hpp"
#include "support/catch.hpp"
#include "support/random_corpus.hpp"
#include "support/temp_file.hpp"
#include "support/thrown.hpp"

namespace em = lexalign::em;
using lexalign::word_id;

namespace {

using lexalign::test::random_zipf_corpus;

em::model train(const lexalign::parallel_corpus& c, std::size_t hmm_iterations) {
  em::train_options o;
  o.directions = em::directions::forward;
  o.ibm1.iterations = 3;
  o.hmm.iterations = hmm_iterations;
  return em::train(c, o);
}

using pair_ids = std::pair<std::vector<word_id>, std::vector<word_id>>;

std::vector<pair_ids> generate(const em::model& m, const em::corpus_profile& p, const em::synthetic_corpus_options& o,
                               em::synthetic_corpus_stats* stats = nullptr) {
  std::vector<pair_ids> out;
  const auto st = em::generate_synthetic_corpus(m, p, o, [&](auto s, auto t) {
    out.emplace_back(std::vector<word_id>(s.begin(), s.end()), std::vector<word_id>(t.begin(), t.end()));
  });
  if (stats) *stats = st;
  return out;
}

}  // namespace

TEST_CASE("synthetic corpus: lengths are the profile's, in its proportions", "[scale][synthetic]") {
  const auto c = random_zipf_corpus(3, 120);
  const auto m = train(c, 0);
  em::corpus_profile p = em::profile_of(c, m.source_vocabulary);
  REQUIRE(p.lengths.size() == c.size());
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> want;
  for (const auto& l : p.lengths) want[l] += 1.0 / static_cast<double>(p.lengths.size());
  em::synthetic_corpus_options o;
  o.pairs = 20000;
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> got;
  em::synthetic_corpus_stats st;
  const auto g = generate(m, p, o, &st);
  REQUIRE(g.size() == o.pairs);
  std::uint64_t ns = 0, nt = 0;
  for (const auto& [s, t] : g) {
    const std::pair<std::uint32_t, std::uint32_t> l{static_cast<std::uint32_t>(s.size()),
                                                    static_cast<std::uint32_t>(t.size())};
    REQUIRE(want.count(l) == 1);
    got[l] += 1.0 / static_cast<double>(o.pairs);
    ns += s.size();
    nt += t.size();
  }
  CHECK(st.pairs == o.pairs);
  CHECK(st.source_tokens == ns);
  CHECK(st.target_tokens == nt);
  // Each length pair's share within 5 binomial standard deviations.
  for (const auto& [l, q] : want) {
    const double sd = std::sqrt(q * (1 - q) / static_cast<double>(o.pairs));
    CHECK(std::abs(got[l] - q) < 5 * sd + 1e-12);
  }
}

TEST_CASE("synthetic corpus: target words come from the kept table entries", "[scale][synthetic]") {
  const auto c = random_zipf_corpus(5, 150);
  const auto m = train(c, 0);  // IBM1: every target word is drawn from the row of a word of its pair, or NULL's
  const em::corpus_profile p = em::profile_of(c, m.source_vocabulary);
  em::synthetic_corpus_options o;
  o.pairs = 500;
  o.min_probability = 0.05;
  const auto& t = m.forward.table;
  const std::size_t vs = m.source_vocabulary.size(), vt = m.target_vocabulary.size();
  auto kept = [&](std::size_t row, word_id f) {
    const auto cols = t.columns(row);
    const auto pr = t.probabilities(row);
    double top = -1;
    for (double x : pr) top = std::max(top, x);
    for (std::size_t k = 0; k < cols.size(); ++k)
      if (cols[k] == f) return pr[k] >= o.min_probability || pr[k] == top;
    return false;
  };
  em::synthetic_corpus_stats st;
  const auto g = generate(m, p, o, &st);
  std::size_t new_targets = 0;
  for (const auto& [s, tg] : g) {
    for (word_id f : tg) {
      bool ok = kept(0, f);
      for (word_id e : s) {
        if (e < vs) ok = ok || kept(e + 1u, f);
        else if (f >= vt) ok = ok || f - vt == e - vs;  // new source type k: new target type k
        else ok = true;  // new source types translate like a template word (any row)
      }
      new_targets += f >= vt;
      REQUIRE(ok);
    }
  }
  CHECK(st.new_source_types > 0);
  CHECK(new_targets > 0);
}

TEST_CASE("synthetic corpus: the Pitman-Yor step opens tables as expected", "[scale][synthetic]") {
  // With new_types = 1 every table is a new word, so the number of new
  // types is the number of tables K_n of a Pitman-Yor(d, theta) process
  // after n draws: E K_n = theta/d ((theta+d)_n / (theta)_n - 1).
  lexalign::parallel_corpus c;
  c.add(std::vector<std::string>{"a", "b", "c", "d", "e"}, std::vector<std::string>{"x", "y", "z", "w", "v"});
  const auto m = train(c, 0);
  const em::corpus_profile p = em::profile_of(c, m.source_vocabulary);
  const double d = 0.5, theta = 10.0;
  const std::size_t pairs = 400, n = pairs * 5;
  const double expected =
      theta / d *
      (std::exp(std::lgamma(theta + d + static_cast<double>(n)) - std::lgamma(theta + d) -
                std::lgamma(theta + static_cast<double>(n)) + std::lgamma(theta)) -
       1.0);
  const int runs = 60;
  double sum = 0, sum2 = 0;
  for (int r = 0; r < runs; ++r) {
    em::synthetic_corpus_options o;
    o.pairs = pairs;
    o.seed = static_cast<std::uint64_t>(r + 1);
    o.discount = d;
    o.concentration = theta;
    o.new_types = 1.0;
    o.reservoir = r % 2 ? 64 : 1u << 20;  // the reservoir does not change when tables open
    em::synthetic_corpus_stats st;
    generate(m, p, o, &st);
    CHECK(st.source_types == st.new_source_types);
    const auto k = static_cast<double>(st.new_source_types);
    sum += k;
    sum2 += k * k;
  }
  const double mean = sum / runs, sd = std::sqrt((sum2 - sum * sum / runs) / (runs - 1));
  CHECK(std::abs(mean - expected) < 4 * sd / std::sqrt(double(runs)));
  // Heaps: more tokens, more types, sublinearly (K_n ~ n^d).
  em::synthetic_corpus_options small, large;
  small.pairs = 2000;
  large.pairs = 32000;
  em::synthetic_corpus_stats a, b;
  generate(m, p, small, &a);
  generate(m, p, large, &b);
  const double growth = static_cast<double>(b.source_types) / static_cast<double>(a.source_types);
  CHECK(growth > 2.0);   // 16x the tokens: 16^0.6 = 5.3 asymptotically
  CHECK(growth < 16.0);
}

TEST_CASE("synthetic corpus: deterministic per seed; the file matches the text built", "[scale][synthetic]") {
  const auto c = random_zipf_corpus(7, 100);
  const auto m = train(c, 2);  // with HMM jumps
  REQUIRE(m.forward.has_hmm);
  const em::corpus_profile p = em::profile_of(c, m.source_vocabulary);
  em::synthetic_corpus_options o;
  o.pairs = 300;
  const auto a = generate(m, p, o), b = generate(m, p, o);
  CHECK(a == b);
  o.seed = 2;
  CHECK(generate(m, p, o) != a);
  o.seed = 1;

  // The corpus file is the one build_corpus_file makes of the same pairs as text.
  std::string text;
  for (const auto& [s, t] : a) {
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (k) text += ' ';
      text += em::synthetic_word(m.source_vocabulary, 's', s[k]);
    }
    text += " ||| ";
    for (std::size_t k = 0; k < t.size(); ++k) {
      if (k) text += ' ';
      text += em::synthetic_word(m.target_vocabulary, 't', t[k]);
    }
    text += '\n';
  }
  lexalign::test::temp_file gen("", ".lxc"), built("", ".lxc");
  const auto [summary, st] = em::write_synthetic_corpus_file(m, p, o, gen.path());
  std::istringstream in(text);
  const auto s2 = lexalign::io::build_corpus_file(in, "text", built.path());
  CHECK(summary.checksum == s2.checksum);
  CHECK(summary.file_bytes == s2.file_bytes);
  CHECK(summary.pairs == o.pairs);
  CHECK(st.source_types == summary.source_vocabulary_size);
  CHECK(st.target_types == summary.target_vocabulary_size);
}

TEST_CASE("synthetic corpus: bad options, models and profiles are refused", "[scale][synthetic]") {
  using lexalign::test::message_of;
  const auto c = random_zipf_corpus(9, 40);
  const auto m = train(c, 0);
  const em::corpus_profile p = em::profile_of(c, m.source_vocabulary);
  auto run = [&](const em::synthetic_corpus_options& o, const em::model& mm, const em::corpus_profile& pp) {
    return message_of([&] { generate(mm, pp, o); });
  };
  auto opt = [](auto f) {
    em::synthetic_corpus_options o;
    o.pairs = 10;
    f(o);
    return o;
  };
  using O = em::synthetic_corpus_options;
  CHECK(run(opt([](O& o) { o.pairs = 0; }), m, p).find("pairs must be > 0") != std::string::npos);
  CHECK(run(opt([](O& o) { o.discount = 1.0; }), m, p).find("discount must be in [0, 1)") != std::string::npos);
  CHECK(run(opt([](O& o) { o.discount = -0.1; }), m, p).find("discount") != std::string::npos);
  CHECK(run(opt([](O& o) { o.concentration = -0.7; }), m, p).find("concentration must be finite and > -discount") !=
        std::string::npos);
  CHECK(run(opt([](O& o) { o.new_types = 1.5; }), m, p).find("new_types must be in [0, 1]") != std::string::npos);
  CHECK(run(opt([](O& o) { o.min_probability = 0.0; }), m, p).find("min_probability") != std::string::npos);
  CHECK(run(opt([](O& o) { o.reservoir = 0; }), m, p).find("reservoir must be > 0") != std::string::npos);

  const O ok = opt([](O&) {});
  CHECK(run(ok, m, p) == "no exception");
  CHECK(run(ok, em::model{}, p).find("no forward direction") != std::string::npos);
  em::corpus_profile empty = p;
  empty.lengths.clear();
  CHECK(run(ok, m, empty).find("no sentence pair") != std::string::npos);
  em::corpus_profile zero = p;
  zero.lengths[0].second = 0;
  CHECK(run(ok, m, zero).find("a profile length is 0") != std::string::npos);
  em::corpus_profile short_counts = p;
  short_counts.source_counts.pop_back();
  CHECK(run(ok, m, short_counts).find("do not match") != std::string::npos);

  lexalign::parallel_corpus r;
  r.add(std::vector<std::string>{"a", "__s3"}, std::vector<std::string>{"x"});
  const auto mr = train(r, 0);
  CHECK(run(ok, mr, em::profile_of(r, mr.source_vocabulary)).find("reserved word '__s3'") != std::string::npos);
  lexalign::parallel_corpus fine;  // "__s" alone or with letters is an ordinary word
  fine.add(std::vector<std::string>{"__s", "__sx1"}, std::vector<std::string>{"__t1x"});
  const auto mf = train(fine, 0);
  CHECK(run(ok, mf, em::profile_of(fine, mf.source_vocabulary)) == "no exception");
}
