// lexalign/io/embeddings.hpp - word vectors and their reader
// (word2vec / fastText text format).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

// Word vectors: row k of `vectors` is the vector of words.word(k).
struct word_embeddings {
  vocabulary words;
  dense_matrix<float> vectors;

  std::size_t dimension() const noexcept { return vectors.cols(); }
};

// Reads word2vec/fastText text format: an optional "COUNT DIM" header line
// (two integers), then "word x1 ... xDIM" per line.  Duplicated words keep the
// first vector.  When the header is present the file must hold exactly COUNT
// vector lines (duplicates included); otherwise it is an error at line 1.
inline word_embeddings read_embeddings(std::istream& in, std::string_view name) {
  line_reader reader(in, std::string(name));
  std::string line;
  word_embeddings out;
  std::vector<float> data;
  std::size_t dim = 0;
  bool first = true;
  std::size_t header_line = 0, announced = 0, vector_lines = 0;
  auto integer = [](std::string_view t, long& v) {
    const std::string d(t);
    char* end = nullptr;
    v = std::strtol(d.c_str(), &end, 10);
    return !d.empty() && end == d.c_str() + d.size();
  };
  while (reader.next(line)) {
    std::vector<std::string_view> fields;
    for_each_token(line, [&](std::string_view t) { fields.push_back(t); });
    if (fields.empty()) continue;
    if (first && fields.size() == 2) {
      first = false;
      long count = 0, d = 0;
      if (integer(fields[0], count) && integer(fields[1], d) && count >= 0 && d > 0) {
        dim = static_cast<std::size_t>(d);
        announced = static_cast<std::size_t>(count);
        header_line = reader.line_number();
        continue;
      }
    }
    first = false;
    ++vector_lines;
    if (fields.size() < 2) reader.fail("a vector line needs a word and at least one number");
    if (dim == 0) dim = fields.size() - 1;
    if (fields.size() - 1 != dim)
      reader.fail("expected " + std::to_string(dim) + " numbers, found " + std::to_string(fields.size() - 1));
    if (out.words.contains(fields[0])) continue;
    out.words.add(fields[0]);
    for (std::size_t k = 1; k < fields.size(); ++k) {
      const std::string v(fields[k]);
      char* end = nullptr;
      const float x = std::strtof(v.c_str(), &end);
      if (end != v.c_str() + v.size() || !std::isfinite(x)) reader.fail("bad number '" + excerpt(v) + "'");
      data.push_back(x);
    }
  }
  // A header is a promise: fewer or more vectors than it announces means a
  // truncated or concatenated file, never a silently smaller vocabulary.
  if (header_line != 0 && vector_lines != announced)
    throw parse_error(std::string(name), header_line,
                      "the header announces " + std::to_string(announced) + " vectors but the file holds " +
                          std::to_string(vector_lines) + (vector_lines < announced ? " (truncated file?)" : ""));
  out.vectors = dense_matrix<float>(out.words.size(), dim, 0.0f);
  std::copy(data.begin(), data.end(), out.vectors.data());
  return out;
}

inline word_embeddings read_embeddings_file(const std::string& path) {
  auto in = open_input(path);
  return read_embeddings(in, path);
}

}  // namespace io
LEXALIGN_NAMESPACE_END
