// lexalign/io/text.hpp - line-oriented text input shared by the readers:
// line counting, UTF-8 validation, splitting on ASCII spaces, and short
// escaped excerpts of input text for error messages.
//
// A UTF-8 byte order mark (EF BB BF) at the very start of an input is
// accepted and dropped by line_reader, so every reader built on it (corpus,
// Pharaoh, dictionaries, models) ignores it.
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

// At most `max_bytes` of `s`, for an error message: printable ASCII as is,
// valid UTF-8 multi-byte characters as is, every other byte (control
// characters, invalid UTF-8) as \xNN, quotes and backslashes escaped; a cut
// text ends with "..." and the full length ("... (204800 bytes)").
inline std::string excerpt(std::string_view s, std::size_t max_bytes = 40) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  std::size_t i = 0;
  while (i < s.size() && i < max_bytes) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '\\' || c == '\'') out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t bad = find_invalid_utf8(s.substr(i, 4));
      std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len != 0 && i + len <= s.size() && (bad == std::string_view::npos || bad >= len)) {
        if (i + len > max_bytes) break;  // never cut a character in half
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
    }
    out += "\\x";
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
    ++i;
  }
  if (i < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
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
    if (++line_number_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 BOM
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
