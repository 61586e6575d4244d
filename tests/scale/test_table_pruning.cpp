// Bounded lexical tables (em/table_pruning.hpp) against a brute-force count
// of sentence-pair co-occurrences.
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "lexalign/em/distributed.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/table_pruning.hpp"
#include "support/catch.hpp"
#include "support/random_corpus.hpp"
#include "support/thread_group.hpp"
#include "support/thrown.hpp"

namespace em = lexalign::em;
using lexalign::word_id;

namespace {

using lexalign::test::random_zipf_corpus;

// The kept columns of each given word, by brute force.
std::vector<std::vector<word_id>> expected_rows(const lexalign::parallel_corpus& c, std::size_t min_count,
                                                std::size_t k) {
  std::map<std::pair<word_id, word_id>, std::size_t> count;
  for (std::size_t p = 0; p < c.size(); ++p) {
    const auto s = c.source(p), t = c.target(p);
    const std::set<word_id> es(s.begin(), s.end()), fs(t.begin(), t.end());
    for (word_id e : es)
      for (word_id f : fs) ++count[{e, f}];
  }
  std::vector<std::vector<word_id>> rows(c.source_vocabulary().size());
  for (std::size_t e = 0; e < rows.size(); ++e) {
    std::vector<std::pair<std::size_t, word_id>> cand;  // (count, f)
    for (const auto& [key, n] : count)
      if (key.first == e && n >= min_count) cand.emplace_back(n, key.second);
    std::sort(cand.begin(), cand.end(), [](auto a, auto b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    if (k > 0 && cand.size() > k) cand.resize(k);
    for (const auto& x : cand) rows[e].push_back(x.second);
    std::sort(rows[e].begin(), rows[e].end());
  }
  return rows;
}

std::vector<word_id> columns_of(const em::lexical_table& t, std::size_t row) {
  const auto c = t.columns(row);
  return {c.begin(), c.end()};
}

}  // namespace

TEST_CASE("pruning keeps exactly the pairs a brute-force count keeps", "[scale][pruning]") {
  const auto c = random_zipf_corpus(7, 300);
  const auto view = em::make_view(c);
  const auto full = em::lexical_table::from_cooccurrence(view);
  for (std::size_t min_count : {1u, 2u, 5u})
    for (std::size_t k : {0u, 1u, 3u, 8u}) {
      CAPTURE(min_count, k);
      const auto t = em::pruned_cooccurrence(view, {.min_count = min_count, .max_candidates = k});
      const auto want = expected_rows(c, min_count, k);
      REQUIRE(t.rows() == full.rows());
      REQUIRE(columns_of(t, 0) == columns_of(full, 0));  // NULL keeps every target word
      for (std::size_t e = 0; e < want.size(); ++e) REQUIRE(columns_of(t, e + 1) == want[e]);
      if (min_count == 1 && k == 0) REQUIRE(t.size() == full.size());
      else REQUIRE(t.size() < full.size());
    }
}

TEST_CASE("pruned training runs, shrinks the table, and stays identical over ranks", "[scale][pruning]") {
  const auto c = random_zipf_corpus(11, 200);
  em::train_options o;
  o.ibm1.iterations = 2;
  o.hmm.iterations = 1;
  o.block_size = 16;
  const auto full = em::train(c, o);
  o.pruning = {.min_count = 2, .max_candidates = 4};
  const auto pruned = em::train(c, o);
  CHECK(pruned.forward.table.size() < full.forward.table.size());
  CHECK(pruned.forward.table.memory_bytes() < full.forward.table.memory_bytes());
  const auto models = lexalign::test::run_ranks(3, [&](lexalign::test::thread_group& g) {
    return em::train_distributed(c, o, g);
  });
  for (const auto& m : models) {
    REQUIRE(columns_of(m.forward.table, 5) == columns_of(pruned.forward.table, 5));
    const auto a = m.reverse.table.probabilities(), b = pruned.reverse.table.probabilities();
    REQUIRE(std::vector<double>(a.begin(), a.end()) == std::vector<double>(b.begin(), b.end()));
    const auto af = m.forward.table.probabilities(), bf = pruned.forward.table.probabilities();
    REQUIRE(std::vector<double>(af.begin(), af.end()) == std::vector<double>(bf.begin(), bf.end()));
  }
  // Aligning with a pruned table: every link still within the sentences.
  const auto out = em::align(pruned, c);
  for (std::size_t k = 0; k < c.size(); ++k)
    for (const auto& l : out.forward.links[k].sure) REQUIRE((l.source < c.source(k).size() && l.target < c.target(k).size()));
}

TEST_CASE("cooccurrence_pruning is validated", "[scale][pruning]") {
  em::train_options o;
  o.pruning.min_count = 0;
  CHECK(lexalign::test::message_of<lexalign::invalid_option>([&] { em::validate(o); })
            .find("em::cooccurrence_pruning.min_count") != std::string::npos);
}

TEST_CASE("borrowed and sliced sentence stores read the owner's arrays", "[scale][corpus]") {
  lexalign::sentence_store s;
  const std::vector<word_id> a{1, 2}, b{}, c{3, 4, 5};
  s.push_back(a);
  s.push_back(b);
  s.push_back(c);
  const auto mid = s.slice(1, 3);  // offsets 2, 2, 5: the first is not 0
  CHECK(mid.borrowed());
  CHECK(mid.size() == 2);
  CHECK(mid.token_count() == 3);
  CHECK(mid[0].empty());
  CHECK(std::vector<word_id>(mid[1].begin(), mid[1].end()) == c);
  CHECK(mid.max_length() == 3);
  CHECK(mid.memory_bytes() == 0);
  const auto none = s.slice(3, 3);
  CHECK(none.size() == 0);
  CHECK(none.token_count() == 0);
  const std::vector<std::uint64_t> offsets{0, 1, 3};
  const auto own = lexalign::sentence_store::borrow(c.data(), offsets);
  CHECK(own.size() == 2);
  CHECK(own[1][1] == 5);
}

namespace {

// A corpus whose frequent source words co-occur with hundreds of target
// words (so the builder's row sets grow several times) and whose sentences
// repeat words.
lexalign::parallel_corpus wide_corpus(unsigned seed, std::size_t pairs) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> len(1, 30), src(0, 40), tgt(0, 1500);
  lexalign::parallel_corpus c;
  for (std::size_t k = 0; k < pairs; ++k) {
    std::vector<std::string> s, t;
    const int n = len(rng), m = len(rng);
    for (int i = 0; i < n; ++i) s.push_back(std::string("s").append(std::to_string(src(rng) * src(rng) / 40)));
    for (int j = 0; j < m; ++j) t.push_back(std::string("t").append(std::to_string(tgt(rng) % (j % 3 == 0 ? 7 : 1501))));
    c.add(s, t);
  }
  return c;
}

}  // namespace

TEST_CASE("co-occurrence tables and counts equal brute force for any thread count", "[scale][pruning][threads]") {
  for (const auto& c : {random_zipf_corpus(3, 250), wide_corpus(5, 400)}) {
    for (bool reverse : {false, true}) {
      const auto view = em::make_view(c, reverse);
      // Brute force: the set of (e, f) with their sentence-pair counts.
      std::map<std::pair<word_id, word_id>, std::uint64_t> want;
      std::set<word_id> null_row;
      for (std::size_t p = 0; p < view.size(); ++p) {
        const auto e = (*view.given)[p], f = (*view.generated)[p];
        const std::set<word_id> es(e.begin(), e.end()), fs(f.begin(), f.end());
        null_row.insert(fs.begin(), fs.end());
        for (word_id a : es)
          for (word_id b : fs) ++want[{a, b}];
      }
      for (unsigned threads : {1u, 2u, 3u}) {
        CAPTURE(reverse, threads);
        const lexalign::executor ex(lexalign::parallel_options{.threads = threads});
        const auto t = em::lexical_table::from_cooccurrence(view, ex);
        REQUIRE(t.rows() == view.given_vocabulary_size + 1);
        CHECK(columns_of(t, 0) == std::vector<word_id>(null_row.begin(), null_row.end()));
        std::set<std::pair<word_id, word_id>> got, want_keys;
        for (std::size_t r = 1; r < t.rows(); ++r) {
          const auto cols = columns_of(t, r);
          CHECK(std::is_sorted(cols.begin(), cols.end()));
          for (word_id f : cols) got.insert({static_cast<word_id>(r - 1), f});
        }
        for (const auto& x : want) want_keys.insert(x.first);
        CHECK(got.size() == t.size() - t.columns(0).size());  // no duplicates
        CHECK(got == want_keys);
        for (double v : t.probabilities()) CHECK(v == 1.0 / static_cast<double>(view.generated_vocabulary_size));
        // The counts behind pruning, key by key.
        const auto counted = em::detail::cooccurrence_counts(view, ex);
        REQUIRE(counted.keys.size() == want.size());
        std::size_t k = 0;
        for (const auto& [key, n] : want) {
          CHECK(counted.keys[k] == ((std::uint64_t{key.first + 1u} << 32) | key.second));
          CHECK(counted.counts[k] == n);
          ++k;
        }
      }
    }
  }
}

TEST_CASE("co-occurrence tables reject token ids outside the vocabulary", "[scale][pruning]") {
  const auto c = random_zipf_corpus(3, 20);
  auto view = em::make_view(c);
  const auto given = view.given_vocabulary_size, generated = view.generated_vocabulary_size;
  view.given_vocabulary_size = given - 1;
  CHECK(lexalign::test::message_of([&] { em::lexical_table::from_cooccurrence(view); }).find("given-side id out of range") !=
        std::string::npos);
  view.given_vocabulary_size = given;
  view.generated_vocabulary_size = generated - 1;
  CHECK(lexalign::test::message_of([&] { em::pruned_cooccurrence(view, {.min_count = 2}); })
            .find("generated-side id out of range") != std::string::npos);
}
