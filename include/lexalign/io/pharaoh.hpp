// lexalign/io/pharaoh.hpp - read and write alignments in Pharaoh notation.
//
// One line per sentence pair, links separated by ASCII spaces:
//   i-j   sure link between source token i and target token j (0-based)
//   i?j   possible link          ipj   possible link (the awesome-align/WPT spelling)
// Options read 1-based files and files written target-first.  Malformed
// links, duplicated links, links marked both sure and possible, and (when
// sentence lengths are given) indices out of range throw parse_error with the
// file, the line and the offending link as written.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <istream>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

struct pharaoh_read_options {
  bool one_based = false;      // indices start at 1 (WPT, lilt .talp, awesome-align gold)
  bool reverse = false;        // links are written target-source; swap them
  bool allow_possible = true;  // accept '?' and 'p' links; if false they are an error
};

struct pharaoh_write_options {
  bool one_based = false;
  bool reverse = false;           // write target-source
  char possible_marker = '?';     // '?' or 'p'
};

inline void validate(const pharaoh_write_options& o) {
  validation::require(o.possible_marker == '?' || o.possible_marker == 'p', "io::pharaoh_write_options.possible_marker",
                      std::string(1, o.possible_marker), "'?' or 'p'");
}

// Streaming reader: one sentence_alignment per line.
class pharaoh_reader {
 public:
  pharaoh_reader(std::istream& in, std::string source_name, const pharaoh_read_options& options = {})
      : reader_(in, std::move(source_name)), options_(options) {}

  // Reads the next line into `out`; false at end of input.
  bool next(sentence_alignment& out) {
    if (!reader_.next(line_)) return false;
    parse_line(out);
    return true;
  }

  // As next(), and checks every link against the sentence lengths.
  bool next(sentence_alignment& out, std::size_t source_length, std::size_t target_length) {
    if (!next(out)) return false;
    check_range(out, source_length, target_length);
    return true;
  }

  const std::string& source_name() const noexcept { return reader_.source_name(); }
  std::size_t line_number() const noexcept { return reader_.line_number(); }
  [[noreturn]] void fail(std::string reason) const { reader_.fail(std::move(reason)); }

 private:
  void parse_line(sentence_alignment& out) {
    out.clear();
    for_each_token(line_, [&](std::string_view tok) {
      const auto [l, possible] = parse_link(tok);
      if (possible) {
        if (!options_.allow_possible) fail("possible link '" + excerpt(tok) + "' where only sure links are allowed");
        out.possible.push_back(l);
      } else {
        out.sure.push_back(l);
      }
    });
    check_unique(out.sure);
    check_unique(out.possible);
    // A link may not be both sure and possible.
    auto s = out.sure.begin();
    for (const link& p : out.possible) {
      s = std::lower_bound(s, out.sure.end(), p);
      if (s != out.sure.end() && *s == p) fail("link " + describe(p) + " is marked both sure and possible");
    }
  }

  std::pair<link, bool> parse_link(std::string_view tok) const {
    std::uint32_t a = 0, b = 0;
    const char* first = tok.data();
    const char* last = tok.data() + tok.size();
    auto bad = [&](const char* why) -> void {
      fail("malformed link '" + excerpt(tok) + "': " + why + " (expected i-j, i?j or ipj)");
    };
    auto r1 = std::from_chars(first, last, a);
    if (r1.ec == std::errc::result_out_of_range) bad("index too large");
    if (r1.ec != std::errc() || r1.ptr == first) bad("no leading index");
    if (r1.ptr == last) bad("no separator");
    const char sep = *r1.ptr;
    if (sep != '-' && sep != '?' && sep != 'p') bad("unknown separator");
    const char* second = r1.ptr + 1;
    auto r2 = std::from_chars(second, last, b);
    if (r2.ec == std::errc::result_out_of_range) bad("index too large");
    if (r2.ec != std::errc() || r2.ptr == second) bad("no second index");
    if (r2.ptr != last) bad("trailing characters");
    if (a == std::numeric_limits<std::uint32_t>::max() || b == std::numeric_limits<std::uint32_t>::max())
      bad("index too large");
    if (options_.one_based) {
      if (a == 0 || b == 0) bad("index 0 in a 1-based file");
      --a;
      --b;
    }
    if (options_.reverse) std::swap(a, b);
    return {link{a, b}, sep != '-'};
  }

  void check_unique(std::vector<link>& links) const {
    std::sort(links.begin(), links.end());
    const auto dup = std::adjacent_find(links.begin(), links.end());
    if (dup != links.end()) fail("duplicated link " + describe(*dup));
  }

  void check_range(const sentence_alignment& a, std::size_t source_length, std::size_t target_length) const {
    for (const auto* links : {&a.sure, &a.possible})
      for (const link& l : *links) {
        if (l.source >= source_length)
          fail("link " + describe(l) + ": source index out of range for a source sentence of " +
               std::to_string(source_length) + " tokens");
        if (l.target >= target_length)
          fail("link " + describe(l) + ": target index out of range for a target sentence of " +
               std::to_string(target_length) + " tokens");
      }
  }

  // The link as the file wrote it.
  std::string describe(const link& l) const {
    std::uint32_t a = l.source, b = l.target;
    if (options_.reverse) std::swap(a, b);
    if (options_.one_based) {
      ++a;
      ++b;
    }
    return "'" + std::to_string(a) + "-" + std::to_string(b) + "'";
  }

  line_reader reader_;
  pharaoh_read_options options_;
  std::string line_;
};

// Reads a whole stream.
inline alignment_corpus read_pharaoh(std::istream& in, std::string_view source_name,
                                     const pharaoh_read_options& options = {}) {
  pharaoh_reader reader(in, std::string(source_name), options);
  alignment_corpus out;
  sentence_alignment a;
  while (reader.next(a)) out.push_back(a);
  return out;
}

inline alignment_corpus read_pharaoh_file(const std::string& path, const pharaoh_read_options& options = {}) {
  auto in = open_input(path);
  return read_pharaoh(in, path, options);
}

// Writes one sentence's links, sorted, then '\n'.
inline void write_pharaoh(std::ostream& out, const sentence_alignment& a, const pharaoh_write_options& options = {}) {
  validate(options);
  std::string buf;
  buf.reserve(8 * a.size() + 1);
  auto s = a.sure.begin(), p = a.possible.begin();
  bool first = true;
  char tmp[16];
  auto put = [&](const link& l, char sep) {
    std::uint32_t x = l.source, y = l.target;
    if (options.reverse) std::swap(x, y);
    if (options.one_based) {
      ++x;
      ++y;
    }
    if (!first) buf.push_back(' ');
    first = false;
    buf.append(tmp, std::to_chars(tmp, tmp + sizeof tmp, x).ptr);
    buf.push_back(sep);
    buf.append(tmp, std::to_chars(tmp, tmp + sizeof tmp, y).ptr);
  };
  if (options.reverse) {
    // Sorted by the written order: merge-sort by (target, source).
    std::vector<std::pair<link, char>> all;
    all.reserve(a.size());
    for (const link& l : a.sure) all.emplace_back(link{l.target, l.source}, '-');
    for (const link& l : a.possible) all.emplace_back(link{l.target, l.source}, options.possible_marker);
    std::sort(all.begin(), all.end());
    for (const auto& [l, sep] : all) put(link{l.target, l.source}, sep);
  } else {
    while (s != a.sure.end() || p != a.possible.end()) {
      if (p == a.possible.end() || (s != a.sure.end() && *s < *p)) put(*s++, '-');
      else put(*p++, options.possible_marker);
    }
  }
  buf.push_back('\n');
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
}

inline void write_pharaoh(std::ostream& out, const alignment_corpus& corpus, const pharaoh_write_options& options = {}) {
  validate(options);
  for (const auto& a : corpus) write_pharaoh(out, a, options);
}

// Throws parse_error(name, k+1, ...) for the first link out of range of
// sentence k's lengths, or if the counts of lines differ.
template <class Lengths>
void check_alignment_ranges(const alignment_corpus& alignments, const Lengths& source_lengths,
                            const Lengths& target_lengths, std::string_view name) {
  if (alignments.size() != source_lengths.size())
    throw parse_error(std::string(name), std::min(alignments.size(), source_lengths.size()) + 1,
                      "line count mismatch: " + std::to_string(alignments.size()) + " alignment lines for " +
                          std::to_string(source_lengths.size()) + " sentence pairs");
  for (std::size_t k = 0; k < alignments.size(); ++k)
    for (const auto* links : {&alignments[k].sure, &alignments[k].possible})
      for (const link& l : *links)
        if (l.source >= source_lengths[k] || l.target >= target_lengths[k])
          throw parse_error(std::string(name), k + 1,
                            "link " + std::to_string(l.source) + "-" + std::to_string(l.target) +
                                " is out of range for a sentence pair of " + std::to_string(source_lengths[k]) +
                                " x " + std::to_string(target_lengths[k]) + " tokens");
}

}  // namespace io
LEXALIGN_NAMESPACE_END
