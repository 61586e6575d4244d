// A tiny well-formedness checker for the XML (XHTML + SVG) the library
// writes: balanced and properly nested tags, quoted attributes without a raw
// '<' or '&', known or numeric entities only, no raw '<' or '&' in text.
// Not a full XML parser: no CDATA, no processing instructions besides the
// DOCTYPE line, which is all the writers produce.  Returns "" when the text
// is well formed, else what is wrong and where.
#pragma once

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lexalign::test {

namespace xml_detail {
inline bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
}
// Checks an entity starting at s[i] == '&'; returns its length or 0.
inline std::size_t entity(std::string_view s, std::size_t i) {
  const std::size_t end = s.find(';', i);
  if (end == std::string_view::npos || end - i > 10) return 0;
  const std::string_view body = s.substr(i + 1, end - i - 1);
  if (body == "amp" || body == "lt" || body == "gt" || body == "quot" || body == "apos") return end - i + 1;
  if (body.size() >= 2 && body[0] == '#') {
    for (std::size_t k = 1; k < body.size(); ++k)
      if (!std::isdigit(static_cast<unsigned char>(body[k]))) return 0;
    return end - i + 1;
  }
  return 0;
}
}  // namespace xml_detail

inline std::string xml_problem(std::string_view s) {
  std::vector<std::string> open;
  auto where = [&](std::size_t i) { return " at offset " + std::to_string(i); };
  std::size_t i = 0;
  if (s.substr(0, 9) == "<!DOCTYPE") {
    i = s.find('>');
    if (i == std::string_view::npos) return "unterminated DOCTYPE";
    ++i;
  }
  bool seen_root = false;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '&') {
      const std::size_t n = xml_detail::entity(s, i);
      if (n == 0) return "bad entity" + where(i);
      i += n;
      continue;
    }
    if (c == '>') return "raw '>' in text" + where(i);
    if (c != '<') {
      if (open.empty() && !std::isspace(static_cast<unsigned char>(c))) return "text outside the root" + where(i);
      ++i;
      continue;
    }
    // A tag.
    const bool closing = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t k = i + (closing ? 2 : 1);
    const std::size_t name_begin = k;
    while (k < s.size() && xml_detail::name_char(s[k])) ++k;
    if (k == name_begin) return "tag without a name" + where(i);
    const std::string name(s.substr(name_begin, k - name_begin));
    if (closing) {
      while (k < s.size() && std::isspace(static_cast<unsigned char>(s[k]))) ++k;
      if (k >= s.size() || s[k] != '>') return "bad closing tag </" + name + where(i);
      if (open.empty() || open.back() != name)
        return "closing </" + name + "> does not match <" + (open.empty() ? std::string("nothing") : open.back()) +
               ">" + where(i);
      open.pop_back();
      i = k + 1;
      continue;
    }
    if (open.empty() && seen_root) return "second root element <" + name + ">" + where(i);
    // Attributes: name="value" or name='value', each name once.
    std::vector<std::string> names;
    for (;;) {
      while (k < s.size() && std::isspace(static_cast<unsigned char>(s[k]))) ++k;
      if (k >= s.size()) return "unterminated tag <" + name + where(i);
      if (s[k] == '>' || (s[k] == '/' && k + 1 < s.size() && s[k + 1] == '>')) break;
      const std::size_t a = k;
      while (k < s.size() && xml_detail::name_char(s[k])) ++k;
      if (k == a) return "bad attribute in <" + name + where(k);
      const std::string attr(s.substr(a, k - a));
      for (const auto& n : names)
        if (n == attr) return "attribute " + attr + " twice in <" + name + where(a);
      names.push_back(attr);
      if (k >= s.size() || s[k] != '=') return "attribute " + attr + " without a value" + where(k);
      ++k;
      if (k >= s.size() || (s[k] != '"' && s[k] != '\'')) return "unquoted attribute " + attr + where(k);
      const char q = s[k++];
      while (k < s.size() && s[k] != q) {
        if (s[k] == '<') return "'<' in attribute " + attr + where(k);
        if (s[k] == '&') {
          const std::size_t n = xml_detail::entity(s, k);
          if (n == 0) return "bad entity in attribute " + attr + where(k);
          k += n;
          continue;
        }
        ++k;
      }
      if (k >= s.size()) return "unterminated attribute " + attr + where(a);
      ++k;
    }
    seen_root = true;
    if (s[k] == '/') {
      i = k + 2;  // self-closing
    } else {
      open.push_back(name);
      i = k + 1;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (!seen_root) return "no root element";
  return "";
}

// Occurrences of `needle` in `hay`.
inline std::size_t count_of(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t p = hay.find(needle); p != std::string_view::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace lexalign::test
