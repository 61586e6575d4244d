// lexalign/io/sparse_rows_io.hpp - the pieces of the aligners' model files
// (em/model_io.hpp, bayes/model_io.hpp): the magic/version line and the
// sparse-row table block.  The vocabulary blocks are in io/field_reader.hpp.
//
//   <magic> <version>
//   lexical ROWS ENTRIES        then ROWS lines "K c1 v1 ... cK vK": row 0 =
//                               NULL, row e+1 = given word e; columns (ids of
//                               the generated side) increasing
//
// Values are written with a fixed number of significant digits (17 for
// double, 9 for float: both round-trip exactly).
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

#include "lexalign/config.hpp"
#include "lexalign/core/sparse_rows.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/field_reader.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

inline void write_magic(std::ostream& out, std::string_view magic, int version) {
  out << magic << ' ' << version << '\n';
}

// Reads "<magic> <version>" and fails unless the version is in
// [oldest, newest]; returns the version.
inline int read_magic(field_reader& r, std::string_view magic, int oldest, int newest) {
  r.next_line();
  r.expect(magic);
  const int v = r.number<int>();
  if (v < oldest || v > newest)
    r.fail("unsupported model format version " + std::to_string(v) + " (this build reads version " +
           (oldest == newest ? std::to_string(newest) : std::to_string(oldest) + " to " + std::to_string(newest)) +
           ")");
  r.end_of_line();
  return v;
}

// Reads "<magic> <version>" and fails unless the version is `version`.
inline void read_magic(field_reader& r, std::string_view magic, int version) { read_magic(r, magic, version, version); }

// The vocabulary pair every model file carries.
inline void write_vocabularies(std::ostream& out, const vocabulary& source, const vocabulary& target) {
  std::string block;
  write_vocabulary(block, "source_vocabulary", source);
  write_vocabulary(block, "target_vocabulary", target);
  out << block;
}
inline void read_vocabularies(field_reader& r, vocabulary& source, vocabulary& target) {
  read_vocabulary(r, "source_vocabulary", source);
  read_vocabulary(r, "target_vocabulary", target);
}

// The closing "end" line; `what` names the writer in the error.
inline void write_end(std::ostream& out, std::string_view what) {
  out << "end\n";
  if (!out) throw io_error(std::string(what) + ": write failed");
}
inline void read_end(field_reader& r) {
  r.next_line();
  r.expect("end");
  r.end_of_line();
}

// Writes a model file through `write(std::ostream&)`; io_error names the path.
template <class Write>
void write_model_file(const std::string& path, Write&& write) {
  auto out = open_output(path);
  write(out);
  out.close();
  if (!out) throw io_error("cannot write '" + path + "'");
}

template <class T>
void write_sparse_rows(std::ostream& out, const sparse_rows<T>& m, int digits) {
  std::string s = "lexical " + std::to_string(m.rows()) + " " + std::to_string(m.size()) + "\n";
  out << s;
  for (std::size_t r = 0; r < m.rows(); ++r) {
    s.clear();
    s += std::to_string(m.row_end(r) - m.row_begin(r));
    for (std::size_t k = m.row_begin(r); k < m.row_end(r); ++k) {
      s += ' ';
      s += std::to_string(m.columns[k]);
      s += ' ';
      append_number(s, static_cast<double>(m.values[k]), digits);
    }
    s += '\n';
    out << s;
  }
}

// Reads a block written by write_sparse_rows: `rows` rows (given vocabulary +
// NULL), columns below `columns_limit` (the generated vocabulary's size).
template <class T>
sparse_rows<T> read_sparse_rows(field_reader& r, std::size_t rows, std::size_t columns_limit) {
  sparse_rows<T> m;
  r.next_line();
  r.expect("lexical");
  const auto got_rows = r.number<std::size_t>();
  const auto entries = r.number<std::size_t>();
  r.end_of_line();
  if (got_rows != rows)
    r.fail("lexical table has " + std::to_string(got_rows) + " rows, expected " + std::to_string(rows) +
           " (vocabulary + NULL)");
  m.columns.reserve(entries);
  m.values.reserve(entries);
  for (std::size_t row = 0; row < rows; ++row) {
    r.next_line();
    const auto n = r.number<std::size_t>();
    for (std::size_t x = 0; x < n; ++x) {
      const auto f = r.number<word_id>();
      if (f >= columns_limit) r.fail("word id " + std::to_string(f) + " is outside the vocabulary");
      if (x > 0 && f <= m.columns.back()) r.fail("word ids of a row must increase");
      m.columns.push_back(f);
      m.values.push_back(r.number<T>());
    }
    r.end_of_line();
    m.offsets.push_back(m.columns.size());
  }
  if (m.columns.size() != entries)
    r.fail("lexical table holds " + std::to_string(m.columns.size()) + " entries, header says " +
           std::to_string(entries));
  return m;
}

}  // namespace io
LEXALIGN_NAMESPACE_END
