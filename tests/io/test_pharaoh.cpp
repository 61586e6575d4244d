// Pharaoh reading/writing, options, and every malformed-input case.
#include <sstream>
#include <string>

#include "lexalign/io/pharaoh.hpp"
#include "support/catch.hpp"
#include "support/temp_file.hpp"

using L = lexalign::link;  // (a using-declaration of `link` would clash with POSIX link())
using lexalign::io::pharaoh_read_options;

namespace {

lexalign::alignment_corpus parse(const std::string& text, const pharaoh_read_options& o = {}) {
  std::istringstream in(text);
  return lexalign::io::read_pharaoh(in, "<gold>", o);
}

std::string reason_of(const std::string& text, const pharaoh_read_options& o = {}, std::size_t* line = nullptr) {
  try {
    parse(text, o);
  } catch (const lexalign::parse_error& e) {
    CHECK(e.source() == "<gold>");
    if (line) *line = e.line();
    return e.reason();
  }
  FAIL("no parse_error for: " << text);
  return {};
}

}  // namespace

TEST_CASE("sure and possible links in all spellings", "[io][pharaoh]") {
  const auto a = parse("0-0 1?2 3p1 2-2\n\n5-4\n");
  REQUIRE(a.size() == 3);
  CHECK(a[0].sure == std::vector<L>{{0, 0}, {2, 2}});
  CHECK(a[0].possible == std::vector<L>{{1, 2}, {3, 1}});
  CHECK(a[1].empty());
  CHECK(a[2].sure == std::vector<L>{{5, 4}});
}

TEST_CASE("one-based and reversed input", "[io][pharaoh]") {
  pharaoh_read_options o;
  o.one_based = true;
  CHECK(parse("1-1 3p2\n", o)[0].sure == std::vector<L>{{0, 0}});
  CHECK(parse("1-1 3p2\n", o)[0].possible == std::vector<L>{{2, 1}});
  o.reverse = true;
  CHECK(parse("1-3\n", o)[0].sure == std::vector<L>{{2, 0}});
}

TEST_CASE("writing round-trips every option", "[io][pharaoh]") {
  lexalign::sentence_alignment a{{{0, 1}, {2, 0}}, {{1, 1}}};
  for (bool one_based : {false, true})
    for (bool reverse : {false, true})
      for (char marker : {'?', 'p'}) {
        std::ostringstream out;
        lexalign::io::write_pharaoh(out, a, {one_based, reverse, marker});
        pharaoh_read_options o;
        o.one_based = one_based;
        o.reverse = reverse;
        const auto back = parse(out.str(), o);
        REQUIRE(back.size() == 1);
        CHECK(back[0] == a);
      }
  std::ostringstream out;
  lexalign::io::write_pharaoh(out, a);
  CHECK(out.str() == "0-1 1?1 2-0\n");
  std::ostringstream rev;
  lexalign::io::write_pharaoh(rev, a, {.reverse = true});
  CHECK(rev.str() == "0-2 1-0 1?1\n");  // sorted in written (target, source) order
}

TEST_CASE("malformed links are rejected with the line and the link", "[io][pharaoh][errors]") {
  std::size_t line = 0;
  CHECK_THAT(reason_of("0-0\n1-x\n", {}, &line), Catch::Matchers::Contains("malformed link '1-x'"));
  CHECK(line == 2);
  CHECK_THAT(reason_of("1:2\n"), Catch::Matchers::Contains("unknown separator"));
  CHECK_THAT(reason_of("12\n"), Catch::Matchers::Contains("no separator"));
  CHECK_THAT(reason_of("-1-2\n"), Catch::Matchers::Contains("no leading index"));
  CHECK_THAT(reason_of("1-\n"), Catch::Matchers::Contains("no second index"));
  CHECK_THAT(reason_of("1-2-3\n"), Catch::Matchers::Contains("trailing characters"));
  CHECK_THAT(reason_of("99999999999-1\n"), Catch::Matchers::Contains("index too large"));
  CHECK_THAT(reason_of("0-0\t1-1\n"), Catch::Matchers::Contains("malformed link"));
}

TEST_CASE("duplicated and contradictory links are rejected", "[io][pharaoh][errors]") {
  CHECK_THAT(reason_of("0-1 2-2 0-1\n"), Catch::Matchers::Contains("duplicated link '0-1'"));
  CHECK_THAT(reason_of("0?1 0p1\n"), Catch::Matchers::Contains("duplicated link"));
  CHECK_THAT(reason_of("0-1 0?1\n"), Catch::Matchers::Contains("both sure and possible"));
}

TEST_CASE("1-based files may not contain index 0", "[io][pharaoh][errors]") {
  pharaoh_read_options o;
  o.one_based = true;
  CHECK_THAT(reason_of("1-1 0-2\n", o), Catch::Matchers::Contains("index 0 in a 1-based file"));
}

TEST_CASE("possible links can be forbidden", "[io][pharaoh][errors]") {
  pharaoh_read_options o;
  o.allow_possible = false;
  CHECK_THAT(reason_of("0-0 1?1\n", o), Catch::Matchers::Contains("possible link '1?1'"));
}

TEST_CASE("indices out of range for the sentence", "[io][pharaoh][errors]") {
  std::istringstream in("0-0 1-1\n0-0 2-1\n");
  lexalign::io::pharaoh_reader reader(in, "<gold>");
  lexalign::sentence_alignment a;
  CHECK(reader.next(a, 2, 2));
  try {
    reader.next(a, 2, 2);
    FAIL("no error");
  } catch (const lexalign::parse_error& e) {
    CHECK(e.line() == 2);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("link '2-1': source index out of range"));
  }
  // Corpus-level check, including a line-count mismatch.
  const auto all = parse("0-0\n0-3\n");
  const std::vector<std::size_t> src{1, 1}, tgt{1, 2};
  CHECK_THROWS_WITH(lexalign::io::check_alignment_ranges(all, src, tgt, "g"),
                    Catch::Matchers::Contains("g:2: link 0-3 is out of range"));
  const std::vector<std::size_t> three{1, 1, 1};
  CHECK_THROWS_WITH(lexalign::io::check_alignment_ranges(all, three, three, "g"),
                    Catch::Matchers::Contains("line count mismatch"));
}

TEST_CASE("reading from a file names the file", "[io][pharaoh][errors]") {
  lexalign::test::temp_file f("0-0\n0-0 0_1\n");
  try {
    lexalign::io::read_pharaoh_file(f.path());
    FAIL("no error");
  } catch (const lexalign::parse_error& e) {
    CHECK(e.source() == f.path());
    CHECK(std::string(e.what()).rfind(f.path() + ":2: malformed link '0_1'", 0) == 0);
  }
}

TEST_CASE("pharaoh_write_options are validated", "[io][pharaoh][validate]") {
  std::ostringstream out;
  lexalign::sentence_alignment a;
  a.sure = {{0, 0}};
  try {
    lexalign::io::write_pharaoh(out, a, {.possible_marker = '#'});
    FAIL("no exception");
  } catch (const lexalign::invalid_option& e) {
    CHECK(e.option() == "io::pharaoh_write_options.possible_marker");
    CHECK(e.value() == "#");
  }
  CHECK(out.str().empty());
  lexalign::io::write_pharaoh(out, a, {.possible_marker = 'p'});
  CHECK(out.str() == "0-0\n");
}
