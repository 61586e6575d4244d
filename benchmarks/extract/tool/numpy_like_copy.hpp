// numpy_like_copy: a matrix stack laid out in memory as NumPy lays out its
// own arrays, shared by the extract timing programs (lexalign_extract_tool
// and benchmarks/extract/ab/).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

// A copy of `v` in 64-byte aligned memory, madvise(MADV_HUGEPAGE)d when it
// is 4 MiB or more (NumPy's rule for its own arrays).
template <class T>
struct numpy_like_copy {
  T* data = nullptr;
  explicit numpy_like_copy(const std::vector<T>& v) {
    const std::size_t bytes = v.size() * sizeof(T);
    const bool huge = bytes >= (std::size_t{1} << 22);
    const std::size_t align = huge ? std::size_t{1} << 21 : 64;
    const std::size_t size = (bytes + align - 1) / align * align;
    data = static_cast<T*>(std::aligned_alloc(align, size ? size : align));
    if (!data) throw std::bad_alloc();
    if (huge) madvise(data, size, MADV_HUGEPAGE);  // a hint: THP may be off
    if (bytes) std::memcpy(data, v.data(), bytes);
  }
  numpy_like_copy(const numpy_like_copy&) = delete;
  numpy_like_copy& operator=(const numpy_like_copy&) = delete;
  ~numpy_like_copy() { std::free(data); }
};
