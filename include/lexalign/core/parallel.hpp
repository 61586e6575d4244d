// lexalign/core/parallel.hpp - how an algorithm is told to use threads.
//
// Every parallel algorithm's options hold one
//
//     parallel_options parallel;   // {.threads = 1, .pool = nullptr}
//
// and nothing else about threads (a pipeline's options hold it once, for all
// of its stages).  With a `pool`, the caller's threads are used (and
// `threads` is ignored); without one, `threads` > 1 (0 = all hardware
// threads) makes the algorithm start one pool at its entry, used by all its
// iterations and stopped at its return.  Results never depend on either:
// work is cut into blocks whose boundaries depend on the problem only, and
// partial results are reduced in block order (core/thread_pool.hpp).
#pragma once

#include <cstddef>
#include <optional>

#include "lexalign/config.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/core/validate.hpp"

LEXALIGN_NAMESPACE_BEGIN

struct parallel_options {
  unsigned threads = 1;         // total threads, the caller's included; 0 = all hardware threads
  thread_pool* pool = nullptr;  // caller-owned threads to use instead (threads is then ignored)
};

// Upper bound on parallel_options::threads (a typo guard).
inline constexpr unsigned max_threads = 4096;

inline void validate(const parallel_options& o) {
  validation::at_most("parallel_options.threads", o.threads, max_threads);
}

// What an algorithm runs its parallel loops on: the caller's pool, a pool of
// its own started once in the constructor, or the calling thread alone.
class executor {
 public:
  explicit executor(const parallel_options& o) {
    if (o.pool) {
      pool_ = o.pool;
    } else if (resolve_threads(o.threads) > 1) {
      own_.emplace(resolve_threads(o.threads));
      pool_ = &*own_;
    }
  }
  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;

  // Total concurrency (>= 1).
  unsigned size() const noexcept { return pool_ ? pool_->size() : 1u; }
  // Workers (and so per-worker scratch buffers) a loop over `blocks` blocks uses.
  unsigned workers_for(std::size_t blocks) const noexcept { return pool_ ? pool_->workers_for(blocks) : 1u; }

  // See thread_pool::for_each_block.
  template <class Body>
  void for_each_block(std::size_t n, std::size_t block_size, Body&& body) const {
    if (pool_) {
      pool_->for_each_block(n, block_size, body);
      return;
    }
    const std::size_t blocks = block_count(n, block_size);
    for (std::size_t b = 0; b < blocks; ++b) body(b, b * block_size, std::min(n, (b + 1) * block_size), 0u);
  }

 private:
  std::optional<thread_pool> own_;
  thread_pool* pool_ = nullptr;
};

LEXALIGN_NAMESPACE_END
