// core/corpus_mapping.hpp: a corpus re-expressed in a model's word ids under
// each unknown-word policy; core/sparse_rows.hpp: the aligners' sparse table.
#include <string>
#include <vector>

#include "lexalign/core/corpus_mapping.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/sparse_rows.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"

using lexalign::test::read_pairs;
using lexalign::test::toy_pairs;

TEST_CASE("corpus mapping: shared_id and extend policies", "[em][mapping]") {
  const auto trained = read_pairs(toy_pairs);
  const auto fresh = read_pairs("the green house ||| la maison verte\nthe red house ||| la maison rouge\n");
  const auto& sv = trained.source_vocabulary();
  const auto& tv = trained.target_vocabulary();

  const auto shared = lexalign::map_to_vocabularies(fresh, sv, tv, lexalign::unknown_words::shared_id);
  CHECK(shared.source_vocabulary_size == sv.size() + 1);
  CHECK(shared.target_vocabulary_size == tv.size() + 1);
  CHECK(shared.unknown_source_tokens == 2);  // green, red
  CHECK(shared.unknown_target_tokens == 2);  // verte, rouge
  CHECK(shared.new_source_words.empty());
  REQUIRE(shared.size() == 2);
  // Known words keep the model's ids; green and red share the id sv.size().
  CHECK(shared.source[0][0] == *sv.find("the"));
  CHECK(shared.source[0][2] == *sv.find("house"));
  CHECK(shared.source[0][1] == sv.size());
  CHECK(shared.source[1][1] == sv.size());

  const auto ext = lexalign::map_to_vocabularies(fresh, sv, tv, lexalign::unknown_words::extend);
  CHECK(ext.source_vocabulary_size == sv.size() + 2);
  CHECK(ext.unknown_source_tokens == 2);
  REQUIRE(ext.new_source_words == std::vector<std::string>{"green", "red"});
  CHECK(ext.source[0][1] == sv.size());      // green: the first new id
  CHECK(ext.source[1][1] == sv.size() + 1);  // red: its own id
  CHECK(ext.source[1][2] == *sv.find("house"));
  const auto v = lexalign::extended_vocabulary(sv, ext.new_source_words);
  CHECK(v.size() == sv.size() + 2);
  CHECK(*v.find("red") == sv.size() + 1);
}

TEST_CASE("sparse_rows: lookups, totals and invariants", "[core][sparse_rows]") {
  lexalign::sparse_rows<double> t;
  t.offsets = {0, 2, 2, 5};
  t.columns = {1, 4, 0, 2, 9};
  t.values = {0.25, 0.75, 1.0, 2.0, 3.0};
  CHECK_NOTHROW(t.check());
  CHECK(t.rows() == 3);
  CHECK(t.size() == 5);
  CHECK(t.find(0, 4) == 1);
  CHECK(t.find(0, 2) == lexalign::sparse_rows<double>::npos);
  CHECK(t.find(1, 0) == lexalign::sparse_rows<double>::npos);  // empty row
  CHECK(t.find(7, 0) == lexalign::sparse_rows<double>::npos);  // out of range
  CHECK(t.value(2, 9) == 3.0);
  CHECK(t.value(2, 5, -1.0) == -1.0);
  CHECK(t.row_total(0) == 1.0);
  CHECK(t.row_total(2) == 6.0);
  CHECK(t.row_columns(2).size() == 3);
  auto broken = t;
  broken.columns = {4, 1, 0, 2, 9};  // row 0 not increasing
  CHECK_THROWS_AS(broken.check(), lexalign::invalid_argument);
  broken = t;
  broken.offsets.back() = 4;  // does not cover the columns
  CHECK_THROWS_AS(broken.check(), lexalign::invalid_argument);
}
