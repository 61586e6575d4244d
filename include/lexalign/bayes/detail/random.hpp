// lexalign/bayes/detail/random.hpp - a small, fast, explicitly seeded RNG.
//
// splitmix64 expands one 64-bit seed into independent stream seeds;
// xoshiro256** (Blackman & Vigna) generates the numbers.  Both are written
// here from their published definitions so that a seed gives the same
// numbers on every platform and standard library (std::mt19937 would, but
// std::*_distribution would not).
#pragma once

#include <cstdint>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes::detail {

// One step of splitmix64: advances `state` and returns the next output.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The seed of stream `stream` derived from a user seed (independent streams
// for each direction and sampler).
constexpr std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
  std::uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
  splitmix64(s);
  return splitmix64(s);
}

class xoshiro256ss {
 public:
  explicit constexpr xoshiro256ss(std::uint64_t seed = 0) noexcept { this->seed(seed); }

  constexpr void seed(std::uint64_t seed) noexcept {
    std::uint64_t sm = seed;
    for (auto& x : s_) x = splitmix64(sm);  // never all zero: splitmix64 is a bijection of distinct inputs
  }

  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n > 0 (from 53 bits; bias below 2^-20 for n < 2^32).
  constexpr std::uint64_t below(std::uint64_t n) noexcept {
    const auto k = static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
    return k < n ? k : n - 1;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace bayes::detail
LEXALIGN_NAMESPACE_END
