// lexalign/em/model_io.hpp - em::save and em::load: a trained two-direction
// model with its vocabularies, in a text file (align new text with it with
// em::align, unknown words included).
//
//   lexalign::em::save(model, "model.txt");
//   auto m = lexalign::em::load("model.txt");
//
// File format (UTF-8 text, '\n' line ends, numbers in C locale, every
// probability written with 17 significant digits so a round trip is exact):
//
//   lexalign-em-model 1
//   source_vocabulary N            then N lines: one word each, id = line order
//   target_vocabulary N            then N lines
//   direction forward              (the model generating target from source)
//   kind ibm1|fast_align|hmm
//   probability_floor X
//   lexical ROWS ENTRIES           then ROWS lines: "K f1 p1 f2 p2 ... fK pK",
//                                  row 0 = NULL, row e+1 = given word e; f are
//                                  ids of the generated side, increasing
//   fast_align P0 LAMBDA FAVOR     (kind fast_align only; FAVOR 0|1)
//   hmm MAX_JUMP P_NULL JUMP_SMOOTHING START_SMOOTHING   (kind hmm only)
//   jump W_-MAX_JUMP ... W_MAX_JUMP
//   start V_0 ... V_{S-1}          (first number is S)
//   Version 2 (written only when an HMM direction has class jumps or an end
//   distribution; version 1 files are read as before) adds after `start`:
//   hmm_classes K N C_0 ... C_{N-1}   (K jump classes, 0 = none; the class of
//                                  each of the N given words)
//   class_jump W_-MAX_JUMP ... W_MAX_JUMP   (K lines, class 0 first)
//   hmm_end S SMOOTHING U_0 ... U_{S-1}     (S = 0: no end distribution)
//   direction reverse              (the same blocks for the reverse model,
//   ...                             given = target, generated = source)
//   end
//
// Errors name the file and line (lexalign::parse_error).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/field_reader.hpp"
#include "lexalign/io/sparse_rows_io.hpp"
#include "lexalign/em/model.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

namespace detail {

inline void put_double(std::string& out, double v) { io::append_number(out, v, 17); }

inline const char* kind_name(model_kind k) {
  switch (k) {
    case model_kind::ibm1: return "ibm1";
    case model_kind::fast_align: return "fast_align";
    case model_kind::hmm: return "hmm";
  }
  return "ibm1";
}

// True when some HMM direction needs format version 2.
inline bool needs_v2(const directional_model& m) {
  return m.kind == model_kind::hmm && (m.hmm.jump_classes != 0 || !m.hmm.end.empty());
}

inline void save_direction(std::ostream& out, const directional_model& m, const char* name, int version = 1) {
  std::string s;
  s += "direction ";
  s += name;
  s += "\nkind ";
  s += kind_name(m.kind);
  s += "\nprobability_floor ";
  put_double(s, m.probability_floor);
  s += '\n';
  out << s;
  io::write_sparse_rows(out, m.table.data(), 17);
  s.clear();
  if (m.kind == model_kind::fast_align) {
    s += "fast_align ";
    put_double(s, m.fast_align.p0);
    s += ' ';
    put_double(s, m.fast_align.lambda);
    s += m.fast_align.favor_diagonal ? " 1\n" : " 0\n";
  }
  if (m.kind == model_kind::hmm) {
    s += "hmm " + std::to_string(m.hmm.max_jump) + " ";
    put_double(s, m.hmm.null_probability);
    s += ' ';
    put_double(s, m.hmm.jump_smoothing);
    s += ' ';
    put_double(s, m.hmm.start_smoothing);
    s += "\njump";
    for (double w : m.hmm.jump) {
      s += ' ';
      put_double(s, w);
    }
    s += "\nstart " + std::to_string(m.hmm.start.size());
    for (double w : m.hmm.start) {
      s += ' ';
      put_double(s, w);
    }
    s += '\n';
    if (version >= 2) {
      s += "hmm_classes " + std::to_string(m.hmm.jump_classes) + " " + std::to_string(m.hmm.given_class.size());
      for (auto c : m.hmm.given_class) s += " " + std::to_string(c);
      s += '\n';
      const std::size_t J = m.hmm.jump.size();
      for (std::size_t c = 0; c < m.hmm.jump_classes; ++c) {
        s += "class_jump";
        for (std::size_t d = 0; d < J; ++d) {
          s += ' ';
          put_double(s, m.hmm.class_jump[c * J + d]);
        }
        s += '\n';
      }
      s += "hmm_end " + std::to_string(m.hmm.end.size()) + " ";
      put_double(s, m.hmm.end_smoothing);
      for (double w : m.hmm.end) {
        s += ' ';
        put_double(s, w);
      }
      s += '\n';
    }
  }
  out << s;
}

using model_reader = io::field_reader;

inline directional_model load_direction(model_reader& r, const char* name, std::size_t given_vocab,
                                        std::size_t generated_vocab, int version = 1) {
  directional_model m;
  r.next_line();
  r.expect("direction");
  r.expect(name);
  r.end_of_line();
  r.next_line();
  r.expect("kind");
  const auto k = r.word();
  if (k == "ibm1") m.kind = model_kind::ibm1;
  else if (k == "fast_align") m.kind = model_kind::fast_align;
  else if (k == "hmm") m.kind = model_kind::hmm;
  else r.fail("unknown model kind '" + io::excerpt(k) + "'");
  m.has_hmm = m.kind == model_kind::hmm;
  r.next_line();
  r.expect("probability_floor");
  m.probability_floor = r.number<double>();
  m.table = lexical_table::from_rows(io::read_sparse_rows<double>(r, given_vocab + 1, generated_vocab));
  if (m.kind == model_kind::fast_align) {
    r.next_line();
    r.expect("fast_align");
    m.fast_align.p0 = r.number<double>();
    m.fast_align.lambda = r.number<double>();
    m.fast_align.favor_diagonal = r.number<int>() != 0;
    r.end_of_line();
  }
  if (m.kind == model_kind::hmm) {
    r.next_line();
    r.expect("hmm");
    m.hmm.max_jump = r.number<std::size_t>();
    m.hmm.null_probability = r.number<double>();
    m.hmm.jump_smoothing = r.number<double>();
    m.hmm.start_smoothing = r.number<double>();
    r.end_of_line();
    r.next_line();
    r.expect("jump");
    m.hmm.jump.resize(2 * m.hmm.max_jump + 1);
    for (double& w : m.hmm.jump) w = r.number<double>();
    r.end_of_line();
    r.next_line();
    r.expect("start");
    m.hmm.start.resize(r.number<std::size_t>());
    for (double& w : m.hmm.start) w = r.number<double>();
    r.end_of_line();
    if (version >= 2) {
      r.next_line();
      r.expect("hmm_classes");
      m.hmm.jump_classes = r.number<std::size_t>();
      const auto n = r.number<std::size_t>();
      if (m.hmm.jump_classes > (std::size_t{1} << 20)) r.fail("more than 2^20 jump classes");
      if (n != 0 && n != given_vocab)
        r.fail("hmm_classes lists " + std::to_string(n) + " words, the vocabulary has " + std::to_string(given_vocab));
      if (n == 0 && m.hmm.jump_classes != 0) r.fail("hmm_classes: jump classes without word classes");
      m.hmm.given_class.resize(n);
      for (auto& c : m.hmm.given_class) {
        c = r.number<std::uint32_t>();
        if (c >= m.hmm.jump_classes) r.fail("word class " + std::to_string(c) + " out of range");
      }
      r.end_of_line();
      const std::size_t J = m.hmm.jump.size();
      m.hmm.class_jump.resize(m.hmm.jump_classes * J);
      for (std::size_t c = 0; c < m.hmm.jump_classes; ++c) {
        r.next_line();
        r.expect("class_jump");
        for (std::size_t d = 0; d < J; ++d) m.hmm.class_jump[c * J + d] = r.number<double>();
        r.end_of_line();
      }
      r.next_line();
      r.expect("hmm_end");
      m.hmm.end.resize(r.number<std::size_t>());
      m.hmm.end_smoothing = r.number<double>();
      if (m.hmm.end_smoothing > 1.0) r.fail("end smoothing above 1");
      for (double& w : m.hmm.end) w = r.number<double>();
      r.end_of_line();
    }
  }
  return m;
}

}  // namespace detail

inline void save(const model& m, std::ostream& out) {
  const int version = detail::needs_v2(m.forward) || detail::needs_v2(m.reverse) ? 2 : 1;
  io::write_magic(out, "lexalign-em-model", version);
  io::write_vocabularies(out, m.source_vocabulary, m.target_vocabulary);
  detail::save_direction(out, m.forward, "forward", version);
  detail::save_direction(out, m.reverse, "reverse", version);
  io::write_end(out, "em::save");
}

inline void save(const model& m, const std::string& path) {
  io::write_model_file(path, [&](std::ostream& out) { save(m, out); });
}

// `name` names the stream in parse errors.
inline model load(std::istream& in, std::string_view name) {
  detail::model_reader r(in, std::string(name));
  model m;
  r.next_line();
  r.expect("lexalign-em-model");
  const int version = r.number<int>();
  if (version != 1 && version != 2) r.fail("unsupported model format version (this build reads versions 1 and 2)");
  r.end_of_line();
  io::read_vocabularies(r, m.source_vocabulary, m.target_vocabulary);
  m.forward = detail::load_direction(r, "forward", m.source_vocabulary.size(), m.target_vocabulary.size(), version);
  m.reverse = detail::load_direction(r, "reverse", m.target_vocabulary.size(), m.source_vocabulary.size(), version);
  io::read_end(r);
  return m;
}

inline model load(const std::string& path) {
  auto in = io::open_input(path);
  return load(in, path);
}

}  // namespace em
LEXALIGN_NAMESPACE_END
