// lexalign/io/npy.hpp - read NumPy .npy arrays.
//
//   auto a = lexalign::io::read_npy("sim.npy");          // npy_array<double>
//   lexalign::matrix_view<const double> S = a.matrix();  // 2-D arrays
//   auto f = lexalign::io::read_npy<float>("emb.npy");   // converted to float
//
// Format versions 1, 2 and 3; little-, big- and native-endian float16,
// float32, float64, signed and unsigned integers of 1 to 8 bytes and bool;
// C or Fortran order (the data are always returned in C order).  Every
// problem with a file is a lexalign::io_error whose what() reads
// "<file>: <reason>": bad magic, truncated header or data, an unsupported
// dtype ('<c16', '<U2', structured), a data length that does not match the
// shape written in the header.  See docs/io/npy.md.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix_view.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

// An n-dimensional array read from a .npy file, converted to T, in C order.
template <class T = double>
struct npy_array {
  // Extents, outermost first; empty for a 0-d array (one value).
  std::vector<std::size_t> shape;
  // shape[0] * shape[1] * ... values, row-major (C order).
  std::vector<T> data;
  // The dtype as written in the file ("<f4", ">f8", "|b1").
  std::string dtype;
  // Whether the file stored the data in Fortran order.
  bool fortran_order = false;

  std::size_t rank() const noexcept { return shape.size(); }
  std::size_t size() const noexcept { return data.size(); }
  // A 2-D array as a matrix (a 1-D array of n values as 1 x n).  Throws
  // lexalign::invalid_argument for other ranks.
  matrix_view<const T> matrix() const {
    if (shape.size() == 2) return {data.data(), shape[0], shape[1]};
    if (shape.size() == 1) return {data.data(), 1, shape[0]};
    throw invalid_argument("npy array of rank " + std::to_string(shape.size()) + " is not a matrix");
  }
};

namespace detail {

[[noreturn]] inline void npy_fail(std::string_view source, const std::string& reason) {
  throw io_error(std::string(source) + ": " + reason);
}

inline float half_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu;
  const std::uint32_t mant = h & 0x3ffu;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24);  // zero or subnormal
    return sign ? -f : f;
  }
  if (exp == 31) {
    const std::uint32_t bits = sign | 0x7f800000u | (mant << 13);
    return std::bit_cast<float>(bits);
  }
  const std::uint32_t bits = sign | ((exp + 112u) << 23) | (mant << 13);
  return std::bit_cast<float>(bits);
}

struct npy_dtype {
  char kind = 0;          // 'f', 'i', 'u', 'b'
  std::size_t bytes = 0;  // item size
  bool big_endian = false;
};

inline npy_dtype parse_dtype(std::string_view descr, std::string_view source) {
  auto unsupported = [&]() -> npy_dtype {
    npy_fail(source, "unsupported dtype '" + std::string(descr) +
                         "' (supported: float16/32/64, signed and unsigned integers, bool)");
  };
  if (descr.size() < 3) unsupported();
  npy_dtype d;
  const char order = descr[0];
  if (order == '>') {
    d.big_endian = true;
  } else if (order == '<' || order == '|' || order == '=') {
    d.big_endian = order == '=' && std::endian::native == std::endian::big;
  } else {
    unsupported();
  }
  d.kind = descr[1];
  const std::string_view digits = descr.substr(2);
  if (digits.empty() || digits.size() > 1) unsupported();
  d.bytes = static_cast<std::size_t>(digits[0] - '0');
  const bool ok = (d.kind == 'f' && (d.bytes == 2 || d.bytes == 4 || d.bytes == 8)) ||
                  ((d.kind == 'i' || d.kind == 'u') && (d.bytes == 1 || d.bytes == 2 || d.bytes == 4 || d.bytes == 8)) ||
                  (d.kind == 'b' && d.bytes == 1);
  if (!ok) unsupported();
  return d;
}

// The value of key `key` in the header dict text (after "'key':").
inline std::string_view header_value(std::string_view header, std::string_view key, std::string_view source) {
  const std::string pattern = "'" + std::string(key) + "'";
  const auto k = header.find(pattern);
  if (k == std::string_view::npos) npy_fail(source, "header has no '" + std::string(key) + "' key");
  auto p = header.find(':', k + pattern.size());
  if (p == std::string_view::npos) npy_fail(source, "malformed header");
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  return header.substr(p);
}

inline std::string format_shape(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

template <class T>
T read_item(const unsigned char* p, const npy_dtype& d) noexcept {
  unsigned char buf[8];
  if (d.big_endian == (std::endian::native == std::endian::big)) {
    std::memcpy(buf, p, d.bytes);
  } else {
    for (std::size_t k = 0; k < d.bytes; ++k) buf[k] = p[d.bytes - 1 - k];
  }
  auto get = [&](auto v) {
    std::memcpy(&v, buf, sizeof v);
    return static_cast<T>(v);
  };
  switch (d.kind) {
    case 'f':
      if (d.bytes == 2) {
        std::uint16_t h;
        std::memcpy(&h, buf, 2);
        return static_cast<T>(half_to_float(h));
      }
      return d.bytes == 4 ? get(float{}) : get(double{});
    case 'i':
      return d.bytes == 1 ? get(std::int8_t{}) : d.bytes == 2 ? get(std::int16_t{}) : d.bytes == 4 ? get(std::int32_t{}) : get(std::int64_t{});
    case 'u':
      return d.bytes == 1 ? get(std::uint8_t{}) : d.bytes == 2 ? get(std::uint16_t{}) : d.bytes == 4 ? get(std::uint32_t{}) : get(std::uint64_t{});
    default:
      return static_cast<T>(buf[0] != 0);
  }
}

}  // namespace detail

// Parses the bytes of a .npy file; `source` names it in messages.
template <class T = double>
npy_array<T> parse_npy(std::span<const unsigned char> bytes, std::string_view source) {
  using detail::npy_fail;
  static constexpr unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() < 6 || !std::equal(magic, magic + 6, bytes.begin())) npy_fail(source, "not a .npy file (bad magic)");
  if (bytes.size() < 10) npy_fail(source, "truncated header");
  const unsigned major = bytes[6];
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (std::size_t{bytes[9]} << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) npy_fail(source, "truncated header");
    header_len = bytes[8] | (std::size_t{bytes[9]} << 8) | (std::size_t{bytes[10]} << 16) | (std::size_t{bytes[11]} << 24);
    header_start = 12;
  } else {
    npy_fail(source, "unsupported .npy format version " + std::to_string(major));
  }
  if (bytes.size() < header_start + header_len)
    npy_fail(source, "truncated header (" + std::to_string(header_len) + " header bytes announced, " +
                         std::to_string(bytes.size() - header_start) + " present)");
  const std::string_view header(reinterpret_cast<const char*>(bytes.data() + header_start), header_len);

  npy_array<T> out;
  // 'descr': '<f8'
  const std::string_view dv = detail::header_value(header, "descr", source);
  if (dv.empty() || (dv[0] != '\'' && dv[0] != '"')) npy_fail(source, "unsupported dtype (structured or malformed descr)");
  const auto close = dv.find(dv[0], 1);
  if (close == std::string_view::npos) npy_fail(source, "malformed header");
  out.dtype = std::string(dv.substr(1, close - 1));
  const detail::npy_dtype dtype = detail::parse_dtype(out.dtype, source);
  // 'fortran_order': True / False
  const std::string_view fv = detail::header_value(header, "fortran_order", source);
  if (fv.starts_with("True")) {
    out.fortran_order = true;
  } else if (!fv.starts_with("False")) {
    npy_fail(source, "malformed header: fortran_order is neither True nor False");
  }
  // 'shape': (3, 4)
  std::string_view sv = detail::header_value(header, "shape", source);
  if (sv.empty() || sv[0] != '(') npy_fail(source, "malformed header: shape is not a tuple");
  std::size_t p = 1;
  std::size_t count = 1;
  for (;;) {
    while (p < sv.size() && (sv[p] == ' ' || sv[p] == ',')) ++p;
    if (p >= sv.size()) npy_fail(source, "malformed header: unterminated shape");
    if (sv[p] == ')') break;
    if (sv[p] < '0' || sv[p] > '9') npy_fail(source, "malformed header: bad shape");
    std::size_t v = 0;
    while (p < sv.size() && sv[p] >= '0' && sv[p] <= '9') {
      if (v > (std::numeric_limits<std::size_t>::max() - 9) / 10) npy_fail(source, "shape too large");
      v = v * 10 + static_cast<std::size_t>(sv[p++] - '0');
    }
    if (v != 0 && count > std::numeric_limits<std::size_t>::max() / v) npy_fail(source, "shape too large");
    count *= v;
    out.shape.push_back(v);
  }
  const std::size_t data_start = header_start + header_len;
  const std::size_t available = bytes.size() - data_start;
  if (count > std::numeric_limits<std::size_t>::max() / dtype.bytes) npy_fail(source, "shape too large");
  const std::size_t needed = count * dtype.bytes;
  const std::string what = "shape " + detail::format_shape(out.shape) + " of " + out.dtype + " needs " +
                           std::to_string(needed) + " data bytes";
  if (available < needed) npy_fail(source, "truncated data: " + what + ", the file has " + std::to_string(available));
  if (available > needed)
    npy_fail(source, "data does not match the header: " + what + ", the file has " + std::to_string(available));

  out.data.resize(count);
  const unsigned char* base = bytes.data() + data_start;
  if (!out.fortran_order || out.shape.size() < 2) {
    for (std::size_t k = 0; k < count; ++k) out.data[k] = detail::read_item<T>(base + k * dtype.bytes, dtype);
  } else {
    // Fortran order: the first index varies fastest.  Walk the file in order
    // and place each item at its C-order position.
    const std::size_t rank = out.shape.size();
    std::vector<std::size_t> idx(rank, 0), c_stride(rank, 1);
    for (std::size_t r = rank - 1; r-- > 0;) c_stride[r] = c_stride[r + 1] * out.shape[r + 1];
    for (std::size_t k = 0; k < count; ++k) {
      std::size_t pos = 0;
      for (std::size_t r = 0; r < rank; ++r) pos += idx[r] * c_stride[r];
      out.data[pos] = detail::read_item<T>(base + k * dtype.bytes, dtype);
      for (std::size_t r = 0; r < rank && ++idx[r] == out.shape[r]; ++r) idx[r] = 0;
    }
  }
  return out;
}

namespace detail {
inline std::vector<unsigned char> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("cannot open '" + path + "'");
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  if (end < 0) throw io_error(path + ": cannot determine the file size");
  in.seekg(0, std::ios::beg);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(end));
  if (!bytes.empty() && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw io_error(path + ": read failed");
  return bytes;
}
}  // namespace detail

// Reads a .npy file.
template <class T = double>
npy_array<T> read_npy(const std::string& path) {
  const auto bytes = detail::read_file_bytes(path);
  return parse_npy<T>(bytes, path);
}

}  // namespace io
LEXALIGN_NAMESPACE_END
