// Reading parallel corpora, and every way the input can be bad.
#include <sstream>
#include <string>

#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"
#include "support/temp_file.hpp"

using lexalign::io::corpus_read_options;
using lexalign::io::read_parallel_corpus;

namespace {

// Runs `f`, requires a parse_error, and returns it.
template <class F>
lexalign::parse_error expect_parse_error(F&& f) {
  try {
    f();
  } catch (const lexalign::parse_error& e) {
    return e;
  }
  FAIL("no parse_error thrown");
  throw;  // unreachable
}

lexalign::parallel_corpus from_string(const std::string& text, const corpus_read_options& o = {}) {
  std::istringstream in(text);
  return read_parallel_corpus(in, "<test>", o);
}

}  // namespace

TEST_CASE("'src ||| tgt' lines are split on ASCII space only", "[io][corpus]") {
  const auto c = from_string("the house ||| das Haus\r\n  the\tgreen  house ||| das grüne Haus\n");
  REQUIRE(c.size() == 2);
  CHECK(c.source(0).size() == 2);
  CHECK(c.source(1).size() == 2);  // "the\tgreen" is one token: only U+0020 separates
  CHECK(c.source_vocabulary().contains("the\tgreen"));
  CHECK(c.target(1).size() == 3);
  CHECK(c.target_vocabulary().contains("Haus"));  // the '\r' of the CRLF line was dropped
  CHECK(c.target_vocabulary().contains("grüne"));
  CHECK(c.target(0)[1] == c.target(1)[2]);
  // A '|||' inside a token is not a separator.
  const auto d = from_string("a|||b c ||| d\n");
  CHECK(d.source(0).size() == 2);
}

TEST_CASE("two line-parallel files", "[io][corpus]") {
  lexalign::test::temp_file src("a b\nc\n"), tgt("x\ny z\n");
  const auto c = lexalign::io::read_parallel_corpus_files(src.path(), tgt.path());
  REQUIRE(c.size() == 2);
  CHECK(c.source(0).size() == 2);
  CHECK(c.target(1).size() == 2);
}

TEST_CASE("bad corpus input names file, line and reason", "[io][corpus][errors]") {
  SECTION("missing |||") {
    auto e = expect_parse_error([] { from_string("a ||| b\nno separator here\n"); });
    CHECK(e.line() == 2);
    CHECK(e.source() == "<test>");
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("missing ' ||| '"));
  }
  SECTION("two separators") {
    auto e = expect_parse_error([] { from_string("a ||| b ||| c\n"); });
    CHECK(e.line() == 1);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("more than one"));
  }
  SECTION("empty source sentence") {
    auto e = expect_parse_error([] { from_string("a ||| b\n ||| c\n"); });
    CHECK(e.line() == 2);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("empty source sentence"));
  }
  SECTION("empty target sentence") {
    auto e = expect_parse_error([] { from_string("a |||\n"); });
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("empty target sentence"));
  }
  SECTION("empty line") {
    auto e = expect_parse_error([] { from_string("a ||| b\n\n"); });
    CHECK(e.line() == 2);
  }
  SECTION("empty sentences are accepted when asked") {
    corpus_read_options o;
    o.allow_empty_sentences = true;
    const auto c = from_string("a |||\n ||| b\n\n", o);  // a blank line is an empty pair
    CHECK(c.size() == 3);
    CHECK(c.source(2).empty());
    CHECK(c.target(2).empty());
    CHECK(c.target(0).empty());
    CHECK(c.source(1).empty());
  }
  SECTION("huge sentence") {
    corpus_read_options o;
    o.max_sentence_length = 3;
    auto e = expect_parse_error([&] { from_string("a b c ||| x\na b c d ||| x\n", o); });
    CHECK(e.line() == 2);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("longer than the limit of 3"));
  }
  SECTION("invalid UTF-8") {
    auto e = expect_parse_error([] { from_string("a ||| b\nab\xC3\x28 ||| c\n"); });
    CHECK(e.line() == 2);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("invalid UTF-8 at byte 3"));
  }
  SECTION("mismatched line counts between two files") {
    lexalign::test::temp_file src("a\nb\nc\n"), tgt("x\ny\n");
    auto e = expect_parse_error([&] { lexalign::io::read_parallel_corpus_files(src.path(), tgt.path()); });
    CHECK(e.source() == src.path());
    CHECK(e.line() == 3);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("line count mismatch"));
    CHECK_THAT(e.reason(), Catch::Matchers::Contains("ends after 2 lines"));
  }
  SECTION("missing file") {
    CHECK_THROWS_AS(lexalign::io::read_parallel_corpus_file("/nonexistent/lexalign.txt"), lexalign::io_error);
  }
}

TEST_CASE("UTF-8 validation follows RFC 3629", "[io][utf8]") {
  using lexalign::io::find_invalid_utf8;
  constexpr auto ok = std::string_view::npos;
  CHECK(find_invalid_utf8("plain ascii") == ok);
  CHECK(find_invalid_utf8("grüne 中文 😀") == ok);
  CHECK(find_invalid_utf8("\xC0\xAF") == 0);              // overlong '/'
  CHECK(find_invalid_utf8("ab\xED\xA0\x80") == 2);        // surrogate
  CHECK(find_invalid_utf8("\xF4\x90\x80\x80") == 0);      // above U+10FFFF
  CHECK(find_invalid_utf8("x\xE2\x82") == 1);             // truncated
  CHECK(find_invalid_utf8("\x80") == 0);                  // lone continuation
  CHECK(find_invalid_utf8("\xE0\x80\x80") == 0);          // overlong 3-byte
}

TEST_CASE("corpus_read_options are validated", "[io][corpus][validate]") {
  try {
    from_string("a ||| b\n", {.max_sentence_length = 0});
    FAIL("no exception");
  } catch (const lexalign::invalid_option& e) {
    CHECK(e.option() == "io::corpus_read_options.max_sentence_length");
    CHECK(std::string(e.what()) == "io::corpus_read_options.max_sentence_length must be >= 1 (got 0)");
  }
  CHECK(from_string("a ||| b\n", {.max_sentence_length = 1}).size() == 1);
}

TEST_CASE("bad_line_policy::skip keeps an empty pair per bad line and reports it", "[io][corpus][skip]") {
  corpus_read_options o;
  o.max_sentence_length = 3;
  o.bad_lines = lexalign::io::bad_line_policy::skip;
  std::vector<std::string> reports;
  o.on_skipped = [&](std::string_view file, std::size_t line, std::string_view reason) {
    reports.push_back(std::string(file) + ":" + std::to_string(line) + ": " + std::string(reason));
  };
  const auto c = from_string("a b ||| x\n"
                             "no separator\n"
                             "a b c d ||| x\n"
                             " ||| y\n"
                             "bad\xFF ||| z\n"
                             "c ||| w w\n",
                             o);
  REQUIRE(c.size() == 6);  // line-parallel with the input
  CHECK(c.source(0).size() == 2);
  for (std::size_t k : {1, 2, 3, 4}) {
    CHECK(c.source(k).empty());
    CHECK(c.target(k).empty());
  }
  CHECK(c.target(5).size() == 2);
  REQUIRE(reports.size() == 4);
  CHECK(reports[0] == "<test>:2: missing ' ||| ' between source and target");
  CHECK(reports[1] == "<test>:3: source sentence is longer than the limit of 3 tokens (it has 4)");
  CHECK(reports[2] == "<test>:4: empty source sentence");
  CHECK_THAT(reports[3], Catch::Matchers::StartsWith("<test>:5: invalid UTF-8 at byte 4"));
  // Words of skipped lines do not enter the vocabularies.
  CHECK_FALSE(c.source_vocabulary().find("d").has_value());
  CHECK_FALSE(c.target_vocabulary().find("y").has_value());

  // Two files: the bad side is named; line-count mismatch stays an error.
  std::istringstream src("a\n\nb\n"), tgt("x\ny\n\n");
  lexalign::parallel_corpus two;
  reports.clear();
  lexalign::io::read_parallel_corpus(src, "s", tgt, "t", two, o);
  CHECK(two.size() == 3);
  REQUIRE(reports.size() == 2);
  CHECK(reports[0] == "s:2: empty source sentence");
  CHECK(reports[1] == "t:3: empty target sentence");
  std::istringstream s3("a\nb\n"), t3("x\n");
  lexalign::parallel_corpus three;
  CHECK_THROWS_AS(lexalign::io::read_parallel_corpus(s3, "s", t3, "t", three, o), lexalign::parse_error);
}
