// lexalign/em/fixed_point_counts.hpp - deterministic reductions of the E-steps: expected
// counts in fixed point and per-block sums in block order.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>
#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// Expected counts in 32.32 fixed point.  Integer addition is associative, so
// the totals are bit-identical whatever the number of threads or the order in
// which sentence blocks are processed; each added value is rounded to the
// nearest 2^-32 (about 2.3e-10), far below the 1e-7 probability floor.  One
// cell holds up to 2^32 expected occurrences.
class fixed_point_counts {
 public:
  static constexpr double scale = 4294967296.0;  // 2^32

  void assign(std::size_t n) { cells_.assign(n, 0); }
  std::size_t size() const noexcept { return cells_.size(); }
  void clear() noexcept { std::fill(cells_.begin(), cells_.end(), std::uint64_t{0}); }

  static std::uint64_t encode(double v) noexcept {
    return v <= 0.0 ? 0u : static_cast<std::uint64_t>(v * scale + 0.5);
  }
  // Thread-safe when `concurrent`; a plain add otherwise.
  void add(std::size_t k, double v, bool concurrent) noexcept {
    const std::uint64_t x = encode(v);
    if (x == 0) return;
    if (concurrent) std::atomic_ref<std::uint64_t>(cells_[k]).fetch_add(x, std::memory_order_relaxed);
    else cells_[k] += x;
  }
  double value(std::size_t k) const noexcept { return static_cast<double>(cells_[k]) / scale; }
  std::uint64_t raw(std::size_t k) const noexcept { return cells_[k]; }
  // The raw cells, for reductions across processes (em/distributed.hpp):
  // adding two sets of cells element-wise (mod 2^64) is the same as adding
  // their values one by one.
  std::span<std::uint64_t> cells() noexcept { return cells_; }

 private:
  std::vector<std::uint64_t> cells_;
};

// Sum of per-block partials in block order (deterministic).
inline double ordered_sum(const std::vector<double>& partials) noexcept {
  double s = 0.0;
  for (double v : partials) s += v;
  return s;
}

}  // namespace em
LEXALIGN_NAMESPACE_END
