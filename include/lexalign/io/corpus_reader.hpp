// lexalign/io/corpus_reader.hpp - read a parallel corpus, streaming, from
// one 'source ||| target' file or from two line-parallel files.
//
// Text is UTF-8; tokens are separated by ASCII spaces (U+0020) only; one
// trailing '\r' per line is ignored.  Every problem throws
// lexalign::parse_error naming the file, the 1-based line and the reason.
#pragma once

#include <istream>
#include <string>
#include <string_view>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

struct corpus_read_options {
  // Accept empty sentences (they then align to nothing).  Off by default: an
  // empty line is usually a sign of a broken file.
  bool allow_empty_sentences = false;
  // Longest sentence accepted, in tokens.
  std::size_t max_sentence_length = LEXALIGN_DEFAULT_MAX_SENTENCE_LENGTH;
};

inline void validate(const corpus_read_options& o) {
  validation::at_least("io::corpus_read_options.max_sentence_length", o.max_sentence_length, 1);
}

namespace detail {

// Where the separator token "|||" starts in `line`, npos if absent; fails on a second one.
inline std::size_t find_separator(std::string_view line, const line_reader& reader) {
  std::size_t found = std::string_view::npos;
  std::size_t pos = 0;
  while ((pos = line.find("|||", pos)) != std::string_view::npos) {
    const bool starts = pos == 0 || line[pos - 1] == ' ';
    const bool ends = pos + 3 == line.size() || line[pos + 3] == ' ';
    if (starts && ends) {
      if (found != std::string_view::npos) reader.fail("more than one ' ||| ' separator");
      found = pos;
    }
    pos += 3;
  }
  return found;
}

inline void append_side(std::string_view text, vocabulary& vocab, sentence_store& store, const line_reader& reader,
                        const corpus_read_options& options, const char* side) {
  std::size_t count = 0;
  for_each_token(text, [&](std::string_view tok) {
    if (++count > options.max_sentence_length)
      reader.fail(std::string(side) + " sentence is longer than the limit of " +
                  std::to_string(options.max_sentence_length) + " tokens (corpus_read_options::max_sentence_length)");
    store.push_token(vocab.add(tok));
  });
  if (count == 0 && !options.allow_empty_sentences)
    reader.fail(std::string("empty ") + side + " sentence (corpus_read_options::allow_empty_sentences is off)");
  store.end_sentence();
}

}  // namespace detail

// Appends the pairs of a 'source ||| target' stream to `corpus`.
inline void read_parallel_corpus(std::istream& in, std::string_view source_name, parallel_corpus& corpus,
                                 const corpus_read_options& options = {}) {
  validate(options);
  line_reader reader(in, std::string(source_name));
  std::string line;
  while (reader.next(line)) {
    reader.require_utf8(line);
    const std::string_view text(line);
    const std::size_t sep = detail::find_separator(text, reader);
    if (sep == std::string_view::npos) reader.fail("missing ' ||| ' between source and target");
    detail::append_side(text.substr(0, sep), corpus.source_vocabulary(), corpus.source_store(), reader, options,
                        "source");
    detail::append_side(text.substr(sep + 3), corpus.target_vocabulary(), corpus.target_store(), reader, options,
                        "target");
  }
}

// Appends the pairs of two line-parallel streams to `corpus`.
inline void read_parallel_corpus(std::istream& source_in, std::string_view source_name, std::istream& target_in,
                                 std::string_view target_name, parallel_corpus& corpus,
                                 const corpus_read_options& options = {}) {
  validate(options);
  line_reader src(source_in, std::string(source_name));
  line_reader tgt(target_in, std::string(target_name));
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
    src.require_utf8(sline);
    tgt.require_utf8(tline);
    detail::append_side(sline, corpus.source_vocabulary(), corpus.source_store(), src, options, "source");
    detail::append_side(tline, corpus.target_vocabulary(), corpus.target_store(), tgt, options, "target");
  }
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
