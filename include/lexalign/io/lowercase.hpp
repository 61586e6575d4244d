// lexalign/io/lowercase.hpp - lower-casing UTF-8 text for the scripts where
// case is a simple one-to-one mapping (what `lexalign align --lowercase` does).
//
// Mapped: ASCII, Latin-1 Supplement, the Latin Extended-A/B pairs used by
// Romanian and the other Latin-script languages of the bundled sets, Greek
// and Cyrillic capitals.  Every other character, and every invalid byte, is
// kept as it is, so the line structure and byte offsets of invalid input
// (which the readers report) do not move.
#pragma once

#include <cstdint>
#include <istream>
#include <iterator>
#include <string>
#include <string_view>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

// The lower-case form of one code point (itself when it has none here).
inline std::uint32_t lower_code_point(std::uint32_t c) noexcept {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if (c <= 0xDE) return c == 0xD7 ? c : c + 32;
  if (c >= 0x100 && c <= 0x137) return c | 1u;
  if (c >= 0x139 && c <= 0x148) return (c & 1u) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return c | 1u;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E) return (c & 1u) ? c + 1 : c;
  if (c >= 0x218 && c <= 0x21B) return c | 1u;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

namespace detail {
inline void append_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}
}  // namespace detail

// `s` lower-cased; only one- and two-byte sequences change (every mapped
// character is below U+0800 and maps below U+0800).
inline std::string lowercase_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(lower_code_point(c)));
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      const std::uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      if (cp < 0x80) {  // overlong: kept as is (the readers reject it)
        out.append(s.substr(i, 2));
      } else {
        detail::append_utf8(out, lower_code_point(cp));
      }
      i += 2;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

// The rest of `in`, lower-cased.
inline std::string lowercase_utf8(std::istream& in) {
  const std::string all{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return lowercase_utf8(std::string_view(all));
}

}  // namespace io
LEXALIGN_NAMESPACE_END
