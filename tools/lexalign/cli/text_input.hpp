// tools/lexalign/cli/text_input.hpp - the options every command that reads
// sentences shares (--max-sentence-length, --allow-empty, --bad-lines), and
// the --source/--target token counts that score, symmetrize and baseline
// read in step with their alignment files, under the same rules.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "arguments.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/lowercase.hpp"
#include "lexalign/io/text.hpp"

namespace lexalign::cli {

// Declares --max-sentence-length, --allow-empty and --bad-lines.
inline void add_text_options(arguments& a, bool empty_allowed_by_default = false) {
  a.option("max-sentence-length", "N", "longest sentence accepted, in tokens",
           {.default_value = std::to_string(LEXALIGN_DEFAULT_MAX_SENTENCE_LENGTH)});
  if (!empty_allowed_by_default) a.flag("allow-empty", "accept empty sentences (they align to nothing)");
  a.option("bad-lines", "POLICY",
           "error (stop at the first bad line) or skip (print an empty line for it, a warning 'file:line: reason' "
           "on standard error, and a count at the end)",
           {.default_value = "error"});
}

// Counts and reports the lines skipped with --bad-lines skip.
class bad_line_log {
 public:
  bad_line_log(std::ostream& err, std::string command) : err_(err), command_(std::move(command)) {}
  void operator()(std::string_view file, std::size_t line, std::string_view reason) {
    err_ << file << ':' << line << ": " << reason << " (skipped)\n";
    ++count_;
  }
  std::size_t count() const noexcept { return count_; }
  // The closing count, when lines were skipped.
  void report() const {
    if (count_) err_ << "lexalign " << command_ << ": skipped " << count_ << " bad line" << (count_ == 1 ? "" : "s") << '\n';
  }

 private:
  std::ostream& err_;
  std::string command_;
  std::size_t count_ = 0;
};

// The corpus reader's options from the command line; skipped lines go to `log`.
inline io::corpus_read_options read_options(const arguments& a, bad_line_log& log,
                                            bool empty_allowed_by_default = false) {
  io::corpus_read_options o;
  o.allow_empty_sentences = empty_allowed_by_default || a.has("allow-empty");
  o.max_sentence_length = a.integer("max-sentence-length", 1, 100'000'000);
  const std::string policy = a.value("bad-lines");
  if (policy == "skip") o.bad_lines = io::bad_line_policy::skip;
  else if (policy != "error") throw usage_error("--bad-lines must be error or skip, got '" + io::excerpt(policy) + "'");
  o.on_skipped = [&log](std::string_view file, std::size_t line, std::string_view reason) { log(file, line, reason); };
  return o;
}

// Rethrows the reader's parse_error with the command-line flag that changes it.
[[noreturn]] inline void rethrow_with_hint(const parse_error& e) {
  const std::string& r = e.reason();
  if (r.starts_with("empty "))
    throw parse_error(e.source(), e.line(), r + " (--allow-empty accepts it, --bad-lines skip skips it)");
  if (r.find("longer than the limit") != std::string::npos)
    throw parse_error(e.source(), e.line(), r + " (see --max-sentence-length, --bad-lines skip)");
  if (r.starts_with("line count mismatch")) throw e;
  throw parse_error(e.source(), e.line(), r + " (--bad-lines skip skips such lines)");
}

// Reads the corpus named by --input, or by --source and --target, under
// `ropt`, lower-cased first when the command has --lowercase and it is given;
// reader errors get the flag that changes them.  Returns the name of the
// file whose line k+1 is pair k (the --input file, or the --source file).
inline std::string read_corpus(const arguments& a, std::istream& in, const io::corpus_read_options& ropt,
                               parallel_corpus& corpus) {
  const bool lower = a.has("lowercase");
  std::string name;
  try {
    if (a.has("input")) {
      input src(a.value("input"), in);
      name = src.name();
      if (lower) {
        std::istringstream low(io::lowercase_utf8(src.stream()));
        io::read_parallel_corpus(low, src.name(), corpus, ropt);
      } else {
        io::read_parallel_corpus(src.stream(), src.name(), corpus, ropt);
      }
    } else {
      input s(a.value("source"), in), t(a.value("target"), in);
      name = s.name();
      if (lower) {
        std::istringstream ls(io::lowercase_utf8(s.stream())), lt(io::lowercase_utf8(t.stream()));
        io::read_parallel_corpus(ls, s.name(), lt, t.name(), corpus, ropt);
      } else {
        io::read_parallel_corpus(s.stream(), s.name(), t.stream(), t.name(), corpus, ropt);
      }
    }
  } catch (const parse_error& e) {
    rethrow_with_hint(e);
  }
  corpus.shrink_to_fit();
  return name;
}

// Reads line-parallel source and target text for its token counts under the
// corpus reader's rules (UTF-8, --max-sentence-length, --allow-empty) and
// its bad-line policy: what `lexalign baseline` reads.
class length_pair_reader {
 public:
  length_pair_reader(input& source, input& target, const io::corpus_read_options& options)
      : src_(source.stream(), source.name()), tgt_(target.stream(), target.name()), options_(options) {}

  // The next pair's token counts; false at the end.  `good` is false for a
  // line skipped by the policy (its counts are then 0).
  bool next(std::size_t& n, std::size_t& m, bool& good) {
    const bool more_s = src_.next(sline_);
    const bool more_t = tgt_.next(tline_);
    check_same_length(more_s, src_.source_name(), src_.line_number(), more_t, tgt_.source_name(), tgt_.line_number());
    if (!more_s) return false;
    n = m = 0;
    good = side(src_, sline_, "source", n) && side(tgt_, tline_, "target", m);
    if (!good) n = m = 0;
    return true;
  }

  const io::line_reader& source_reader() const noexcept { return src_; }

 private:
  bool side(const io::line_reader& reader, const std::string& line, const char* name, std::size_t& count) {
    std::string why = io::detail::utf8_problem(line);
    if (why.empty()) why = io::detail::split_side(line, tokens_, options_, name);
    count = tokens_.size();
    if (why.empty()) return true;
    if (options_.bad_lines == io::bad_line_policy::error) {
      try {
        reader.fail(why);
      } catch (const parse_error& e) {
        rethrow_with_hint(e);
      }
    }
    if (options_.on_skipped) options_.on_skipped(reader.source_name(), reader.line_number(), why);
    return false;
  }

  io::line_reader src_, tgt_;
  const io::corpus_read_options& options_;
  std::string sline_, tline_;
  std::vector<std::string_view> tokens_;
};

// Token counts of line-parallel --source and --target files, read in step
// with an alignment file under the corpus reader's rules and the bad-line
// policy (add_text_options, read_options), and the check that links fall
// inside them.
class sentence_lengths {
 public:
  sentence_lengths(const arguments& a, std::istream& in, const io::corpus_read_options& options) {
    if (!a.has("source")) return;
    src_in_.emplace(a.value("source"), in);
    tgt_in_.emplace(a.value("target"), in);
    pairs_.emplace(*src_in_, *tgt_in_, options);
  }
  bool enabled() const noexcept { return pairs_.has_value(); }

  // Reads the next lengths; `more` and `reader` describe the alignment file
  // read in step (line parity is checked against it).
  template <class Reader>
  void next(bool more, const Reader& reader) {
    if (!pairs_) return;
    const bool more_s = pairs_->next(n_, m_, good_);
    const auto& src = pairs_->source_reader();
    check_same_length(more, reader.source_name(), reader.line_number(), more_s, src.source_name(), src.line_number());
  }

  // False when the current pair was skipped (--bad-lines skip): its
  // alignments are not checked, and the command treats the pair as empty.
  bool good() const noexcept { return good_; }

  // Fails on `reader`'s line if a link of `x` is outside the current pair.
  template <class Reader>
  void check(const sentence_alignment& x, const Reader& reader) const {
    if (!pairs_ || !good_) return;
    for (const auto* links : {&x.sure, &x.possible})
      for (const link& l : *links)
        if (l.source >= n_ || l.target >= m_)
          reader.fail("link " + std::to_string(l.source) + "-" + std::to_string(l.target) +
                      " (0-based, source-target) is outside the sentence pair of " + std::to_string(n_) + " x " +
                      std::to_string(m_) + " tokens");
  }

  std::size_t source_length() const noexcept { return n_; }
  std::size_t target_length() const noexcept { return m_; }

 private:
  std::optional<input> src_in_, tgt_in_;
  std::optional<length_pair_reader> pairs_;
  std::size_t n_ = 0, m_ = 0;
  bool good_ = true;
};

// Rejects the text options (add_text_options) given without the --source
// and --target files they apply to.
inline void text_options_need_text(const arguments& a) {
  if (a.has("source")) return;
  for (const char* name : {"max-sentence-length", "allow-empty", "bad-lines"})
    if (a.has(name)) throw usage_error(std::string("--") + name + " applies to --source and --target, which are not given");
}

}  // namespace lexalign::cli
