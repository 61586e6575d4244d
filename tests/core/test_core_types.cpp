// Vocabulary, corpus storage, alignments, status, observer and the parallel
// block loop.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "support/catch.hpp"

TEST_CASE("vocabulary assigns dense ids in insertion order", "[vocabulary]") {
  lexalign::vocabulary v;
  CHECK(v.add("the") == 0);
  CHECK(v.add("house") == 1);
  CHECK(v.add("the") == 0);
  CHECK(v.size() == 2);
  CHECK(v.word(1) == "house");
  CHECK(v.find("house") == lexalign::word_id{1});
  CHECK_FALSE(v.find("casa").has_value());
  CHECK_THROWS_AS(v.word(7), lexalign::invalid_argument);

  // Copies own their strings: the copy's lookups survive the original.
  lexalign::vocabulary copy;
  {
    lexalign::vocabulary tmp;
    tmp.add("ñandú");
    tmp.add("x");
    copy = tmp;
  }
  CHECK(copy.find("ñandú") == lexalign::word_id{0});
  CHECK(copy.word(1) == "x");
}

TEST_CASE("parallel_corpus stores about 4 bytes per token", "[corpus]") {
  lexalign::parallel_corpus c;
  std::vector<std::string> s{"a", "b", "a"}, t{"x", "y"};
  for (int k = 0; k < 1000; ++k) c.add(s, t);
  c.shrink_to_fit();
  CHECK(c.size() == 1000);
  CHECK(c.source(999).size() == 3);
  CHECK(c.source(5)[2] == c.source(5)[0]);
  CHECK(c.source_vocabulary().size() == 2);
  CHECK(c.source_sentences().token_count() == 3000);
  // 5000 tokens * 4 bytes + 2 * 1001 offsets * 8 bytes.
  CHECK(c.memory_bytes() == 5000 * 4 + 2 * 1001 * 8);
  CHECK(c.source_sentences().max_length() == 3);

  const std::vector<lexalign::word_id> ok{0, 1}, bad{0, 9};
  c.add_ids(ok, ok);
  CHECK(c.size() == 1001);
  CHECK_THROWS_AS(c.add_ids(bad, ok), lexalign::invalid_argument);
}

TEST_CASE("alignments normalise and invert", "[alignment]") {
  std::vector<lexalign::link> l{{2, 1}, {0, 3}, {2, 1}, {1, 1}};
  lexalign::normalize_links(l);
  CHECK(l == std::vector<lexalign::link>{{0, 3}, {1, 1}, {2, 1}});
  lexalign::sentence_alignment a{l, {{0, 0}}};
  auto inv = lexalign::inverted(a);
  CHECK(inv.sure == std::vector<lexalign::link>{{1, 1}, {1, 2}, {3, 0}});
  CHECK(inv.possible == std::vector<lexalign::link>{{0, 0}});
  CHECK(lexalign::inverted(inv) == a);
  CHECK(a.size() == 4);
}

TEST_CASE("link_key orders like (source, target); is_sorted_unique", "[alignment]") {
  using L = lexalign::link;
  const std::vector<L> all{{0, 0}, {0, 1}, {0, 4294967295u}, {1, 0}, {4294967295u, 0}, {4294967295u, 4294967295u}};
  for (const L& x : all)
    for (const L& y : all) CHECK((lexalign::link_key(x) < lexalign::link_key(y)) == (x < y));
  CHECK(lexalign::is_sorted_unique(all));
  CHECK(lexalign::is_sorted_unique(std::vector<L>{}));
  CHECK_FALSE(lexalign::is_sorted_unique(std::vector<L>{{1, 0}, {1, 0}}));
  CHECK_FALSE(lexalign::is_sorted_unique(std::vector<L>{{1, 0}, {0, 5}}));
}

TEST_CASE("parse_error carries source, line and reason", "[error]") {
  const lexalign::parse_error e("gold.txt", 12, "malformed link 'x'");
  CHECK(std::string(e.what()) == "gold.txt:12: malformed link 'x'");
  CHECK(e.line() == 12);
  CHECK(e.source() == "gold.txt");
  const lexalign::error& base = e;
  CHECK(std::string(base.what()).find("gold.txt") == 0);
}

TEST_CASE("solver status names", "[status]") {
  CHECK(lexalign::to_string(lexalign::solver_status::converged) == "converged");
  CHECK(lexalign::to_string(lexalign::solver_status::numerical_error) == "numerical_error");
  lexalign::convergence_info info;
  CHECK_FALSE(info.converged());
  CHECK(info.ok());
  CHECK(std::isnan(info.error));
  info.status = lexalign::solver_status::converged;
  CHECK(info.converged());
}

TEST_CASE("observers may return void or an action", "[observer]") {
  int calls = 0;
  auto counting = [&](const lexalign::iteration_event&) { ++calls; };
  auto stopping = [](const lexalign::iteration_event& ev) {
    return ev.iteration >= 3 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
  };
  static_assert(lexalign::observer<decltype(counting)>);
  static_assert(lexalign::observer<decltype(stopping)>);
  static_assert(lexalign::observer<lexalign::no_observer>);
  static_assert(lexalign::observer<lexalign::progress_printer>);
  static_assert(!lexalign::observer<int>);
  lexalign::iteration_event ev{"test", 1, 0.5, -1.0};
  CHECK(lexalign::notify(counting, ev) == lexalign::observer_action::proceed);
  CHECK(calls == 1);
  CHECK(lexalign::notify(stopping, ev) == lexalign::observer_action::proceed);
  ev.iteration = 3;
  CHECK(lexalign::notify(stopping, ev) == lexalign::observer_action::stop);

  std::FILE* sink = std::tmpfile();
  REQUIRE(sink != nullptr);
  lexalign::progress_printer printer(sink);
  CHECK(lexalign::notify(printer, ev) == lexalign::observer_action::proceed);
  ev.iteration = 1;
  printer(ev);
  std::rewind(sink);
  char buf[256] = {};
  CHECK(std::fgets(buf, sizeof buf, sink) != nullptr);
  CHECK(std::string(buf).find("test  iteration 3") != std::string::npos);
  std::fclose(sink);
}
