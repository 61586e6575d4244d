// lexalign/multilingual/dictionary_mapping.hpp - maps source word vectors
// onto the target vectors' space with orthogonal Procrustes fitted on a
// bilingual dictionary (what `lexalign align --dictionary` does).
//
//   auto src = io::read_embeddings_file("en.vec"), tgt = io::read_embeddings_file("ro.vec");
//   auto r = multilingual::map_with_dictionary_file(src, tgt, "en-ro.dict");
//   // src's vectors are now unit length and in tgt's space; r.pairs, r.residual
//
// The dictionary has one 'source target' pair per line (ASCII-space
// separated; blank lines are skipped, any other field count is a
// parse_error).  Pairs with a word missing from either file are ignored.
// Both sides are scaled to unit length first; W = procrustes(X, Z).w on the
// covered pairs' rows, and every source vector v becomes v W.  Fewer than 2
// covered pairs is an invalid_argument.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/em/embedding_prior.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/io/text.hpp"
#include "lexalign/multilingual/procrustes.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

struct dictionary_mapping_result {
  std::size_t pairs = 0;  // dictionary pairs with vectors on both sides (the fit's rows)
  double residual = 0.0;  // ||X W - Z||_F on those rows, unit-length vectors
};

// Maps `source` (in place) onto `target`'s space; `dictionary_text` is read to its end.
inline dictionary_mapping_result map_with_dictionary(io::word_embeddings& source, io::word_embeddings target,
                                                     std::istream& dictionary_text, std::string_view dictionary_name) {
  em::normalize_rows(source);
  em::normalize_rows(target);
  io::line_reader reader(dictionary_text, std::string(dictionary_name));
  std::string line;
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  std::vector<std::string_view> w;
  while (reader.next(line)) {
    w.clear();
    io::for_each_token(line, [&](std::string_view t) { w.push_back(t); });
    if (w.empty()) continue;
    if (w.size() != 2) reader.fail("expected 'source target', found " + std::to_string(w.size()) + " fields");
    const auto a = source.words.find(w[0]);
    const auto b = target.words.find(w[1]);
    if (a && b) pairs.emplace_back(*a, *b);
  }
  if (pairs.size() < 2)
    throw invalid_argument(std::string(dictionary_name) + ": fewer than 2 pairs have embeddings on both sides");
  const std::size_t d = source.dimension();
  dense_matrix<double> x(pairs.size(), d), z(pairs.size(), d);
  for (std::size_t k = 0; k < pairs.size(); ++k)
    for (std::size_t i = 0; i < d; ++i) {
      x(k, i) = source.vectors(pairs[k].first, i);
      z(k, i) = target.vectors(pairs[k].second, i);
    }
  const auto r = procrustes(x, z);
  dense_matrix<float> mapped(source.vectors.rows(), d, 0.0f);
  for (std::size_t v = 0; v < source.vectors.rows(); ++v)
    for (std::size_t j = 0; j < d; ++j) {
      double acc = 0;
      for (std::size_t i = 0; i < d; ++i) acc += double(source.vectors(v, i)) * r.w(i, j);
      mapped(v, j) = static_cast<float>(acc);
    }
  source.vectors = std::move(mapped);
  return {pairs.size(), r.residual};
}

inline dictionary_mapping_result map_with_dictionary_file(io::word_embeddings& source, io::word_embeddings target,
                                                          const std::string& dictionary_path) {
  auto in = io::open_input(dictionary_path);
  return map_with_dictionary(source, std::move(target), in, dictionary_path);
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
