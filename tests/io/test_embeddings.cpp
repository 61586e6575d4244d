// io/embeddings.hpp: the fastText / word2vec text reader.
#include <sstream>
#include <string>

#include "lexalign/core/error.hpp"
#include "lexalign/io/embeddings.hpp"
#include "support/catch.hpp"

namespace {
lexalign::io::word_embeddings parse(const std::string& text) {
  std::istringstream in(text);
  return lexalign::io::read_embeddings(in, "e.vec");
}
}  // namespace

TEST_CASE("embedding files: header optional, errors with file:line", "[em][prior]") {
  auto e = parse("3 2\nhouse 1 0\nblue 0 1\nhouse 5 5\n");
  CHECK(e.words.size() == 2);  // the duplicate keeps the first vector
  CHECK(e.dimension() == 2);
  CHECK(e.vectors(0, 0) == 1.0f);
  e = parse("a 1 2 3\nb 4 5 6\n");
  CHECK(e.dimension() == 3);
  auto what = [](const std::string& t) -> std::string {
    try {
      parse(t);
    } catch (const lexalign::parse_error& x) {
      return x.what();
    }
    return "";
  };
  CHECK(what("2 2\na 1 2\nb 1\n") == "e.vec:3: expected 2 numbers, found 1");
  CHECK(what("a 1 x\n") == "e.vec:1: bad number 'x'");
  // The header's count is checked: a truncated file is an error, not a
  // smaller vocabulary, and so is a file with more vectors than announced.
  CHECK(what("3 2\na 1 2\nb 3 4\n") == "e.vec:1: the header announces 3 vectors but the file holds 2 (truncated file?)");
  CHECK(what("1 2\na 1 2\nb 3 4\n") == "e.vec:1: the header announces 1 vectors but the file holds 2");
  // "word number" on the first line is a one-dimensional vector, not a header.
  e = parse("a 2\nb 3\n");
  CHECK(e.words.size() == 2);
  CHECK(e.dimension() == 1);
  CHECK(e.vectors(1, 0) == 3.0f);
}
