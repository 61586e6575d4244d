// lexalign/em/estep_scratch.hpp - the buffers of an E-step over the corpus:
// one log-likelihood per work block and one scratch per worker thread.  A
// trainer keeps one across iterations, so that once the longest sentence pair
// has been seen an iteration allocates nothing.
#pragma once

#include <cstddef>
#include <vector>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

template <class Worker>
struct estep_scratch {
  std::vector<double> block_ll;  // per-block log-likelihoods, summed in block order
  std::vector<Worker> work;      // one per worker thread

  // Zeroes `blocks` log-likelihoods and makes room for `workers` workers,
  // each able to hold pairs of up to `given` x `generated` tokens; allocates
  // only when these grow.
  void prepare(std::size_t blocks, unsigned workers, std::size_t given, std::size_t generated) {
    block_ll.assign(blocks, 0.0);
    if (work.size() < workers) work.resize(workers);
    for (auto& w : work) w.reserve(given, generated);
  }
};

// A worker's emission matrix (m x (l+1), column 0 NULL) and the lexical-table
// index of each cell (IBM1 and fast_align).
struct emission_scratch {
  std::vector<double> b;
  std::vector<std::size_t> index;

  void reserve(std::size_t given, std::size_t generated) {
    b.reserve(generated * (given + 1));
    index.reserve(generated * (given + 1));
  }
};

}  // namespace em
LEXALIGN_NAMESPACE_END
