// Precision, recall, F1 and AER: hand-computed cases, undefined cases,
// properties, and the bundled gold files.
#include <cmath>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lexalign/io/pharaoh.hpp"
#include "lexalign/io/text.hpp"
#include "lexalign/metrics/aer.hpp"
#include "support/catch.hpp"

using L = lexalign::link;
using lexalign::sentence_alignment;
namespace metrics = lexalign::metrics;

namespace {

sentence_alignment sa(std::vector<L> sure, std::vector<L> possible = {}) {
  return sentence_alignment{std::move(sure), std::move(possible)};
}

std::string gold_path(const std::string& set, const std::string& ext) {
  return std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/" + set + "." + ext;
}

// Token counts per line of a text file (split on ASCII spaces).
std::vector<std::size_t> lengths_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::size_t> out;
  std::string line;
  while (std::getline(in, line)) {
    std::size_t n = 0;
    lexalign::io::for_each_token(line, [&](std::string_view) { ++n; });
    out.push_back(n);
  }
  return out;
}

}  // namespace

TEST_CASE("hand-computed sentence with sure and possible links", "[metrics]") {
  // S = {0-0, 1-1}, possible-only = {1-2}, A = {0-0, 1-2, 2-2}:
  // |A| = 3, |S| = 2, |P| = 3, |A∩S| = 1, |A∩P| = 2.
  const auto gold = sa({{0, 0}, {1, 1}}, {{1, 2}});
  const auto hyp = sa({{0, 0}, {1, 2}, {2, 2}});
  const auto c = metrics::count_links(gold, hyp);
  CHECK(c.sentences == 1);
  CHECK(c.hypothesis == 3);
  CHECK(c.sure == 2);
  CHECK(c.possible == 3);
  CHECK(c.hypothesis_sure == 1);
  CHECK(c.hypothesis_possible == 2);
  const auto s = metrics::scores(c);
  REQUIRE(s.precision_defined);
  REQUIRE(s.recall_defined);
  REQUIRE(s.f1_defined);
  REQUIRE(s.aer_defined);
  CHECK(s.precision == Approx(2.0 / 3.0));
  CHECK(s.recall == Approx(0.5));
  CHECK(s.f1 == Approx(4.0 / 7.0));
  CHECK(s.aer == Approx(0.4));  // 1 - (1 + 2) / (3 + 2)

  SECTION("all gold links sure") {
    // S = P = {0-0, 1-1, 1-2}: |A∩S| = |A∩P| = 2.
    const auto a = metrics::scores(metrics::count_links(gold, hyp, {.all_sure = true}));
    CHECK(a.precision == Approx(2.0 / 3.0));
    CHECK(a.recall == Approx(2.0 / 3.0));
    CHECK(a.f1 == Approx(2.0 / 3.0));
    CHECK(a.aer == Approx(1.0 / 3.0));  // 1 - 4 / 6
  }
}

TEST_CASE("unaligned tokens with and without sentence lengths", "[metrics]") {
  const auto gold = sa({{0, 0}, {1, 1}}, {{1, 2}});
  const auto hyp = sa({{0, 0}, {1, 2}, {2, 2}});
  metrics::scorer sc;
  // 4 source and 3 target tokens: A covers sources {0,1,2}, targets {0,2};
  // P covers sources {0,1}, targets {0,1,2}.
  const auto c = sc.add(gold, hyp, 4, 3);
  CHECK(c.source_tokens == 4);
  CHECK(c.target_tokens == 3);
  CHECK(c.unaligned_source == 1);
  CHECK(c.unaligned_target == 1);
  CHECK(c.gold_unaligned_source == 2);
  CHECK(c.gold_unaligned_target == 0);
  CHECK(c.sentences_without_lengths == 0);
  // Without lengths: 3 x 3 from the largest indices.
  const auto d = sc.add(gold, hyp);
  CHECK(d.source_tokens == 3);
  CHECK(d.target_tokens == 3);
  CHECK(d.unaligned_source == 0);
  CHECK(d.unaligned_target == 1);
  CHECK(d.gold_unaligned_source == 1);
  CHECK(d.sentences_without_lengths == 1);
  CHECK(sc.total() == c + d);
  CHECK_THROWS_AS(sc.add(gold, hyp, 2, 3), lexalign::invalid_argument);  // hypothesis 2-2 is outside
}

TEST_CASE("undefined scores are NaN with a flag, never a crash", "[metrics]") {
  const auto none = metrics::scores(metrics::count_links(sa({}), sa({})));
  CHECK_FALSE(none.precision_defined);
  CHECK_FALSE(none.recall_defined);
  CHECK_FALSE(none.f1_defined);
  CHECK_FALSE(none.aer_defined);
  CHECK(std::isnan(none.precision));
  CHECK(std::isnan(none.aer));

  // Empty hypothesis, non-empty gold: recall 0, AER 1, precision undefined.
  const auto empty_hyp = metrics::scores(metrics::count_links(sa({{0, 0}}), sa({})));
  CHECK_FALSE(empty_hyp.precision_defined);
  CHECK(empty_hyp.recall == 0.0);
  CHECK(empty_hyp.aer == 1.0);
  CHECK_FALSE(empty_hyp.f1_defined);

  // Gold with possible links only: |S| = 0, recall undefined, AER defined.
  const auto no_sure = metrics::scores(metrics::count_links(sa({}, {{0, 0}}), sa({{0, 0}, {1, 1}})));
  CHECK_FALSE(no_sure.recall_defined);
  CHECK(no_sure.precision == Approx(0.5));
  CHECK(no_sure.aer == Approx(0.5));  // 1 - (0 + 1) / (2 + 0)

  // Precision and recall both 0: F1 is defined and 0.
  const auto wrong = metrics::scores(metrics::count_links(sa({{0, 0}}), sa({{0, 1}})));
  CHECK(wrong.f1_defined);
  CHECK(wrong.f1 == 0.0);
}

TEST_CASE("links are scored as sets", "[metrics]") {
  const auto gold = sa({{1, 1}, {0, 0}, {1, 1}});
  const auto c = metrics::count_links(gold, sa({{1, 1}, {1, 1}, {0, 0}, {0, 0}}));
  CHECK(c.hypothesis == 2);
  CHECK(c.sure == 2);
  CHECK(c.hypothesis_sure == 2);
  // A link given as both sure and possible in the gold counts once, as sure.
  const auto overlap = metrics::count_links(sa({{0, 0}}, {{0, 0}, {1, 1}}), sa({{1, 1}}));
  CHECK(overlap.sure == 1);
  CHECK(overlap.possible == 2);
  CHECK(overlap.hypothesis_possible == 1);
}

TEST_CASE("pooled and macro averages differ as computed by hand", "[metrics]") {
  // Sentence 1: perfect.  Sentence 2: |A| = 1, |S| = 3, nothing right.
  lexalign::alignment_corpus gold{sa({{0, 0}}), sa({{0, 0}, {1, 1}, {2, 2}})};
  lexalign::alignment_corpus hyp{sa({{0, 0}}), sa({{0, 1}})};
  const auto e = metrics::evaluate(gold, hyp, {.keep_sentences = true});
  CHECK(e.total.hypothesis == 2);
  CHECK(e.total.sure == 4);
  CHECK(e.pooled.precision == Approx(0.5));
  CHECK(e.pooled.recall == Approx(0.25));
  CHECK(e.pooled.f1 == Approx(1.0 / 3.0));
  CHECK(e.pooled.aer == Approx(2.0 / 3.0));  // 1 - (1 + 1) / (2 + 4)
  CHECK(e.macro.mean.precision == Approx(0.5));
  CHECK(e.macro.mean.recall == Approx(0.5));
  CHECK(e.macro.mean.f1 == Approx(0.5));
  CHECK(e.macro.mean.aer == Approx(0.5));
  CHECK(e.macro.aer_sentences == 2);
  REQUIRE(e.sentences.size() == 2);
  CHECK(e.sentences[0] + e.sentences[1] == e.total);

  // A sentence where precision is undefined is left out of that mean only.
  lexalign::alignment_corpus hyp2{sa({{0, 0}}), sa({})};
  const auto e2 = metrics::evaluate(gold, hyp2);
  CHECK(e2.macro.precision_sentences == 1);
  CHECK(e2.macro.recall_sentences == 2);
  CHECK(e2.macro.mean.precision == Approx(1.0));
  CHECK(e2.macro.mean.recall == Approx(0.5));

  CHECK_THROWS_AS(metrics::evaluate(gold, {sa({})}), lexalign::invalid_argument);
}

TEST_CASE("properties on random alignments", "[metrics][property]") {
  std::mt19937 rng(12345);
  auto below = [&](std::uint32_t k) { return static_cast<std::uint32_t>(rng() % k); };
  auto random_links = [&](std::uint32_t n, std::uint32_t m, int count) {
    std::vector<L> v;
    for (int k = 0; k < count; ++k) v.push_back({below(n), below(m)});
    lexalign::normalize_links(v);
    return v;
  };
  for (int trial = 0; trial < 500; ++trial) {
    const std::uint32_t n = 1 + below(20), m = 1 + below(20);
    auto sure = random_links(n, m, static_cast<int>(below(30)));
    const auto hyp = sa(random_links(n, m, static_cast<int>(below(30))));
    // No possible links: AER = 1 - F1 whenever both are defined.
    const auto s = metrics::scores(metrics::count_links(sa(sure), hyp));
    if (s.f1_defined) CHECK(s.aer == Approx(1.0 - s.f1).margin(1e-12));
    // Gold against itself (sure + possible): AER 0, precision and recall 1.
    auto possible = random_links(n, m, static_cast<int>(below(10)));
    std::vector<L> poss_only;
    std::set_difference(possible.begin(), possible.end(), sure.begin(), sure.end(), std::back_inserter(poss_only));
    const auto gold = sa(sure, poss_only);
    const auto self = metrics::scores(metrics::count_links(gold, gold));
    if (self.aer_defined) CHECK(self.aer == 0.0);
    if (self.recall_defined) CHECK(self.recall == 1.0);
    if (self.precision_defined) CHECK(self.precision == 1.0);
    // Counts against an independent std::set computation.
    std::set<L> S(sure.begin(), sure.end()), P(S), A(hyp.sure.begin(), hyp.sure.end());
    P.insert(poss_only.begin(), poss_only.end());
    std::size_t as = 0, ap = 0;
    for (const L& l : A) {
      as += S.count(l);
      ap += P.count(l);
    }
    const auto c = metrics::count_links(gold, hyp);
    CHECK(c.hypothesis == A.size());
    CHECK(c.sure == S.size());
    CHECK(c.possible == P.size());
    CHECK(c.hypothesis_sure == as);
    CHECK(c.hypothesis_possible == ap);
  }
}

TEST_CASE("bundled gold sets: statistics and self-scores", "[metrics][data]") {
  struct expected {
    const char* set;
    std::size_t pairs, source_tokens, target_tokens, sure, possible;
  };
  // Statistics as documented in data/README.md.
  for (const auto& x : {expected{"enfr", 447, 7020, 7761, 4038, 13400}, expected{"roen", 248, 5495, 5639, 6198, 0},
                        expected{"zhen", 450, 11712, 14850, 11238, 178},
                        expected{"ende-sample", 5, 98, 88, 90, 17}}) {
    INFO(x.set);
    const auto gold = lexalign::io::read_pharaoh_file(gold_path(x.set, "gold"));
    const auto src = lengths_of(gold_path(x.set, "src"));
    const auto tgt = lengths_of(gold_path(x.set, "tgt"));
    REQUIRE(gold.size() == x.pairs);
    const auto e = metrics::evaluate(gold, gold, src, tgt);
    CHECK(e.total.sentences == x.pairs);
    CHECK(e.total.source_tokens == x.source_tokens);
    CHECK(e.total.target_tokens == x.target_tokens);
    CHECK(e.total.sure == x.sure);
    CHECK(e.total.possible == x.sure + x.possible);
    CHECK(e.total.unaligned_source == e.total.gold_unaligned_source);
    CHECK(e.pooled.aer == 0.0);
    CHECK(e.pooled.f1 == 1.0);
    // Sure links only as the hypothesis: perfect precision and recall.
    lexalign::alignment_corpus sure_only;
    for (const auto& a : gold) sure_only.push_back(sa(a.sure));
    const auto s = metrics::evaluate(gold, sure_only);
    CHECK(s.pooled.aer == 0.0);
    CHECK(s.pooled.recall == 1.0);
    // All gold links as sure: the possible-only links now count against recall.
    const auto all = metrics::evaluate(gold, sure_only, {.score = {.all_sure = true}});
    CHECK(all.pooled.recall == Approx(static_cast<double>(x.sure) / static_cast<double>(x.sure + x.possible)));
  }
}
