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

// Reads word2vec/fastText text format: an optional "COUNT DIM" header line,
// then "word x1 ... xDIM" per line.  Duplicated words keep the first vector.
inline word_embeddings read_embeddings(std::istream& in, std::string_view name) {
  line_reader reader(in, std::string(name));
  std::string line;
  word_embeddings out;
  std::vector<float> data;
  std::size_t dim = 0;
  bool first = true;
  while (reader.next(line)) {
    std::vector<std::string_view> fields;
    for_each_token(line, [&](std::string_view t) { fields.push_back(t); });
    if (fields.empty()) continue;
    if (first && fields.size() == 2) {
      first = false;
      const std::string d(fields[1]);
      char* end = nullptr;
      const long v = std::strtol(d.c_str(), &end, 10);
      if (end == d.c_str() + d.size() && v > 0) {
        dim = static_cast<std::size_t>(v);
        continue;
      }
    }
    first = false;
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
      if (end != v.c_str() + v.size() || !std::isfinite(x)) reader.fail("bad number '" + v + "'");
      data.push_back(x);
    }
  }
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
