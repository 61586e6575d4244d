// lexalign/io/npz.hpp - read NumPy .npz archives (np.savez and
// np.savez_compressed), and the embedding-corpus layout of
// docs/extract/npz_corpus.md.
//
//   auto z = lexalign::io::read_npz("embeddings.npz");      // npz_archive<double>
//   const auto& s = z.at("src_0");                           // npy_array<double>
//   auto corpus = lexalign::io::read_embedding_corpus("embeddings.npz");
//
// Stored members (np.savez) need nothing.  Deflate-compressed members
// (np.savez_compressed) need zlib: the macro LEXALIGN_WITH_ZLIB=1 turns that
// path on.  CMake defines it on the lexalign target, with ZLIB::ZLIB, when
// the option LEXALIGN_WITH_ZLIB is ON (the default when zlib is found);
// without it such a member is an io_error "deflate-compressed .npz needs
// zlib: rebuild with LEXALIGN_WITH_ZLIB=ON".  Zip64 archives (numpy writes
// them) are read.  Errors are lexalign::io_error "<file>: <reason>" (a
// member's errors "<file>/<member>: <reason>").  See docs/io/npy.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/io/npy.hpp"

#ifndef LEXALIGN_WITH_ZLIB
#define LEXALIGN_WITH_ZLIB 0
#endif
#if LEXALIGN_WITH_ZLIB
#include <zlib.h>
#endif

LEXALIGN_NAMESPACE_BEGIN
namespace io {

// The arrays of an .npz file by name (without the ".npy" suffix).
template <class T = double>
class npz_archive {
 public:
  // Names in archive order.
  const std::vector<std::string>& names() const noexcept { return names_; }
  bool contains(std::string_view name) const { return arrays_.find(std::string(name)) != arrays_.end(); }
  std::size_t size() const noexcept { return names_.size(); }
  // Throws io_error "<file>: no array 'x'" when absent.
  const npy_array<T>& at(std::string_view name) const {
    auto it = arrays_.find(std::string(name));
    if (it == arrays_.end()) throw io_error(source_ + ": no array '" + std::string(name) + "'");
    return it->second;
  }
  const std::string& source() const noexcept { return source_; }

  // Used by the reader.
  explicit npz_archive(std::string source = {}) : source_(std::move(source)) {}
  void add(std::string name, npy_array<T> a) {
    names_.push_back(name);
    arrays_.emplace(std::move(name), std::move(a));
  }

 private:
  std::string source_;
  std::vector<std::string> names_;
  std::map<std::string, npy_array<T>, std::less<>> arrays_;
};

namespace detail {

inline std::uint32_t le16(const unsigned char* p) noexcept { return p[0] | (std::uint32_t{p[1]} << 8); }
inline std::uint32_t le32(const unsigned char* p) noexcept { return le16(p) | (le16(p + 2) << 16); }
inline std::uint64_t le64(const unsigned char* p) noexcept { return le32(p) | (std::uint64_t{le32(p + 4)} << 32); }

inline std::vector<unsigned char> inflate_member(std::span<const unsigned char> in, std::size_t out_size,
                                                 std::string_view member) {
#if LEXALIGN_WITH_ZLIB
  std::vector<unsigned char> out(out_size);
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) npy_fail(member, "zlib inflateInit2 failed");
  zs.next_in = const_cast<unsigned char*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const auto produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != out_size) npy_fail(member, "corrupt deflate data");
  return out;
#else
  (void)in;
  (void)out_size;
  npy_fail(member, "deflate-compressed .npz needs zlib: rebuild with LEXALIGN_WITH_ZLIB=ON");
#endif
}

}  // namespace detail

// Parses the bytes of an .npz (zip) file; `source` names it in messages.
template <class T = double>
npz_archive<T> parse_npz(std::span<const unsigned char> bytes, std::string_view source) {
  using detail::le16;
  using detail::le32;
  using detail::le64;
  using detail::npy_fail;
  const std::size_t n = bytes.size();
  const unsigned char* b = bytes.data();
  // End of central directory: 22 bytes plus a comment of at most 65535.
  if (n < 22) npy_fail(source, "not a zip archive (too short)");
  std::size_t eocd = n - 22 + 1;
  const std::size_t stop = n > 22 + 65535 ? n - 22 - 65535 : 0;
  bool found = false;
  while (eocd-- > stop) {
    if (le32(b + eocd) == 0x06054b50u) {
      found = true;
      break;
    }
    if (eocd == 0) break;
  }
  if (!found) npy_fail(source, "not a zip archive or truncated (no end of central directory)");
  std::uint64_t entries = le16(b + eocd + 10);
  std::uint64_t cd_size = le32(b + eocd + 12);
  std::uint64_t cd_offset = le32(b + eocd + 16);
  if ((entries == 0xffff || cd_offset == 0xffffffffu) && eocd >= 20 && le32(b + eocd - 20) == 0x07064b50u) {
    const std::uint64_t z64 = le64(b + eocd - 20 + 8);
    if (z64 + 56 > n || le32(b + z64) != 0x06064b50u) npy_fail(source, "corrupt zip64 end of central directory");
    entries = le64(b + z64 + 32);
    cd_size = le64(b + z64 + 40);
    cd_offset = le64(b + z64 + 48);
  }
  if (cd_offset > n || cd_size > n - cd_offset) npy_fail(source, "truncated zip archive (central directory)");
  npz_archive<T> out{std::string(source)};
  std::size_t p = static_cast<std::size_t>(cd_offset);
  for (std::uint64_t e = 0; e < entries; ++e) {
    if (p + 46 > n || le32(b + p) != 0x02014b50u) npy_fail(source, "corrupt zip central directory");
    const std::uint32_t method = le16(b + p + 10);
    std::uint64_t csize = le32(b + p + 20), usize = le32(b + p + 24);
    const std::size_t name_len = le16(b + p + 28), extra_len = le16(b + p + 30), comment_len = le16(b + p + 32);
    std::uint64_t local = le32(b + p + 42);
    if (p + 46 + name_len + extra_len + comment_len > n) npy_fail(source, "corrupt zip central directory");
    std::string name(reinterpret_cast<const char*>(b + p + 46), name_len);
    // Zip64 extra field: the 0xffffffff fields, in order usize, csize, offset.
    for (std::size_t x = p + 46 + name_len, xend = x + extra_len; x + 4 <= xend;) {
      const std::uint32_t id = le16(b + x), len = le16(b + x + 2);
      if (x + 4 + len > xend) break;
      if (id == 0x0001) {
        std::size_t q = x + 4;
        auto take = [&](std::uint64_t& field) {
          if (field == 0xffffffffu && q + 8 <= x + 4 + len) {
            field = le64(b + q);
            q += 8;
          }
        };
        take(usize);
        take(csize);
        take(local);
      }
      x += 4 + len;
    }
    p += 46 + name_len + extra_len + comment_len;
    const std::string member = std::string(source) + "/" + name;
    if (local + 30 > n || le32(b + local) != 0x04034b50u) npy_fail(member, "corrupt zip local header");
    const std::size_t data = static_cast<std::size_t>(local) + 30 + le16(b + local + 26) + le16(b + local + 28);
    if (data > n || csize > n - data) npy_fail(member, "truncated zip member");
    const std::span<const unsigned char> raw(b + data, static_cast<std::size_t>(csize));
    if (name.size() > 4 && name.ends_with(".npy")) name.resize(name.size() - 4);
    if (method == 0) {
      out.add(std::move(name), parse_npy<T>(raw, member));
    } else if (method == 8) {
      const auto inflated = detail::inflate_member(raw, static_cast<std::size_t>(usize), member);
      out.add(std::move(name), parse_npy<T>(inflated, member));
    } else {
      npy_fail(member, "unsupported zip compression method " + std::to_string(method) + " (stored or deflate only)");
    }
  }
  return out;
}

template <class T = double>
npz_archive<T> read_npz(const std::string& path) {
  const auto bytes = detail::read_file_bytes(path);
  return parse_npz<T>(bytes, path);
}

// One sentence pair of the embedding-corpus layout.
template <class T = double>
struct embedding_pair {
  npy_array<T> source, target;                      // tokens x dim
  std::vector<long long> source_words, target_words;  // token -> word, -1 = no word
};

// Reads the layout of docs/extract/npz_corpus.md: arrays src_0, tgt_0,
// src_words_0, tgt_words_0, src_1, ... (the word maps optional: absent means
// every token is its own word).  Pairs are read for k = 0, 1, ... while
// src_k exists.
template <class T = double>
std::vector<embedding_pair<T>> read_embedding_corpus(const std::string& path) {
  const npz_archive<T> z = read_npz<T>(path);
  std::vector<embedding_pair<T>> out;
  auto words = [&](const std::string& name, std::size_t tokens) {
    std::vector<long long> w(tokens);
    if (!z.contains(name)) {
      for (std::size_t t = 0; t < tokens; ++t) w[t] = static_cast<long long>(t);
      return w;
    }
    const auto& a = z.at(name);
    if (a.rank() != 1 || a.size() != tokens)
      throw io_error(path + ": " + name + " has shape " + detail::format_shape(a.shape) + " but the embeddings have " +
                     std::to_string(tokens) + " tokens");
    for (std::size_t t = 0; t < tokens; ++t) w[t] = static_cast<long long>(a.data[t]);
    return w;
  };
  for (std::size_t k = 0; z.contains("src_" + std::to_string(k)); ++k) {
    const std::string ks = std::to_string(k);
    embedding_pair<T> p;
    p.source = z.at("src_" + ks);
    p.target = z.at("tgt_" + ks);
    for (const auto* a : {&p.source, &p.target})
      if (a->rank() != 2)
        throw io_error(path + ": " + (a == &p.source ? "src_" : "tgt_") + ks + " has shape " +
                       detail::format_shape(a->shape) + ", expected (tokens, dim)");
    p.source_words = words("src_words_" + ks, p.source.shape[0]);
    p.target_words = words("tgt_words_" + ks, p.target.shape[0]);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace io
LEXALIGN_NAMESPACE_END
