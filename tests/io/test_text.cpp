// Shared text input: the UTF-8 BOM, error excerpts, lower-casing.
#include <sstream>
#include <string>

#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/io/lowercase.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/io/text.hpp"
#include "support/catch.hpp"

namespace io = lexalign::io;

TEST_CASE("a UTF-8 BOM at the start of an input is dropped by every reader", "[io][bom]") {
  const std::string bom = "\xEF\xBB\xBF";
  std::istringstream lines(bom + "a b\n" + bom + "c\n");
  io::line_reader r(lines, "x");
  std::string line;
  REQUIRE(r.next(line));
  CHECK(line == "a b");
  REQUIRE(r.next(line));
  CHECK(line == bom + "c");  // only at the very start

  std::istringstream pairs(bom + "the house ||| la maison\n");
  const auto c = io::read_parallel_corpus(pairs, "pairs");
  REQUIRE(c.size() == 1);
  CHECK(c.source_vocabulary().find("the").has_value());

  std::istringstream src(bom + "a b\n"), tgt(bom + "x\n");
  lexalign::parallel_corpus two;
  io::read_parallel_corpus(src, "s", tgt, "t", two);
  CHECK(two.source_vocabulary().find("a").has_value());
  CHECK(two.target_vocabulary().find("x").has_value());

  std::istringstream links(bom + "0-0 1-1\n");
  const auto a = io::read_pharaoh(links, "links");
  REQUIRE(a.size() == 1);
  CHECK(a[0].sure.size() == 2);

  std::istringstream vec(bom + "2 2\nhouse 1 0\nmaison 0 1\n");
  const auto e = io::read_embeddings(vec, "vec");
  CHECK(e.words.find("house").has_value());
}

TEST_CASE("excerpts for messages are short and escaped", "[io][excerpt]") {
  CHECK(io::excerpt("plain") == "plain");
  CHECK(io::excerpt("it's a\\b") == "it\\'s a\\\\b");
  CHECK(io::excerpt(std::string("a\x01\xFF" "b", 4)) == "a\\x01\\xffb");
  CHECK(io::excerpt("dom ДОМ") == "dom ДОМ");  // valid UTF-8 stays readable
  const std::string huge(200 * 1024, 'x');
  const std::string e = io::excerpt(huge);
  CHECK(e.size() < 80);
  CHECK(e == std::string(40, 'x') + "... (204800 bytes)");
  // A multi-byte character is never cut in half.
  CHECK(io::excerpt("abcД", 4) == "abc... (5 bytes)");
}

TEST_CASE("lower-casing UTF-8 for Latin, Greek and Cyrillic", "[io][lowercase]") {
  CHECK(io::lowercase_utf8(std::string_view("ÉCOLE Ştiinţă ȘȚ Ÿ ΑΒΓ ДОМ Ѐ")) == "école ştiinţă șț ÿ αβγ дом ѐ");
  CHECK(io::lowercase_utf8(std::string_view("ß × 中文 ABC")) == "ß × 中文 abc");  // no simple mapping: kept
  const std::string invalid = "A\xC0\x81Z\xFF";                               // overlong and stray bytes kept
  CHECK(io::lowercase_utf8(std::string_view(invalid)) == "a\xC0\x81z\xFF");
  std::istringstream in("The House\nLA MAISON\n");
  CHECK(io::lowercase_utf8(in) == "the house\nla maison\n");
}
