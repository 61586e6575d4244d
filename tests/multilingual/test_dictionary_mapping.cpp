// Mapping word vectors with a bilingual dictionary (Procrustes).
#include <cmath>
#include <sstream>
#include <string>

#include "lexalign/multilingual/dictionary_mapping.hpp"
#include "support/catch.hpp"

namespace io = lexalign::io;

namespace {
io::word_embeddings from_text(const std::string& text) {
  std::istringstream in(text);
  return io::read_embeddings(in, "vec");
}
}  // namespace

TEST_CASE("map_with_dictionary recovers a rotation from dictionary pairs", "[multilingual][dictionary]") {
  // Target = source rotated by 90 degrees: (x, y) -> (-y, x).
  auto src = from_text("one 1 0\ntwo 0 1\nthree 1 1\nfour 2 -1\n");
  const auto tgt = from_text("unu 0 1\ndoi -1 0\ntrei -1 1\npatru 1 2\n");
  std::istringstream dict("one unu\n\ntwo doi\nthree trei\nfive cinci\n");
  const auto r = lexalign::multilingual::map_with_dictionary(src, tgt, dict, "dict");
  CHECK(r.pairs == 3);  // 'five' has no vectors
  CHECK(r.residual < 1e-6);
  // 'four' was not in the dictionary and maps onto 'patru', unit length.
  const auto four = *src.words.find("four");
  const double s = std::sqrt(5.0);
  CHECK(src.vectors(four, 0) == Approx(1 / s).margin(1e-5));
  CHECK(src.vectors(four, 1) == Approx(2 / s).margin(1e-5));
}

TEST_CASE("map_with_dictionary errors", "[multilingual][dictionary][errors]") {
  auto src = from_text("one 1 0\ntwo 0 1\n");
  const auto tgt = from_text("unu 0 1\ndoi -1 0\n");
  std::istringstream three_fields("one unu x\n");
  CHECK_THROWS_AS(lexalign::multilingual::map_with_dictionary(src, tgt, three_fields, "d"), lexalign::parse_error);
  std::istringstream one_pair("one unu\n");
  CHECK_THROWS_AS(lexalign::multilingual::map_with_dictionary(src, tgt, one_pair, "d"), lexalign::invalid_argument);
}
