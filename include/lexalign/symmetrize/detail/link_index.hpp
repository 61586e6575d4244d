// lexalign/symmetrize/detail/link_index.hpp - open-addressing map from a
// 64-bit key to a 32-bit index, rebuilt per sentence in O(size) and reused.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace symmetrize::detail {

class index_map {
 public:
  static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

  // Empties the map and sizes it for `n` keys (load factor at most 1/2).
  void reset(std::size_t n) {
    const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, 2 * n));
    shift_ = 64 - std::countr_zero(capacity);
    mask_ = capacity - 1;
    keys_.resize(capacity);
    values_.assign(capacity, npos);
  }

  // Inserts `key` with `value` unless present; returns the stored value.
  std::uint32_t insert(std::uint64_t key, std::uint32_t value) {
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (values_[i] == npos) {
        keys_[i] = key;
        values_[i] = value;
        return value;
      }
      if (keys_[i] == key) return values_[i];
    }
  }

  // The value stored for `key`, or npos.
  std::uint32_t find(std::uint64_t key) const noexcept {
    for (std::size_t i = slot(key);; i = (i + 1) & mask_) {
      if (values_[i] == npos) return npos;
      if (keys_[i] == key) return values_[i];
    }
  }

 private:
  std::size_t slot(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> values_;
  int shift_ = 60;
  std::size_t mask_ = 15;
};

}  // namespace symmetrize::detail
LEXALIGN_NAMESPACE_END
