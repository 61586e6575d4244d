// lexalign/io/field_reader.hpp - line-oriented reader of the space-separated
// text formats lexalign writes (saved EM and Bayesian models): keywords,
// numbers and vocabulary blocks, every problem a parse_error with file:line.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <istream>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

class field_reader {
 public:
  field_reader(std::istream& in, std::string name) : reader_(in, std::move(name)) {}

  // Moves to the next line; failing at the end of the input.
  void next_line() {
    if (!reader_.next(line_)) reader_.fail("unexpected end of file");
    pos_ = 0;
  }
  // The next line as a whole (vocabulary words).
  const std::string& raw_line() {
    next_line();
    return line_;
  }
  // The next space-separated field of the current line.
  std::string_view word() {
    while (pos_ < line_.size() && line_[pos_] == ' ') ++pos_;
    if (pos_ == line_.size()) reader_.fail("missing field");
    const std::size_t b = pos_;
    while (pos_ < line_.size() && line_[pos_] != ' ') ++pos_;
    return std::string_view(line_).substr(b, pos_ - b);
  }
  void expect(std::string_view keyword) {
    const auto w = word();
    if (w != keyword) reader_.fail("expected '" + std::string(keyword) + "', found '" + excerpt(w) + "'");
  }
  // The next field as a number: an integer of type T, or a finite,
  // non-negative floating-point value (probabilities, weights, counts).
  template <class T>
  T number() {
    const auto w = word();
    T v{};
    const auto r = std::from_chars(w.data(), w.data() + w.size(), v);
    if (r.ec != std::errc() || r.ptr != w.data() + w.size()) reader_.fail("bad number '" + excerpt(w) + "'");
    if constexpr (std::is_floating_point_v<T>)
      if (!(v >= 0) || !std::isfinite(v)) reader_.fail("value '" + std::string(w) + "' is negative or not finite");
    return v;
  }
  void end_of_line() {
    while (pos_ < line_.size() && line_[pos_] == ' ') ++pos_;
    if (pos_ != line_.size()) reader_.fail("unexpected trailing fields");
  }
  // A line `key VALUE`.
  template <class T>
  T keyed_number(std::string_view key) {
    next_line();
    expect(key);
    const T v = number<T>();
    end_of_line();
    return v;
  }
  [[noreturn]] void fail(const std::string& why) const { reader_.fail(why); }

 private:
  line_reader reader_;
  std::string line_;
  std::size_t pos_ = 0;
};

// Appends `v` to `out` with `digits` significant digits (17 round-trips a double).
inline void append_number(std::string& out, double v, int digits = 17) {
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  out.append(buf, static_cast<std::size_t>(n));
}

// A vocabulary block: `keyword N`, then N lines of one word each, in id order.
inline void write_vocabulary(std::string& out, const char* keyword, const vocabulary& v) {
  out += keyword;
  out += ' ' + std::to_string(v.size()) + '\n';
  for (std::size_t k = 0; k < v.size(); ++k) {
    out += v.word(static_cast<word_id>(k));
    out += '\n';
  }
}

inline void read_vocabulary(field_reader& r, const char* keyword, vocabulary& v) {
  const auto n = r.keyed_number<std::size_t>(keyword);
  v.reserve(v.size() + n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::string& w = r.raw_line();
    if (w.empty() || w.find(' ') != std::string::npos) r.fail("a vocabulary word is empty or contains a space");
    if (v.add(w) != k) r.fail("duplicated vocabulary word '" + excerpt(w) + "'");
  }
}

}  // namespace io
LEXALIGN_NAMESPACE_END
