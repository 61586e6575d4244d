// lexalign/bayes/model_io.hpp - bayes::save and bayes::load: a bayes::model
// (learned counts and vocabularies), to align new text with the counts as
// priors.
//
//   auto m = bayes::train(corpus, {.seed = 1});
//   bayes::save(m, "en-es.bayes");
//   auto loaded = bayes::load("en-es.bayes");
//   auto out = bayes::align(loaded, new_pairs, {.seed = 1});
//
// File format (UTF-8 text, '\n' line ends, C-locale numbers; counts are
// floats written with 9 significant digits, so a round trip is exact):
//
//   lexalign-bayes-model 1
//   max_jump M
//   fertility_bins B
//   training_sentences N
//   source_vocabulary N          then N lines: one word each, id = line order
//   target_vocabulary N          then N lines
//   direction forward            (given = source, generated = target)
//   lexical ROWS ENTRIES         then ROWS lines "K f1 c1 ... fK cK": row 0 =
//                                NULL, row e+1 = given word e; f increasing
//   jump N  c_0 ... c_{N-1}      N = 0 (no HMM stage) or 2M+1; bin d+M = jump d
//   fertility ROWS               then ROWS lines of B counts (ROWS = 0: none)
//   direction reverse            (the same blocks, given = target)
//   end
//
// Errors name the file and line (lexalign::parse_error).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "lexalign/bayes/model.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/field_reader.hpp"
#include "lexalign/io/sparse_rows_io.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

namespace detail {

inline void put_number(std::string& out, double v, int digits) { io::append_number(out, v, digits); }

inline void save_counts(std::ostream& out, const directional_counts& m, const char* name, std::size_t bins) {
  std::string s;
  s += "direction ";
  s += name;
  s += '\n';
  out << s;
  io::write_sparse_rows(out, m.lexical, 9);
  s = "jump " + std::to_string(m.jump.size());
  for (double v : m.jump) {
    s += ' ';
    put_number(s, v, 17);
  }
  const std::size_t frows = bins == 0 ? 0 : m.fertility.size() / bins;
  s += "\nfertility " + std::to_string(frows) + "\n";
  out << s;
  for (std::size_t r = 0; r < frows; ++r) {
    s.clear();
    for (std::size_t b = 0; b < bins; ++b) {
      if (b) s += ' ';
      put_number(s, m.fertility[r * bins + b], 9);
    }
    s += '\n';
    out << s;
  }
}

using field_reader = io::field_reader;

template <class T>
T keyed_number(field_reader& r, std::string_view key) {
  return r.keyed_number<T>(key);
}

inline directional_counts load_counts(field_reader& r, const char* name, std::size_t given, std::size_t generated,
                                      std::size_t max_jump, std::size_t bins) {
  directional_counts m;
  r.next_line();
  r.expect("direction");
  r.expect(name);
  r.end_of_line();
  m.lexical = io::read_sparse_rows<float>(r, given + 1, generated);
  r.next_line();
  r.expect("jump");
  const auto nj = r.number<std::size_t>();
  if (nj != 0 && nj != 2 * max_jump + 1) r.fail("jump table needs 0 or 2*max_jump+1 bins");
  m.jump.resize(nj);
  for (double& v : m.jump) v = r.number<double>();
  r.end_of_line();
  const auto frows = keyed_number<std::size_t>(r, "fertility");
  if (frows != 0 && frows != given) r.fail("fertility table needs 0 rows or one per given word");
  m.fertility.resize(frows * bins);
  for (std::size_t row = 0; row < frows; ++row) {
    r.next_line();
    for (std::size_t b = 0; b < bins; ++b) m.fertility[row * bins + b] = r.number<float>();
    r.end_of_line();
  }
  return m;
}

}  // namespace detail

inline void save(const model& m, std::ostream& out) {
  io::write_magic(out, "lexalign-bayes-model", 1);
  out << "max_jump " << m.max_jump << "\nfertility_bins " << m.fertility_bins
      << "\ntraining_sentences " << m.training_sentences << '\n';
  io::write_vocabularies(out, m.source_vocabulary, m.target_vocabulary);
  detail::save_counts(out, m.forward, "forward", m.fertility_bins);
  detail::save_counts(out, m.reverse, "reverse", m.fertility_bins);
  io::write_end(out, "bayes::save");
}

inline void save(const model& m, const std::string& path) {
  io::write_model_file(path, [&](std::ostream& out) { save(m, out); });
}

// `name` names the stream in parse errors.
inline model load(std::istream& in, std::string_view name) {
  detail::field_reader r(in, std::string(name));
  model m;
  io::read_magic(r, "lexalign-bayes-model", 1);
  m.max_jump = detail::keyed_number<std::size_t>(r, "max_jump");
  m.fertility_bins = detail::keyed_number<std::size_t>(r, "fertility_bins");
  if (m.max_jump == 0 || m.fertility_bins < 2) r.fail("max_jump must be >= 1 and fertility_bins >= 2");
  m.training_sentences = detail::keyed_number<std::size_t>(r, "training_sentences");
  io::read_vocabularies(r, m.source_vocabulary, m.target_vocabulary);
  const std::size_t ns = m.source_vocabulary.size(), nt = m.target_vocabulary.size();
  m.forward = detail::load_counts(r, "forward", ns, nt, m.max_jump, m.fertility_bins);
  m.reverse = detail::load_counts(r, "reverse", nt, ns, m.max_jump, m.fertility_bins);
  io::read_end(r);
  return m;
}

inline model load(const std::string& path) {
  auto in = io::open_input(path);
  return load(in, path);
}

}  // namespace bayes
LEXALIGN_NAMESPACE_END
