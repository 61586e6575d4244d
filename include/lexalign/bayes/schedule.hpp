// lexalign/bayes/schedule.hpp - the Gibbs aligner's stages and sweep schedule.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

// The model components in the order they are switched on.
enum class stage : unsigned char {
  ibm1 = 1,       // lexical translation only (Bayesian IBM Model 1)
  hmm = 2,        // + one global jump distribution over source-position differences
  fertility = 3,  // + per-source-word fertility distribution
};

// Sweeps (one Gibbs update of every generated token) per stage.
struct sweep_schedule {
  std::size_t ibm1 = 0;
  std::size_t hmm = 0;
  std::size_t fertility = 0;
  std::size_t total() const noexcept { return ibm1 + hmm + fertility; }
  friend bool operator==(const sweep_schedule&, const sweep_schedule&) = default;
};

// The default schedule from the corpus size (the rule of eflomal's driver):
// it = max(2, round(scale * 5000 / sqrt(sentences))), then
//   ibm1 only:      (it, 0, 0)
//   up to hmm:      (max(2, it/4), it, 0)
//   up to fertility:(max(2, it/4), it/4, it)
// e.g. 447 sentences -> (59, 59, 236); 30,856 -> (7, 7, 28).
inline sweep_schedule default_schedule(std::size_t sentences, stage last = stage::fertility, double scale = 1.0) {
  const double n = static_cast<double>(std::max<std::size_t>(1, sentences));
  const auto it = static_cast<std::size_t>(std::max(2.0, std::round(scale * 5000.0 / std::sqrt(n))));
  switch (last) {
    case stage::ibm1: return {it, 0, 0};
    case stage::hmm: return {std::max<std::size_t>(2, it / 4), it, 0};
    case stage::fertility: return {std::max<std::size_t>(2, it / 4), it / 4, it};
  }
  return {it, 0, 0};
}

// A sweep count chosen by default_schedule.
inline constexpr std::size_t automatic = static_cast<std::size_t>(-1);

}  // namespace bayes
LEXALIGN_NAMESPACE_END
