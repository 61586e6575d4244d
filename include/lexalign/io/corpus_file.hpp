// lexalign/io/corpus_file.hpp - the compact on-disk corpus format: token ids,
// sentence offsets and both vocabularies in one binary file, written in one
// streaming pass from text and memory-mapped for training.
//
//   auto s = lexalign::io::build_corpus_file("bible.en", "bible.fr", "bible.lxc");   // text -> file
//   auto f = lexalign::io::corpus_file::open("bible.lxc");   // maps it, checks it
//   auto model = lexalign::em::train(f.corpus());             // any API taking a parallel_corpus
//
// f.corpus() is a parallel_corpus whose sentence stores borrow the mapped
// arrays (sentence_store::borrow): resident memory is the vocabularies plus
// the pages the training touches, which the kernel can drop and re-read.
//
// Layout (version 1, little-endian, every section padded to 8 bytes):
//   header (128 bytes): "LXALCORP", u32 version, u32 header size, u64 pairs,
//     u64 source tokens, u64 target tokens, u64 source / target vocabulary
//     sizes, u64 source / target vocabulary section bytes, u64 file bytes,
//     u64 data checksum, 4 x u64 reserved (0), u64 header checksum
//   source tokens (u32 ids), target tokens, source offsets (pairs+1 u64),
//   target offsets, source vocabulary, target vocabulary (each word: u32
//   byte length then its UTF-8 bytes, in id order)
// The checksums are 64-bit FNV-1a over 8-byte little-endian words: the header
// one over bytes 0..119, the data one over everything after the header.  Any
// change to one word changes the checksum.
//
// Errors: a file that is not a corpus file, of another version, truncated,
// longer than its header says, corrupt (checksum, offsets, ids, vocabulary)
// throws io::corpus_file_error, whose what() reads "path: reason".
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if __has_include(<sys/mman.h>) && __has_include(<fcntl.h>) && __has_include(<unistd.h>)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define LEXALIGN_CORPUS_FILE_MMAP 1
#else
#define LEXALIGN_CORPUS_FILE_MMAP 0
#endif

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/text.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

// A corpus file that cannot be read: what() is "path: reason".
class corpus_file_error : public io_error {
 public:
  corpus_file_error(std::string path, std::string reason)
      : io_error(path + ": " + reason), path_(std::move(path)), reason_(std::move(reason)) {}
  const std::string& path() const noexcept { return path_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string path_, reason_;
};

inline constexpr char corpus_file_magic[8] = {'L', 'X', 'A', 'L', 'C', 'O', 'R', 'P'};
inline constexpr std::uint32_t corpus_file_version = 1;
inline constexpr std::size_t corpus_file_header_bytes = 128;

// What a corpus file holds (its header), as build and info report it.
struct corpus_file_summary {
  std::uint32_t version = corpus_file_version;
  std::uint64_t pairs = 0;
  std::uint64_t source_tokens = 0, target_tokens = 0;
  std::uint64_t source_vocabulary_size = 0, target_vocabulary_size = 0;
  std::uint64_t source_vocabulary_bytes = 0, target_vocabulary_bytes = 0;  // section sizes
  std::uint64_t file_bytes = 0;
  std::uint64_t checksum = 0;  // of the data after the header
};

struct corpus_file_build_options {
  corpus_read_options read = {};        // how the text is read (io/corpus_reader.hpp rules)
  std::size_t buffer_bytes = 1u << 20;  // write buffer per section stream; >= 4096
};

inline void validate(const corpus_file_build_options& o) {
  validate(o.read);
  validation::at_least("io::corpus_file_build_options.buffer_bytes", o.buffer_bytes, 4096);
}

struct corpus_file_open_options {
  // Check the data checksum, every offset and every token id at open (one
  // pass over the file).  Off: only the header and the offsets are checked,
  // so a corrupt id would surface later as lexalign::invalid_argument.
  bool verify = true;
  // Map the file (else read it into memory; also the fallback where the
  // platform has no mmap).
  bool map = true;
};

namespace detail {

// 64-bit FNV-1a over 8-byte little-endian words, fed in any chunking.
class corpus_checksum {
 public:
  void update(const void* data, std::size_t n) noexcept {
    const auto* p = static_cast<const unsigned char*>(data);
    while (n > 0 && fill_ != 0) {
      carry_[fill_++] = *p++;
      --n;
      if (fill_ == 8) {
        word(load(carry_));
        fill_ = 0;
      }
    }
    for (; n >= 8; n -= 8, p += 8) word(load(p));
    for (; n > 0; --n) carry_[fill_++] = *p++;
  }
  // The sum so far (the data fed must be a whole number of words).
  std::uint64_t value() const noexcept { return h_; }
  void words(const std::uint64_t* w, std::size_t n) noexcept {
    std::uint64_t h = h_;
    for (std::size_t k = 0; k < n; ++k) h = (h ^ w[k]) * 0x100000001b3ull;
    h_ = h;
  }

 private:
  static std::uint64_t load(const unsigned char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  void word(std::uint64_t w) noexcept { h_ = (h_ ^ w) * 0x100000001b3ull; }
  std::uint64_t h_ = 0xcbf29ce484222325ull;
  unsigned char carry_[8] = {};
  std::size_t fill_ = 0;
};

inline std::size_t padded8(std::size_t n) noexcept { return (n + 7) / 8 * 8; }

inline void require_little_endian(const std::string& path) {
  if constexpr (std::endian::native != std::endian::little)
    throw corpus_file_error(path, "corpus files are little-endian; this host is not");
}

// A buffered binary output that feeds a checksum (optional) as it writes.
class section_output {
 public:
  section_output(const std::string& path, std::size_t buffer) : path_(path), out_(path, std::ios::binary) {
    if (!out_) throw io_error("cannot open '" + path + "' for writing");
    buf_.reserve(buffer);
    cap_ = buffer;
  }
  void write(const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
    bytes_ += n;
    if (buf_.size() + n > cap_) flush();
    if (n >= cap_) {
      put(p, n);
      return;
    }
    buf_.insert(buf_.end(), p, p + n);
  }
  template <class T>
  void value(T v) {
    write(&v, sizeof v);
  }
  void pad() {
    static constexpr char zeros[8] = {};
    write(zeros, padded8(bytes_) - bytes_);
  }
  void flush() {
    if (!buf_.empty()) put(buf_.data(), buf_.size());
    buf_.clear();
  }
  void close() {
    flush();
    out_.close();
    if (!out_) throw io_error("cannot write '" + path_ + "'");
  }
  std::uint64_t bytes() const noexcept { return bytes_; }
  std::ofstream& stream() noexcept { return out_; }
  corpus_checksum* sum = nullptr;

 private:
  void put(const char* p, std::size_t n) {
    if (sum) sum->update(p, n);
    out_.write(p, static_cast<std::streamsize>(n));
    if (!out_) throw io_error("cannot write '" + path_ + "'");
  }
  std::string path_;
  std::ofstream out_;
  std::vector<char> buf_;
  std::size_t cap_ = 0;
  std::uint64_t bytes_ = 0;
};

inline void put_u32(unsigned char* p, std::uint32_t v) noexcept { std::memcpy(p, &v, 4); }
inline void put_u64(unsigned char* p, std::uint64_t v) noexcept { std::memcpy(p, &v, 8); }
inline std::uint32_t get_u32(const unsigned char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline std::uint64_t get_u64(const unsigned char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline void encode_header(const corpus_file_summary& s, unsigned char* h) {
  std::memset(h, 0, corpus_file_header_bytes);
  std::memcpy(h, corpus_file_magic, 8);
  put_u32(h + 8, s.version);
  put_u32(h + 12, static_cast<std::uint32_t>(corpus_file_header_bytes));
  put_u64(h + 16, s.pairs);
  put_u64(h + 24, s.source_tokens);
  put_u64(h + 32, s.target_tokens);
  put_u64(h + 40, s.source_vocabulary_size);
  put_u64(h + 48, s.target_vocabulary_size);
  put_u64(h + 56, s.source_vocabulary_bytes);
  put_u64(h + 64, s.target_vocabulary_bytes);
  put_u64(h + 72, s.file_bytes);
  put_u64(h + 80, s.checksum);
  corpus_checksum c;
  c.update(h, 120);
  put_u64(h + 120, c.value());
}

// Bytes of each data section, in file order.
struct corpus_layout {
  std::uint64_t source_tokens, target_tokens, source_offsets, target_offsets, source_vocabulary, target_vocabulary;
  std::uint64_t total() const noexcept {
    return corpus_file_header_bytes + source_tokens + target_tokens + source_offsets + target_offsets +
           source_vocabulary + target_vocabulary;
  }
};
inline corpus_layout layout_of(const corpus_file_summary& s) {
  return {padded8(s.source_tokens * 4), padded8(s.target_tokens * 4), (s.pairs + 1) * 8, (s.pairs + 1) * 8,
          s.source_vocabulary_bytes, s.target_vocabulary_bytes};
}

inline void write_vocabulary_section(section_output& out, const vocabulary& v) {
  for (std::size_t k = 0; k < v.size(); ++k) {
    const std::string& w = v.word(static_cast<word_id>(k));
    out.value(static_cast<std::uint32_t>(w.size()));
    out.write(w.data(), w.size());
  }
  out.pad();
}

// Removes the temporary files of a build, also when it fails.
struct temp_files {
  std::vector<std::string> paths;
  ~temp_files() {
    std::error_code ec;
    for (const auto& p : paths) std::filesystem::remove(p, ec);
  }
};

// One streaming pass: source tokens go straight to the output file after a
// placeholder header; target tokens and both offset arrays to temporary files
// next to it, appended at the end.  Memory: the vocabularies and the buffers.
class corpus_file_writer {
 public:
  corpus_file_writer(const std::string& path, std::size_t buffer)
      : path_(path),
        main_(path, buffer),
        target_(tmp(path, "target"), buffer),
        soff_(tmp(path, "soff"), buffer),
        toff_(tmp(path, "toff"), buffer) {
    require_little_endian(path);
    temps_.paths = {tmp(path, "target"), tmp(path, "soff"), tmp(path, "toff")};
    const unsigned char zeros[corpus_file_header_bytes] = {};
    main_.write(zeros, sizeof zeros);
    main_.flush();
    main_.sum = &sum_;
    soff_.value(std::uint64_t{0});
    toff_.value(std::uint64_t{0});
  }

  void operator()(const std::vector<std::string_view>& source, const std::vector<std::string_view>& target) {
    for (auto t : source) main_.value(source_vocab_.add(t));
    for (auto t : target) target_.value(target_vocab_.add(t));
    s_tokens_ += source.size();
    t_tokens_ += target.size();
    soff_.value(s_tokens_);
    toff_.value(t_tokens_);
    ++pairs_;
  }
  void add_ids(std::span<const word_id> source, std::span<const word_id> target) {
    main_.write(source.data(), source.size_bytes());
    target_.write(target.data(), target.size_bytes());
    s_tokens_ += source.size();
    t_tokens_ += target.size();
    soff_.value(s_tokens_);
    toff_.value(t_tokens_);
    ++pairs_;
  }
  vocabulary& source_vocabulary() noexcept { return source_vocab_; }
  vocabulary& target_vocabulary() noexcept { return target_vocab_; }

  corpus_file_summary finish() {
    main_.pad();
    target_.pad();
    for (auto* s : {&target_, &soff_, &toff_}) s->close();
    append(temps_.paths[0]);
    append(temps_.paths[1]);
    append(temps_.paths[2]);
    corpus_file_summary s;
    s.pairs = pairs_;
    s.source_tokens = s_tokens_;
    s.target_tokens = t_tokens_;
    s.source_vocabulary_size = source_vocab_.size();
    s.target_vocabulary_size = target_vocab_.size();
    std::uint64_t before = main_.bytes();
    write_vocabulary_section(main_, source_vocab_);
    s.source_vocabulary_bytes = main_.bytes() - before;
    before = main_.bytes();
    write_vocabulary_section(main_, target_vocab_);
    s.target_vocabulary_bytes = main_.bytes() - before;
    main_.flush();
    s.file_bytes = main_.bytes();
    s.checksum = sum_.value();
    unsigned char h[corpus_file_header_bytes];
    encode_header(s, h);
    main_.stream().seekp(0);
    main_.stream().write(reinterpret_cast<const char*>(h), sizeof h);
    main_.close();
    return s;
  }

 private:
  static std::string tmp(const std::string& path, const char* what) { return path + ".tmp-" + what; }
  void append(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw io_error("cannot open '" + p + "' for reading");
    std::vector<char> buf(1u << 16);
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      const auto n = static_cast<std::size_t>(in.gcount());
      if (n) main_.write(buf.data(), n);
    }
  }

  std::string path_;
  temp_files temps_;
  corpus_checksum sum_;
  section_output main_, target_, soff_, toff_;
  vocabulary source_vocab_, target_vocab_;
  std::uint64_t pairs_ = 0, s_tokens_ = 0, t_tokens_ = 0;
};

}  // namespace detail

// Writes the corpus of a 'source ||| target' stream to `path` in one pass.
inline corpus_file_summary build_corpus_file(std::istream& in, std::string_view name, const std::string& path,
                                             const corpus_file_build_options& options = {}) {
  validate(options);
  detail::corpus_file_writer w(path, options.buffer_bytes);
  read_parallel_pairs(in, name, w, options.read);
  return w.finish();
}

// Writes the corpus of two line-parallel streams to `path` in one pass.
inline corpus_file_summary build_corpus_file(std::istream& source_in, std::string_view source_name,
                                             std::istream& target_in, std::string_view target_name,
                                             const std::string& path, const corpus_file_build_options& options = {}) {
  validate(options);
  detail::corpus_file_writer w(path, options.buffer_bytes);
  read_parallel_pairs(source_in, source_name, target_in, target_name, w, options.read);
  return w.finish();
}

// Two line-parallel text files to a corpus file.
inline corpus_file_summary build_corpus_file(const std::string& source_path, const std::string& target_path,
                                             const std::string& path, const corpus_file_build_options& options = {}) {
  auto s = open_input(source_path);
  auto t = open_input(target_path);
  return build_corpus_file(s, source_path, t, target_path, path, options);
}

// An in-memory corpus to a corpus file (same ids, same vocabularies).
inline corpus_file_summary write_corpus_file(const parallel_corpus& corpus, const std::string& path) {
  detail::corpus_file_writer w(path, 1u << 20);
  w.source_vocabulary() = corpus.source_vocabulary();
  w.target_vocabulary() = corpus.target_vocabulary();
  for (std::size_t k = 0; k < corpus.size(); ++k) w.add_ids(corpus.source(k), corpus.target(k));
  return w.finish();
}

// An opened corpus file: the corpus (borrowing the mapped arrays), its
// summary.  Move-only; the corpus stays valid while this object lives.
class corpus_file {
 public:
  corpus_file() = default;
  corpus_file(corpus_file&& o) noexcept { *this = std::move(o); }
  corpus_file& operator=(corpus_file&& o) noexcept {
    if (this != &o) {
      release();
      corpus_ = std::move(o.corpus_);
      summary_ = o.summary_;
      path_ = std::move(o.path_);
      map_ = std::exchange(o.map_, nullptr);
      map_bytes_ = std::exchange(o.map_bytes_, 0);
      heap_ = std::move(o.heap_);
      o.corpus_ = parallel_corpus{};
    }
    return *this;
  }
  corpus_file(const corpus_file&) = delete;
  corpus_file& operator=(const corpus_file&) = delete;
  ~corpus_file() { release(); }

  // Opens and checks `path` (see corpus_file_open_options).
  static corpus_file open(const std::string& path, const corpus_file_open_options& options = {}) {
    detail::require_little_endian(path);
    corpus_file f;
    f.path_ = path;
    f.load(options);
    return f;
  }

  // Reads only the header (checked; the data is not).
  static corpus_file_summary read_summary(const std::string& path) {
    detail::require_little_endian(path);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_error("cannot open '" + path + "' for reading");
    unsigned char h[corpus_file_header_bytes];
    in.read(reinterpret_cast<char*>(h), sizeof h);
    const auto got = static_cast<std::size_t>(in.gcount());
    std::error_code ec;
    const auto size = static_cast<std::uint64_t>(std::filesystem::file_size(path, ec));
    return check_header(path, h, got, ec ? got : size);
  }

  const parallel_corpus& corpus() const noexcept { return corpus_; }
  const corpus_file_summary& summary() const noexcept { return summary_; }
  const std::string& path() const noexcept { return path_; }
  std::size_t size() const noexcept { return corpus_.size(); }
  bool mapped() const noexcept { return map_ != nullptr; }

 private:
  [[noreturn]] static void fail(const std::string& path, const std::string& reason) {
    throw corpus_file_error(path, reason);
  }

  static corpus_file_summary check_header(const std::string& path, const unsigned char* h, std::size_t got,
                                          std::uint64_t file_size) {
    if (got >= 8 && std::memcmp(h, corpus_file_magic, 8) != 0)
      fail(path, "not a lexalign corpus file (bad magic; build one with 'lexalign corpus build')");
    if (got < corpus_file_header_bytes)
      fail(path, "truncated: " + std::to_string(file_size) + " bytes, shorter than the " +
                     std::to_string(corpus_file_header_bytes) + "-byte header");
    corpus_file_summary s;
    s.version = detail::get_u32(h + 8);
    if (s.version != corpus_file_version)
      fail(path, "unsupported corpus file version " + std::to_string(s.version) + " (this build reads version " +
                     std::to_string(corpus_file_version) + ")");
    detail::corpus_checksum c;
    c.update(h, 120);
    if (c.value() != detail::get_u64(h + 120)) fail(path, "corrupt header (checksum mismatch)");
    if (detail::get_u32(h + 12) != corpus_file_header_bytes) fail(path, "corrupt header (header size)");
    s.pairs = detail::get_u64(h + 16);
    s.source_tokens = detail::get_u64(h + 24);
    s.target_tokens = detail::get_u64(h + 32);
    s.source_vocabulary_size = detail::get_u64(h + 40);
    s.target_vocabulary_size = detail::get_u64(h + 48);
    s.source_vocabulary_bytes = detail::get_u64(h + 56);
    s.target_vocabulary_bytes = detail::get_u64(h + 64);
    s.file_bytes = detail::get_u64(h + 72);
    s.checksum = detail::get_u64(h + 80);
    constexpr std::uint64_t huge = std::uint64_t{1} << 56;  // no field of a sane file comes near
    for (std::uint64_t v : {s.pairs, s.source_tokens, s.target_tokens, s.source_vocabulary_bytes,
                            s.target_vocabulary_bytes})
      if (v >= huge) fail(path, "corrupt header (impossible size)");
    if (s.source_vocabulary_size > vocabulary::max_size || s.target_vocabulary_size > vocabulary::max_size)
      fail(path, "corrupt header (vocabulary size)");
    if (detail::layout_of(s).total() != s.file_bytes) fail(path, "corrupt header (section sizes do not add up)");
    if (file_size < s.file_bytes)
      fail(path, "truncated: " + std::to_string(file_size) + " bytes, the header says " +
                     std::to_string(s.file_bytes));
    if (file_size > s.file_bytes)
      fail(path, std::to_string(file_size - s.file_bytes) + " bytes after the end of the corpus (file is " +
                     std::to_string(file_size) + " bytes, the header says " + std::to_string(s.file_bytes) + ")");
    return s;
  }

  void load(const corpus_file_open_options& options) {
    std::error_code ec;
    const auto size = static_cast<std::uint64_t>(std::filesystem::file_size(path_, ec));
    if (ec) throw io_error("cannot open '" + path_ + "' for reading");
    const unsigned char* base = nullptr;
#if LEXALIGN_CORPUS_FILE_MMAP
    if (options.map && size > 0) {
      const int fd = ::open(path_.c_str(), O_RDONLY);
      if (fd < 0) throw io_error("cannot open '" + path_ + "' for reading");
      void* p = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
      ::close(fd);
      if (p == MAP_FAILED) throw io_error("cannot map '" + path_ + "' into memory");
      map_ = p;
      map_bytes_ = static_cast<std::size_t>(size);
      base = static_cast<const unsigned char*>(p);
    }
#endif
    if (!base) {
      std::ifstream in(path_, std::ios::binary);
      if (!in) throw io_error("cannot open '" + path_ + "' for reading");
      heap_.assign(static_cast<std::size_t>((size + 7) / 8), 0);
      in.read(reinterpret_cast<char*>(heap_.data()), static_cast<std::streamsize>(size));
      base = reinterpret_cast<const unsigned char*>(heap_.data());
    }
    summary_ = check_header(path_, base, static_cast<std::size_t>(std::min<std::uint64_t>(size, corpus_file_header_bytes)),
                            size);
    const auto& s = summary_;
    const auto lay = detail::layout_of(s);
    const unsigned char* p = base + corpus_file_header_bytes;
    if (options.verify) {
      detail::corpus_checksum c;
      c.words(reinterpret_cast<const std::uint64_t*>(p), static_cast<std::size_t>((s.file_bytes - corpus_file_header_bytes) / 8));
      if (c.value() != s.checksum) fail(path_, "corrupt data (checksum mismatch)");
    }
    const auto* stok = reinterpret_cast<const word_id*>(p);
    p += lay.source_tokens;
    const auto* ttok = reinterpret_cast<const word_id*>(p);
    p += lay.target_tokens;
    const std::span<const std::uint64_t> soff(reinterpret_cast<const std::uint64_t*>(p), s.pairs + 1);
    p += lay.source_offsets;
    const std::span<const std::uint64_t> toff(reinterpret_cast<const std::uint64_t*>(p), s.pairs + 1);
    p += lay.target_offsets;
    check_offsets(soff, s.source_tokens, "source");
    check_offsets(toff, s.target_tokens, "target");
    read_vocabulary_section(p, lay.source_vocabulary, s.source_vocabulary_size, corpus_.source_vocabulary(), "source");
    p += lay.source_vocabulary;
    read_vocabulary_section(p, lay.target_vocabulary, s.target_vocabulary_size, corpus_.target_vocabulary(), "target");
    if (options.verify) {
      check_ids(stok, s.source_tokens, s.source_vocabulary_size, "source");
      check_ids(ttok, s.target_tokens, s.target_vocabulary_size, "target");
    }
    corpus_.source_store() = sentence_store::borrow(stok, soff);
    corpus_.target_store() = sentence_store::borrow(ttok, toff);
  }

  void check_offsets(std::span<const std::uint64_t> off, std::uint64_t tokens, const char* side) const {
    if (off.front() != 0) fail(path_, std::string("corrupt ") + side + " offsets (the first is not 0)");
    for (std::size_t k = 1; k < off.size(); ++k)
      if (off[k] < off[k - 1])
        fail(path_, std::string("corrupt ") + side + " offsets (decreasing at sentence " + std::to_string(k) + ")");
    if (off.back() != tokens)
      fail(path_, std::string("corrupt ") + side + " offsets (the last is not the token count)");
  }

  void check_ids(const word_id* ids, std::uint64_t n, std::uint64_t vocab, const char* side) const {
    for (std::uint64_t k = 0; k < n; ++k)
      if (ids[k] >= vocab)
        fail(path_, std::string("corrupt ") + side + " tokens (id " + std::to_string(ids[k]) + " at token " +
                        std::to_string(k) + " is not in the vocabulary of " + std::to_string(vocab) + " words)");
  }

  void read_vocabulary_section(const unsigned char* p, std::uint64_t bytes, std::uint64_t words, vocabulary& v,
                               const char* side) const {
    std::uint64_t pos = 0;
    const std::string what = std::string("corrupt ") + side + " vocabulary";
    for (std::uint64_t k = 0; k < words; ++k) {
      if (bytes - pos < 4) fail(path_, what + " (ends inside word " + std::to_string(k) + ")");
      const std::uint32_t len = detail::get_u32(p + pos);
      pos += 4;
      if (len > bytes - pos) fail(path_, what + " (bad length of word " + std::to_string(k) + ")");
      const std::string_view w(reinterpret_cast<const char*>(p + pos), len);
      pos += len;
      if (v.add(w) != k) fail(path_, what + " (word " + std::to_string(k) + " repeats an earlier word)");
    }
    if (detail::padded8(pos) != bytes) fail(path_, what + " (its size does not match its words)");
  }

  void release() noexcept {
#if LEXALIGN_CORPUS_FILE_MMAP
    if (map_) ::munmap(map_, map_bytes_);
#endif
    map_ = nullptr;
    map_bytes_ = 0;
  }

  parallel_corpus corpus_;
  corpus_file_summary summary_;
  std::string path_;
  void* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  std::vector<std::uint64_t> heap_;  // the file's bytes when not mapped
};

}  // namespace io
LEXALIGN_NAMESPACE_END
