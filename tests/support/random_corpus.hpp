// A small random parallel corpus with Zipf-like word frequencies (products
// of uniform draws), for tests that need co-occurrence structure without a
// data file: pair k has 1-7 source words "s<i>" and 1-7 target words "t<j>".
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "lexalign/core/corpus.hpp"

namespace lexalign::test {

inline lexalign::parallel_corpus random_zipf_corpus(unsigned seed, std::size_t pairs) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> len(0, 6), zipf_src(0, 11), zipf_tgt(0, 13);
  lexalign::parallel_corpus c;
  for (std::size_t k = 0; k < pairs; ++k) {
    std::vector<std::string> s, t;
    const int n = len(rng) + 1, m = len(rng) + 1;
    for (int i = 0; i < n; ++i) s.push_back(std::string(1, 's').append(std::to_string(zipf_src(rng) * zipf_src(rng) / 11)));
    for (int j = 0; j < m; ++j) t.push_back(std::string(1, 't').append(std::to_string(zipf_tgt(rng) * zipf_tgt(rng) / 13)));
    c.add(s, t);
  }
  return c;
}

}  // namespace lexalign::test
