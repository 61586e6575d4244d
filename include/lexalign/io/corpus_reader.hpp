// lexalign/io/corpus_reader.hpp - read a parallel corpus, streaming, from
// one 'source ||| target' file or from two line-parallel files.
//
// Text is UTF-8; tokens are separated by ASCII spaces (U+0020) only; one
// trailing '\r' per line is ignored; a UTF-8 BOM at the start of a file is
// dropped.  In a 'source ||| target' stream a blank line is an empty pair
// (accepted with allow_empty_sentences).  A bad line (invalid UTF-8, a missing or second ' ||| ', an empty
// sentence unless allowed, a sentence over max_sentence_length tokens)
// throws lexalign::parse_error naming the file, the 1-based line and the
// reason; with `bad_lines = bad_line_policy::skip` it instead becomes an
// empty pair (both sides empty, so the corpus stays line-parallel with its
// input and aligns to an empty line) and is reported to `on_skipped`.  A
// line-count mismatch of two files is always an error.
#pragma once

#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

enum class bad_line_policy {
  error,  // throw parse_error (the default)
  skip,   // keep the pair as an empty pair and report it to on_skipped
};

struct corpus_read_options {
  // Accept empty sentences (they then align to nothing).  Off by default: an
  // empty line is usually a sign of a broken file.
  bool allow_empty_sentences = false;
  // Longest sentence accepted, in tokens.
  std::size_t max_sentence_length = LEXALIGN_DEFAULT_MAX_SENTENCE_LENGTH;
  // What a bad line does (see the top of this header).
  bad_line_policy bad_lines = bad_line_policy::error;
  // With bad_line_policy::skip: called once per skipped line with the file's
  // name, the 1-based line and the reason (the text parse_error would carry).
  std::function<void(std::string_view file, std::size_t line, std::string_view reason)> on_skipped = {};
};

inline void validate(const corpus_read_options& o) {
  validation::at_least("io::corpus_read_options.max_sentence_length", o.max_sentence_length, 1);
}

namespace detail {

// Where the separator token "|||" starts in `line`, npos if absent; `second`
// is set when there is more than one.
inline std::size_t find_separator(std::string_view line, bool& second) {
  std::size_t found = std::string_view::npos;
  std::size_t pos = 0;
  second = false;
  while ((pos = line.find("|||", pos)) != std::string_view::npos) {
    const bool starts = pos == 0 || line[pos - 1] == ' ';
    const bool ends = pos + 3 == line.size() || line[pos + 3] == ' ';
    if (starts && ends) {
      if (found != std::string_view::npos) second = true;
      else found = pos;
    }
    pos += 3;
  }
  return found;
}

// Splits one side into `tokens`; returns the reason it is bad, or "" if good.
inline std::string split_side(std::string_view text, std::vector<std::string_view>& tokens,
                              const corpus_read_options& options, const char* side) {
  tokens.clear();
  std::size_t count = 0;
  bool too_long = false;
  for_each_token(text, [&](std::string_view tok) {
    if (++count > options.max_sentence_length) too_long = true;
    else tokens.push_back(tok);
  });
  if (too_long)
    return std::string(side) + " sentence is longer than the limit of " + std::to_string(options.max_sentence_length) +
           " tokens (it has " + std::to_string(count) + ")";
  if (count == 0 && !options.allow_empty_sentences) return std::string("empty ") + side + " sentence";
  return {};
}

inline std::string utf8_problem(std::string_view line) {
  if (const auto bad = find_invalid_utf8(line); bad != std::string_view::npos)
    return "invalid UTF-8 at byte " + std::to_string(bad + 1) + " (near '" + excerpt(line.substr(bad), 16) + "')";
  return {};
}

// Hands each pair to `sink(source_tokens, target_tokens)`, or handles the
// bad line `reason` of `reader` by the policy (an empty pair).
template <class Sink>
class pair_appender {
 public:
  pair_appender(Sink& sink, const corpus_read_options& options) : sink_(sink), options_(options) {}

  std::vector<std::string_view> source, target;

  void bad(const line_reader& reader, const std::string& reason) {
    if (options_.bad_lines == bad_line_policy::error) reader.fail(reason);
    if (options_.on_skipped) options_.on_skipped(reader.source_name(), reader.line_number(), reason);
    source.clear();
    target.clear();
    append();
  }
  void append() { sink_(std::as_const(source), std::as_const(target)); }

 private:
  Sink& sink_;
  const corpus_read_options& options_;
};

// The sink that appends to a parallel_corpus.
struct corpus_sink {
  parallel_corpus& corpus;
  void operator()(const std::vector<std::string_view>& source, const std::vector<std::string_view>& target) {
    for (auto t : source) corpus.source_store().push_token(corpus.source_vocabulary().add(t));
    corpus.source_store().end_sentence();
    for (auto t : target) corpus.target_store().push_token(corpus.target_vocabulary().add(t));
    corpus.target_store().end_sentence();
  }
};

}  // namespace detail

// Reads a 'source ||| target' stream pair by pair, under the rules above:
// `sink(const std::vector<std::string_view>& source, const std::vector<std::string_view>& target)`
// gets the tokens of each pair (valid until the next call), in input order;
// a skipped bad line gives an empty pair.  Nothing but one line is held.
template <class Sink>
void read_parallel_pairs(std::istream& in, std::string_view source_name, Sink&& sink,
                         const corpus_read_options& options = {}) {
  validate(options);
  line_reader reader(in, std::string(source_name));
  detail::pair_appender<std::remove_reference_t<Sink>> pair(sink, options);
  std::string line;
  while (reader.next(line)) {
    const std::string_view text(line);
    if (text.find_first_not_of(' ') == std::string_view::npos) {  // a blank line: an empty pair
      pair.source.clear();
      pair.target.clear();
      if (options.allow_empty_sentences) pair.append();
      else pair.bad(reader, "empty line (an empty source and target sentence)");
      continue;
    }
    std::string why = detail::utf8_problem(text);
    bool second = false;
    const std::size_t sep = why.empty() ? detail::find_separator(text, second) : 0;
    if (why.empty() && sep == std::string_view::npos) why = "missing ' ||| ' between source and target";
    if (why.empty() && second) why = "more than one ' ||| ' separator";
    if (why.empty()) why = detail::split_side(text.substr(0, sep), pair.source, options, "source");
    if (why.empty()) why = detail::split_side(text.substr(sep + 3), pair.target, options, "target");
    if (why.empty()) pair.append();
    else pair.bad(reader, why);
  }
}

// read_parallel_pairs over two line-parallel streams.
template <class Sink>
void read_parallel_pairs(std::istream& source_in, std::string_view source_name, std::istream& target_in,
                         std::string_view target_name, Sink&& sink, const corpus_read_options& options = {}) {
  validate(options);
  line_reader src(source_in, std::string(source_name));
  line_reader tgt(target_in, std::string(target_name));
  detail::pair_appender<std::remove_reference_t<Sink>> pair(sink, options);
  std::string sline, tline;
  for (;;) {
    const bool has_s = src.next(sline);
    const bool has_t = tgt.next(tline);
    if (!has_s && !has_t) break;
    if (has_s != has_t) {
      const line_reader& longer = has_s ? src : tgt;
      const line_reader& shorter = has_s ? tgt : src;
      longer.fail("line count mismatch: '" + shorter.source_name() + "' ends after " +
                  std::to_string(shorter.line_number()) + " lines");
    }
    if (std::string why = detail::utf8_problem(sline); !why.empty()) {
      pair.bad(src, why);
    } else if (std::string why_t = detail::utf8_problem(tline); !why_t.empty()) {
      pair.bad(tgt, why_t);
    } else if (std::string why_s = detail::split_side(sline, pair.source, options, "source"); !why_s.empty()) {
      pair.bad(src, why_s);
    } else if (std::string why_t2 = detail::split_side(tline, pair.target, options, "target"); !why_t2.empty()) {
      pair.bad(tgt, why_t2);
    } else {
      pair.append();
    }
  }
}

// Appends the pairs of a 'source ||| target' stream to `corpus`.
inline void read_parallel_corpus(std::istream& in, std::string_view source_name, parallel_corpus& corpus,
                                 const corpus_read_options& options = {}) {
  read_parallel_pairs(in, source_name, detail::corpus_sink{corpus}, options);
}

// Appends the pairs of two line-parallel streams to `corpus`.
inline void read_parallel_corpus(std::istream& source_in, std::string_view source_name, std::istream& target_in,
                                 std::string_view target_name, parallel_corpus& corpus,
                                 const corpus_read_options& options = {}) {
  read_parallel_pairs(source_in, source_name, target_in, target_name, detail::corpus_sink{corpus}, options);
}

inline parallel_corpus read_parallel_corpus(std::istream& in, std::string_view source_name,
                                            const corpus_read_options& options = {}) {
  parallel_corpus corpus;
  read_parallel_corpus(in, source_name, corpus, options);
  corpus.shrink_to_fit();
  return corpus;
}

// 'source ||| target' file.
inline parallel_corpus read_parallel_corpus_file(const std::string& path, const corpus_read_options& options = {}) {
  auto in = open_input(path);
  return read_parallel_corpus(in, path, options);
}

// Two line-parallel files.
inline parallel_corpus read_parallel_corpus_files(const std::string& source_path, const std::string& target_path,
                                                  const corpus_read_options& options = {}) {
  auto s = open_input(source_path);
  auto t = open_input(target_path);
  parallel_corpus corpus;
  read_parallel_corpus(s, source_path, t, target_path, corpus, options);
  corpus.shrink_to_fit();
  return corpus;
}

}  // namespace io
LEXALIGN_NAMESPACE_END
