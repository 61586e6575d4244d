// lexalign/bayes/detail/count_table.hpp - one chain's lexical counts n(row, f),
// stored sparsely: only the non-zero counts.
//
// Each row (0 = NULL, e+1 = given word e) is an open-addressing hash map from
// generated word id to count (linear probing, multiplicative hashing,
// backward-shift deletion, so a count that drops to zero frees its slot and
// no tombstones accumulate).  A row's table has a power-of-two capacity of at
// least 4 slots and is at most 3/4 full; all rows live in one pool of 8-byte
// slots owned by the chain.  A row that outgrows its block moves to a block
// twice as large (taken from a free list or from the end of the pool) and
// gives its old block back to the free list of its size.
//
// Memory: 8 bytes per slot, i.e. between 10.7 and 21.3 bytes per non-zero
// count (the load is between 3/8 and 3/4 after growth), plus 16 bytes per
// row.  Compared with a dense count per co-occurring word pair this follows
// the links, not the vocabularies: on the Bible (3.0M co-occurring pairs per
// direction) a chain holds about 0.7M counts right after its random start and
// about 0.1M once it has converged.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes::detail {

class count_table {
 public:
  struct slot {
    std::uint32_t key = empty_key;  // generated word id, or empty_key
    std::uint32_t count = 0;
  };
  static constexpr std::uint32_t empty_key = 0xFFFFFFFFu;

  count_table() = default;

  // `rows` empty rows.
  explicit count_table(std::size_t rows) { reset(rows); }

  void reset(std::size_t rows) {
    rows_.assign(rows, row_info{});
    pool_.clear();
    free_.assign(64, none);
    entries_ = 0;
  }

  // Empty rows sized for `expected[r]` distinct entries each (without
  // growth), in one pool with headroom for later growth (1/8 of the slots +
  // 256): rows that grow take their new blocks from it without allocating.
  void reset(const std::vector<std::uint32_t>& expected) {
    rows_.assign(expected.size(), row_info{});
    free_.assign(64, none);
    entries_ = 0;
    std::size_t total = 0;
    for (std::size_t r = 0; r < expected.size(); ++r)
      if (expected[r] != 0) total += std::size_t{1} << shift_for(expected[r]);
    pool_.clear();
    pool_.shrink_to_fit();
    pool_.reserve(total + total / 8 + 256);
    for (std::size_t r = 0; r < expected.size(); ++r)
      if (expected[r] != 0) {
        const unsigned s = shift_for(expected[r]);
        rows_[r].offset = allocate(s);
        rows_[r].shift = static_cast<std::uint32_t>(s);
      }
  }

  std::size_t rows() const noexcept { return rows_.size(); }
  std::size_t entries() const noexcept { return entries_; }  // non-zero counts
  std::size_t row_entries(std::size_t row) const noexcept { return rows_[row].size; }
  std::size_t memory_bytes() const noexcept {
    return pool_.capacity() * sizeof(slot) + rows_.capacity() * sizeof(row_info) +
           free_.capacity() * sizeof(std::uint64_t);
  }
  std::size_t pool_slots() const noexcept { return pool_.size(); }

  // n(row, f), 0 when absent.  (Forced inline: it is the sampler's innermost lookup.)
  LEXALIGN_FORCE_INLINE std::uint32_t get(std::size_t row, std::size_t f) const noexcept {
    const row_info& r = rows_[row];
    if (r.size == 0) return 0;
    const slot* base = pool_.data() + r.offset;
    const std::size_t mask = (std::size_t{1} << r.shift) - 1;
    for (std::size_t h = home(static_cast<std::uint32_t>(f), r.shift);; h = (h + 1) & mask) {
      const slot& s = base[h];
      if (s.key == f) return s.count;
      if (s.key == empty_key) return 0;
    }
  }

  // One row's table for repeated look-ups (the row's location read once).
  struct reader {
    const slot* base = nullptr;  // null: the row has no count
    std::size_t mask = 0;
    std::uint32_t shift = 0;
    LEXALIGN_FORCE_INLINE std::uint32_t get(std::size_t f) const noexcept {
      if (base == nullptr) return 0;
      for (std::size_t h = home(static_cast<std::uint32_t>(f), shift);; h = (h + 1) & mask) {
        const slot& s = base[h];
        if (s.key == f) return s.count;
        if (s.key == empty_key) return 0;
      }
    }
    // Starts loading the slot where get(f) begins its probe (a hint: no
    // effect on any result).  Touching every key's slot before a run of
    // get()s lets their cache misses overlap.
    LEXALIGN_FORCE_INLINE void prefetch(std::size_t f) const noexcept {
      if (base != nullptr) __builtin_prefetch(base + home(static_cast<std::uint32_t>(f), shift));
    }
  };
  reader read(std::size_t row) const noexcept {
    const row_info& r = rows_[row];
    if (r.size == 0) return {};
    return {pool_.data() + r.offset, (std::size_t{1} << r.shift) - 1, r.shift};
  }

  // Hints (no effect on any result): start loading row's location, or the
  // first `lines` cache lines of its slots.
  LEXALIGN_FORCE_INLINE void prefetch_location(std::size_t row) const noexcept { __builtin_prefetch(rows_.data() + row); }
  LEXALIGN_FORCE_INLINE void prefetch_slots(std::span<const slot> slots, std::size_t lines) const noexcept {
    constexpr std::size_t per_line = 64 / sizeof(slot);
    const std::size_t n = std::min(slots.size(), lines * per_line);
    for (std::size_t k = 0; k < n; k += per_line) __builtin_prefetch(slots.data() + k);
  }

  // n(row, f) += 1.
  void increment(std::size_t row, std::size_t f) {
    row_info& r = rows_[row];
    if (r.shift == 0 || max_load_den * (std::size_t{r.size} + 1) > max_load_num * (std::size_t{1} << r.shift)) grow(row);
    slot* base = pool_.data() + r.offset;
    const std::size_t mask = (std::size_t{1} << r.shift) - 1;
    for (std::size_t h = home(static_cast<std::uint32_t>(f), r.shift);; h = (h + 1) & mask) {
      slot& s = base[h];
      if (s.key == f) {
        ++s.count;
        return;
      }
      if (s.key == empty_key) {
        s.key = static_cast<std::uint32_t>(f);
        s.count = 1;
        ++r.size;
        ++entries_;
        return;
      }
    }
  }

  // n(row, f) -= 1; the count must be positive.
  void decrement(std::size_t row, std::size_t f) noexcept {
    row_info& r = rows_[row];
    slot* base = pool_.data() + r.offset;
    const std::size_t mask = (std::size_t{1} << r.shift) - 1;
    std::size_t h = home(static_cast<std::uint32_t>(f), r.shift);
    while (base[h].key != f) h = (h + 1) & mask;
    if (--base[h].count != 0) return;
    // Backward-shift deletion: move later members of the probe run into the hole.
    std::size_t hole = h;
    for (std::size_t k = (hole + 1) & mask; base[k].key != empty_key; k = (k + 1) & mask) {
      const std::size_t want = home(base[k].key, r.shift);
      // base[k] may fill the hole unless its home lies cyclically in (hole, k].
      const bool stays = hole <= k ? (hole < want && want <= k) : (hole < want || want <= k);
      if (stays) continue;
      base[hole] = base[k];
      hole = k;
    }
    base[hole] = slot{};
    --r.size;
    --entries_;
  }

  // The slots of `row` (empty slots have key empty_key); empty when the row has no count.
  std::span<const slot> row_slots(std::size_t row) const noexcept {
    const row_info& r = rows_[row];
    if (r.size == 0) return {};
    return {pool_.data() + r.offset, std::size_t{1} << r.shift};
  }

  // Calls fn(f, count) for every non-zero count of `row` (in slot order).
  template <class Fn>
  void for_each(std::size_t row, Fn&& fn) const {
    const row_info& r = rows_[row];
    if (r.size == 0) return;
    const slot* base = pool_.data() + r.offset;
    for (std::size_t h = 0, n = std::size_t{1} << r.shift; h < n; ++h)
      if (base[h].key != empty_key) fn(static_cast<word_id>(base[h].key), base[h].count);
  }

  // Rebuilds the table with every row at its smallest size (after the counts
  // have fallen, e.g. at the end of sampling), with reset()'s headroom.
  void compact() {
    if (pool_.size() <= 4096) return;  // small tables (e.g. one new sentence pair): not worth rebuilding
    std::vector<std::uint32_t> expected(rows_.size());
    for (std::size_t r = 0; r < rows_.size(); ++r) expected[r] = rows_[r].size;
    count_table fresh;
    fresh.reset(expected);
    for (std::size_t r = 0; r < rows_.size(); ++r)
      for_each(r, [&](word_id f, std::uint32_t n) { fresh.insert_new(r, f, n); });
    *this = std::move(fresh);
  }

  // Exact equality of the stored counts (layout may differ).
  friend bool operator==(const count_table& a, const count_table& b) {
    if (a.rows_.size() != b.rows_.size() || a.entries_ != b.entries_) return false;
    for (std::size_t r = 0; r < a.rows_.size(); ++r) {
      if (a.rows_[r].size != b.rows_[r].size) return false;
      bool same = true;
      a.for_each(r, [&](word_id f, std::uint32_t n) { same = same && b.get(r, f) == n; });
      if (!same) return false;
    }
    return true;
  }

 private:
  struct row_info {
    std::uint64_t offset = 0;  // first slot in the pool
    std::uint32_t size = 0;    // non-zero counts
    std::uint32_t shift = 0;   // capacity 2^shift slots; 0 = no block yet
  };

  static constexpr unsigned min_shift = 2;
  // Largest load before growth: short probe runs for the many absent keys.
  static constexpr std::size_t max_load_num = 1, max_load_den = 2;

  // Smallest shift whose capacity holds n entries at load <= 3/4 before the next insertion.
  static unsigned shift_for(std::size_t n) noexcept {
    unsigned s = min_shift;
    while (max_load_den * (n + 1) > max_load_num * (std::size_t{1} << s)) ++s;
    return s;
  }

  static std::size_t home(std::uint32_t f, std::uint32_t shift) noexcept {
    // Fibonacci hashing: the top `shift` bits of f * 2^32/phi.
    return static_cast<std::size_t>((std::uint64_t{f} * 0x9E3779B97F4A7C15ull) >> (64 - shift));
  }

  // A block of 2^shift empty slots: from the free list, else from the pool's end.
  std::uint64_t allocate(unsigned shift) {
    if (shift < free_.size() && free_[shift] != none) {
      const std::uint64_t off = free_[shift];
      const slot& s = pool_[off];
      free_[shift] = (std::uint64_t{s.count} << 32) | s.key;
      const std::size_t n = std::size_t{1} << shift;
      std::fill(pool_.begin() + static_cast<std::ptrdiff_t>(off), pool_.begin() + static_cast<std::ptrdiff_t>(off + n),
                slot{});
      return off;
    }
    const std::uint64_t off = pool_.size();
    pool_.resize(pool_.size() + (std::size_t{1} << shift));
    return off;
  }

  void release(std::uint64_t off, unsigned shift) {
    if (free_.size() <= shift) free_.resize(shift + 1, none);
    const std::uint64_t next = free_[shift];
    pool_[off] = slot{static_cast<std::uint32_t>(next & 0xFFFFFFFFu), static_cast<std::uint32_t>(next >> 32)};
    free_[shift] = off;
  }

  void grow(std::size_t row) {
    row_info& r = rows_[row];
    const unsigned old_shift = r.shift;
    const unsigned s = old_shift == 0 ? min_shift : old_shift + 1;
    const std::uint64_t off = allocate(s);  // may move the pool
    if (old_shift != 0) {
      const std::uint64_t old = r.offset;
      const std::size_t n = std::size_t{1} << old_shift;
      r.offset = off;
      r.shift = s;
      const std::uint32_t size = r.size;
      r.size = 0;
      entries_ -= size;
      for (std::size_t h = 0; h < n; ++h) {
        const slot x = pool_[old + h];
        if (x.key != empty_key) insert_new(row, x.key, x.count);
      }
      release(old, old_shift);
    } else {
      r.offset = off;
      r.shift = s;
    }
  }

  // Inserts a key known to be absent, without growth.
  void insert_new(std::size_t row, word_id f, std::uint32_t n) noexcept {
    row_info& r = rows_[row];
    slot* base = pool_.data() + r.offset;
    const std::size_t mask = (std::size_t{1} << r.shift) - 1;
    std::size_t h = home(static_cast<std::uint32_t>(f), r.shift);
    while (base[h].key != empty_key) h = (h + 1) & mask;
    base[h] = slot{static_cast<std::uint32_t>(f), n};
    ++r.size;
    ++entries_;
  }

  static constexpr std::uint64_t none = static_cast<std::uint64_t>(-1);

  std::vector<row_info> rows_;
  std::vector<slot> pool_;
  std::vector<std::uint64_t> free_;  // per shift: first free block (linked through its first slot), or none
  std::size_t entries_ = 0;
};

}  // namespace bayes::detail
LEXALIGN_NAMESPACE_END
