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
//   lexalign-em-model 3             (versions 1 and 2 still load; see below)
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
//   band ABOVE_LENGTH WIDTH        (kind hmm, version 2: hmm_band_options;
//                                   version 1 files get the defaults)
//   Version 3 adds after `band` (versions 1 and 2 are read as before: no
//   class jumps, no end distribution, no Models 3/4):
//   hmm_classes K N C_0 ... C_{N-1}   (K jump classes, 0 = none; the class of
//                                  each of the N given words)
//   class_jump W_-MAX_JUMP ... W_MAX_JUMP   (K lines, class 0 first)
//   hmm_end S SMOOTHING U_0 ... U_{S-1}     (S = 0: no end distribution)
//   fertility MODEL                (0: none; 3 or 4: Models 3/4 follow)
//   fertility_tables F P1 S3 S4 A B D       (max fertility, p1, smoothings,
//                                  class counts, longest generated sentence)
//   n COUNT N...                   n(phi|e) at e*F+phi
//   d3_blocks K L_1 M_1 ... L_K M_K
//   d3 COUNT D...
//   given_classes N C...   generated_classes N C...
//   d1 COUNT D...          d2 COUNT D...
//   direction reverse              (the same blocks for the reverse model,
//   ...                             given = target, generated = source)
//   end
//
// Errors name the file and line (lexalign::parse_error).
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
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

inline void save_direction(std::ostream& out, const directional_model& m, const char* name, int version) {
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
    if (version >= 2) s += "band " + std::to_string(m.hmm.band_above) + ' ' + std::to_string(m.hmm.band_width) + '\n';
    if (version >= 3) {
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
      const auto& fp = m.fertility;
      s += !m.has_fertility ? "fertility 0\n" : fp.model == fertility_model::model3 ? "fertility 3\n" : "fertility 4\n";
      if (m.has_fertility) {
        auto doubles = [&](const char* key, const std::vector<double>& v) {
          s += key;
          s += ' ' + std::to_string(v.size());
          for (double x : v) {
            s += ' ';
            put_double(s, x);
          }
          s += '\n';
        };
        auto ints = [&](const char* key, const std::vector<std::uint32_t>& v) {
          s += key;
          s += ' ' + std::to_string(v.size());
          for (auto x : v) s += ' ' + std::to_string(x);
          s += '\n';
        };
        s += "fertility_tables " + std::to_string(fp.max_fertility) + ' ';
        put_double(s, fp.p1);
        s += ' ';
        put_double(s, fp.distortion_smoothing);
        s += ' ';
        put_double(s, fp.model4_smoothing);
        s += ' ' + std::to_string(fp.given_classes) + ' ' + std::to_string(fp.generated_classes) + ' ' +
             std::to_string(fp.max_length) + '\n';
        doubles("n", fp.fertility);
        s += "d3_blocks " + std::to_string(fp.d3_keys.size());
        for (auto key : fp.d3_keys) s += ' ' + std::to_string(key >> 32) + ' ' + std::to_string(key & 0xFFFFFFFFu);
        s += '\n';
        doubles("d3", fp.d3);
        ints("given_classes", fp.given_class);
        ints("generated_classes", fp.generated_class);
        doubles("d1", fp.d1);
        doubles("d2", fp.d2);
      }
    }
  }
  out << s;
}

using model_reader = io::field_reader;

// The Models 3/4 block of a version-3 direction (after "fertility 3|4").
inline void load_fertility(model_reader& r, directional_model& m, std::size_t given_vocab, std::size_t generated_vocab,
                           int which) {
  auto& fp = m.fertility;
  m.has_fertility = true;
  fp.model = which == 3 ? fertility_model::model3 : fertility_model::model4;
  r.next_line();
  r.expect("fertility_tables");
  fp.max_fertility = r.number<std::size_t>();
  fp.p1 = r.number<double>();
  fp.distortion_smoothing = r.number<double>();
  fp.model4_smoothing = r.number<double>();
  fp.given_classes = r.number<std::size_t>();
  fp.generated_classes = r.number<std::size_t>();
  fp.max_length = r.number<std::size_t>();
  r.end_of_line();
  if (fp.max_fertility < 2 || fp.max_fertility > 1000) r.fail("max fertility must be in 2..1000");
  if (fp.p1 <= 0.0 || fp.p1 >= 1.0) r.fail("p1 must be in (0, 1)");
  if (fp.distortion_smoothing > 1.0 || fp.model4_smoothing > 1.0) r.fail("smoothing above 1");
  constexpr std::size_t cap = std::size_t{1} << 20;
  if (fp.given_classes < 1 || fp.given_classes > cap || fp.generated_classes < 1 || fp.generated_classes > cap ||
      fp.max_length > cap)
    r.fail("class counts must be in 1..2^20 and the length at most 2^20");
  auto doubles = [&](const char* key, std::vector<double>& v, std::size_t expected) {
    r.next_line();
    r.expect(key);
    const auto n = r.number<std::size_t>();
    if (n != expected) r.fail(std::string(key) + " has " + std::to_string(n) + " values, expected " + std::to_string(expected));
    v.resize(n);
    for (double& x : v) x = r.number<double>();
    r.end_of_line();
  };
  auto ints = [&](const char* key, std::vector<std::uint32_t>& v, std::size_t expected, std::size_t classes) {
    r.next_line();
    r.expect(key);
    const auto n = r.number<std::size_t>();
    if (n != expected) r.fail(std::string(key) + " has " + std::to_string(n) + " values, expected " + std::to_string(expected));
    v.resize(n);
    for (auto& x : v) {
      x = r.number<std::uint32_t>();
      if (x >= classes) r.fail("word class " + std::to_string(x) + " out of range");
    }
    r.end_of_line();
  };
  doubles("n", fp.fertility, given_vocab * fp.max_fertility);
  r.next_line();
  r.expect("d3_blocks");
  const auto blocks = r.number<std::size_t>();
  if (blocks > cap) r.fail("too many d3 blocks");
  fp.d3_keys.resize(blocks);
  fp.d3_offsets.resize(blocks);
  std::size_t total = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    const auto l = r.number<std::size_t>(), mm = r.number<std::size_t>();
    if (l == 0 || mm == 0 || l > cap || mm > cap) r.fail("d3 block lengths must be in 1..2^20");
    fp.d3_keys[b] = (std::uint64_t{l} << 32) | mm;
    if (b > 0 && fp.d3_keys[b] <= fp.d3_keys[b - 1]) r.fail("d3 blocks must be in increasing (l, m) order");
    fp.d3_offsets[b] = total;
    total += l * mm;
    if (total > (std::size_t{1} << 32)) r.fail("d3 blocks too large");
  }
  r.end_of_line();
  doubles("d3", fp.d3, total);
  ints("given_classes", fp.given_class, given_vocab, fp.given_classes);
  ints("generated_classes", fp.generated_class, generated_vocab, fp.generated_classes);
  doubles("d1", fp.d1, (fp.given_classes + 1) * fp.generated_classes * fp.head_width());
  doubles("d2", fp.d2, fp.generated_classes * (fp.max_length + 1));
}

inline directional_model load_direction(model_reader& r, const char* name, std::size_t given_vocab,
                                        std::size_t generated_vocab, int version) {
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
    const hmm_band_options band;  // version 1: the defaults
    m.hmm.band_above = band.above_length;
    m.hmm.band_width = band.width;
    if (version >= 2) {
      r.next_line();
      r.expect("band");
      m.hmm.band_above = r.number<std::size_t>();
      m.hmm.band_width = r.number<std::size_t>();
      if (m.hmm.band_width == 0) r.fail("band width must be at least 1");
      r.end_of_line();
    }
    if (version >= 3) {
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
      r.next_line();
      r.expect("fertility");
      const int which = r.number<int>();
      if (which != 0 && which != 3 && which != 4) r.fail("fertility model must be 0, 3 or 4");
      r.end_of_line();
      if (which != 0) load_fertility(r, m, given_vocab, generated_vocab, which);
    }
  }
  return m;
}

}  // namespace detail

// The version em::save writes; em::load reads versions 1 to this one.
inline constexpr int format_version = 3;

inline void save(const model& m, std::ostream& out) {
  const int version = format_version;
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
  const int version = io::read_magic(r, "lexalign-em-model", 1, format_version);
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
