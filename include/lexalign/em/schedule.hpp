// lexalign/em/schedule.hpp - GIZA++-style training schedules for em::train:
// "1x5,h5,3x3,4x3" = IBM Model 1 five iterations, HMM five, Model 3 three,
// Model 4 three (GIZA++'s 1^5 H^5 3^3 4^3, the Moses default).
//
//   em::train_options o;
//   em::apply_schedule(o, "1x5,h5,3x3,4x3");
//   auto model = em::train(corpus, o);
//
// Grammar: comma-separated items MODEL[x|^]N, MODEL one of 1, h (or H), 3, 4,
// N an iteration count (0 .. 1000000); models in the order 1, h, 3, 4, each
// at most once; a model not listed gets 0 iterations.  Models 3 and 4 need h
// with N > 0 (they start from the HMM's Viterbi alignments).  GIZA++'s Model
// 2, 5 and 6 are not offered.  A bad schedule throws lexalign::invalid_option
// naming the item and what is wrong.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/em/pipeline.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// Iterations per model of a parsed schedule.
struct schedule {
  std::size_t ibm1 = 0, hmm = 0, model3 = 0, model4 = 0;
  friend bool operator==(const schedule&, const schedule&) = default;
};

inline schedule parse_schedule(std::string_view text) {
  constexpr std::string_view option = "em::schedule";
  auto fail = [&](std::string_view item, std::string_view why) {
    throw invalid_option(std::string(option), "\"" + std::string(text) + "\"",
                         std::string(why) + (item.empty() ? "" : " (item \"" + std::string(item) + "\")"));
  };
  schedule s;
  if (text.empty()) fail("", "a non-empty list like 1x5,h5,3x3,4x3");
  int last = -1;
  bool seen_hmm = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = text.find(',', pos);
    const std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) fail(item, "a list of items MODELxN separated by single commas");
    int rank = -1;
    switch (item[0]) {
      case '1': rank = 0; break;
      case 'h': case 'H': rank = 1; break;
      case '3': rank = 2; break;
      case '4': rank = 3; break;
      default: fail(item, "items whose model is 1, h, 3 or 4 (Models 2, 5 and 6 are not offered)");
    }
    std::string_view digits = item.substr(1);
    if (!digits.empty() && (digits[0] == 'x' || digits[0] == '^')) digits.remove_prefix(1);
    if (digits.empty() || digits.size() > 7) fail(item, "items MODELxN with an iteration count N in 0..1000000");
    std::size_t n = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') fail(item, "items MODELxN with an iteration count N in 0..1000000");
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (n > 1000000) fail(item, "items MODELxN with an iteration count N in 0..1000000");
    if (rank <= last) fail(item, "in the order 1, h, 3, 4 with each model at most once");
    last = rank;
    (rank == 0 ? s.ibm1 : rank == 1 ? s.hmm : rank == 2 ? s.model3 : s.model4) = n;
    if (rank == 1 && n > 0) seen_hmm = true;
    if (rank >= 2 && n > 0 && !seen_hmm) fail(item, "preceded by h with iterations > 0 (Models 3 and 4 start from the HMM)");
  }
  return s;
}

// Sets o.model (hmm, or ibm1 when the schedule has no HMM iterations) and the
// iterations of o.ibm1, o.hmm, o.model3 and o.model4 from `text`.
inline void apply_schedule(train_options& o, std::string_view text) {
  const schedule s = parse_schedule(text);
  o.model = s.hmm > 0 ? model_kind::hmm : model_kind::ibm1;
  o.ibm1.iterations = s.ibm1;
  o.hmm.iterations = s.hmm;
  o.model3.iterations = s.model3;
  o.model4.iterations = s.model4;
}

}  // namespace em
LEXALIGN_NAMESPACE_END
