// lexalign/multilingual/embedding_file.hpp - writing word vectors (the
// word2vec / fastText text format that io::read_embeddings reads) and maps.
//
//   lexalign::multilingual::write_embeddings(out, emb);   // "COUNT DIM" then "word x1 ... xDIM"
//   lexalign::multilingual::write_matrix(out, w);         // d lines of d numbers
//   lexalign::multilingual::keep_first_words(emb, 200000);
//
// Numbers are written in the shortest form that reads back to the same
// float (std::to_chars), so a written file reads back bit-identical.
#pragma once

#include <charconv>
#include <cstddef>
#include <ostream>
#include <string>

#include "lexalign/config.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/embeddings.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

inline void write_embeddings(std::ostream& out, const io::word_embeddings& e) {
  const std::size_t n = e.vectors.rows(), d = e.vectors.cols();
  out << n << ' ' << d << '\n';
  char buf[64];
  std::string line;
  for (std::size_t i = 0; i < n; ++i) {
    line.assign(e.words.word(static_cast<word_id>(i)));
    for (std::size_t k = 0; k < d; ++k) {
      const auto r = std::to_chars(buf, buf + sizeof buf, e.vectors(i, k));
      line += ' ';
      line.append(buf, r.ptr);
    }
    line += '\n';
    out << line;
  }
}

template <class T, class A>
void write_matrix(std::ostream& out, const dense_matrix<T, A>& w) {
  char buf[64];
  for (std::size_t i = 0; i < w.rows(); ++i) {
    for (std::size_t j = 0; j < w.cols(); ++j) {
      const auto r = std::to_chars(buf, buf + sizeof buf, w(i, j));
      if (j) out << ' ';
      out.write(buf, r.ptr - buf);
    }
    out << '\n';
  }
}

// Keeps the first `n` words (files list the most frequent first).
inline void keep_first_words(io::word_embeddings& e, std::size_t n) {
  if (n >= e.vectors.rows()) return;
  io::word_embeddings k;
  const std::size_t d = e.vectors.cols();
  for (std::size_t i = 0; i < n; ++i) k.words.add(e.words.word(static_cast<word_id>(i)));
  k.vectors = dense_matrix<float>(n, d);
  std::copy_n(e.vectors.data(), n * d, k.vectors.data());
  e = std::move(k);
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
