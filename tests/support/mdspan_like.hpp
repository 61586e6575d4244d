// A minimal mdspan-shaped type (libstdc++ 12 has no std::mdspan): nested
// extents_type, extent(r), m[std::array{i, j}], data_handle(), stride(r).
#pragma once

#include <array>
#include <cstddef>

namespace lexalign::test {

template <std::size_t Rank>
struct dyn_extents {
  static constexpr std::size_t rank() noexcept { return Rank; }
};

template <class T, std::size_t Rank = 2>
class mdspan_like {
 public:
  using extents_type = dyn_extents<Rank>;
  using element_type = T;
  mdspan_like(T* p, std::array<std::size_t, Rank> ext, std::array<std::size_t, Rank> strides)
      : p_(p), ext_(ext), strides_(strides) {}
  std::size_t extent(std::size_t r) const { return ext_[r]; }
  std::size_t stride(std::size_t r) const { return strides_[r]; }
  bool is_strided() const { return true; }
  T* data_handle() const { return p_; }
  T& operator[](std::array<std::size_t, Rank> idx) const {
    std::size_t off = 0;
    for (std::size_t r = 0; r < Rank; ++r) off += idx[r] * strides_[r];
    return p_[off];
  }

 private:
  T* p_;
  std::array<std::size_t, Rank> ext_, strides_;
};

}  // namespace lexalign::test
