// lexalign/io/text.hpp - line-oriented text input shared by the readers:
// line counting, UTF-8 validation and splitting on ASCII spaces.
#pragma once

#include <cstddef>
#include <fstream>
#include <istream>
#include <string>
#include <string_view>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

// Byte offset of the first invalid UTF-8 sequence in `s`, or npos if `s` is
// valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
inline std::size_t find_invalid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
    else if (c == 0xED) { len = 3; hi = 0x9F; }
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return i;
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string_view::npos;
}

// Reads a stream line by line, counting lines (1-based) and stripping one
// trailing '\r' (CRLF files).  Errors it raises name the source and line.
class line_reader {
 public:
  line_reader(std::istream& in, std::string source_name) : in_(&in), name_(std::move(source_name)) {}

  // Reads the next line into `line`; false at end of input.
  bool next(std::string& line) {
    if (!std::getline(*in_, line)) {
      if (in_->bad()) throw io_error(name_ + ": read error after line " + std::to_string(line_number_));
      return false;
    }
    ++line_number_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }

  const std::string& source_name() const noexcept { return name_; }
  std::size_t line_number() const noexcept { return line_number_; }

  [[noreturn]] void fail(std::string reason) const { throw parse_error(name_, line_number_, std::move(reason)); }

  void require_utf8(std::string_view line) const {
    if (const auto bad = find_invalid_utf8(line); bad != std::string_view::npos)
      fail("invalid UTF-8 at byte " + std::to_string(bad + 1));
  }

 private:
  std::istream* in_;
  std::string name_;
  std::size_t line_number_ = 0;
};

// Calls f(token) for each token of `s` separated by runs of ASCII spaces
// (U+0020 only: tabs and other whitespace are part of tokens).
template <class F>
void for_each_token(std::string_view s, F&& f) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    while (i < n && s[i] == ' ') ++i;
    if (i == n) break;
    std::size_t j = i;
    while (j < n && s[j] != ' ') ++j;
    f(s.substr(i, j - i));
    i = j;
  }
}

// Opens a file for reading or throws io_error naming it.
inline std::ifstream open_input(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("cannot open '" + path + "' for reading");
  return in;
}

inline std::ofstream open_output(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw io_error("cannot open '" + path + "' for writing");
  return out;
}

}  // namespace io
LEXALIGN_NAMESPACE_END
